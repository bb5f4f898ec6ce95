// The smallest raw-SQL surface both back ends share, for the migration runner and health checks:
// one session (a PGlite instance, or one pooled PostgreSQL connection).
import type { PGlite } from "@electric-sql/pglite";
import type pg from "pg";

export interface SqlSession {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  exec(sql: string): Promise<void>;
  release(): void;
}

/** A PGlite in this thread, or the worker thread's seen through RemotePGlite. */
export function pgliteSession(db: Pick<PGlite, "query" | "exec">): SqlSession {
  return {
    async query<T>(sql: string, params: unknown[] = []) {
      return (await db.query<T>(sql, params)).rows;
    },
    async exec(sql: string) {
      await db.exec(sql);
    },
    release() {},
  };
}

export async function pgSession(pool: pg.Pool): Promise<SqlSession> {
  const client = await pool.connect();
  return {
    async query<T>(sql: string, params: unknown[] = []) {
      return (await client.query(sql, params)).rows as T[];
    },
    async exec(sql: string) {
      await client.query(sql);
    },
    release() {
      client.release();
    },
  };
}
