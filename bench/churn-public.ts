// A public churn data set loaded the way a team would load its own history: IBM's telco customer churn
// sample (7,043 customers), vendored as bench/data/wa_churn.csv from the Debian package r-cran-modeldata
// (bench/data/README.md). Each customer becomes one row of an accounts import file (src/import), imported
// by the server's own import, then read back through the point-in-time features the trainer uses.
//
// The data is a snapshot: tenure in months, the current contract, monthly charges, and whether the
// customer left in the last month. Everything is therefore placed at one instant, the import's `now`:
//   customer_since       = today − tenure months (so tenure is the data's, never the import date)
//   contract             = the term running today: Month-to-month 1, One year 12, Two year 24 months, started
//                          at customer_since + ⌊tenure ÷ length⌋ × length months, renewal at its end
//   contract_value (ARR) = monthly_charges × 12
//   status / churned_at  = churned at `now` when churn is Yes (the snapshot), else active
//   other columns        = typed attributes (the import infers numeric or categorical)
// so a churner and an active customer are both read as of the same instant, from the same columns.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse/sync";
import { mulberry32 } from "../src/services/demo/random.ts";

export const WA_CHURN = {
  package: "r-cran-modeldata 1.1.0 (Debian bookworm)",
  name: "wa_churn (IBM Watson Analytics telco customer churn sample)",
  file: "wa_churn.csv",
};

/** The columns the mapping reads; every other column of the file is imported as an attribute. */
const MAPPED = new Set(["churn", "tenure", "contract", "monthly_charges"]);
const CONTRACT_MONTHS: Record<string, number> = { "Month-to-month": 1, "One year": 12, "Two year": 24 };

export type DataRow = Record<string, string>;

/** bench/data from here: bench/ when run from source (vitest), dist/bench/ when built. */
export function dataDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, "data"), join(here, "..", "..", "bench", "data")];
  const found = candidates.find((d) => existsSync(join(d, WA_CHURN.file)));
  if (!found) throw new Error(`${WA_CHURN.file} not found in ${candidates.join(" or ")}`);
  return found;
}

/** The vendored rows, each with its 1-based position in the file as `row` (the external_id is built from it). */
export function readWaChurn(): DataRow[] {
  const rows = parse(readFileSync(join(dataDir(), WA_CHURN.file), "utf8"), { columns: true, skip_empty_lines: true }) as DataRow[];
  return rows.map((r, i) => ({ row: String(i + 1), ...r }));
}

/** `n` rows drawn without replacement by a seeded shuffle (the same rows on every run). */
export function seededSubset(rows: DataRow[], n: number, seed: number): DataRow[] {
  const rnd = mulberry32(seed);
  const copy = rows.slice();
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, n).sort((a, b) => Number(a.row) - Number(b.row));
}

/** The UTC day `months` calendar months after `day` (the day of month clamped to the month's last day). */
export function addMonths(day: Date, months: number): Date {
  const y = day.getUTCFullYear();
  const m = day.getUTCMonth() + months;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m, Math.min(day.getUTCDate(), last)));
}

const ymd = (d: Date) => d.toISOString().slice(0, 10);

function csvCell(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The accounts import file (CSV text) for these rows, as of `now`. */
export function accountsCsv(rows: DataRow[], now: Date): string {
  if (!rows.length) throw new Error("no rows");
  const attributes = Object.keys(rows[0]!).filter((c) => c !== "row" && !MAPPED.has(c));
  const header = ["external_id", "company_name", "customer_since", "contract_start_date", "contract_end_date", "renewal_date", "contract_value", "status", "churned_at", ...attributes];
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const lines = [header.join(",")];
  for (const r of rows) {
    const tenure = Number(r.tenure);
    const length = CONTRACT_MONTHS[r.contract ?? ""];
    if (!Number.isInteger(tenure) || tenure < 0 || length === undefined) throw new Error(`row ${r.row}: unexpected tenure ${r.tenure} or contract ${r.contract}`);
    const since = addMonths(today, -tenure);
    const start = addMonths(since, Math.floor(tenure / length) * length);
    const end = addMonths(start, length);
    const churned = r.churn === "Yes";
    const arr = (Number(r.monthly_charges) * 12).toFixed(2);
    const cells = [`wa-${r.row}`, `WA customer ${r.row}`, ymd(since), ymd(start), ymd(end), ymd(end), arr, churned ? "churned" : "active", churned ? now.toISOString() : "", ...attributes.map((c) => r[c] ?? "")];
    lines.push(cells.map(csvCell).join(","));
  }
  return `${lines.join("\n")}\n`;
}
