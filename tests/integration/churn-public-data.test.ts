// The public churn data set (bench/data/wa_churn.csv, IBM's telco sample from r-cran-modeldata) loaded the way a
// team would: a seeded subset written as an accounts import file, imported by the server's import, trained on
// with the server's trainer. What is asserted is what does not depend on the machine: every row imports with
// the attribute types of the data, the trained model beats the hand-set one on the same folds, and a customer
// of six years is imported as one (not onboarding, not 0 days).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { runImport, type ImportSummary } from "../../src/import/run.ts";
import { loadFeatureRows } from "../../src/repositories/churn-features.ts";
import { trainChurnModel } from "../../src/services/churn-model/train.ts";
import { createServices, type Services } from "../../src/services/index.ts";
import { Metrics } from "../../src/observability/metrics.ts";
import { accountsCsv, readWaChurn, seededSubset, type DataRow } from "../../bench/churn-public.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const DAY = 86_400_000;
const SUBSET = 900;

describe.each(BACKENDS)("public churn data (IBM telco, r-cran-modeldata) through the import and the trainer on %s", { timeout: 300_000 }, (backend) => {
  let t: TestDb;
  let services: Services;
  let dir: string;
  let rows: DataRow[];
  let summary: ImportSummary;
  let version = "";
  beforeAll(async () => {
    t = await openTestDb(backend);
    services = createServices({ db: t.db, redis: null, config: t.config, metrics: new Metrics(), now: () => NOW });
    dir = mkdtempSync(join(tmpdir(), "cs-mcp-wa-churn-"));
    rows = seededSubset(readWaChurn(), SUBSET, 15);
    const file = join(dir, "accounts.csv");
    writeFileSync(file, accountsCsv(rows, NOW));
    summary = await runImport(t.db, t.config, { kind: "accounts", file, now: NOW });
  });
  afterAll(async () => {
    await t?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("imports every row, with the data's columns as typed attributes and its churners as churned", async () => {
    expect(summary).toMatchObject({ rows: SUBSET, created: SUBSET, rejected: 0, errors: [], warnings: [] });
    expect(summary.attributes).toMatchObject({ payment_method: "categorical", internet_service: "categorical", senior_citizen: "numeric", total_charges: "numeric" });
    const churners = rows.filter((r) => r.churn === "Yes").length;
    expect(await t.db.prisma.account.count({ where: { status: "churned", churned_at: NOW } })).toBe(churners);
    expect(await t.db.prisma.account.count({ where: { status: "active" } })).toBe(SUBSET - churners);
  });

  it("a customer of 72 months is imported as a six-year customer: not onboarding, not 0 days", async () => {
    const six = rows.find((r) => r.tenure === "72" && r.churn === "No");
    expect(six).toBeDefined();
    const id = summary.mapping![`wa-${six!.row}`]!;
    const o = await services.clients.overview(id);
    expect(o.profile.lifecycle_stage).not.toBe("onboarding");
    expect(o.profile.customer_since).toBe("2020-06-15T00:00:00.000Z");
    // 2020-06-15 to 2026-06-15: six years of 365 days and one leap day (2024-02-29); noon adds half a day.
    expect(o.profile.tenure_days).toBe(6 * 365 + 1);
    const feature = (await loadFeatureRows(t.db.prisma, { kind: "scoring", accountIds: [id] }, NOW))[0]!;
    expect(feature.tenure_days).toBe(Math.floor((Date.UTC(2026, 5, 15) - Date.UTC(2020, 5, 15)) / DAY));
  });

  it("trains on the imported history: its cross-validated ROC AUC beats the hand-set model's on the same folds", async () => {
    const m = await trainChurnModel(t.db.prisma, NOW);
    const { cv } = m.metrics;
    console.error(`${backend}: wa_churn ${SUBSET} rows, learned CV AUC ${cv.learned.roc_auc}, hand-set ${cv.hand_set.roc_auc}`);
    expect(m.metrics).toMatchObject({ accounts: SUBSET, churners: rows.filter((r) => r.churn === "Yes").length, folds: 5 });
    expect(cv.learned.roc_auc).toBeGreaterThan(cv.hand_set.roc_auc);
    expect(cv.learned.brier).toBeLessThan(cv.hand_set.brier);
    // The data's categorical columns are features of the model, one indicator per level.
    const names = m.features.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(["tenure_years", "contract_months", "arr_log", "attr_payment_method=Electronic check", "attr_internet_service=Fiber optic"]));
    // Calibrated on the out-of-fold predictions: their mean is the subset's churn rate.
    const n = m.metrics.reliability.reduce((s, b) => s + b.accounts, 0);
    expect(n).toBe(SUBSET);
    expect(m.metrics.reliability.reduce((s, b) => s + b.mean_probability * b.accounts, 0) / n).toBeCloseTo(m.metrics.churners / SUBSET, 2);
    version = m.version;
  });

  it("identify_churn_risk then ranks the imported active accounts with that model: spread over many probabilities and levels, each explained", async () => {
    const r = await services.churn.identify({ days_lookback: 30, include_predictions: false, limit: 10 });
    if (r.mode !== "portfolio") throw new Error("portfolio expected");
    expect(r.model).toEqual({ version, kind: "logistic_l2" });
    const actives = rows.filter((x) => x.churn === "No").length;
    expect(r.totals.accounts).toBe(actives);
    // Not "3 distinct probabilities, every account minimal": the stored predictions spread.
    const stored = await t.db.prisma.churnPrediction.findMany({ where: { model_version: version }, select: { probability: true } });
    expect(stored).toHaveLength(actives);
    const distinct = new Set(stored.map((p) => p.probability.toString())).size;
    console.error(`${backend}: ${actives} active accounts, ${distinct} distinct probabilities, levels ${JSON.stringify(r.totals.by_level)}`);
    expect(distinct).toBeGreaterThan(100);
    expect(Object.values(r.totals.by_level).filter((k) => k > 0).length).toBeGreaterThanOrEqual(3);
    for (const a of r.accounts) {
      expect(a.factors.length).toBeGreaterThan(0);
      for (const f of a.factors) expect(f.detail).toMatch(/: churn odds ×\d+\.\d\d$/);
    }
  });
});
