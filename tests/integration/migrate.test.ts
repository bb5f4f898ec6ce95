// The migration runner on both back ends: applies pending migrations once, records them in Prisma's
// own table, is idempotent, reports pending ones, and serialises concurrent runs with its lock.
import { cpSync, mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_URL, BACKENDS, openTestDb, postgresDatabase, type TestDb } from "../helpers/databases.ts";
import { migrate, migrationStatus, migrationsDir, readMigrations } from "../../src/db/migrate.ts";
import { pgSession } from "../../src/db/sql-session.ts";
import pg from "pg";

function dirWithExtraMigration(): string {
  const dir = mkdtempSync(join(tmpdir(), "cs-mcp-migrations-"));
  cpSync(migrationsDir(), dir, { recursive: true });
  mkdirSync(join(dir, "29990101000000_extra"));
  writeFileSync(join(dir, "29990101000000_extra", "migration.sql"), 'CREATE TABLE "zz_extra" ("id" INTEGER PRIMARY KEY);');
  return dir;
}

describe.each(BACKENDS)("migrations on %s", (backend) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(backend);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("has applied every shipped migration exactly once", async () => {
    const s = await t.db.session();
    try {
      const rows = await s.query<{ migration_name: string; finished_at: Date | null; applied_steps_count: number }>(
        `SELECT migration_name, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`,
      );
      expect(rows.map((r) => r.migration_name)).toEqual(readMigrations().map((m) => m.name));
      expect(rows.every((r) => r.finished_at !== null && r.applied_steps_count === 1)).toBe(true);
    } finally {
      s.release();
    }
  });

  it("is idempotent, and applies a new migration once while reporting it pending before", async () => {
    expect((await t.db.migrate()).applied).toEqual([]);
    const files = readMigrations(dirWithExtraMigration());
    const s = await t.db.session();
    try {
      expect((await migrationStatus(s, files)).pending).toEqual(["29990101000000_extra"]);
      expect((await migrate(s, files)).applied).toEqual(["29990101000000_extra"]);
      expect((await migrate(s, files)).applied).toEqual([]);
      expect((await migrationStatus(s, files)).pending).toEqual([]);
      const [row] = await s.query<{ n: string }>(`SELECT count(*)::text AS n FROM zz_extra`);
      expect(row?.n).toBe("0");
    } finally {
      s.release();
    }
  });

  it("an up-to-date database is read in one statement, and a migration edited after it was applied is still reported", async () => {
    const files = readMigrations();
    const seen: string[] = [];
    const s = await t.db.session();
    const counting = { ...s, query: <T,>(sql: string, params?: unknown[]) => (seen.push(sql), s.query<T>(sql, params)) };
    try {
      const result = await migrate(counting, files);
      expect(result.applied).toEqual([]);
      expect(result.warnings).toEqual([]);
      expect(seen).toHaveLength(1);
      const edited = files.map((f, i) => (i === 0 ? { ...f, checksum: "0".repeat(64) } : f));
      expect((await migrate(s, edited)).warnings).toEqual([`migration ${files[0]!.name} was edited after it was applied`]);
    } finally {
      s.release();
    }
  });

  it("rolls back a failing migration and refuses until it is repaired", async () => {
    const dir = dirWithExtraMigration();
    mkdirSync(join(dir, "29990202000000_broken"));
    writeFileSync(join(dir, "29990202000000_broken", "migration.sql"), 'CREATE TABLE "zz_broken" ("id" INTEGER); SELECT no_such_function();');
    const s = await t.db.session();
    try {
      await expect(migrate(s, readMigrations(dir))).rejects.toThrow(/migration 29990202000000_broken failed and was rolled back/);
      const [row] = await s.query<{ t: string | null }>(`SELECT to_regclass('zz_broken')::text AS t`);
      expect(row?.t).toBeNull();
      expect((await migrationStatus(s, readMigrations(dir))).pending).toEqual(["29990202000000_broken"]);
    } finally {
      s.release();
    }
  });
});

describe.skipIf(!ADMIN_URL)("concurrent migrations on PostgreSQL", () => {
  it("five instances starting together migrate once", async () => {
    const { url, drop } = await postgresDatabase();
    const pools = Array.from({ length: 5 }, () => new pg.Pool({ connectionString: url, max: 1 }));
    try {
      const results = await Promise.all(
        pools.map(async (pool) => {
          const s = await pgSession(pool);
          try {
            return await migrate(s);
          } finally {
            s.release();
          }
        }),
      );
      const appliedBy = results.filter((r) => r.applied.length > 0);
      expect(appliedBy).toHaveLength(1);
      const check = await pools[0]!.query(`SELECT migration_name, count(*)::int AS n FROM "_prisma_migrations" GROUP BY 1 ORDER BY 1`);
      expect(check.rows).toEqual(readMigrations().map((m) => ({ migration_name: m.name, n: 1 })));
    } finally {
      await Promise.all(pools.map((p) => p.end()));
      await drop();
    }
  });
});
