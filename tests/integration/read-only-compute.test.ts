// A read-only server keeps the risk view: calculate_health_score, identify_churn_risk and
// forecast_renewals answer with the same figures as on a writable server and write no row at all.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { call, pipelineFor } from "../helpers/pipeline.ts";
import { loadDemo } from "../../src/services/demo/load.ts";
import { calculateHealthScore } from "../../src/tools/health/calculate-health-score.ts";
import { identifyChurnRisk } from "../../src/tools/retention/identify-churn-risk.ts";
import { forecastRenewals } from "../../src/tools/expansion/forecast-renewals.ts";
import type { ToolPipeline } from "../../src/server/pipeline.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const TOOLS = [calculateHealthScore, identifyChurnRisk, forecastRenewals];
const TABLES = ["health_scores", "churn_predictions", "renewal_forecasts", "audit_log", "timeline_events"];

describe.each(BACKENDS)("read-only computes without storing (%s)", (backend) => {
  let t: TestDb;
  let readOnly: ToolPipeline;
  let writable: ToolPipeline;

  /** Row counts of every table these tools write, and the accounts' stored health. */
  async function state() {
    const counts = await Promise.all(
      TABLES.map(async (table) => {
        const exists = await t.db.query<{ ok: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS ok`, [table]);
        if (!exists[0]!.ok) return [table, -1] as const;
        const [row] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
        return [table, row!.n] as const;
      }),
    );
    const health = await t.db.query<{ id: string; health_score: number | null; health_trend: string | null; updated_at: Date }>(
      `SELECT id, health_score, health_trend, updated_at FROM accounts ORDER BY id`,
    );
    return { counts: Object.fromEntries(counts), health };
  }

  beforeAll(async () => {
    t = await openTestDb(backend);
    await loadDemo(t.db, { seed: 7, accounts: 40, now: NOW });
    readOnly = pipelineFor(t, TOOLS, NOW, { readOnly: true });
    writable = pipelineFor(t, TOOLS, NOW);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("writes nothing, and answers with the figures a writable server stores", async () => {
    const before = await state();
    expect(before.health.length).toBe(40);

    const health = await call(readOnly, "calculate_health_score", { all: true, limit: 15 });
    const churn = await call(readOnly, "identify_churn_risk", { limit: 15 });
    const forecast = await call(readOnly, "forecast_renewals", { forecast_period_days: 365, limit: 8 });
    expect(await state()).toEqual(before);

    expect(health.accounts.every((a: { stored: boolean }) => a.stored === false)).toBe(true);
    expect(forecast.stored_forecasts).toBe(0);
    expect(forecast.totals.renewals).toBeGreaterThan(0);
    expect(forecast.renewals.every((r: { forecast_id: string | null }) => r.forecast_id === null)).toBe(true);

    // The same calls on a writable server: same figures, now stored.
    const storedHealth = await call(writable, "calculate_health_score", { all: true, limit: 15 });
    expect(storedHealth.totals).toEqual(health.totals);
    expect(storedHealth.accounts.map((a: { client_id: string; overall_score: number | null }) => [a.client_id, a.overall_score])).toEqual(
      health.accounts.map((a: { client_id: string; overall_score: number | null }) => [a.client_id, a.overall_score]),
    );
    const afterHealth = await state();
    expect(afterHealth.counts.health_scores).toBe(before.counts.health_scores + storedHealth.totals.scored + storedHealth.totals.insufficient_data);

    const storedChurn = await call(writable, "identify_churn_risk", { limit: 15 });
    // Health is read by the one rule (stored, else computed now): the stored run above gives the same scores.
    expect(storedChurn.totals).toEqual(churn.totals);
    expect((await state()).counts.churn_predictions).toBe(before.counts.churn_predictions + churn.totals.accounts);

    const storedForecast = await call(writable, "forecast_renewals", { forecast_period_days: 365, limit: 8 });
    expect(storedForecast.stored_forecasts).toBe(forecast.totals.renewals);
  });

  it("a single account in read-only mode is computed, not stored", async () => {
    const [{ id }] = (await t.db.query<{ id: string }>(`SELECT id FROM accounts WHERE status = 'active' ORDER BY id LIMIT 1`)) as [{ id: string }];
    const before = await state();
    const out = await call(readOnly, "calculate_health_score", { client_id: id });
    expect(out.account.stored).toBe(false);
    await call(readOnly, "identify_churn_risk", { client_id: id });
    await call(readOnly, "forecast_renewals", { client_id: id, forecast_period_days: 365 });
    expect(await state()).toEqual(before);
  });
});
