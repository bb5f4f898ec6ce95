// identify_churn_risk on a generated portfolio, on both back ends: 300 accounts, ~15 % churners whose
// stored signals show what precedes churn (usage decline, detractor NPS, P1 tickets, overdue invoices —
// each only with some probability, and noise in the others). The ranking is scored with ROC AUC.
// Also: one account's factors and storage, the ranked portfolio through the pipeline with progress.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { createServices, type Services } from "../../src/services/index.ts";
import { Metrics } from "../../src/observability/metrics.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { createRateLimiter } from "../../src/server/rate-limit.ts";
import { ToolPipeline } from "../../src/server/pipeline.ts";
import { identifyChurnRisk } from "../../src/tools/retention/identify-churn-risk.ts";
import { MODEL_VERSION } from "../../src/services/retention/churn-model.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const DAY = 86_400_000;
const at = (days: number, hours = 0) => new Date(NOW.getTime() + days * DAY + hours * 3_600_000);
const dateAt = (days: number) => new Date(`${at(days).toISOString().slice(0, 10)}T00:00:00.000Z`);
const N = 300;

/** mulberry32: a small seeded generator, so the portfolio is the same on every run. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)), chance: (p: number) => next() < p };
}

/** ROC AUC as the Mann–Whitney statistic: P(score of a churner > score of a non-churner), ties count ½. */
function rocAuc(scores: Array<{ p: number; y: boolean }>): number {
  const pos = scores.filter((s) => s.y).map((s) => s.p);
  const neg = scores.filter((s) => !s.y).map((s) => s.p);
  let wins = 0;
  for (const a of pos) for (const b of neg) wins += a > b ? 1 : a === b ? 0.5 : 0;
  return wins / (pos.length * neg.length);
}

interface Generated {
  churners: Set<string>;
}

async function generatePortfolio(t: TestDb): Promise<Generated> {
  const r = rng(20260615);
  const p = t.db.prisma;
  const accounts = [];
  const contracts = [];
  const events: Array<{ account_id: string; user_id: string; event: string; feature: string | null; occurred_at: Date }> = [];
  const tickets = [];
  const surveys = [];
  const invoices = [];
  const churners = new Set<string>();
  const features = ["dashboards", "reports", "api", "alerts", "sso", "exports"];
  for (let i = 0; i < N; i++) {
    const id = `cs_1700000000_acct_${i}`;
    const churner = r.chance(0.15);
    if (churner) churners.add(id);
    accounts.push({ id, client_name: `A${i}`, company_name: `Acct ${i}`, company_key: `acct ${i}`, primary_contact_email: `a${i}@x.io`, lifecycle_stage: "maturity" as const, created_at: at(-r.int(200, 1200)) });
    const seats = r.int(5, 12);
    contracts.push({ account_id: id, contract_value: 10000, seats, start_date: dateAt(-365), renewal_date: dateAt(r.int(20, 360)), payment_status: "current" });
    // Usage: the previous window has most seats active; a churner's recent window shrinks (with p = 0.75).
    const users = r.int(Math.ceil(seats * 0.6), seats);
    const declining = churner ? r.chance(0.75) : r.chance(0.08);
    const recentUsers = declining ? Math.max(1, Math.floor(users * (0.2 + 0.4 * r.next()))) : Math.max(1, users - r.int(0, 1));
    for (let u = 0; u < users; u++) {
      const prevDays = r.int(3, 6);
      for (let k = 0; k < prevDays; k++) events.push({ account_id: id, user_id: `u${u}`, event: "session_start", feature: features[r.int(0, 5)]!, occurred_at: at(-31 - r.int(0, 28), r.next() * 10 + u / 100) });
      if (u < recentUsers) {
        const curDays = declining ? r.int(1, 3) : r.int(3, 6);
        for (let k = 0; k < curDays; k++) events.push({ account_id: id, user_id: `u${u}`, event: "session_start", feature: features[r.int(0, 5)]!, occurred_at: at(-1 - r.int(0, 28), r.next() * 10 + u / 100) });
      }
    }
    // Support: open P1 for churners with p = 0.5, noise 0.05; a resolved P3 for everyone.
    if (churner ? r.chance(0.5) : r.chance(0.05)) {
      tickets.push({ account_id: id, subject: "outage", priority: "P1" as const, status: "open" as const, created_at: at(-r.int(1, 10)), first_response_due_at: at(-10), resolution_due_at: at(-9) });
    }
    tickets.push({ account_id: id, subject: "how to", priority: "P3" as const, status: "resolved" as const, created_at: at(-20), first_response_due_at: at(-20, 0.25), first_response_at: at(-20, 0.1), resolution_due_at: at(-19), resolved_at: at(-19, -1), satisfaction_rating: r.int(3, 5) });
    // NPS: detractor for churners with p = 0.6, noise 0.1.
    const detractor = churner ? r.chance(0.6) : r.chance(0.1);
    surveys.push({ account_id: id, survey_type: "nps" as const, respondent_email: `c${i}@x.io`, score: detractor ? r.int(0, 6) : r.int(7, 10), responded_at: at(-r.int(5, 90)) });
    // Invoices: one paid on time for everyone; one overdue for churners with p = 0.5, noise 0.05.
    invoices.push({ account_id: id, external_id: `p${i}`, amount: 1000, issued_at: dateAt(-120), due_date: dateAt(-90), paid_at: at(-92) });
    if (churner ? r.chance(0.5) : r.chance(0.05)) invoices.push({ account_id: id, external_id: `o${i}`, amount: 1000, issued_at: dateAt(-70), due_date: dateAt(-r.int(10, 60)), paid_at: null });
  }
  await p.account.createMany({ data: accounts });
  await p.contract.createMany({ data: contracts });
  for (let k = 0; k < events.length; k += 5000) await p.usageEvent.createMany({ data: events.slice(k, k + 5000), skipDuplicates: true });
  await p.supportTicket.createMany({ data: tickets });
  await p.surveyResponse.createMany({ data: surveys });
  await p.invoice.createMany({ data: invoices });
  return { churners };
}

describe.each(BACKENDS)("identify_churn_risk on %s", (backend) => {
  let t: TestDb;
  let services: Services;
  let pipeline: ToolPipeline;
  let gen: Generated;

  beforeAll(async () => {
    t = await openTestDb(backend);
    services = createServices({ db: t.db, redis: null, config: t.config, metrics: new Metrics(), now: () => NOW });
    pipeline = new ToolPipeline([identifyChurnRisk], { services, logger: createLogger("silent"), metrics: new Metrics(), limiter: createRateLimiter(0, null), timeoutMs: 60_000 });
    gen = await generatePortfolio(t);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("ranks the generated portfolio well above chance (ROC AUC ≥ 0.8) and stores every prediction", async () => {
    const r = await services.churn.identify({ days_lookback: 30, include_predictions: false, limit: 500 });
    if (r.mode !== "portfolio") throw new Error("portfolio expected");
    expect(r.totals.accounts).toBe(N);
    expect(r.accounts).toHaveLength(N);
    for (let k = 1; k < r.accounts.length; k++) expect(r.accounts[k - 1]!.churn_probability).toBeGreaterThanOrEqual(r.accounts[k]!.churn_probability);
    const auc = rocAuc(r.accounts.map((a) => ({ p: a.churn_probability, y: gen.churners.has(a.client_id) })));
    console.error(`churn model ${MODEL_VERSION} ROC AUC on ${backend}: ${auc.toFixed(4)} (${gen.churners.size} churners of ${N})`);
    expect(auc).toBeGreaterThanOrEqual(0.8);
    const counts = r.totals.by_level;
    expect(counts.high + counts.medium + counts.low + counts.minimal).toBe(N);
    expect(await t.db.prisma.churnPrediction.count({ where: { model_version: MODEL_VERSION } })).toBe(N);
    // levels follow the configured thresholds
    for (const a of r.accounts) {
      const p = a.churn_probability;
      expect(a.risk_level).toBe(p >= 0.7 ? "high" : p >= 0.4 ? "medium" : p >= 0.15 ? "low" : "minimal");
    }
  });

  it("explains one account: factors from its rows with shares summing to 1, stored with the model version", async () => {
    // acct with an open P1 and an overdue invoice, whichever the generator produced first
    const open = await t.db.prisma.supportTicket.findFirstOrThrow({ where: { priority: "P1", status: "open" }, orderBy: { account_id: "asc" } });
    const r = await services.churn.identify({ client_id: open.account_id, days_lookback: 30, include_predictions: true, limit: 50 });
    if (r.mode !== "single") throw new Error("single expected");
    const a = r.account;
    const names = a.factors.map((f) => f.factor);
    expect(names).toContain("open_critical_tickets");
    expect(a.factors.find((f) => f.factor === "open_critical_tickets")!.value).toBe(1);
    expect(a.factors.reduce((s, f) => s + f.contribution, 0)).toBeCloseTo(1, 2);
    expect(a.model_version).toBe(MODEL_VERSION);
    expect(a.projection).toMatchObject({ projected_health: null, points_used: 1 }); // no stored health history yet
    const stored = await t.db.prisma.churnPrediction.findFirstOrThrow({ where: { account_id: open.account_id }, orderBy: { predicted_at: "desc" } });
    expect(Number(stored.probability)).toBeCloseTo(a.churn_probability, 4);
    expect(stored.risk_level).toBe(a.risk_level);
    expect((stored.factors as Array<{ factor: string }>).map((f) => f.factor)).toEqual(names);
  });

  it("scores the health of the whole generated portfolio in one pass and stores every score", async () => {
    const r = await services.healthScores.calculate({ all: true, scoring_model: "weighted_composite", lookback_period_days: 30, include_predictions: true, limit: 500, offset: 0 });
    if (r.mode !== "portfolio") throw new Error("portfolio expected");
    expect(r.totals).toMatchObject({ accounts: N, scored: N, unscored: 0 });
    expect(r.accounts).toHaveLength(N);
    for (let k = 1; k < N; k++) expect(r.accounts[k - 1]!.overall_score!).toBeLessThanOrEqual(r.accounts[k]!.overall_score!);
    expect(await t.db.prisma.healthScore.count()).toBe(N);
    expect(await t.db.prisma.account.count({ where: { health_score: null } })).toBe(0);
    // churners score lower on average
    const mean = (ids: string[]) => ids.reduce((s, id) => s + r.accounts.find((a) => a.client_id === id)!.overall_score!, 0) / ids.length;
    const all = r.accounts.map((a) => a.client_id);
    expect(mean(all.filter((id) => gen.churners.has(id)))).toBeLessThan(mean(all.filter((id) => !gen.churners.has(id))));
  });

  it("returns the ranked top accounts through the pipeline with progress notifications and a bounded list", async () => {
    const seen: number[][] = [];
    const res = await pipeline.call("identify_churn_risk", { limit: 10, health_score_threshold: 55 }, { sendProgress: async (p, total) => void seen.push([p, total ?? -1]) });
    expect(res.isError).toBeUndefined();
    const data = res.structuredContent as { accounts: Array<{ client_id: string; churn_probability: number }>; totals: { accounts: number }; truncated: boolean; health_score_threshold: number };
    expect(data.accounts).toHaveLength(10);
    expect(data.truncated).toBe(true);
    expect(data.health_score_threshold).toBe(55);
    expect(seen[0]).toEqual([0, N]);
    expect(seen.at(-1)).toEqual([N, N]);
    const bad = await pipeline.call("identify_churn_risk", { limit: 501 });
    expect(bad.isError).toBe(true);
    expect((bad.content[0] as { text: string }).text).toContain("limit:");
  });
});
