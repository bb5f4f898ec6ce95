// get_client_overview reads everything in ONE statement (the health history joined the function in
// 20261203171326_client_overview_history), with the same result as before: the previous function
// (installed here under another name, from its own migration file) and the previous history statement
// give the same JSON, byte for byte, for every account of a demo portfolio with stored health scores.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { loadDemo } from "../../src/services/demo/load.ts";
import { ClientService, HEALTH_HISTORY_POINTS } from "../../src/services/clients.ts";
import { loadOverview } from "../../src/repositories/overview.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const SINCE = new Date(NOW.getTime() - 90 * 86_400_000);
const bands = { atRiskBelow: 50, healthyFrom: 75, championFrom: 90 };

/** The function as it was before the history joined it, renamed. */
function previousFunction(): string {
  const sql = readFileSync("prisma/migrations/20261203103846_history_attributes_models/migration.sql", "utf8");
  const fn = sql.slice(sql.indexOf("CREATE OR REPLACE FUNCTION cs_client_overview("), sql.indexOf("$fn$;") + 5);
  return fn.replace("FUNCTION cs_client_overview(", "FUNCTION cs_client_overview_previous(");
}

/** The history as the service read it before: a second statement, reversed, timestamps as ISO strings. */
async function previousHistory(t: TestDb, id: string) {
  const rows = await t.db.query<Record<string, unknown> & { calculated_at: Date | string }>(
    `SELECT calculated_at, overall_score, usage_score AS usage, engagement_score AS engagement, support_score AS support,
            satisfaction_score AS satisfaction, payment_score AS payment
       FROM health_scores WHERE account_id = $1 ORDER BY calculated_at DESC, id DESC LIMIT $2`,
    [id, HEALTH_HISTORY_POINTS],
  );
  return rows.reverse().map((r) => ({ ...r, calculated_at: new Date(r.calculated_at).toISOString() }));
}

describe.each(BACKENDS)("get_client_overview in one statement on %s", (backend) => {
  let t: TestDb;
  let ids: string[];

  beforeAll(async () => {
    t = await openTestDb(backend);
    await loadDemo(t.db, { seed: 11, accounts: 25, now: NOW });
    ids = (await t.db.query<{ id: string }>("SELECT id FROM accounts ORDER BY id")).map((r) => r.id);
    // Stored scores: none for some accounts, a few for others, more than the history keeps for one, two
    // at the same instant (ordered by id), null components and an insufficient-data row.
    const rows: Array<Record<string, unknown>> = [];
    ids.forEach((account_id, i) => {
      const n = i % 4 === 0 ? 0 : i === 1 ? HEALTH_HISTORY_POINTS + 5 : i % 5;
      for (let k = 0; k < n; k++) {
        const at = new Date(NOW.getTime() - (i === 2 && k === 1 ? 0 : 2 * k) * 86_400_000);
        const insufficient = k === 3;
        rows.push({
          account_id,
          overall_score: insufficient ? null : 40 + ((i * 7 + k * 3) % 60),
          usage_score: k % 2 ? null : 50 + k,
          engagement_score: 60 - k,
          support_score: 70,
          satisfaction_score: k % 3 ? 80 : null,
          payment_score: 90,
          weights: {},
          band: insufficient ? "insufficient_data" : "healthy",
          trend: insufficient ? null : "stable",
          calculated_at: at,
        });
      }
    });
    await t.db.prisma.healthScore.createMany({ data: rows as never });
    await t.db.query(previousFunction());
  }, 120_000);
  afterAll(async () => {
    await t?.cleanup();
  });

  it("gives every section exactly as the previous function and history statement did", async () => {
    let withHistory = 0;
    for (const id of ids) {
      const now = await loadOverview(t.db, id, NOW, SINCE, HEALTH_HISTORY_POINTS);
      const [prev] = await t.db.query<{ o: unknown }>("SELECT cs_client_overview_previous($1::text, $2::timestamptz, $3::timestamptz, $4::date) AS o", [
        id,
        NOW.toISOString(),
        SINCE.toISOString(),
        NOW.toISOString().slice(0, 10),
      ]);
      const { history, ...sections } = now;
      const before = typeof prev!.o === "string" ? JSON.parse(prev!.o) : prev!.o;
      expect(JSON.stringify(sections)).toBe(JSON.stringify(before));
      const expected = await previousHistory(t, id);
      expect(JSON.stringify(history.map((p) => ({ ...p, calculated_at: new Date(p.calculated_at).toISOString() })))).toBe(JSON.stringify(expected));
      if (expected.length) withHistory++;
    }
    expect(withHistory).toBeGreaterThan(10);
  });

  it("keeps the last HEALTH_HISTORY_POINTS scores, oldest first, and makes one database round trip per overview", async () => {
    let statements = 0;
    const counting = { ...t.db, query: (sql: string, params?: unknown[]) => (statements++, t.db.query(sql, params)) } as typeof t.db;
    const svc = new ClientService(counting, bands, () => NOW);
    const o = await svc.overview(ids[1]!);
    expect(statements).toBe(1);
    const history = o.health!.history;
    expect(history).toHaveLength(HEALTH_HISTORY_POINTS);
    const times = history.map((p) => p.calculated_at);
    expect([...times].sort()).toEqual(times);
    expect(times.at(-1)).toBe(NOW.toISOString());
  });
});
