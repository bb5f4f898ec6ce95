// The learned churn model on both back ends: point-in-time features (nothing dated after the as-of instant
// changes them), training with cross-validation against the hand-set model, the refusal under 30 churners,
// and the stored model.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { loadFeatureRows } from "../../src/repositories/churn-features.ts";
import { trainChurnModel } from "../../src/services/churn-model/train.ts";
import { generateChurnPortfolio } from "../../bench/churn-data.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const DAY = 86_400_000;
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);
const date = (days: number) => new Date(`${ago(days).toISOString().slice(0, 10)}T00:00:00.000Z`);

describe.each(BACKENDS)("churn model features and training on %s", (backend) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(backend);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("reads features as of churned_at: an event after churn changes nothing, state at the time is kept", async () => {
    const p = t.db.prisma;
    const id = "cs_1700000000_leak";
    const churnedAt = ago(100);
    await p.account.create({ data: { id, client_name: "L", company_name: "Leak", company_key: "leak", status: "churned", lifecycle_stage: "churned", churned_at: churnedAt, customer_since: ago(100 + 730), arr: 5000, attributes: { plan: "pro" } } });
    await p.contract.create({ data: { account_id: id, contract_value: 5000, start_date: date(400), end_date: date(35), renewal_date: date(35), auto_renew: true, status: "cancelled" } });
    await p.usageEvent.createMany({ data: [
      { account_id: id, user_id: "a", event: "login", occurred_at: ago(110) },
      { account_id: id, user_id: "b", event: "login", occurred_at: ago(112) },
      { account_id: id, user_id: "a", event: "login", occurred_at: ago(140) },
    ] });
    // A P1 opened before churn and resolved after it was open at churn; an invoice due before churn and paid after was overdue.
    await p.supportTicket.create({ data: { account_id: id, subject: "down", priority: "P1", status: "resolved", created_at: ago(105), first_response_due_at: ago(104.9), first_response_at: ago(104.95), resolution_due_at: ago(104), resolved_at: ago(90) } });
    await p.invoice.create({ data: { account_id: id, external_id: "i1", amount: 100, issued_at: date(150), due_date: date(120), paid_at: ago(95) } });
    await p.surveyResponse.create({ data: { account_id: id, survey_type: "nps", respondent_email: "x@l.io", score: 4, responded_at: ago(130) } });
    const before = (await loadFeatureRows(p, { kind: "training" }, NOW)).find((r) => r.account_id === id)!;
    expect(before).toMatchObject({
      churned: true, users_cur: 2, users_prev: 1, events_cur: 2, days_since_usage: 10, open_p1: 1, sla_breaches_90: 1, overdue_invoices: 1, max_days_overdue: 20,
      nps_latest: 4, tenure_days: 730, has_contract: true, auto_renew: true, arr: 5000, attributes: { plan: "pro" },
    });
    expect(before.as_of.toISOString()).toBe(churnedAt.toISOString());
    expect(before.days_to_renewal).toBe(65);

    // Everything after churned_at: usage, a new ticket, an NPS answer, an invoice, a renewed contract.
    await p.usageEvent.createMany({ data: [{ account_id: id, user_id: "z", event: "login", occurred_at: ago(50) }, { account_id: id, user_id: "a", event: "login", occurred_at: ago(99) }] });
    await p.supportTicket.create({ data: { account_id: id, subject: "after", priority: "P1", status: "open", created_at: ago(60), first_response_due_at: ago(59), resolution_due_at: ago(58) } });
    await p.surveyResponse.create({ data: { account_id: id, survey_type: "nps", respondent_email: "y@l.io", score: 10, responded_at: ago(20) } });
    await p.invoice.create({ data: { account_id: id, external_id: "i2", amount: 100, issued_at: date(80), due_date: date(70), paid_at: null } });
    await p.contract.create({ data: { account_id: id, contract_value: 9000, start_date: date(34), end_date: date(-330), auto_renew: false } });
    await p.escalation.create({ data: { account_id: id, severity: "high", reason: "after churn", created_at: ago(10) } });
    const after = (await loadFeatureRows(p, { kind: "training" }, NOW)).find((r) => r.account_id === id)!;
    expect(after).toEqual(before);
    await p.account.delete({ where: { id } });
  });

  it("refuses to train with fewer than 30 churners, naming the counts, and stores nothing", async () => {
    await generateChurnPortfolio(t.db.prisma, 60, NOW, 7, "cs_1700000000_few");
    const churners = await t.db.prisma.account.count({ where: { status: "churned" } });
    expect(churners).toBeLessThan(30);
    await expect(trainChurnModel(t.db.prisma, NOW)).rejects.toMatchObject({
      code: "conflict",
      message: `too little history to learn from: ${churners} churned accounts with churned_at and ${60 - churners} active accounts (need at least 30 and 30)`,
    });
    expect(await t.db.prisma.churnModel.count()).toBe(0);
    await t.db.prisma.account.deleteMany({});
  });

  it("trains on a portfolio with a known process: cross-validated AUC beside the hand-set model's, stored and active", async () => {
    const gen = await generateChurnPortfolio(t.db.prisma, 600, NOW);
    expect(gen.churners.size).toBeGreaterThanOrEqual(30);
    const m = await trainChurnModel(t.db.prisma, NOW);
    const { cv } = m.metrics;
    console.error(`${backend}: learned CV AUC ${cv.learned.roc_auc}, hand-set ${cv.hand_set.roc_auc} (${m.metrics.churners} churners of ${m.metrics.accounts})`);
    expect(m.metrics).toMatchObject({ accounts: 600, churners: gen.churners.size, actives: 600 - gen.churners.size, folds: 5 });
    expect(cv.learned.roc_auc).toBeGreaterThan(0.75);
    // The process depends on plan and auto-renew, which the hand-set model cannot see.
    expect(cv.learned.roc_auc).toBeGreaterThan(cv.hand_set.roc_auc + 0.03);
    expect(cv.learned_calibrated.brier).toBeLessThanOrEqual(cv.learned.brier + 0.002);
    const names = m.metrics.top_features.map((f) => f.feature);
    expect(names).toContain("auto_renew");
    expect(m.metrics.top_features.find((f) => f.feature === "auto_renew")!.effect).toBe("lowers");
    expect(m.features.map((f) => f.name)).toEqual(expect.arrayContaining(["attr_plan=basic", "attr_plan=enterprise", "attr_seats", "tenure_years"]));
    const stored = await t.db.prisma.churnModel.findMany();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ version: m.version, active: true });
    expect((stored[0]!.coefficients as { weights: number[] }).weights).toHaveLength(m.features.length);
    // Calibrated: across all out-of-fold predictions, the mean probability is the churn rate.
    const rel = m.metrics.reliability;
    const n = rel.reduce((s, b) => s + b.accounts, 0);
    expect(n).toBe(600);
    const meanP = rel.reduce((s, b) => s + b.mean_probability * b.accounts, 0) / n;
    expect(meanP).toBeCloseTo(gen.churners.size / 600, 2);
  });
});
