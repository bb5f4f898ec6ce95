// `cs-mcp import <kind> <file>`: streams a CSV or JSON Lines file, validates each row with the kind's zod
// schema, resolves `account` (client_id or external_id) through one map loaded up front, drops in-file
// duplicates of the natural key (first wins) and hands batches to the kind's set-based writer on one raw
// SQL session. Bad rows are reported with their line and column and the rest is kept; with `strict` the
// whole file is one transaction, rolled back when any row is bad; `dryRun` runs the same transaction and
// always rolls it back, so its counts are exact and nothing is kept.
import { statSync } from "node:fs";
import { performance } from "node:perf_hooks";
import type { Config } from "../config/load.ts";
import type { Database } from "../db/database.ts";
import type { SqlSession } from "../db/sql-session.ts";
import { FORMATS, formatFromFileName, readRecords, type ImportFormat } from "./formats.ts";
import { IMPORT_KINDS, KINDS, type ImportKind, type RowError } from "./kinds/index.ts";
import type { ValidRow } from "./kinds/types.ts";
import { uuid7 } from "./sql.ts";
import { ATTRIBUTE_LIMIT, attributeValue, validAttributeName, type AttributeType } from "./attributes.ts";

export { IMPORT_KINDS, type ImportKind, type RowError };

/** A mistake in how the import was asked for (unknown kind, missing file, unknown format): exit code 2. */
export class ImportUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ImportUsageError";
  }
}

export interface ImportProgress {
  rows: number;
  elapsed_ms: number;
  rows_per_second: number;
}

export interface ImportOptions {
  kind: string;
  file: string;
  format?: string | undefined;
  dryRun?: boolean;
  strict?: boolean;
  /** Rows per batch; default: the kind's own (10,000 usage events, fewer for the others). */
  batchSize?: number;
  /** Errors listed in the summary; the rest are only counted. Default 100. */
  maxErrors?: number;
  /** Called every `progressEvery` rows read (default 100,000). */
  onProgress?: (p: ImportProgress) => void;
  progressEvery?: number;
  now?: Date;
}

export interface ImportSummary {
  kind: ImportKind;
  file: string;
  format: ImportFormat;
  dry_run: boolean;
  strict: boolean;
  /** Data rows read (the CSV header and blank lines are not rows). */
  rows: number;
  created: number;
  updated: number;
  /** Rows that changed nothing: already stored unchanged, or a duplicate of an earlier row of the file. */
  skipped: number;
  duplicates: number;
  /** Rows refused (each has at least one entry in errors). */
  rejected: number;
  errors: RowError[];
  error_count: number;
  errors_truncated: boolean;
  /** True when nothing was kept: --strict with a bad row, or --dry-run. */
  rolled_back: boolean;
  warnings: string[];
  duration_ms: number;
  rows_per_second: number;
  /** accounts only: external_id → client_id of every account in the file. */
  mapping?: Record<string, string>;
  /** accounts only: the extra columns stored as attributes and the type inferred from their values. */
  attributes?: Record<string, AttributeType>;
}

function resolveFormat(file: string, format: string | undefined): ImportFormat {
  if (format !== undefined) {
    if (!FORMATS.includes(format as ImportFormat)) throw new ImportUsageError(`--format: must be one of ${FORMATS.join(", ")}`);
    return format as ImportFormat;
  }
  const f = formatFromFileName(file);
  if (!f) throw new ImportUsageError(`cannot tell the format of ${file} from its name: use a .csv, .jsonl, .ndjson or .json file, or pass --format csv|jsonl|json`);
  return f;
}

class HeaderError extends Error {
  constructor(readonly errors: RowError[]) {
    super("the header is missing required columns");
  }
}

/** client_id and external_id → client_id, for every account. */
async function loadAccountLookup(session: SqlSession): Promise<Map<string, string>> {
  const rows = await session.query<{ id: string; external_id: string | null }>(`SELECT id, external_id FROM accounts`);
  const map = new Map<string, string>();
  for (const r of rows) if (r.external_id) map.set(r.external_id, r.id);
  for (const r of rows) map.set(r.id, r.id); // a client_id wins over an external_id spelled the same
  return map;
}

/** Checks the kind, the file and the format before anything is opened; throws ImportUsageError. */
export function checkImportRequest(opts: Pick<ImportOptions, "kind" | "file" | "format">): { kind: ImportKind; format: ImportFormat } {
  if (!IMPORT_KINDS.includes(opts.kind as ImportKind)) {
    throw new ImportUsageError(`unknown import kind '${opts.kind}': one of ${IMPORT_KINDS.join(", ")}`);
  }
  let stat;
  try {
    stat = statSync(opts.file);
  } catch {
    throw new ImportUsageError(`file not found: ${opts.file}`);
  }
  if (!stat.isFile()) throw new ImportUsageError(`not a file: ${opts.file}`);
  return { kind: opts.kind as ImportKind, format: resolveFormat(opts.file, opts.format) };
}

export async function runImport(db: Database, config: Config, opts: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const { kind, format } = checkImportRequest(opts);
  const spec = KINDS[kind];
  const dryRun = Boolean(opts.dryRun);
  const strict = Boolean(opts.strict);
  const single = dryRun || strict;
  const maxErrors = opts.maxErrors ?? 100;
  const batchSize = opts.batchSize ?? spec.batchSize;
  const progressEvery = opts.progressEvery ?? 100_000;
  const now = opts.now ?? new Date();

  const summary: ImportSummary = {
    kind,
    file: opts.file,
    format,
    dry_run: dryRun,
    strict,
    rows: 0,
    created: 0,
    updated: 0,
    skipped: 0,
    duplicates: 0,
    rejected: 0,
    errors: [],
    error_count: 0,
    errors_truncated: false,
    rolled_back: false,
    warnings: [],
    duration_ms: 0,
    rows_per_second: 0,
  };
  const addError = (e: RowError) => {
    summary.error_count++;
    if (summary.errors.length < maxErrors) summary.errors.push(e);
    else summary.errors_truncated = true;
  };

  const session = await db.session();
  let inTransaction = false;
  try {
    const lookup = spec.resolvesAccount ? await loadAccountLookup(session) : null;
    if (single) {
      await session.exec("BEGIN");
      inTransaction = true;
    }
    const writer = await spec.open({ session, config, now });
    const seen = spec.key ? new Set<string>() : null;

    let batch: ValidRow<unknown>[] = [];
    let inflight: Promise<void> | null = null;
    const write = async (rows: ValidRow<unknown>[]) => {
      if (!single) await session.exec("BEGIN");
      try {
        const res = await writer.write(rows);
        if (!single) await session.exec("COMMIT");
        summary.created += res.created;
        summary.updated += res.updated;
        summary.rejected += new Set(res.errors.map((e) => e.line)).size;
        for (const e of res.errors) addError(e);
        summary.skipped += rows.length - res.created - res.updated - new Set(res.errors.map((e) => e.line)).size;
      } catch (err) {
        if (!single) await session.exec("ROLLBACK").catch(() => {});
        throw err;
      }
    };
    // Parsing the next batch overlaps with writing the previous one (one write at a time: one session).
    const flush = async () => {
      const rows = batch;
      batch = [];
      if (inflight) await inflight;
      inflight = null;
      if (!rows.length || (strict && summary.error_count > 0)) return;
      const p = write(rows);
      p.catch(() => {});
      inflight = p;
    };

    let attributeColumns: string[] = [];
    const attributeNumeric = new Map<string, boolean>();
    const onHeader = (columns: string[]) => {
      const missing = spec.required.filter((c) => !columns.includes(c));
      if (missing.length) throw new HeaderError(missing.map((c) => ({ line: 1, column: c, reason: `${c}: required column is missing from the header (columns: ${columns.join(", ") || "none"})` })));
      let unknown = columns.filter((c) => c !== "" && !spec.columns.includes(c));
      if (spec.attributes) {
        const named = unknown.filter(validAttributeName);
        attributeColumns = named.slice(0, ATTRIBUTE_LIMIT);
        for (const c of attributeColumns) attributeNumeric.set(c, true);
        unknown = unknown.filter((c) => !attributeColumns.includes(c));
        if (named.length > ATTRIBUTE_LIMIT) summary.warnings.push(`at most ${ATTRIBUTE_LIMIT} attribute columns are kept`);
      }
      if (unknown.length) summary.warnings.push(`ignored unknown column(s): ${unknown.join(", ")}${spec.attributes ? " (attribute names: a letter, then letters, digits or _, up to 63)" : ""}`);
    };

    try {
      for await (const rec of readRecords(opts.file, format, onHeader, { nestedAsJson: spec.nestedAsJson === true })) {
        summary.rows++;
        if (progressEvery > 0 && summary.rows % progressEvery === 0 && opts.onProgress) {
          const elapsed = performance.now() - started;
          opts.onProgress({ rows: summary.rows, elapsed_ms: Math.round(elapsed), rows_per_second: Math.round(summary.rows / (elapsed / 1000)) });
        }
        if (rec.error !== undefined) {
          if (rec.fatal) summary.rows--; // not a row: the file ends here
          summary.rejected++;
          addError(rec.column ? { line: rec.line, column: rec.column, reason: rec.error } : { line: rec.line, reason: `the line ${rec.error}` });
          continue;
        }
        const parsed = spec.schema.safeParse(rec.values);
        if (!parsed.success) {
          summary.rejected++;
          const byColumn = new Set<string>();
          for (const issue of parsed.error.issues) {
            const column = String(issue.path[0] ?? "");
            if (byColumn.has(column)) continue; // one message per column
            byColumn.add(column);
            addError({ line: rec.line, ...(column ? { column } : {}), reason: column ? `${column}: ${issue.message}` : issue.message });
          }
          continue;
        }
        const row = parsed.data as { account?: string };
        let accountId = "";
        if (lookup) {
          const found = lookup.get(row.account as string);
          if (!found) {
            summary.rejected++;
            addError({ line: rec.line, column: "account", reason: `account: no account has client_id or external_id '${row.account}'` });
            continue;
          }
          accountId = found;
        }
        const valid: ValidRow<unknown> = { line: rec.line, row, account_id: accountId };
        if (attributeColumns.length) {
          const attrs: Record<string, string | number> = {};
          let bad = false;
          for (const c of attributeColumns) {
            const raw = rec.values[c];
            if (raw === undefined) continue;
            const v = attributeValue(raw);
            if (v === null) {
              addError({ line: rec.line, column: c, reason: `${c}: an attribute value must be at most 200 characters without control characters` });
              bad = true;
              break;
            }
            if (typeof v === "string") attributeNumeric.set(c, false);
            attrs[c] = v;
          }
          if (bad) {
            summary.rejected++;
            continue;
          }
          valid.attributes = attrs;
        }
        if (seen && spec.key) {
          const k = spec.key(valid);
          if (seen.has(k)) {
            summary.duplicates++;
            summary.skipped++;
            continue;
          }
          seen.add(k);
        }
        batch.push(valid);
        if (batch.length >= batchSize) await flush();
      }
    } catch (err) {
      if (!(err instanceof HeaderError)) throw err;
      for (const e of err.errors) addError(e);
    }
    await flush();
    if (inflight) await inflight;
    const categorical = attributeColumns.filter((c) => attributeNumeric.get(c) === false);
    if (categorical.length && !(strict && summary.error_count > 0)) {
      // A column with any text value is categorical: its number-looking values are stored as text too.
      await session.query(
        `UPDATE accounts SET attributes = attributes || (SELECT jsonb_object_agg(k, to_jsonb(attributes->>k)) FROM unnest($1::text[]) AS k WHERE jsonb_typeof(attributes->k) = 'number')
          WHERE attributes ?| $1::text[] AND EXISTS (SELECT 1 FROM unnest($1::text[]) AS k WHERE jsonb_typeof(attributes->k) = 'number')`,
        [`{${categorical.map((c) => `"${c}"`).join(",")}}`],
      );
    }
    if (attributeColumns.length) summary.attributes = Object.fromEntries(attributeColumns.map((c) => [c, attributeNumeric.get(c) ? "numeric" : "categorical"]));

    const abort = dryRun || (strict && summary.error_count > 0);
    if (single) {
      await session.exec(abort ? "ROLLBACK" : "COMMIT");
      inTransaction = false;
    }
    summary.rolled_back = abort;
    if (strict && summary.error_count > 0 && !dryRun) {
      // Nothing was kept.
      summary.created = 0;
      summary.updated = 0;
    }
    const extra = writer.finish?.() ?? {};
    if (!(strict && summary.error_count > 0)) Object.assign(summary, extra);
    if (!abort && summary.created + summary.updated > 0) {
      await session.query(
        `INSERT INTO audit_log (id, action, entity_type, entity_id, actor, changes) VALUES ($1, $2, 'import', NULL, 'cs-mcp import', $3::jsonb)`,
        [uuid7(), `import_${kind}`, JSON.stringify({ file: opts.file, format, rows: summary.rows, created: summary.created, updated: summary.updated, rejected: summary.rejected })],
      );
    }
  } catch (err) {
    if (inTransaction) await session.exec("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    session.release();
  }
  summary.duration_ms = Math.round(performance.now() - started);
  summary.rows_per_second = summary.duration_ms > 0 ? Math.round(summary.rows / (summary.duration_ms / 1000)) : summary.rows;
  return summary;
}
