// The messages between the embedded database's worker thread (pglite-worker.ts) and its main-thread
// client (remote-pglite.ts). Results cross as PostgreSQL's text values: parsing, which may use the
// caller's functions (the Prisma adapter's parsers), happens on the main thread.

/** The worker's rejection that ends a transaction whose callback threw on the main thread (which rethrows its own error). */
export const CALLBACK_THREW = "cs-mcp:transaction-callback-threw";

export interface WorkerOptions {
  dataDir: string;
  /** After PGlite.defaultStartParams (pglite-params.ts startSettings). */
  startParams: string[];
  /** initdb's, when the directory is new and no template is used. */
  initDbStartParams: string[];
  /** Make a new data directory from the shipped template first (pgdata-template.ts prepareDataDir). */
  prepare?: boolean;
}

export type Request =
  | { id: number; op: "query"; sql: string; params: unknown[]; tx?: number }
  /** Database.query's hot path: pgliteQuery (one protocol exchange; `name` = a statement prepared once). */
  | { id: number; op: "statement"; sql: string; params: unknown[]; name?: string }
  | { id: number; op: "exec"; sql: string; tx?: number }
  /** Opens a transaction: answered once with `{ started }`, then again when it has committed or rolled back. */
  | { id: number; op: "begin" }
  | { id: number; op: "rollback"; tx: number }
  /** Ends the transaction's callback in the worker: resolved (commit) or thrown (rollback). */
  | { op: "end"; tx: number; ok: boolean }
  | { id: number; op: "close" };

export interface Field {
  name: string;
  dataTypeID: number;
}

/** One statement's result with unparsed text values (null stays null). */
export interface RawResults {
  rows: Array<Array<string | null>>;
  fields: Field[];
  affectedRows?: number;
}

/** An error as it crosses: a DatabaseError's fields (code, detail, constraint…) or a plain error's name and message. */
export interface WireError {
  database: boolean;
  message: string;
  name: string;
  length?: number;
  fields: Record<string, unknown>;
}

export type Reply =
  /** The database opened: [element type oid, array type oid] for the array parsers PGlite builds at start. */
  | { ready: true; arrayTypes: Array<[number, number]>; fromTemplate: boolean }
  | { ready: false; error: WireError }
  | { id: number; started: number }
  | { id: number; ok: true; value?: RawResults | RawResults[] }
  | { id: number; ok: false; error: WireError };
