// Reading import files as a stream of records: CSV with a header row (csv-parse, streaming) or JSON Lines
// (one object per line). Either way a record is a map from lower-cased column name to trimmed text, an
// empty cell being undefined, and carries the line number it starts on, for error reports.
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { createInterface } from "node:readline";
import { parse } from "csv-parse";

// json: one JSON array of objects (what a webhook posts, e.g. SendGrid events); its records are numbered
// by their position in the array (reported as `line`).
export type ImportFormat = "csv" | "jsonl" | "json";
export const FORMATS: readonly ImportFormat[] = ["csv", "jsonl", "json"];
const MAX_JSON_ARRAY_BYTES = 256 * 1024 * 1024;

export interface ReadOptions {
  /** Nested values (arrays, objects) as JSON text instead of a refused record. */
  nestedAsJson?: boolean;
}

export type RawRecord = Record<string, string | undefined>;

export type FileRecord =
  | { line: number; values: RawRecord; error?: undefined }
  /** A line that is not a record at all (bad JSON, broken CSV quoting): reported, never imported. */
  | { line: number; error: string; column?: string; fatal?: boolean; values?: undefined };

/** The format a file name implies: .csv → csv, .jsonl / .ndjson → jsonl; null when it says neither. */
export function formatFromFileName(file: string): ImportFormat | null {
  const lower = file.toLowerCase();
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) return "jsonl";
  if (lower.endsWith(".json")) return "json";
  return null;
}

function cell(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  const s = (typeof v === "string" ? v : String(v)).trim();
  return s === "" ? undefined : s;
}

/**
 * Streams the records of `file`. `onHeader` receives the CSV header (or, for JSON Lines, nothing: each
 * object names its own columns) and may throw to refuse the file.
 */
export async function* readRecords(file: string, format: ImportFormat, onHeader: (columns: string[]) => void, options: ReadOptions = {}): AsyncGenerator<FileRecord> {
  if (format === "csv") yield* readCsv(file, onHeader);
  else if (format === "json") yield* readJsonArray(file, options);
  else yield* readJsonLines(file, options);
}

async function* readCsv(file: string, onHeader: (columns: string[]) => void): AsyncGenerator<FileRecord> {
  let header: string[] | null = null;
  const parser = createReadStream(file).pipe(
    parse({
      bom: true,
      info: true,
      relax_quotes: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }),
  );
  let lastLine = 1;
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      // info.lines is the line the record ends on; quoted fields may span several lines.
      let newlines = 0;
      for (const field of item.record) for (let i = field.indexOf("\n"); i !== -1; i = field.indexOf("\n", i + 1)) newlines++;
      const line = item.info.lines - newlines;
      lastLine = item.info.lines;
      if (!header) {
        header = item.record.map((h) => h.trim().toLowerCase());
        onHeader(header);
        continue;
      }
      const rec = item.record;
      if (rec.length > header.length && rec.slice(header.length).some((v) => v.trim() !== "")) {
        yield { line, error: `has ${rec.length} fields but the header has ${header.length} columns` };
        continue;
      }
      const values: RawRecord = {};
      for (let i = 0; i < header.length; i++) values[header[i] as string] = cell(rec[i]);
      yield { line, values };
    }
  } catch (err) {
    const e = err as Error & { lines?: number; code?: string };
    if (e.code === "ENOENT" || e.code === "EACCES" || e.code === "EISDIR") throw err;
    if (e.code?.startsWith("CSV_")) {
      yield { line: e.lines ?? lastLine + 1, error: `is not valid CSV (${e.message}); the rest of the file was not read`, fatal: true };
      return;
    }
    throw err;
  }
  if (!header) onHeader([]);
}

async function* readJsonLines(file: string, options: ReadOptions = {}): AsyncGenerator<FileRecord> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let line = 0;
  for await (const raw of lines) {
    line++;
    const text = line === 1 ? raw.replace(/^\uFEFF/, "") : raw;
    if (text.trim() === "") continue;
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (err) {
      yield { line, error: `is not valid JSON (${(err as Error).message})` };
      continue;
    }
    yield objectRecord(line, obj, options);
  }
}

/** One JSON value as a record: an object with one key per column. */
function objectRecord(line: number, obj: unknown, options: ReadOptions): FileRecord {
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) return { line, error: "must be a JSON object with one key per column" };
  const values: RawRecord = {};
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    const column = k.trim().toLowerCase();
    if (v !== null && typeof v === "object") {
      if (options.nestedAsJson) {
        values[column] = JSON.stringify(v);
        continue;
      }
      return { line, column, error: `${column}: must be a string, number or boolean, not ${Array.isArray(v) ? "an array" : "an object"}` };
    }
    values[column] = cell(v);
  }
  return { line, values };
}

/** A .json file: one array of objects (or one object), read whole (bounded); records numbered from 1. */
async function* readJsonArray(file: string, options: ReadOptions): AsyncGenerator<FileRecord> {
  const size = (await stat(file)).size;
  if (size > MAX_JSON_ARRAY_BYTES) {
    yield { line: 1, error: `is a JSON file of ${size} bytes, above the ${MAX_JSON_ARRAY_BYTES} bytes read at once; convert it to JSON Lines (one object per line, .jsonl)`, fatal: true };
    return;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse((await readFile(file, "utf8")).replace(/^\uFEFF/, ""));
  } catch (err) {
    yield { line: 1, error: `is not valid JSON (${(err as Error).message}); nothing of the file was read`, fatal: true };
    return;
  }
  const items = Array.isArray(parsed) ? parsed : [parsed];
  for (let i = 0; i < items.length; i++) yield objectRecord(i + 1, items[i], options);
}
