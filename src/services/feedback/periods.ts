// The periods the feedback tools speak, in one place.
//
// Windows (analyze_feedback_sentiment, manage_voice_of_customer): instants (start, end] — open at the start,
// closed at the end, like monitor_satisfaction, so the same survey answers fall in the same period in both.
// A date given as period_start means that day's 00:00 UTC; a date given as period_end means the end of that
// day (the next day's 00:00 UTC). The previous period is the window of the same length just before.
//
// Date periods (track_cs_metrics, analyze_product_usage): whole UTC days [start, end], both inclusive, named
// (last_30_days = the 30 days ending today) or given; buckets are calendar days, ISO weeks (Monday), months
// or quarters, the first and last clipped to the period.
import { validationError } from "../../server/errors.ts";
import { dateOnly, toIsoDate } from "../../security/validation.ts";

export const DAY_MS = 86_400_000;
const MAX_WINDOW_DAYS = 1_100;

export interface Window {
  start: Date;
  end: Date;
  prevStart: Date;
  days: number;
}

const isDateOnly = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s);

/** (start, end] from optional dates or date-times; defaults: end = now, start = end − defaultDays. */
export function resolveWindow(input: { period_start?: string | undefined; period_end?: string | undefined }, now: Date, defaultDays: number): Window {
  const end = input.period_end === undefined ? now : isDateOnly(input.period_end) ? new Date(dateOnly(input.period_end).getTime() + DAY_MS) : new Date(input.period_end);
  const start = input.period_start === undefined ? new Date(end.getTime() - defaultDays * DAY_MS) : isDateOnly(input.period_start) ? dateOnly(input.period_start) : new Date(input.period_start);
  if (end.getTime() <= start.getTime()) throw validationError("period_end: must be after period_start");
  const span = end.getTime() - start.getTime();
  if (span > MAX_WINDOW_DAYS * DAY_MS) throw validationError(`period_end: the period may span at most ${MAX_WINDOW_DAYS} days`);
  return { start, end, prevStart: new Date(start.getTime() - span), days: Math.round((span / DAY_MS) * 100) / 100 };
}

export const PERIOD_PRESETS = ["last_7_days", "last_30_days", "last_90_days", "last_6_months", "last_12_months", "year_to_date", "quarter_to_date", "custom"] as const;
export type PeriodPreset = (typeof PERIOD_PRESETS)[number];

export interface DatePeriod {
  preset: PeriodPreset;
  start: string;
  end: string;
  days: number;
}

const addDays = (d: string, n: number) => toIsoDate(new Date(dateOnly(d).getTime() + n * DAY_MS))!;
const addMonths = (d: string, n: number) => {
  const x = dateOnly(d);
  const day = x.getUTCDate();
  const m = new Date(Date.UTC(x.getUTCFullYear(), x.getUTCMonth() + n, 1));
  const last = new Date(Date.UTC(m.getUTCFullYear(), m.getUTCMonth() + 1, 0)).getUTCDate();
  m.setUTCDate(Math.min(day, last));
  return toIsoDate(m)!;
};
export const daysBetween = (a: string, b: string) => Math.round((dateOnly(b).getTime() - dateOnly(a).getTime()) / DAY_MS);

/** Whole days [start, end]: explicit dates win (period 'custom' or omitted), otherwise the named period ending today. */
export function resolveDatePeriod(
  input: { period?: PeriodPreset | undefined; period_start?: string | undefined; period_end?: string | undefined },
  now: Date,
  fallback: PeriodPreset,
  maxDays = 1_100,
): DatePeriod {
  const today = toIsoDate(now)!;
  const explicit = input.period_start !== undefined || input.period_end !== undefined;
  if (explicit && input.period !== undefined && input.period !== "custom") {
    throw validationError(`period: '${input.period}' cannot be combined with period_start/period_end; use period 'custom' or omit period`);
  }
  if (input.period === "custom" && input.period_start === undefined) throw validationError("period_start: is required when period is 'custom'");
  const preset: PeriodPreset = explicit ? "custom" : (input.period ?? fallback);
  let start: string;
  let end = input.period_end ?? today;
  switch (preset) {
    case "last_7_days":
      start = addDays(end, -6);
      break;
    case "last_30_days":
      start = addDays(end, -29);
      break;
    case "last_90_days":
      start = addDays(end, -89);
      break;
    case "last_6_months":
      start = addDays(addMonths(end, -6), 1);
      break;
    case "last_12_months":
      start = addDays(addMonths(end, -12), 1);
      break;
    case "year_to_date":
      start = `${end.slice(0, 4)}-01-01`;
      break;
    case "quarter_to_date": {
      const m = Math.floor((Number(end.slice(5, 7)) - 1) / 3) * 3 + 1;
      start = `${end.slice(0, 4)}-${String(m).padStart(2, "0")}-01`;
      break;
    }
    case "custom":
      start = input.period_start ?? addDays(end, -29);
      end = input.period_end ?? today;
      break;
  }
  if (end < start) throw validationError("period_end: must not be before period_start");
  const days = daysBetween(start, end) + 1;
  if (days > maxDays) throw validationError(`period_end: the period may span at most ${maxDays} days`);
  return { preset, start, end, days };
}

/** The same number of days just before a date period. */
export function previousDatePeriod(p: DatePeriod): { start: string; end: string; days: number } {
  return { start: addDays(p.start, -p.days), end: addDays(p.start, -1), days: p.days };
}

export const GRANULARITIES = ["day", "week", "month", "quarter"] as const;
export type Granularity = (typeof GRANULARITIES)[number];

export interface Bucket {
  /** Inclusive first day and inclusive last day, YYYY-MM-DD. */
  start: string;
  end: string;
  days: number;
  /** [from, to) as instants, for SQL. */
  from: Date;
  to: Date;
}

function truncate(d: Date, g: Granularity): Date {
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  if (g === "day") return new Date(Date.UTC(y, m, d.getUTCDate()));
  if (g === "week") return new Date(Date.UTC(y, m, d.getUTCDate() - ((d.getUTCDay() + 6) % 7)));
  if (g === "month") return new Date(Date.UTC(y, m, 1));
  return new Date(Date.UTC(y, Math.floor(m / 3) * 3, 1));
}

function next(d: Date, g: Granularity): Date {
  if (g === "day") return new Date(d.getTime() + DAY_MS);
  if (g === "week") return new Date(d.getTime() + 7 * DAY_MS);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + (g === "month" ? 1 : 3), 1));
}

/** Calendar buckets covering [start, end] (dates, inclusive), the first and last clipped to the period. */
export function bucketsOf(start: string, end: string, g: Granularity, maxBuckets = 400, rule = ""): Bucket[] {
  const s = dateOnly(start);
  const e = new Date(dateOnly(end).getTime() + DAY_MS);
  const out: Bucket[] = [];
  for (let b = truncate(s, g); b < e; b = next(b, g)) {
    const from = b < s ? s : b;
    const nb = next(b, g);
    const to = nb > e ? e : nb;
    out.push({ start: toIsoDate(from)!, end: toIsoDate(new Date(to.getTime() - DAY_MS))!, days: Math.round((to.getTime() - from.getTime()) / DAY_MS), from, to });
    if (out.length > maxBuckets) throw validationError(`granularity: ${g} buckets over this period exceed ${maxBuckets}${rule}; choose a coarser granularity or a shorter period`);
  }
  return out;
}
