// The learned churn model's features: each is defined once as a JS function of a point-in-time feature row
// (repositories/churn-features.ts) and once as the same SQL expression over that statement's `r` columns, so
// a portfolio is scored in the database with exactly the model a single account is explained with (a test
// checks the two agree). Account attributes become features too: a numeric attribute as its value, a
// categorical one as one indicator per frequent level (at most MAX_LEVELS per attribute).
import type { ChurnFeatureRow } from "../../repositories/churn-features.ts";
import { validAttributeName } from "../../import/attributes.ts";

export interface FeatureSpec {
  name: string;
  kind: "signal" | "attribute_numeric" | "attribute_level";
  /** Attribute name (attribute kinds). */
  attribute?: string | undefined;
  /** Level of a categorical attribute (attribute_level). */
  level?: string | undefined;
  /** Value used when the account has none (training mean). */
  impute: number;
  /** Training mean and standard deviation: the model works on (x − mean) ÷ sd. */
  mean: number;
  sd: number;
}

interface Signal {
  name: string;
  /** Plain words for the value, e.g. "3 active users in the last 30 days". */
  words(v: number): string;
  x(r: ChurnFeatureRow): number | null;
  sql: string;
}

const r1 = (v: number) => Math.round(v * 10) / 10;

export const SIGNALS: readonly Signal[] = [
  { name: "active_users_30d", words: (v) => `${r1(v)} active users in the last 30 days`, x: (r) => r.users_cur, sql: "r.users_cur" },
  {
    name: "usage_change",
    words: (v) => `active users ${v >= 0 ? "+" : ""}${Math.round(v * 100)} % vs the 30 days before`,
    x: (r) => (r.users_prev === 0 ? (r.users_cur > 0 ? 1 : 0) : Math.min(3, (r.users_cur - r.users_prev) / r.users_prev)),
    sql: "(CASE WHEN r.users_prev = 0 THEN (CASE WHEN r.users_cur > 0 THEN 1 ELSE 0 END) ELSE LEAST(3, (r.users_cur - r.users_prev)::float8 / r.users_prev) END)",
  },
  { name: "active_days_30d", words: (v) => `active on ${r1(v)} of the last 30 days`, x: (r) => r.days_cur, sql: "r.days_cur" },
  { name: "usage_events_30d_log", words: (v) => `${Math.round(Math.expm1(v))} usage events in the last 30 days`, x: (r) => Math.log1p(r.events_cur), sql: "ln(1 + r.events_cur)" },
  { name: "days_since_usage", words: (v) => `${Math.round(v)} days since the last usage`, x: (r) => Math.min(365, r.days_since_usage ?? 365), sql: "LEAST(365, COALESCE(r.days_since_usage, 365))" },
  { name: "tickets_90d", words: (v) => `${r1(v)} tickets in the last 90 days`, x: (r) => r.tickets_90, sql: "r.tickets_90" },
  { name: "open_p1_p2_tickets", words: (v) => `${r1(v)} open P1/P2 tickets`, x: (r) => r.open_p1 + r.open_p2, sql: "(r.open_p1 + r.open_p2)" },
  { name: "sla_breaches_90d", words: (v) => `${r1(v)} SLA breaches in the last 90 days`, x: (r) => r.sla_breaches_90, sql: "r.sla_breaches_90" },
  { name: "open_escalations", words: (v) => `${r1(v)} open escalations`, x: (r) => r.open_escalations, sql: "r.open_escalations" },
  { name: "latest_nps", words: (v) => `latest NPS answer ${r1(v)}`, x: (r) => r.nps_latest, sql: "r.nps_latest" },
  { name: "no_nps_answer", words: (v) => (v ? "no NPS answer in the last year" : "has an NPS answer"), x: (r) => (r.nps_latest === null ? 1 : 0), sql: "(CASE WHEN r.nps_latest IS NULL THEN 1 ELSE 0 END)" },
  { name: "csat_avg_180d", words: (v) => `CSAT ${r1(v)} of 5 (180 days)`, x: (r) => r.csat_avg, sql: "r.csat_avg" },
  { name: "overdue_invoices", words: (v) => `${r1(v)} overdue invoices`, x: (r) => r.overdue_invoices, sql: "r.overdue_invoices" },
  { name: "days_overdue", words: (v) => `oldest invoice ${Math.round(v)} days overdue`, x: (r) => Math.min(180, r.max_days_overdue), sql: "LEAST(180, r.max_days_overdue)" },
  { name: "invoices_paid_late_365d", words: (v) => `${r1(v)} invoices paid late in a year`, x: (r) => r.paid_late_365, sql: "r.paid_late_365" },
  { name: "tenure_years", words: (v) => `customer for ${r1(v)} years`, x: (r) => r.tenure_days / 365.25, sql: "(r.tenure_days / 365.25)" },
  { name: "contract_months", words: (v) => `${r1(v)}-month contract`, x: (r) => r.contract_months, sql: "r.contract_months" },
  {
    name: "days_to_renewal",
    words: (v) => (v < 0 ? `renewal date passed ${Math.round(-v)} days ago` : `renewal in ${Math.round(v)} days`),
    x: (r) => (r.days_to_renewal === null ? null : Math.max(-60, Math.min(730, r.days_to_renewal))),
    sql: "GREATEST(-60, LEAST(730, r.days_to_renewal))",
  },
  { name: "auto_renew", words: (v) => (v ? "renews automatically" : "does not renew automatically"), x: (r) => (r.auto_renew ? 1 : 0), sql: "(CASE WHEN r.auto_renew THEN 1 ELSE 0 END)" },
  { name: "arr_log", words: (v) => `ARR ${Math.round(Math.expm1(v))}`, x: (r) => Math.log1p(Math.max(0, r.arr)), sql: "ln(1 + GREATEST(0, r.arr))" },
];

const SIGNAL_BY_NAME = new Map(SIGNALS.map((s) => [s.name, s]));
export const isSignal = (name: string) => SIGNAL_BY_NAME.has(name);

/** Categorical levels kept per attribute, and attributes kept per model. */
export const MAX_LEVELS = 8;
export const MAX_ATTRIBUTES = 20;
/** A level is kept when at least this many training accounts have it. */
const MIN_LEVEL_COUNT = 5;

/** The raw (unimputed) value of a feature for a row; null = missing. */
export function rawValue(f: Pick<FeatureSpec, "name" | "kind" | "attribute" | "level">, row: ChurnFeatureRow): number | null {
  if (f.kind === "signal") return SIGNAL_BY_NAME.get(f.name)!.x(row);
  const v = row.attributes[f.attribute!];
  if (f.kind === "attribute_numeric") return typeof v === "number" && Number.isFinite(v) ? v : null;
  return v !== null && v !== undefined && String(v) === f.level ? 1 : 0;
}

/**
 * The same value as SQL over `r` (before imputation). Attribute names pass validAttributeName (letters, digits,
 * underscore) and are checked again here; a level is a bound parameter, `param(level)` gives its placeholder.
 */
export function sqlValue(f: FeatureSpec, param: (value: string) => string): string {
  if (f.kind === "signal") return SIGNAL_BY_NAME.get(f.name)!.sql;
  if (!f.attribute || !validAttributeName(f.attribute)) throw new Error(`invalid attribute name in model feature ${f.name}`);
  const a = f.attribute;
  if (f.kind === "attribute_numeric") return `(CASE WHEN jsonb_typeof(r.attributes->'${a}') = 'number' THEN (r.attributes->>'${a}')::float8 END)`;
  return `(CASE WHEN r.attributes->>'${a}' = ${param(f.level!)} THEN 1 ELSE 0 END)`;
}

/** Plain words for a feature's value of one account. */
export function describeValue(f: FeatureSpec, v: number | null): string {
  if (f.kind === "signal") {
    const s = SIGNAL_BY_NAME.get(f.name)!;
    return v === null ? `${f.name.replace(/_/g, " ")} unknown` : s.words(v);
  }
  if (f.kind === "attribute_numeric") return v === null ? `${f.attribute} unknown` : `${f.attribute} ${r1(v)}`;
  return `${f.attribute} ${v ? "is" : "is not"} ${f.level}`;
}

/** The features of a training set: every signal plus the attributes found on the rows (capped), constant ones dropped. */
export function discoverFeatures(rows: ChurnFeatureRow[]): FeatureSpec[] {
  const specs: Array<Pick<FeatureSpec, "name" | "kind" | "attribute" | "level">> = SIGNALS.map((s) => ({ name: s.name, kind: "signal" as const }));
  const byAttr = new Map<string, { numeric: boolean; n: number; levels: Map<string, number> }>();
  for (const row of rows) {
    for (const [k, v] of Object.entries(row.attributes)) {
      if (v === null || v === undefined || v === "" || !validAttributeName(k)) continue;
      const a = byAttr.get(k) ?? { numeric: true, n: 0, levels: new Map<string, number>() };
      a.n++;
      if (typeof v !== "number") a.numeric = false;
      const key = String(v);
      a.levels.set(key, (a.levels.get(key) ?? 0) + 1);
      byAttr.set(k, a);
    }
  }
  const attrs = [...byAttr.entries()].sort((x, y) => y[1].n - x[1].n || x[0].localeCompare(y[0])).slice(0, MAX_ATTRIBUTES);
  for (const [name, a] of attrs.sort((x, y) => x[0].localeCompare(y[0]))) {
    if (a.numeric) specs.push({ name: `attr_${name}`, kind: "attribute_numeric", attribute: name });
    else {
      const levels = [...a.levels.entries()].filter(([, n]) => n >= MIN_LEVEL_COUNT).sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])).slice(0, MAX_LEVELS);
      for (const [level] of levels) specs.push({ name: `attr_${name}=${level}`, kind: "attribute_level", attribute: name, level });
    }
  }
  const out: FeatureSpec[] = [];
  for (const s of specs) {
    const values = rows.map((r) => rawValue(s, r)).filter((v): v is number => v !== null);
    if (values.length === 0) continue;
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    // Missing values take the mean, so the standard deviation is over all rows with the mean filled in.
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / rows.length);
    if (!(sd > 1e-9)) continue;
    out.push({ ...s, impute: mean, mean, sd });
  }
  return out;
}

/** The standardised design row of an account: (value or impute − mean) ÷ sd per feature. */
export function standardize(features: FeatureSpec[], row: ChurnFeatureRow): number[] {
  return features.map((f) => ((rawValue(f, row) ?? f.impute) - f.mean) / f.sd);
}
