// Applies prisma/migrations to either back end. The SQL files are plain PostgreSQL and the bookkeeping
// table is Prisma's own `_prisma_migrations`, so `prisma migrate deploy` stays usable where the Prisma
// CLI has its engine. Runs under an advisory lock: several instances starting together migrate once.
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { SqlSession } from "./sql-session.ts";

const LOCK_KEY = 7_243_911_002; // arbitrary, constant: the id of this project's migration lock

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationStatus {
  applied: string[];
  pending: string[];
  failed: string[];
}

/** The prisma/migrations directory shipped with the package (works from src/ under tsx and from dist/). */
export function migrationsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, "prisma", "migrations");
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error("prisma/migrations not found next to the package");
}

export function readMigrations(dir = migrationsDir()): MigrationFile[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

interface Row {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

async function recorded(session: SqlSession): Promise<Row[]> {
  const exists = await session.query<{ t: string | null }>(`SELECT to_regclass('"_prisma_migrations"')::text AS t`);
  if (!exists[0]?.t) return [];
  return session.query<Row>(
    `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at`,
  );
}

export async function migrationStatus(session: SqlSession, files = readMigrations()): Promise<MigrationStatus> {
  const rows = await recorded(session);
  const done = new Set(rows.filter((r) => r.finished_at && !r.rolled_back_at).map((r) => r.migration_name));
  const failed = rows.filter((r) => !r.finished_at && !r.rolled_back_at).map((r) => r.migration_name);
  return {
    applied: files.filter((f) => done.has(f.name)).map((f) => f.name),
    pending: files.filter((f) => !done.has(f.name)).map((f) => f.name),
    failed,
  };
}

export interface MigrateResult {
  applied: string[];
  already_applied: number;
  warnings: string[];
}

/**
 * Nothing to do, read in one statement without the lock: every migration recorded as finished with its
 * checksum, none failed. The usual case at start-up; anything else (a pending, failed or edited migration,
 * no bookkeeping table yet) returns null and goes through `migrate` under the lock.
 */
async function upToDate(session: SqlSession, files: MigrationFile[]): Promise<MigrateResult | null> {
  let rows: Row[];
  try {
    rows = await session.query<Row>(`SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`);
  } catch {
    return null;
  }
  if (rows.some((r) => !r.finished_at && !r.rolled_back_at)) return null;
  const done = new Map(rows.filter((r) => r.finished_at && !r.rolled_back_at).map((r) => [r.migration_name, r.checksum]));
  return files.every((f) => done.get(f.name) === f.checksum) ? { applied: [], already_applied: done.size, warnings: [] } : null;
}

export async function migrate(session: SqlSession, files = readMigrations()): Promise<MigrateResult> {
  const current = await upToDate(session, files);
  if (current) return current;
  await session.query("SELECT pg_advisory_lock($1)", [LOCK_KEY]);
  try {
    await session.exec(CREATE_TABLE);
    const rows = await recorded(session);
    const failed = rows.filter((r) => !r.finished_at && !r.rolled_back_at);
    if (failed.length > 0) {
      throw new Error(
        `migration ${failed.map((f) => f.migration_name).join(", ")} failed earlier and was not rolled back; ` +
          `repair the database, then mark it rolled back in "_prisma_migrations"`,
      );
    }
    const done = new Map(rows.filter((r) => r.finished_at && !r.rolled_back_at).map((r) => [r.migration_name, r.checksum]));
    const warnings: string[] = [];
    const applied: string[] = [];
    for (const file of files) {
      const previous = done.get(file.name);
      if (previous !== undefined) {
        if (previous !== file.checksum) warnings.push(`migration ${file.name} was edited after it was applied`);
        continue;
      }
      const id = randomUUID();
      await session.exec("BEGIN");
      try {
        await session.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())`,
          [id, file.checksum, file.name],
        );
        await session.exec(file.sql);
        await session.query(
          `UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`,
          [id],
        );
        await session.exec("COMMIT");
      } catch (err) {
        await session.exec("ROLLBACK");
        throw new Error(`migration ${file.name} failed and was rolled back: ${(err as Error).message}`);
      }
      applied.push(file.name);
    }
    return { applied, already_applied: done.size, warnings };
  } finally {
    await session.query("SELECT pg_advisory_unlock($1)", [LOCK_KEY]);
  }
}
