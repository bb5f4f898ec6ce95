// A portfolio scoring run (calculate_health_score {all: true}) shares the database with other calls. On the
// embedded PGlite it shares the one connection, and its chunks run inside this process: a request that
// arrives while it runs (here a statement started from a timer, as a request read from stdin or a socket
// starts from an I/O callback) must be served between two chunks, not after the whole run. A run cancelled
// part-way stores nothing and leaves no run table behind.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { loadDemo } from "../../src/services/demo/load.ts";
import { HealthScoreService, type CalculateInput } from "../../src/services/health/health-score-service.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const base: CalculateInput = { scoring_model: "weighted_composite", lookback_period_days: 30, include_predictions: false, limit: 5, offset: 0, all: true };

describe.each(BACKENDS)("portfolio scoring lets other calls through (%s)", (backend) => {
  let t: TestDb;
  let active: number;

  beforeAll(async () => {
    t = await openTestDb(backend);
    await loadDemo(t.db, { seed: 5, accounts: 40, now: NOW });
    [{ n: active }] = (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM accounts WHERE status = 'active'`)) as [{ n: number }];
  }, 120_000);
  afterAll(async () => {
    await t?.cleanup();
  });

  // Chunks of 4 accounts: about ten chunks.
  const service = () => new HealthScoreService(t.db.prisma, t.config, () => NOW, t.db.kind, 4);

  it("a statement started from a timer while the run goes on is answered before the run ends", async () => {
    const order: string[] = [];
    let armed = false;
    const run = service()
      .calculate(base, async (done, total) => {
        if (!armed && done > 0 && done < (total ?? 0)) {
          // Armed once, after the first chunk: fires on a later event-loop turn.
          armed = true;
          setTimeout(() => {
            void t.db.prisma.account.count().then(() => order.push("other call"));
          }, 0);
        }
      })
      .then((r) => {
        order.push("scoring run");
        return r;
      });
    const answer = (await run) as { totals: { accounts: number } };
    expect(answer.totals.accounts).toBe(active);
    // The other call may still be on its way when the run ends (only if it was starved): wait for it.
    await expect.poll(() => order.length).toBe(2);
    expect(order).toEqual(["other call", "scoring run"]);
    const [stored] = await t.db.query<{ n: number }>(`SELECT count(DISTINCT account_id)::int AS n FROM health_scores`);
    expect(stored!.n).toBe(active);
  });

  it("a run cancelled part-way stores nothing and drops its run table", async () => {
    const [before] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM health_scores`);
    const abort = new AbortController();
    const run = service().calculate({ ...base, scoring_model: "weighted_composite" }, async (done, total) => {
      if (done > 0 && done < (total ?? 0)) abort.abort(new Error("cancelled by the test"));
    }, abort.signal);
    await expect(run).rejects.toThrow(/cancelled by the test/);
    const [after] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM health_scores`);
    expect(after!.n).toBe(before!.n);
    const runTables = await t.db.query<{ relname: string }>(`SELECT relname FROM pg_class WHERE relname LIKE 'health_run_%'`);
    expect(runTables).toEqual([]);
  });
});
