// The learned churn model on both back ends: point-in-time features (nothing dated after the as-of instant
// changes them), training with cross-validation against the hand-set model, the refusal under 30 churners,
// and the stored model.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { loadFeatureRows } from "../../src/repositories/churn-features.ts";
import { trainChurnModel } from "../../src/services/churn-model/train.ts";
import { generateChurnPortfolio } from "../../bench/churn-data.ts";
import { createServices, type Services } from "../../src/services/index.ts";
import { Metrics } from "../../src/observability/metrics.ts";
import { churnProbabilities } from "../../src/services/expansion/churn-probabilities.ts";
import { MODEL_VERSION } from "../../src/services/retention/churn-model.ts";
import { checksumOf } from "../../src/services/churn-model/artifact.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const DAY = 86_400_000;
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);
const date = (days: number) => new Date(`${ago(days).toISOString().slice(0, 10)}T00:00:00.000Z`);

describe.each(BACKENDS)("churn model features and training on %s", { timeout: 300_000 }, (backend) => {
  let t: TestDb;
  let t2: TestDb;
  let services: Services;
  let services2: Services;
  let version = "";
  beforeAll(async () => {
    t = await openTestDb(backend);
    t2 = await openTestDb(backend);
    services = createServices({ db: t.db, redis: null, config: t.config, metrics: new Metrics(), now: () => NOW });
    services2 = createServices({ db: t2.db, redis: null, config: t2.config, metrics: new Metrics(), now: () => NOW });
  });
  afterAll(async () => {
    await t?.cleanup();
    await t2?.cleanup();
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
    version = m.version;
  });

  it("identify_churn_risk scores active accounts with the active model, names it, explains each in plain words, stores it", async () => {
    const r = await services.churn.identify({ days_lookback: 30, include_predictions: true, limit: 15 });
    if (r.mode !== "portfolio") throw new Error("portfolio expected");
    expect(r.model).toEqual({ version, kind: "logistic_l2" });
    expect(r.model_version).toBe(version);
    const actives = await t.db.prisma.account.count({ where: { status: "active" } });
    expect(r.totals.accounts).toBe(actives);
    const probs = new Set(r.accounts.map((a) => a.churn_probability));
    expect(probs.size).toBeGreaterThan(5);
    const top = r.accounts[0]!;
    expect(top.model_version).toBe(version);
    expect(top.factors.length).toBeGreaterThan(0);
    for (const f of top.factors) {
      expect(f.log_odds).toBeGreaterThan(0);
      expect(f.detail).toMatch(/\(typical .+\): churn odds ×\d+\.\d\d$/);
    }
    expect(top.projection?.note).toContain("does not use the health score");
    expect(await t.db.prisma.churnPrediction.count({ where: { model_version: version } })).toBe(actives);
    // The revenue tools (forecast, CLV, renewals) read the same model when computing now.
    const est = await churnProbabilities(t.db.prisma, t.config, NOW, [top.client_id], 0);
    expect(est.get(top.client_id)).toMatchObject({ model_version: version });
    // An account whose plan is basic and renewal is not automatic: the factors say so.
    const basic = (await t.db.prisma.account.findMany({ where: { status: "active" }, select: { id: true, attributes: true } })).find((a) => (a.attributes as { plan?: string }).plan === "basic")!;
    const one = await services.churn.identify({ client_id: basic.id, days_lookback: 30, include_predictions: false, limit: 15 });
    if (one.mode !== "single") throw new Error("single expected");
    expect(one.account.factors.map((f) => f.factor)).toContain("attr_plan=basic");
    expect(one.account.factors.find((f) => f.factor === "attr_plan=basic")!.detail).toMatch(/^plan is basic \(typical plan is not basic\)/);
  });

  it("exports the model from one data directory and imports it into another: identical predictions", async () => {
    await generateChurnPortfolio(t2.db.prisma, 600, NOW);
    const { text } = await services.churnModels.export();
    await expect(services2.churnModels.activate(version)).rejects.toMatchObject({ code: "not_found" });
    const listed = await services2.churnModels.import(text, false);
    expect(listed).toMatchObject({ version, active: false });
    // Imported inactive: the hand-set prior still scores there.
    const before = await services2.churn.identify({ days_lookback: 30, include_predictions: false, limit: 15 });
    expect(before.model).toEqual({ version: MODEL_VERSION, kind: "hand_set_logistic" });
    expect(await services2.churnModels.activate(version)).toEqual({ version, kind: "logistic_l2" });
    const a = await services.churn.identify({ days_lookback: 30, include_predictions: false, limit: 15 });
    const b = await services2.churn.identify({ days_lookback: 30, include_predictions: false, limit: 15 });
    if (a.mode !== "portfolio" || b.mode !== "portfolio") throw new Error("portfolio expected");
    expect(b.model).toEqual(a.model);
    expect(b.totals).toEqual(a.totals);
    expect(b.accounts.map((x) => [x.client_id, x.churn_probability, x.factors])).toEqual(a.accounts.map((x) => [x.client_id, x.churn_probability, x.factors]));
    // Importing the same version again is refused.
    await expect(services2.churnModels.import(text, false)).rejects.toMatchObject({ code: "conflict", message: `churn model ${version} is already stored here` });
    // Back to the prior: hand-set scores again.
    expect(await services2.churnModels.activate("hand-set")).toEqual({ version: MODEL_VERSION, kind: "hand_set_logistic" });
    expect((await services2.churnModels.list()).scoring).toEqual({ version: MODEL_VERSION, kind: "hand_set_logistic" });
  });

  it("refuses a bad import file naming the field, and stores nothing", async () => {
    const { text } = await services.churnModels.export();
    const doc = JSON.parse(text);
    const count = await t2.db.prisma.churnModel.count();
    const bad = async (d: unknown) => services2.churnModels.import(typeof d === "string" ? d : JSON.stringify(d), false);
    await expect(bad("{not json")).rejects.toMatchObject({ code: "validation_error", message: expect.stringMatching(/^the file is not JSON/) });
    await expect(bad({ ...doc, format_version: 2 })).rejects.toMatchObject({ message: "format_version: expected 1, got 2" });
    await expect(bad({ ...doc, format: "other" })).rejects.toMatchObject({ message: "format: expected 'cs-mcp-churn-model', got \"other\"" });
    const tampered = structuredClone(doc);
    tampered.model.coefficients.intercept += 1;
    await expect(bad(tampered)).rejects.toMatchObject({ message: expect.stringMatching(/^checksum: the model does not match its checksum/) });
    const shortWeights = structuredClone(doc);
    shortWeights.model.version = "other-1";
    shortWeights.model.coefficients.weights.pop();
    shortWeights.checksum = checksumOf(shortWeights.model);
    await expect(bad(shortWeights)).rejects.toMatchObject({ message: `invalid churn model: model.coefficients.weights: has ${doc.model.features.length - 1} weights for ${doc.model.features.length} features` });
    const badSd = structuredClone(doc);
    badSd.model.version = "other-2";
    badSd.model.features[0].sd = 0;
    badSd.checksum = checksumOf(badSd.model);
    await expect(bad(badSd)).rejects.toMatchObject({ message: "invalid churn model: model.features.0.sd: must be > 0" });
    const badAttr = structuredClone(doc);
    badAttr.model.version = "other-3";
    const k = badAttr.model.features.findIndex((f: { kind: string }) => f.kind !== "signal");
    badAttr.model.features[k].attribute = "plan'; DROP TABLE accounts; --";
    badAttr.checksum = checksumOf(badAttr.model);
    await expect(bad(badAttr)).rejects.toMatchObject({ message: `invalid churn model: model.features.${k}.attribute: must be letters, digits and underscores, starting with a letter` });
    expect(await t2.db.prisma.churnModel.count()).toBe(count);
  });
});
