// Test databases on both back ends: a copy of the migrated embedded template, or a throwaway database
// on the PostgreSQL server given by DATABASE_URL (CI starts one on loopback).
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { loadConfig, type Config } from "../../src/config/load.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { openDatabase, type Database } from "../../src/db/database.ts";

export const ADMIN_URL = process.env.DATABASE_URL;
export type Backend = "embedded" | "postgres";
/** The back ends to run repository tests on: embedded always, PostgreSQL when DATABASE_URL is given. */
export const BACKENDS: Backend[] = ADMIN_URL ? ["embedded", "postgres"] : ["embedded"];

/** A fresh embedded data directory, already migrated (copied from the suite's template). */
export function embeddedDataDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "cs-mcp-test-"));
  cpSync(inject("templateDataDir"), dir, { recursive: true });
  rmSync(join(dir, "cs-mcp.lock"), { force: true });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A new empty database on the PostgreSQL server; returns its URL and a drop function. */
export async function postgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!ADMIN_URL) throw new Error("DATABASE_URL is not set");
  const name = `cs_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface TestDb {
  db: Database;
  config: Config;
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

/** Opens a fresh, migrated database of the given back end, with extra settings applied. */
export async function openTestDb(backend: Backend, extra: Record<string, string> = {}): Promise<TestDb> {
  const logger = createLogger("silent");
  if (backend === "embedded") {
    const { dir, remove } = embeddedDataDir();
    const env = { CS_MCP_DATA_DIR: dir, LOG_LEVEL: "silent", ...extra };
    const config = loadConfig(env);
    const db = await openDatabase(config, logger);
    return { db, config, env, cleanup: async () => { await db.close(); remove(); } };
  }
  const { url, drop } = await postgresDatabase();
  const env = { DATABASE_URL: url, LOG_LEVEL: "silent", ...extra };
  const config = loadConfig(env);
  const db = await openDatabase(config, logger, { migrate: true });
  return { db, config, env, cleanup: async () => { await db.close(); await drop(); } };
}
