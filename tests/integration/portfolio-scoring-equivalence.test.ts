// calculate_health_score {all: true} scores inside the database (portfolio-scoring-sql.ts); {client_ids}
// scores the same accounts in JavaScript (components.ts). Two copies of one varied portfolio (a demo
// portfolio plus hand-made edge cases: no data at all, payment only, a failed-payment contract without
// invoices, escalations only without seats, CSAT and CES answers, a churned account) are scored the two
// ways, twice (the second run a week later, so the trend reads the first run's score), plus two what-ifs.
// The answers must be identical (totals, every page, every account's scores, band, components, coverage,
// missing components, trend, projection) and so must the stored health_scores rows and accounts columns.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { loadDemo } from "../../src/services/demo/load.ts";
import { HealthScoreService, type CalculateInput } from "../../src/services/health/health-score-service.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const WEEK_LATER = new Date(NOW.getTime() + 7 * 86_400_000);
const DAY = 86_400_000;
const at = (days: number) => new Date(NOW.getTime() + days * DAY);

async function fixture(t: TestDb) {
  await loadDemo(t.db, { seed: 11, accounts: 120, now: NOW });
  const p = t.db.prisma;
  const acct = (id: string, extra: Record<string, unknown> = {}) => ({ id, client_name: id, company_name: id, company_key: id, primary_contact_email: `${id}@x.io`, created_at: at(-400), ...extra });
  await p.account.createMany({
    data: [acct("cs_1700000000_zz_nodata"), acct("cs_1700000000_zz_payonly"), acct("cs_1700000000_zz_failed"), acct("cs_1700000000_zz_escal", { seats: null }), acct("cs_1700000000_zz_surveys", { seats: 3 }), acct("cs_1700000000_zz_churned", { status: "churned" })],
  });
  await p.contract.create({ data: { account_id: "cs_1700000000_zz_failed", contract_value: 1000, seats: 2, payment_status: "failed", start_date: at(-100), renewal_date: at(265) } });
  await p.invoice.create({ data: { account_id: "cs_1700000000_zz_payonly", external_id: "zz1", amount: 10, issued_at: at(-70), due_date: at(-40), paid_at: null } });
  const ev = (account_id: string, user: string, d: number, feature: string | null = null) => ({ account_id, user_id: user, event: "login", feature, occurred_at: at(d) });
  await p.usageEvent.createMany({
    data: [ev("cs_1700000000_zz_failed", "a", -1), ev("cs_1700000000_zz_escal", "b", -3, "reports"), ev("cs_1700000000_zz_escal", "c", -40), ev("cs_1700000000_zz_surveys", "d", -2, "exports"), ev("cs_1700000000_zz_surveys", "e", -9), ev("cs_1700000000_zz_churned", "f", -1)],
  });
  await p.escalation.create({ data: { account_id: "cs_1700000000_zz_escal", severity: "high", reason: "x", status: "open", created_at: at(-5) } });
  const sr = (type: "nps" | "csat" | "ces", score: number, d: number, i: number) => ({ account_id: "cs_1700000000_zz_surveys", survey_type: type, respondent_email: `r${i}@z.io`, score, responded_at: at(d) });
  await p.surveyResponse.createMany({ data: [sr("csat", 5, -3, 1), sr("csat", 3, -20, 2), sr("ces", 6, -4, 3), sr("ces", 2, -50, 4), sr("nps", 8, -7, 5)] });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Answer = any;

describe.each(BACKENDS)("portfolio scoring: set-based SQL = per-account JavaScript (%s)", (backend) => {
  let set: TestDb;
  let loop: TestDb;
  let active: string[];

  beforeAll(async () => {
    [set, loop] = await Promise.all([openTestDb(backend), openTestDb(backend)]);
    await fixture(set);
    await fixture(loop);
    active = (await loop.db.query<{ id: string }>(`SELECT id FROM accounts WHERE status = 'active' ORDER BY id`)).map((r) => r.id);
  }, 240_000);
  afterAll(async () => {
    await set?.cleanup();
    await loop?.cleanup();
  });

  // Chunks of 25 accounts, so that the set-based run crosses chunk edges; the tool's defaults.
  const service = (t: TestDb, now: Date) => new HealthScoreService(t.db.prisma, t.config, () => now, t.db.kind, 25);
  const base: CalculateInput = { scoring_model: "weighted_composite", lookback_period_days: 30, include_predictions: false, limit: 15, offset: 0 };
  const setWay = (now: Date, args: Partial<CalculateInput>): Promise<Answer> => service(set, now).calculate({ ...base, ...args, all: true });
  const loopWay = (now: Date, args: Partial<CalculateInput>): Promise<Answer> => service(loop, now).calculate({ ...base, ...args, client_ids: active });

  /** One stored run each way (a second call would store again). */
  async function bothWays(now: Date, args: Partial<CalculateInput>): Promise<[Answer, Answer]> {
    return [await setWay(now, args), await loopWay(now, args)];
  }

  async function stored(t: TestDb) {
    const rows = await t.db.query<Record<string, unknown>>(
      `SELECT account_id, overall_score, coverage, usage_score, engagement_score, support_score, satisfaction_score, payment_score,
              weights, missing_components, trend, band, scoring_model, lookback_days, calculated_at
         FROM health_scores ORDER BY account_id, calculated_at, overall_score`,
    );
    // updated_at: the run's now on every account a run updated (the others keep the fixture's creation time).
    const accounts = await t.db.query(`SELECT id, health_score, health_trend, updated_at IN ($1::timestamptz, $2::timestamptz) AS updated FROM accounts ORDER BY id`, [NOW.toISOString(), WEEK_LATER.toISOString()]);
    return { rows, accounts };
  }

  it("a standard run, then one a week later (trend from the first): same answers, same stored rows", async () => {
    for (const now of [NOW, WEEK_LATER]) {
      const [a, b] = await bothWays(now, { include_predictions: true });
      expect(a.totals.accounts).toBe(active.length);
      expect(a.totals.insufficient_data).toBeGreaterThan(0);
      expect(a.totals.unscored).toBeGreaterThan(0);
      expect(a).toEqual(b);
    }
    const [s, l] = await Promise.all([stored(set), stored(loop)]);
    expect(s.rows.length).toBeGreaterThan(active.length);
    expect(s.rows.some((r) => r.trend === "up" || r.trend === "down")).toBe(true);
    expect(s.rows.some((r) => r.band === "insufficient_data" && r.overall_score === null)).toBe(true);
    expect(s).toEqual(l);
    // The edge cases, as the JavaScript path scored them.
    const edge = Object.fromEntries(l.rows.filter((r) => String(r.account_id).startsWith("cs_1700000000_zz_")).map((r) => [r.account_id, r]));
    expect(edge.cs_1700000000_zz_nodata).toBeUndefined();
    expect(edge.cs_1700000000_zz_churned).toBeUndefined();
    expect(edge.cs_1700000000_zz_payonly).toMatchObject({ band: "insufficient_data", overall_score: null });
    expect(edge.cs_1700000000_zz_failed).toMatchObject({ payment_score: 40 });
  });

  it("every page of a what-if (custom weights; another lookback) is the same both ways", async () => {
    const whatIfs: Array<Partial<CalculateInput>> = [{ scoring_model: "custom", component_weights: { usage: 0.5, support: 0.3, payment: 0.2 } }, { lookback_period_days: 45, include_predictions: true }];
    for (const args of whatIfs) {
      // The first pages, then the last ones (the insufficient and unscored accounts).
      for (const offset of [0, 15, 30, 45, active.length - 30, active.length - 15]) {
        const a = await setWay(WEEK_LATER, { ...args, offset });
        const b = await loopWay(WEEK_LATER, { ...args, offset });
        expect(a.accounts).toHaveLength(15);
        expect(a).toEqual(b);
      }
    }
    expect(await stored(set)).toEqual(await stored(loop));
  });
});
