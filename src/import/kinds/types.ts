// What each import kind supplies to the runner: its columns, its zod row schema, the natural key rows are
// de-duplicated on within a file, and a batch writer working on one raw SQL session.
import type { z } from "zod";
import type { SqlSession } from "../../db/sql-session.ts";
import type { Config } from "../../config/load.ts";

export const IMPORT_KINDS = ["accounts", "usage_events", "tickets", "nps", "invoices", "email_events"] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export interface RowError {
  line: number;
  column?: string;
  reason: string;
}

/** A validated row, with the account it belongs to resolved (empty for the accounts kind). */
export interface ValidRow<T> {
  line: number;
  row: T;
  account_id: string;
  /** Attribute columns of the row (kinds with `attributes`): name → number or text; empty cells left out. */
  attributes?: Record<string, string | number>;
}

export interface BatchResult {
  created: number;
  updated: number;
  /** Rows the writer refused (e.g. an account whose company and contact another account has). */
  errors: RowError[];
}

export interface WriterContext {
  session: SqlSession;
  config: Config;
  /** One moment for the whole import: new ids and timestamps use it. */
  now: Date;
}

export interface Writer<T> {
  write(rows: ValidRow<T>[]): Promise<BatchResult>;
  /** Extra summary fields once every batch is written (the accounts' external_id → client_id map). */
  finish?(): Record<string, unknown>;
}

export interface KindSpec<T> {
  kind: ImportKind;
  columns: readonly string[];
  required: readonly string[];
  /** Whether rows carry an `account` column (client_id or external_id) to resolve. */
  resolvesAccount: boolean;
  schema: z.ZodType<T>;
  batchSize: number;
  /** The natural key: a later row with the key of an earlier one is a duplicate (first wins). */
  key?: (row: ValidRow<T>) => string;
  /** JSON input: nested values (arrays, objects) arrive as JSON text instead of being refused (email_events). */
  nestedAsJson?: boolean;
  /** Columns the kind does not know become typed account attributes (accounts) instead of being ignored. */
  attributes?: boolean;
  open(ctx: WriterContext): Promise<Writer<T>>;
}
