// Long calls over stdio: a request with a progress token gets notifications/progress, in order, ending
// at the total; a notifications/cancelled stops the run — on PostgreSQL the statement it is waiting in
// is cancelled at once (the test holds a lock the write needs, so the run is provably mid-write), and
// nothing half-written stays.
import { afterEach, describe, expect, it } from "vitest";
import pg from "pg";
import type { Progress } from "@modelcontextprotocol/sdk/types.js";
import { ADMIN_URL, embeddedDataDir } from "../helpers/databases.ts";
import { csBackend } from "../helpers/cs-e2e.ts";
import { dataOf, startServer, type RunningServer } from "../helpers/server.ts";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function demoServer(env: Record<string, string>): Promise<RunningServer> {
  const server = await startServer({ CS_MCP_TOOLSETS: "", ...env }, ["--demo"]);
  cleanups.push(() => server.close());
  // Calls wait for the database (and the demo portfolio) to be ready.
  expect(dataOf<{ total: number }>(await server.call("list_clients", { limit: 1 })).total).toBeGreaterThan(0);
  return server;
}

describe("progress and cancellation over stdio", () => {
  it("portfolio scoring and churn report progress that only goes up and ends at the total", async () => {
    const { dir, remove } = embeddedDataDir();
    cleanups.push(remove);
    const s = await demoServer({ CS_MCP_DATA_DIR: dir });
    for (const [name, args] of [["calculate_health_score", { all: true }], ["identify_churn_risk", {}]] as const) {
      const seen: Progress[] = [];
      const r = await s.client.callTool({ name, arguments: args }, undefined, { onprogress: (p) => seen.push(p) });
      expect(r.isError).toBeFalsy();
      const accounts = (r.structuredContent as { totals: { accounts: number } }).totals.accounts;
      expect(seen.length).toBeGreaterThanOrEqual(2);
      expect(seen[0]!.progress).toBe(0);
      for (let i = 1; i < seen.length; i++) expect(seen[i]!.progress).toBeGreaterThanOrEqual(seen[i - 1]!.progress);
      expect(seen.at(-1)).toMatchObject({ progress: accounts, total: accounts });
      for (const p of seen) expect(p.total).toBe(accounts);
    }
  }, 180_000); // a demo portfolio loaded at start-up, on a shared machine

  it.runIf(ADMIN_URL)("PostgreSQL: a cancelled scoring run stops its blocked statement and stores nothing", async () => {
    const backend = await csBackend("postgres");
    cleanups.push(() => backend.cleanup());
    // Neither the statement timeout nor the call's deadline may end the wait: only the cancel.
    const s = await demoServer({ ...backend.env, DB_STATEMENT_TIMEOUT_MS: "600000", CS_MCP_TOOL_TIMEOUT_MS: "600000" });
    const url = backend.env.DATABASE_URL!;
    const db = new URL(url).pathname.slice(1);
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    cleanups.push(() => holder.end());
    const waiting = async () =>
      Number((await holder.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'customer-success-mcp' AND wait_event_type = 'Lock'`, [db])).rows[0].n);

    const observer = new pg.Client({ connectionString: url });
    await observer.connect();
    cleanups.push(() => observer.end());
    const rows = async () => Number((await observer.query(`SELECT count(*)::int AS n FROM health_scores`)).rows[0].n);
    expect(await rows()).toBe(0);

    // Every account locked: the run's insert (its foreign-key check) must wait for this transaction.
    await holder.query("BEGIN");
    await holder.query("SELECT id FROM accounts FOR UPDATE");
    const cancel = new AbortController();
    const run = s.client.callTool({ name: "calculate_health_score", arguments: { all: true } }, undefined, { signal: cancel.signal }).then(
      () => "answered",
      (e: Error) => e.message,
    );
    await expect.poll(waiting, { timeout: 30_000, interval: 50 }).toBe(1);

    cancel.abort("stop");
    expect(await run).toMatch(/stop|abort/i);
    // The blocked statement is cancelled while the lock is still held.
    await expect.poll(waiting, { timeout: 30_000, interval: 50 }).toBe(0);
    await expect.poll(() => /"tool":"calculate_health_score"[^\n]*"ok":false[^\n]*"msg":"tool call"/.test(s.stderr()), { timeout: 30_000, interval: 50 }).toBe(true);
    await holder.query("ROLLBACK");

    expect(await rows()).toBe(0);
    expect(Number((await observer.query(`SELECT count(*)::int AS n FROM accounts WHERE health_score IS NOT NULL`)).rows[0].n)).toBe(0);
    // The server is still serving, and the same call completes when nobody cancels it.
    expect(dataOf<{ totals: { scored: number } }>(await s.call("calculate_health_score", { all: true })).totals.scored).toBeGreaterThan(0);
    expect(await rows()).toBeGreaterThan(0);
  }, 180_000);
});
