// Opens the database: embedded PGlite in a data directory when no DATABASE_URL is given, PostgreSQL
// through a configured pool otherwise. Both are exposed as the same Prisma client.
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaClient } from "../generated/prisma/client.ts";
import type { Config } from "../config/load.ts";
import type { Logger } from "../observability/logger.ts";
import { join } from "node:path";
import { prepareDataDir } from "./pgdata-template.ts";
import { INITDB_PARAMS, startSettings } from "./pglite-params.ts";
import { startEmbedded, type EmbeddedStart } from "./embedded-start.ts";
import { migrate, migrationStatus, type MigrateResult, type MigrationStatus } from "./migrate.ts";
import { pgliteSession, pgSession, type SqlSession } from "./sql-session.ts";
import { cancelStatementsWith } from "./abortable-transaction.ts";
import { RemotePGlite } from "./remote-pglite.ts";

import { pgliteQuery } from "./pglite-query.ts";

export type Prisma = PrismaClient;
export type DatabaseKind = "embedded" | "postgres";

export interface Database {
  readonly kind: DatabaseKind;
  readonly prisma: PrismaClient;
  /** Where the data is, without credentials: the data directory, or host:port/dbname. */
  readonly location: string;
  session(): Promise<SqlSession>;
  /**
   * One parameterised statement straight to the driver, for hot read paths (no Prisma in between). With a
   * `name` (a constant SQL text run on every call of a tool), it is prepared once per connection.
   */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[], options?: QueryOptions): Promise<T[]>;
  migrate(): Promise<MigrateResult>;
  migrationStatus(): Promise<MigrationStatus>;
  pool(): { total: number; idle: number; waiting: number; max: number } | null;
  close(): Promise<void>;
}

export interface QueryOptions {
  /** A prepared statement's name: the SQL text must be the same at every call with this name. */
  name?: string;
}

export interface OpenOptions {
  /** Apply pending migrations before returning (always done for the embedded database). */
  migrate?: boolean;
  /** The embedded database's first step, already taken (cli.ts starts its thread before the heavy modules load). */
  embedded?: EmbeddedStart;
}

async function withSession<T>(db: Pick<Database, "session">, fn: (s: SqlSession) => Promise<T>): Promise<T> {
  const s = await db.session();
  try {
    return await fn(s);
  } finally {
    s.release();
  }
}

export async function openDatabase(config: Config, logger: Logger, options: OpenOptions = {}): Promise<Database> {
  const db = config.DATABASE_URL ? await openPostgres(config, logger) : await openEmbedded(config, logger, options.embedded);
  try {
    // The pool connects lazily: ask now, so that a server that cannot reach its database says so at
    // start-up (and exits non-zero) instead of answering every call with "unavailable".
    if (db.kind === "postgres") await db.query("SELECT 1");
    if (db.kind === "embedded" || options.migrate) {
      const result = await db.migrate();
      if (result.applied.length) logger.info({ applied: result.applied }, "migrations applied");
      for (const w of result.warnings) logger.warn(w);
    }
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}

async function openEmbedded(config: Config, logger: Logger, started?: EmbeddedStart): Promise<Database> {
  const { dir, pgdata, release, thread } = started ?? startEmbedded(config);
  let lite: PGlite | RemotePGlite;
  let prisma: PrismaClient;
  let ready = false;
  try {
    // A new data directory starts from the pre-initialised one shipped in the package (pgdata-template.ts):
    // unpacked by the worker thread before it opens the database, or here for an in-process PGlite.
    let fromTemplate = !thread && prepareDataDir(pgdata);
    // PGlite opens in the background (its statements wait for it) while Prisma loads its query compiler,
    // a WebAssembly module compiled on the main thread that the first Prisma query needs: one after the
    // other, the two were a third of a warm start. With CS_MCP_PGLITE_WORKER in its own thread (remote-pglite.ts), started
    // by embedded-start.ts: the boot's CPU then overlaps module loading too.
    lite = thread ? new RemotePGlite(thread) : new PGlite(pgdata, { startParams: [...PGlite.defaultStartParams, ...startSettings(config.CS_MCP_PGLITE_SHARED_BUFFERS_MB)], initDbStartParams: INITDB_PARAMS });
    const db = lite;
    // The adapter uses query, exec and transaction, which RemotePGlite provides with PGlite's semantics.
    prisma = new PrismaClient({ adapter: new PrismaPGlite(db as PGlite) });
    const opened = db.waitReady.then(async () => {
      ready = true;
      // PGlite takes the host's zone; every date the repositories bucket or compare is a UTC date.
      await db.exec("SET TIME ZONE 'UTC'");
    });
    await Promise.all([opened, prisma.$connect()]);
    if (db instanceof RemotePGlite) fromTemplate = db.fromTemplate;
    if (fromTemplate) logger.debug({ dir }, "embedded database created from the pre-initialised template");
  } catch (err) {
    // A PGlite that opened is closed again (the query compiler failed); one that did not has nothing to close
    // (a worker thread is ended either way).
    if (ready) await lite!.close().catch(() => {});
    else await thread?.worker.terminate();
    release();
    throw err;
  }
  logger.debug({ dir }, "embedded database opened");
  let closed = false;
  const db: Database = {
    kind: "embedded",
    prisma,
    location: dir,
    session: async () => pgliteSession(lite),
    query: async <T>(sql: string, params: unknown[] = [], options: QueryOptions = {}) =>
      (lite instanceof RemotePGlite ? await lite.statement<T>(sql, params, options.name) : await pgliteQuery<T>(lite, sql, params, options.name)).rows,
    migrate: () => withSession(db, (s) => migrate(s)),
    migrationStatus: () => withSession(db, (s) => migrationStatus(s)),
    pool: () => null,
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect().catch(() => {});
      await lite.close().catch(() => {});
      release();
    },
  };
  return db;
}

async function openPostgres(config: Config, logger: Logger): Promise<Database> {
  // Loaded only for PostgreSQL: the embedded start-up does not pay for them.
  const [{ default: pg }, { PrismaPg }] = await Promise.all([import("pg"), import("@prisma/adapter-pg")]);
  const url = new URL(config.DATABASE_URL as string);
  const pool = new pg.Pool({
    connectionString: config.DATABASE_URL,
    max: config.DB_POOL_MAX,
    connectionTimeoutMillis: config.DB_CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: config.DB_IDLE_TIMEOUT_MS,
    statement_timeout: config.DB_STATEMENT_TIMEOUT_MS,
    application_name: "customer-success-mcp",
    // Whatever the server's or database's default zone, sessions compute dates in UTC (as the embedded one does).
    options: "-c TimeZone=UTC",
  });
  // An idle client losing its connection emits 'error' on the pool; unhandled, it would end the process.
  pool.on("error", (err) => logger.warn({ err: { message: err.message } }, "idle PostgreSQL connection lost"));
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  // A cancelled call stops its running statement: pg_cancel_backend from another pool connection.
  cancelStatementsWith(prisma, (pid) => pool.query("SELECT pg_cancel_backend($1)", [pid]));
  let closed = false;
  const db: Database = {
    kind: "postgres",
    prisma,
    location: `${url.hostname}:${url.port || "5432"}${url.pathname}`,
    session: () => pgSession(pool),
    query: async <T>(sql: string, params: unknown[] = [], options: QueryOptions = {}) =>
      (await (options.name ? pool.query({ name: options.name, text: sql, values: params }) : pool.query(sql, params))).rows as T[],
    migrate: () => withSession(db, (s) => migrate(s)),
    migrationStatus: () => withSession(db, (s) => migrationStatus(s)),
    pool: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: config.DB_POOL_MAX }),
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect().catch(() => {});
      await pool.end().catch(() => {});
    },
  };
  return db;
}
