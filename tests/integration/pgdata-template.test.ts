// The pre-initialised data directory (dist/pgdata-template.tar.gz, made by `npm run build`): a new
// embedded data directory starts from it, holds exactly the schema and migration records that initdb plus
// every migration produce, and a template that does not match the shipped migrations is not used.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PGlite } from "@electric-sql/pglite";
import { loadConfig } from "../../src/config/load.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { openDatabase } from "../../src/db/database.ts";
import { migrate, readMigrations } from "../../src/db/migrate.ts";
import { pgliteSession, type SqlSession } from "../../src/db/sql-session.ts";
import { INITDB_PARAMS, startSettings } from "../../src/db/pglite-params.ts";
import { MANIFEST_FILE, TEMPLATE_FILE, templateDir, unpackTemplate, usableTemplate } from "../../src/db/pgdata-template.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "cs-mcp-pgtemplate-"));
  dirs.push(d);
  return d;
};

/** Tables, columns, constraints, indexes and enum labels of the public schema, as text, sorted. */
async function schemaOf(s: SqlSession): Promise<string[]> {
  const columns = await s.query<{ d: string }>(
    `SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || udt_name || ' ' || is_nullable || ' ' || coalesce(column_default, '') AS d
       FROM information_schema.columns WHERE table_schema = 'public'`,
  );
  const constraints = await s.query<{ d: string }>(
    `SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS d
       FROM pg_constraint WHERE connamespace = 'public'::regnamespace`,
  );
  const indexes = await s.query<{ d: string }>(`SELECT indexdef AS d FROM pg_indexes WHERE schemaname = 'public'`);
  const enums = await s.query<{ d: string }>(
    `SELECT t.typname || ' ' || e.enumsortorder::text || ' ' || e.enumlabel AS d
       FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid`,
  );
  return [...columns, ...constraints, ...indexes, ...enums].map((r) => r.d).sort();
}

async function migrationRows(s: SqlSession): Promise<Array<{ migration_name: string; checksum: string; started_at: Date }>> {
  return s.query(`SELECT migration_name, checksum, started_at FROM "_prisma_migrations" WHERE finished_at IS NOT NULL ORDER BY migration_name`);
}

describe("pre-initialised embedded data directory", () => {
  it("is built with the package and matches the shipped migrations", () => {
    expect(usableTemplate()).toBeInstanceOf(Buffer);
  });

  it("a new data directory is created from it, with the schema and migration records initdb plus the migrations give", async () => {
    const testStarted = new Date();
    const dir = tempDir();
    const db = await openDatabase(loadConfig({ CS_MCP_DATA_DIR: dir, LOG_LEVEL: "silent" }), createLogger("silent"));
    let fromTemplate: string[];
    let templateRows: Awaited<ReturnType<typeof migrationRows>>;
    try {
      const s = await db.session();
      fromTemplate = await schemaOf(s);
      templateRows = await migrationRows(s);
      s.release();
    } finally {
      await db.close();
    }
    // The records were written when the template was built, before this test: nothing was migrated here.
    expect(templateRows.every((r) => r.started_at.getTime() < testStarted.getTime())).toBe(true);
    expect(templateRows.map((r) => [r.migration_name, r.checksum])).toEqual(readMigrations().map((m) => [m.name, m.checksum]));

    // The reference: a fresh initdb with every migration applied by the runner.
    const lite = await PGlite.create();
    try {
      const s = pgliteSession(lite);
      await migrate(s);
      expect(fromTemplate).toEqual(await schemaOf(s));
      expect(fromTemplate.length).toBeGreaterThan(100);
    } finally {
      await lite.close();
    }
  }, 120_000);

  it("holds 1 MB WAL segments, not a 16 MB one, and starts with the same settings as a data directory made by initdb", async () => {
    const pgdata = join(tempDir(), "pgdata");
    unpackTemplate(usableTemplate()!, pgdata);
    const wal = readdirSync(join(pgdata, "pg_wal")).filter((f) => /^[0-9A-F]{24}$/.test(f));
    expect(wal.length).toBeGreaterThan(0);
    for (const f of wal) expect(statSync(join(pgdata, "pg_wal", f)).size).toBe(1024 * 1024);

    const SETTINGS = `SELECT name, setting, unit FROM pg_settings WHERE name IN ('wal_segment_size', 'min_wal_size', 'max_wal_size', 'shared_buffers') ORDER BY name`;
    const settingsOf = async (dir: string) => {
      const db = await openDatabase(loadConfig({ CS_MCP_DATA_DIR: dir, LOG_LEVEL: "silent" }), createLogger("silent"));
      try {
        return { settings: await db.query(SETTINGS), status: await db.migrationStatus() };
      } finally {
        await db.close();
      }
    };
    const fromTemplate = await settingsOf(join(pgdata, ".."));
    // The reference: a data directory made by PGlite's initdb with the same parameters, migrated by the runner.
    const initdbDir = tempDir();
    const lite = await PGlite.create(join(initdbDir, "pgdata"), { initDbStartParams: INITDB_PARAMS, startParams: [...PGlite.defaultStartParams, ...startSettings(16)] });
    await migrate(pgliteSession(lite));
    await lite.close();
    const fromInitdb = await settingsOf(initdbDir);
    expect(fromTemplate).toEqual(fromInitdb);
    expect(fromTemplate.status).toEqual({ applied: readMigrations().map((m) => m.name), pending: [], failed: [] });
    expect(fromTemplate.settings).toEqual([
      { name: "max_wal_size", setting: "1024", unit: "MB" },
      { name: "min_wal_size", setting: "80", unit: "MB" },
      { name: "shared_buffers", setting: "2048", unit: "8kB" },
      { name: "wal_segment_size", setting: String(1024 * 1024), unit: "B" },
    ]);
  }, 180_000);

  it("is not used when its manifest does not name exactly the shipped migrations", () => {
    const dir = tempDir();
    copyFileSync(join(templateDir(), TEMPLATE_FILE), join(dir, TEMPLATE_FILE));
    copyFileSync(join(templateDir(), MANIFEST_FILE), join(dir, MANIFEST_FILE));
    const files = readMigrations();
    expect(usableTemplate(dir, files)).toBeInstanceOf(Buffer);
    // A migration added after the template was built: the template is stale.
    expect(usableTemplate(dir, [...files, { name: "29990101000000_extra", sql: "SELECT 1", checksum: "0".repeat(64) }])).toBeNull();
    // A migration edited after the template was built.
    expect(usableTemplate(dir, files.map((f, i) => (i === 0 ? { ...f, checksum: "f".repeat(64) } : f)))).toBeNull();
    // Another PGlite version wrote it.
    writeFileSync(join(dir, MANIFEST_FILE), JSON.stringify({ pglite: "0.0.1", migrations: files.map((f) => ({ name: f.name, checksum: f.checksum })) }));
    expect(usableTemplate(dir, files)).toBeNull();
  });

  it("unpacks into place whole or not at all: a truncated tarball leaves no data directory, a part-made one is replaced", () => {
    const tarball = usableTemplate()!;
    const dir = tempDir();
    const pgdata = join(dir, "pgdata");
    expect(() => unpackTemplate(tarball.subarray(0, tarball.length >> 1), pgdata)).toThrow(/did not unpack/);
    expect(readdirSync(dir)).toEqual([]);
    mkdirSync(join(pgdata, "base"), { recursive: true });
    writeFileSync(join(pgdata, "stray"), "left by a start that stopped part-way");
    unpackTemplate(tarball, pgdata);
    expect(readdirSync(dir)).toEqual(["pgdata"]);
    expect(existsSync(join(pgdata, "PG_VERSION"))).toBe(true);
    expect(existsSync(join(pgdata, "stray"))).toBe(false);
  });
});
