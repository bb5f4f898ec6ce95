// `cs-mcp demo --accounts N` as a person runs it: the limit (200,000) is refused past it with the flag and
// the rule named and nothing written; a small N loads exactly that many accounts, reports its progress on
// stderr and prints the summary alone on stdout.
import { spawnSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { embeddedDataDir } from "../helpers/databases.ts";
import { CLI, serverEnv } from "../helpers/server.ts";
import { loadConfig } from "../../src/config/load.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { openDatabase } from "../../src/db/database.ts";

const cleanups: Array<() => unknown> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

function run(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: serverEnv({ LOG_LEVEL: "warn", ...env }), timeout: 240_000 });
  return { code: r.status, out: r.stdout.toString(), err: r.stderr.toString() };
}

async function demoAccounts(dir: string): Promise<number> {
  const db = await openDatabase(loadConfig({ CS_MCP_DATA_DIR: dir, LOG_LEVEL: "silent" }), createLogger("silent"));
  try {
    return (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM accounts WHERE is_demo`))[0]!.n;
  } finally {
    await db.close();
  }
}

describe("cs-mcp demo --accounts", () => {
  const { dir, remove } = embeddedDataDir();
  cleanups.push(remove);

  it("refuses 200,001 accounts naming the flag and the rule, and writes nothing", async () => {
    const r = run(["demo", "--accounts", "200001"], { CS_MCP_DATA_DIR: dir });
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err.trim()).toBe("--accounts: must be a whole number from 1 to 200000");
    expect(await demoAccounts(dir)).toBe(0);
  });

  it("loads exactly the accounts asked for, progress on stderr, the summary on stdout", async () => {
    const r = run(["demo", "--accounts", "7", "--seed", "4"], { CS_MCP_DATA_DIR: dir });
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.out) as { accounts: number; seed: number };
    expect(summary).toMatchObject({ accounts: 7, seed: 4 });
    expect(r.err).toMatch(/^demo: generating the demo portfolio \(7 accounts\) \(step 0 of 5\)$/m);
    expect(r.err).toMatch(/^demo: demo portfolio loaded \(step 5 of 5\)$/m);
    expect(await demoAccounts(dir)).toBe(7);
  }, 240_000);
});
