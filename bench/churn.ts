// npm run bench:churn — held-out accuracy of the hand-set and the learned churn model, side by side, on a
// generated portfolio with a known churn process (bench/churn-data.ts) and on a public data set, IBM's telco
// customer churn sample from the Debian package r-cran-modeldata, loaded through the server's accounts import
// (bench/churn-public.ts), each on its own embedded database. The accounts are split 70/30 (stratified, seeded); the learned model is trained (with its own 5-fold CV and calibration)
// on the 70 % only, and both models score the 30 % it never saw, from the same point-in-time features.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { loadConfig, type Config } from "../src/config/load.ts";
import { createLogger } from "../src/observability/logger.ts";
import { openDatabase, type Database } from "../src/db/database.ts";
import { runImport } from "../src/import/run.ts";
import { loadFeatureRows, type ChurnFeatureRow } from "../src/repositories/churn-features.ts";
import { fitModel } from "../src/services/churn-model/train.ts";
import { scoreLearned } from "../src/services/churn-model/model.ts";
import { handSetProbability } from "../src/services/churn-model/hand-set.ts";
import { scores, stratifiedFolds, type Scores } from "../src/services/churn-model/metrics.ts";
import { generateChurnPortfolio } from "./churn-data.ts";
import { accountsCsv, readWaChurn, WA_CHURN } from "./churn-public.ts";
import { machineInfo } from "./machine.ts";

export interface HeldOut {
  accounts: number;
  churners: number;
  held_out: number;
  learned: Scores;
  hand_set: Scores;
  cv_learned_roc_auc: number;
  cv_hand_set_roc_auc: number;
  /** The five largest standardised weights of the model trained on the 70 %. */
  top_features: Array<{ feature: string; weight: number }>;
}

/** Splits rows 70/30 (stratified: 3 of 10 folds held out), trains on the 70 %, scores the 30 % with both models. */
export function heldOut(rows: ChurnFeatureRow[], now: Date): HeldOut {
  const y = rows.map((r) => (r.churned ? 1 : 0));
  const fold = stratifiedFolds(y, 10, 2026);
  const train = rows.filter((_, i) => fold[i]! >= 3);
  const test = rows.filter((_, i) => fold[i]! < 3);
  const model = fitModel(train, now);
  const yt = test.map((r) => (r.churned ? 1 : 0));
  return {
    accounts: rows.length,
    churners: y.reduce((a: number, b) => a + b, 0),
    held_out: test.length,
    learned: scores(test.map((r) => scoreLearned(model, r).probability), yt),
    hand_set: scores(test.map(handSetProbability), yt),
    cv_learned_roc_auc: model.metrics.cv.learned.roc_auc,
    cv_hand_set_roc_auc: model.metrics.cv.hand_set.roc_auc,
    top_features: model.metrics.top_features.slice(0, 5).map(({ feature, weight }) => ({ feature, weight })),
  };
}

/** A fresh embedded database in a temporary directory for `fn`, removed afterwards. */
async function withDatabase<T>(fn: (db: Database, config: Config) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "cs-mcp-bench-churn-"));
  try {
    const config = loadConfig({ CS_MCP_DATA_DIR: dir, LOG_LEVEL: "silent" });
    const db = await openDatabase(config, createLogger("silent"));
    try {
      return await fn(db, config);
    } finally {
      await db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const tableRow = (label: string, r: HeldOut) =>
  `| ${label}, ${r.accounts} accounts (${r.churners} churned), ${r.held_out} held out | ${r.hand_set.roc_auc} | ${r.learned.roc_auc} | ${r.hand_set.pr_auc} | ${r.learned.pr_auc} | ${r.hand_set.brier} | ${r.learned.brier} |`;

/** The generated portfolio: written straight to the tables by bench/churn-data.ts. */
async function generated(n: number, now: Date) {
  return withDatabase(async (db) => {
    const t0 = performance.now();
    await generateChurnPortfolio(db.prisma, n, now);
    const t1 = performance.now();
    const rows = await loadFeatureRows(db.prisma, { kind: "training" }, now);
    const t2 = performance.now();
    const r = heldOut(rows, now);
    const t3 = performance.now();
    return { dataset: "generated (bench/churn-data.ts, known process)", ...r, seconds: { generate: (t1 - t0) / 1000, features: (t2 - t1) / 1000, train_and_score: (t3 - t2) / 1000 } };
  });
}

/** The public data set: written as an accounts import file and loaded by the server's import (bench/churn-public.ts). */
async function publicData(now: Date) {
  return withDatabase(async (db, config) => {
    const dir = mkdtempSync(join(tmpdir(), "cs-mcp-bench-churn-file-"));
    try {
      const file = join(dir, "accounts.csv");
      const t0 = performance.now();
      writeFileSync(file, accountsCsv(readWaChurn(), now));
      const imported = await runImport(db, config, { kind: "accounts", file, now });
      if (imported.rejected) throw new Error(`import rejected ${imported.rejected} rows: ${JSON.stringify(imported.errors.slice(0, 3))}`);
      const t1 = performance.now();
      const rows = await loadFeatureRows(db.prisma, { kind: "training" }, now);
      const t2 = performance.now();
      const r = heldOut(rows, now);
      const t3 = performance.now();
      return {
        dataset: `${WA_CHURN.name}, from ${WA_CHURN.package}, bench/data/${WA_CHURN.file}`,
        import: { created: imported.created, rejected: imported.rejected, attributes: imported.attributes },
        ...r,
        seconds: { import: (t1 - t0) / 1000, features: (t2 - t1) / 1000, train_and_score: (t3 - t2) / 1000 },
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

async function main() {
  const n = Number(process.env.BENCH_CHURN_ACCOUNTS ?? 2000);
  const now = new Date();
  const gen = await generated(n, now);
  const pub = await publicData(now);
  process.stdout.write(`${JSON.stringify({ machine: machineInfo(now), generated: gen, public: pub }, null, 2)}\n`);
  process.stdout.write(
    [
      "| data set | ROC AUC hand-set | ROC AUC learned | PR AUC hand-set | PR AUC learned | Brier hand-set | Brier learned |",
      "|---|---|---|---|---|---|---|",
      tableRow("generated", gen),
      tableRow("IBM telco (wa_churn)", pub),
    ].join("\n") + "\n",
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    process.stderr.write(`bench:churn failed: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  });
}
