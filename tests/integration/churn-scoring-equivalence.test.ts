// identify_churn_risk over a portfolio is scored by the database (services/retention/churn-sql.ts); one
// account, and the portfolio's page, by the per-account path in JavaScript. On both back ends, with the
// hand-set model and with a trained one, the two must give the same probability for every account, the same
// levels, totals and ranking, and the same factors for the page; what the run stores must be the same too.
//
// Tolerance: the hand-set model repeats the JavaScript arithmetic step by step on float8, so its rounded
// probabilities must be identical. A learned model's features are the SQL of churn-model/features.ts, where
// PostgreSQL computes a few in its own way (tenure_days / 365.25 in numeric, ln(1 + n) where JavaScript
// takes Math.log1p(n), exp() from libm rather than V8's): the log-odds can differ in the last bits, which
// moves a probability rounded to 4 places only when it lies within an ulp of a rounding edge — so there the
// test allows 1e-4 and reports how many differ (0 on this portfolio when it was written).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { generateChurnPortfolio } from "../../bench/churn-data.ts";
import { trainChurnModel } from "../../src/services/churn-model/train.ts";
import { activeLearnedModel } from "../../src/services/churn-model/scorer.ts";
import { createServices } from "../../src/services/index.ts";
import { Metrics } from "../../src/observability/metrics.ts";
import { ChurnService, type AccountChurn } from "../../src/services/retention/churn-service.ts";
import { MODEL_VERSION } from "../../src/services/retention/churn-model.ts";
import { churnProbabilities } from "../../src/services/expansion/churn-probabilities.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const DAY = 86_400_000;
const N = 400;
/** Accounts per scoring statement: small, so the run crosses many chunk edges. */
const CHUNK = 37;

const byRank = (a: { client_id: string; churn_probability: number }, b: { client_id: string; churn_probability: number }) =>
  b.churn_probability - a.churn_probability || a.client_id.localeCompare(b.client_id);

interface StoredRow {
  account_id: string;
  probability: string;
  risk_level: string;
  factors: Array<{ factor: string; contribution: number; value: unknown; detail: string }>;
  model_version: string;
}

describe.each(BACKENDS)("identify_churn_risk: set-based SQL scoring equals the per-account path on %s", { timeout: 600_000 }, (backend) => {
  let t: TestDb;
  let churn: ChurnService;
  let predictedAt = NOW;

  beforeAll(async () => {
    t = await openTestDb(backend);
    const p = t.db.prisma;
    await generateChurnPortfolio(p, N, NOW);
    // Variety the generator leaves out, so every hand-set signal and every health source occurs: lifecycle
    // stages, payment statuses, open escalations, a stored health column without a stored run.
    await p.$executeRawUnsafe(`UPDATE accounts SET lifecycle_stage = (ARRAY['at_risk','renewal','onboarding','adoption','growth','maturity'])[1 + abs(hashtext(id)) % 6]::"LifecycleStage" WHERE status = 'active'`);
    await p.$executeRawUnsafe(`UPDATE contracts SET payment_status = (ARRAY['current','overdue','failed','current'])[1 + abs(hashtext(account_id)) % 4] WHERE true`);
    await p.$executeRawUnsafe(
      `INSERT INTO escalations (id, account_id, severity, reason, status, created_at, updated_at)
       SELECT 'esc_' || id, id, 'high', 'outage', 'open', $1::timestamptz - interval '3 days', $1::timestamptz FROM accounts WHERE status = 'active' AND abs(hashtext(id || 'e')) % 7 = 0`,
      NOW,
    );
    const actives = (await p.account.findMany({ where: { status: "active" }, select: { id: true }, orderBy: { id: "asc" } })).map((a) => a.id);
    // Stored health: two standard runs (ten days apart) for a third, one run for another third, the column only for a few.
    const at = (d: number) => createServices({ db: t.db, redis: null, config: t.config, metrics: new Metrics(), now: () => new Date(NOW.getTime() - d * DAY) });
    await at(10).healthScores.calculate({ client_ids: actives.filter((_, i) => i % 3 !== 2), scoring_model: "weighted_composite", lookback_period_days: 30, include_predictions: false, limit: 15, offset: 0 });
    await at(1).healthScores.calculate({ client_ids: actives.filter((_, i) => i % 3 === 0), scoring_model: "weighted_composite", lookback_period_days: 30, include_predictions: false, limit: 15, offset: 0 });
    await p.$executeRawUnsafe(`UPDATE accounts SET health_score = 42 WHERE id = ANY($1::text[])`, actives.filter((_, i) => i % 3 === 2 && i % 5 === 0));
    churn = new ChurnService(p, t.config, () => predictedAt, t.db.kind, CHUNK);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  async function compare(label: string, version: string, tolerance: number) {
    const learned = await activeLearnedModel(t.db.prisma);
    expect(learned?.version ?? MODEL_VERSION).toBe(version);
    const threshold = t.config.RETENTION_TRIGGER_HEALTH;
    // The per-account path over every active account: the reference.
    const ref = await churn.explainAccounts(null, { now: predictedAt, lookbackDays: 30, threshold, learned, includePredictions: false });
    const refById = new Map(ref.map((a) => [a.client_id, a]));
    const r = await churn.identify({ days_lookback: 30, include_predictions: false, limit: 15 });
    if (r.mode !== "portfolio") throw new Error("portfolio expected");
    expect(r.model_version).toBe(version);

    // Totals: counted by the database, the same as counting the reference.
    const levels = { high: 0, medium: 0, low: 0, minimal: 0 };
    for (const a of ref) levels[a.risk_level]++;
    expect(r.totals).toEqual({ accounts: ref.length, by_level: levels, below_health_threshold: ref.filter((a) => a.below_health_threshold).length });
    expect(ref.some((a) => a.health_source === "computed_now") && ref.some((a) => a.health_source === "stored")).toBe(true);

    // Every account's stored probability and level (INSERT … SELECT from the run table).
    const stored = await t.db.prisma.$queryRawUnsafe<StoredRow[]>(
      `SELECT account_id, probability::text AS probability, risk_level, factors, model_version FROM churn_predictions WHERE predicted_at = $1::timestamptz`,
      predictedAt,
    );
    expect(stored).toHaveLength(ref.length);
    let differing = 0;
    for (const s of stored) {
      const a = refById.get(s.account_id)!;
      const d = Math.abs(Number(s.probability) - a.churn_probability);
      if (d > 0) differing++;
      expect(d, `${s.account_id}`).toBeLessThanOrEqual(tolerance + 1e-12);
      expect(s.risk_level, s.account_id).toBe(a.risk_level);
      expect(s.model_version).toBe(version);
      // Factors of every stored row: the same factors and shares as the per-account path (ordered by log-odds).
      expect(new Map(s.factors.map((f) => [f.factor, f.contribution])), s.account_id).toEqual(new Map(a.factors.map((f) => [f.factor, f.contribution])));
    }
    console.error(`${backend} ${label}: ${stored.length} accounts, ${differing} probabilities differ from the per-account path (tolerance ${tolerance})`);
    if (tolerance === 0) expect(differing).toBe(0);

    // Ranking: the database's page is the reference's top 15, in order, with the same factors in the same words.
    const top = [...ref].sort(byRank).slice(0, 15);
    expect(r.accounts.map((a) => a.client_id)).toEqual(top.map((a) => a.client_id));
    expect(r.truncated).toBe(true);
    for (const [k, a] of r.accounts.entries()) {
      const want: AccountChurn = top[k]!;
      expect(a).toEqual(want);
      const s = stored.find((x) => x.account_id === a.client_id)!;
      expect(s.factors).toEqual(want.factors.map(({ factor, contribution, value, detail }) => ({ factor, contribution, value, detail })));
    }
    // The full order of the stored probabilities is the reference's order.
    const storedOrder = stored.map((s) => ({ client_id: s.account_id, churn_probability: Number(s.probability) })).sort(byRank).map((s) => s.client_id);
    if (tolerance === 0 || differing === 0) expect(storedOrder).toEqual([...ref].sort(byRank).map((a) => a.client_id));
    // Everything that reads churn reads these predictions: the revenue tools' estimate for a non-page account.
    const other = stored.find((s) => !r.accounts.some((a) => a.client_id === s.account_id))!;
    const est = await churnProbabilities(t.db.prisma, t.config, predictedAt, [other.account_id], 30);
    expect(est.get(other.account_id)).toMatchObject({ source: "stored_prediction", probability: Number(other.probability), model_version: version });
  }

  it("hand-set model: identical probabilities, levels, totals, ranking and factors", async () => {
    predictedAt = NOW;
    await compare("hand-set", MODEL_VERSION, 0);
  });

  it("trained model (logistic, Platt-calibrated): the same within 1e-4, same ranking and factors", async () => {
    const m = await trainChurnModel(t.db.prisma, NOW);
    predictedAt = new Date(NOW.getTime() + 60_000);
    await compare("trained", m.version, 1e-4);
  });
});
