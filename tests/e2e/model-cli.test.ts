// `cs-mcp model` spawned from the build: too little history is refused with the counts; a model trained in
// one data directory is exported to a file, imported (inactive) into another, activated and listed there;
// a changed file is refused naming the field, and nothing is stored.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS } from "../helpers/databases.ts";
import { csBackend, runCli, type CsBackend } from "../helpers/cs-e2e.ts";
import { loadConfig } from "../../src/config/load.ts";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { generateChurnPortfolio } from "../../bench/churn-data.ts";

/** Spawned CLIs open the database and migrate: generous under a loaded machine (a bound, not a timing assertion). */
const CLI_TIMEOUT_MS = 240_000;

async function withDb<T>(b: CsBackend, fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase(loadConfig({ ...b.env, LOG_LEVEL: "silent" }), createLogger("silent"), { migrate: true });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

describe.each(BACKENDS)("cs-mcp model (%s)", { timeout: 300_000 }, (backend) => {
  let staging: CsBackend;
  let production: CsBackend;
  beforeAll(async () => {
    staging = await csBackend(backend);
    production = await csBackend(backend);
  });
  afterAll(async () => {
    await staging?.cleanup();
    await production?.cleanup();
  });

  it("train refuses an empty history with the counts, and exits 2", async () => {
    const r = await runCli(["model", "train"], production.env, CLI_TIMEOUT_MS);
    expect(r.code).toBe(2);
    expect(r.err).toContain("cs-mcp model train: too little history to learn from: 0 churned accounts with churned_at and 0 active accounts (need at least 30 and 30)");
  });

  it("trains in staging, exports, imports into production inactive, activates there; a changed file is refused", async () => {
    const gen = await withDb(staging, (db) => generateChurnPortfolio(db.prisma, 400, new Date()));
    const trained = await runCli(["model", "train", "--json"], staging.env, CLI_TIMEOUT_MS);
    expect(trained.err).toBe("");
    expect(trained.code).toBe(0);
    const m = JSON.parse(trained.out);
    expect(m).toMatchObject({ active: true, metrics: { accounts: 400, churners: gen.churners.size } });
    const file = join(staging.files, "model.json");
    expect((await runCli(["model", "export", file], staging.env, CLI_TIMEOUT_MS)).code).toBe(0);
    const doc = JSON.parse(readFileSync(file, "utf8"));
    expect(doc).toMatchObject({ format: "cs-mcp-churn-model", format_version: 1, model: { version: m.version } });

    const bad = join(production.files, "bad.json");
    writeFileSync(bad, JSON.stringify({ ...doc, model: { ...doc.model, calibration: { ...doc.model.calibration, a: "x" } } }));
    const refused = await runCli(["model", "import", bad], production.env, CLI_TIMEOUT_MS);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain("invalid churn model: model.calibration.a: Invalid input: expected number, received string (nothing was stored)");

    const imported = await runCli(["model", "import", file], production.env, CLI_TIMEOUT_MS);
    expect(imported.code).toBe(0);
    expect(imported.out).toContain(`model ${m.version} imported (inactive)`);
    expect((await runCli(["model", "activate", m.version], production.env, CLI_TIMEOUT_MS)).out).toContain(`scoring with ${m.version} (logistic_l2)`);
    const listed = JSON.parse((await runCli(["model", "list", "--json"], production.env, CLI_TIMEOUT_MS)).out);
    expect(listed.scoring).toEqual({ version: m.version, kind: "logistic_l2" });
    expect(listed.models).toEqual([expect.objectContaining({ version: m.version, active: true, accounts: 400 })]);
    const missing = await runCli(["model", "activate", "nope"], production.env, CLI_TIMEOUT_MS);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("churn model nope was not found");
  });
});
