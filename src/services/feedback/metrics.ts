// track_cs_metrics: a time series of one customer-success metric from stored data, per calendar bucket,
// optionally per segment (the account's tier, industry, lifecycle stage or CSM today). A bucket without
// data is reported as no data (value null, count 0), never as zero. Formulas (DOMAIN.md):
//   nps                  % promoters (9–10) − % detractors (0–6) of the bucket's NPS answers
//   csat                 % of CSAT answers of 4–5
//   ces                  mean CES answer (1–7)
//   support_satisfaction CSAT % of ticket satisfaction ratings (4–5 ÷ all), by the ticket's resolution time
//   churn_rate           accounts churned in the bucket ÷ accounts that were customers at its start × 100
//   retention_rate       100 − churn_rate
//   expansion_rate       expansion ARR ÷ starting ARR × 100 of the bucket, from the ARR movements that
//                        track_revenue_expansion uses (repositories/arr-movements.ts); null without starting ARR
//   time_to_value        median days from signup (account created_at) to first value (the first event naming a
//                        feature that is not a login, as in track_adoption_milestones), by signup cohort
//   feature_adoption     accounts (users, for one account) using the feature — any feature when none is
//                        given — ÷ accounts (users) with any usage event in the bucket × 100
//   engagement_score,    mean of each account's latest stored engagement component / overall health score
//   health_score         in the bucket (health_scores, written by calculate_health_score)
// Survey scores use surveyScore of monitor_satisfaction (same rounding: 1 decimal, CES 2).
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { Config } from "../../config/load.ts";
import { FeedbackMetricsRepository, type MetricRow, type MetricScope, type SegmentDimension } from "../../repositories/feedback-metrics.ts";
import { SCALE } from "../../repositories/satisfaction.ts";
import { EXPANSION_RATE_FORMULA, expansionRatePercent } from "../../repositories/arr-movements.ts";
import { UsageRepository } from "../../repositories/usage.ts";
import { surveyScore } from "../retention/satisfaction.ts";
import { USAGE_IMPORT_HINT } from "../health/usage.ts";
import { notFound, validationError } from "../../server/errors.ts";
import { toMoney } from "../../security/validation.ts";
import { bucketsOf, resolveDatePeriod, type Bucket, type Granularity, type PeriodPreset } from "./periods.ts";

export const METRIC_TYPES = [
  "nps",
  "csat",
  "ces",
  "churn_rate",
  "retention_rate",
  "expansion_rate",
  "time_to_value",
  "feature_adoption",
  "engagement_score",
  "health_score",
  "support_satisfaction",
] as const;
export type MetricType = (typeof METRIC_TYPES)[number];

export interface MetricsInput {
  metric_type: MetricType;
  client_id?: string | undefined;
  period?: PeriodPreset | undefined;
  period_start?: string | undefined;
  period_end?: string | undefined;
  granularity: Granularity;
  segment_by?: SegmentDimension | undefined;
  feature?: string | undefined;
}

interface Point {
  value: number | null;
  count: number;
  details: Record<string, number | null>;
}

interface MetricDef {
  unit: string;
  formula: string;
  count_basis: string;
  how_to_supply: string;
  point(r: MetricRow | undefined): Point;
}

const r1 = (v: number) => Math.round(v * 10) / 10;
const r2 = (v: number) => Math.round(v * 100) / 100;
const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const EMPTY = (details: Record<string, number | null>): Point => ({ value: null, count: 0, details });

function surveyDef(kind: "nps" | "csat" | "ces", support = false): MetricDef {
  const details = (r: MetricRow | undefined): Record<string, number | null> => {
    const n = num(r?.n);
    const high = num(r?.high);
    const low = num(r?.low);
    if (kind === "nps") return { promoters: high, passives: n - high - low, detractors: low, accounts: num(r?.accounts) };
    if (kind === "csat") return { satisfied: high, neutral: n - high - low, dissatisfied: low, accounts: num(r?.accounts) };
    return { easy: high, neutral: n - high - low, hard: low, accounts: num(r?.accounts) };
  };
  return {
    unit: kind === "ces" ? "mean answer (1–7)" : kind === "nps" ? "NPS points (−100…+100)" : "percent",
    formula: support
      ? "support satisfaction = ticket satisfaction ratings of 4–5 ÷ all ratings × 100 (the CSAT formula), bucketed by the ticket's resolved_at (closed_at, else created_at, when not resolved)"
      : kind === "nps"
        ? "NPS = % promoters (9–10) − % detractors (0–6), rounded to 1 decimal"
        : kind === "csat"
          ? "CSAT % = answers of 4–5 ÷ all answers × 100, rounded to 1 decimal"
          : "CES = mean of the 1–7 answers, rounded to 2 decimals",
    count_basis: support ? "rated tickets" : `${kind.toUpperCase()} answers`,
    how_to_supply: support ? "ticket satisfaction ratings come with imported tickets (`cs-mcp import tickets <file>`, column satisfaction_rating)" : `collect_feedback with feedback_type ${kind}${kind === "nps" ? ", or `cs-mcp import nps <file>`" : ""}`,
    point(r) {
      if (!r || num(r.n) === 0) return EMPTY(details(undefined));
      const agg = { n: num(r.n), high: num(r.high), low: num(r.low), sum: num(r.sum), accounts: num(r.accounts) };
      return { value: surveyScore(kind, agg), count: agg.n, details: details(r) };
    },
  };
}

function churnDef(retention: boolean): MetricDef {
  return {
    unit: "percent",
    formula: retention
      ? "retention rate = 100 − churn rate; churn rate = accounts churned in the bucket ÷ accounts that were customers at its start × 100"
      : "churn rate = accounts churned in the bucket (churned_at) ÷ accounts that were customers at its start (created before it, not churned before it) × 100, rounded to 2 decimals",
    count_basis: "accounts that were customers at the bucket's start",
    how_to_supply: "register accounts (register_client or `cs-mcp import accounts <file>`); churn is recorded by analyze_churn_postmortem or the import's churned_at",
    point(r) {
      const n = num(r?.n);
      const churned = num(r?.churned);
      if (n === 0) return EMPTY({ customers_at_start: 0, churned: 0 });
      const churn = (churned / n) * 100;
      return { value: r2(retention ? 100 - churn : churn), count: n, details: { customers_at_start: n, churned, retained: n - churned } };
    },
  };
}

const DEFS: Record<Exclude<MetricType, "churn_rate" | "retention_rate">, MetricDef> & Record<"churn_rate" | "retention_rate", MetricDef> = {
  nps: surveyDef("nps"),
  csat: surveyDef("csat"),
  ces: surveyDef("ces"),
  support_satisfaction: surveyDef("csat", true),
  churn_rate: churnDef(false),
  retention_rate: churnDef(true),
  expansion_rate: {
    unit: "percent",
    formula: `${EXPANSION_RATE_FORMULA}; each bucket is a period, its ending ARR read on its last day (today while it runs); ARR = Σ contract_value of contracts in force, 0 once churned`,
    count_basis: "accounts with ARR at the bucket's start (the cohort)",
    how_to_supply: "contracts (contract_value, start and end dates) come from register_client / update_client_info or `cs-mcp import accounts <file>`",
    point(r) {
      const details = { starting_arr: toMoney(String(r?.starting_arr ?? 0)), expansion_arr: toMoney(String(r?.expansion_arr ?? 0)), accounts_expanded: num(r?.accounts_expanded) };
      const rate = r ? expansionRatePercent(String(r.expansion_arr ?? 0), String(r.starting_arr ?? 0)) : null;
      if (rate === null) return EMPTY(details);
      return { value: rate, count: num(r!.n), details };
    },
  },
  time_to_value: {
    unit: "days (median)",
    formula:
      "time to value = median whole days from the account's created_at date to its first value (the first event naming a feature that is not a 'login'; track_adoption_milestones' first_value), " +
      "among the accounts of the signup cohort (created_at in the bucket) that reached it; active accounts only",
    count_basis: "accounts that signed up in the bucket (cohort size)",
    how_to_supply: USAGE_IMPORT_HINT,
    point(r) {
      const n = num(r?.n);
      const reached = num(r?.reached);
      const details = { cohort_accounts: n, reached_first_value: reached, mean_days: r?.mean_days === null || r?.mean_days === undefined ? null : r1(Number(r.mean_days)), on_time: num(r?.on_time) };
      if (n === 0 || reached === 0) return { value: null, count: n, details };
      return { value: r1(Number(r!.median_days)), count: n, details };
    },
  },
  feature_adoption: {
    unit: "percent",
    formula: "feature adoption = accounts (for one client: users) with an event naming the feature (any feature when none is given) ÷ accounts (users) with any usage event in the bucket × 100",
    count_basis: "accounts (users, for one client) with any usage event in the bucket",
    how_to_supply: USAGE_IMPORT_HINT,
    point(r) {
      const n = num(r?.n);
      if (n === 0) return EMPTY({ active: 0, adopters: 0 });
      const a = num(r!.adopters);
      return { value: r2((a / n) * 100), count: n, details: { active: n, adopters: a } };
    },
  },
  engagement_score: healthDef("engagement component (0–100) of the stored health scores"),
  health_score: healthDef("overall stored health score (0–100)"),
};

function healthDef(what: string): MetricDef {
  return {
    unit: "score (0–100)",
    formula: `mean of each account's latest ${what} calculated in the bucket, rounded to 1 decimal`,
    count_basis: "accounts with a stored score in the bucket",
    how_to_supply: "health scores are stored by calculate_health_score; run it regularly (or for the accounts in question) to build the history",
    point(r) {
      const n = num(r?.n);
      if (n === 0) return EMPTY({ accounts: 0, min: null, max: null });
      return { value: r1(Number(r!.mean)), count: n, details: { accounts: n, min: num(r!.min), max: num(r!.max) } };
    },
  };
}

/** At most this many points (buckets × series) in one answer, and this many segments listed. */
export const MAX_POINTS = 150;
const MAX_SEGMENTS = 50;

export class MetricsService {
  private readonly repo: FeedbackMetricsRepository;
  private readonly usage: UsageRepository;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly config: Pick<Config, "TTV_FIRST_VALUE_DAYS">,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.repo = new FeedbackMetricsRepository(prisma);
    this.usage = new UsageRepository(prisma);
  }

  private rows(type: MetricType, scope: MetricScope, feature: string | null): Promise<MetricRow[]> {
    switch (type) {
      case "nps":
      case "csat":
      case "ces":
        return this.repo.surveys(scope, type, SCALE[type].high, SCALE[type].low);
      case "support_satisfaction":
        return this.repo.ticketRatings(scope, SCALE.csat.high, SCALE.csat.low);
      case "churn_rate":
      case "retention_rate":
        return this.repo.churn(scope);
      case "expansion_rate":
        return this.repo.expansion(scope, this.now());
      case "time_to_value": {
        const pop = this.usage.milestonePopulation({ accountId: scope.accountId, specs: [{ kind: "first_value", minUsers: 1 }], now: this.now() });
        return this.repo.timeToValue(scope, pop, this.config.TTV_FIRST_VALUE_DAYS);
      }
      case "feature_adoption":
        return this.repo.featureAdoption(scope, feature);
      case "engagement_score":
        return this.repo.healthComponent(scope, "engagement_score");
      case "health_score":
        return this.repo.healthComponent(scope, "overall_score");
    }
  }

  async track(input: MetricsInput) {
    const now = this.now();
    if (input.segment_by && input.client_id) throw validationError("segment_by: not with client_id (one account is a single segment); omit one of them");
    if (input.feature !== undefined && input.metric_type !== "feature_adoption") throw validationError(`feature: only used with metric_type 'feature_adoption' (not '${input.metric_type}')`);
    const period = resolveDatePeriod(input, now, "last_90_days");
    const segment = input.segment_by ?? null;
    // Points = buckets × series: one series alone, or the portfolio's and at least one segment's.
    const buckets = bucketsOf(period.start, period.end, input.granularity, segment ? Math.floor(MAX_POINTS / 2) : MAX_POINTS, segment ? " with segment_by" : "");
    if (input.client_id) {
      const a = await this.prisma.account.findUnique({ where: { id: input.client_id }, select: { id: true } });
      if (!a) throw notFound("client", input.client_id, "use list_clients to find the client_id, or omit client_id for the whole portfolio");
    }
    const def = DEFS[input.metric_type];
    const accountId = input.client_id ?? null;
    const whole = { from: buckets[0]!.from, to: buckets[buckets.length - 1]!.to };
    const [rows, totals] = await Promise.all([
      this.rows(input.metric_type, { from: buckets.map((b) => b.from), to: buckets.map((b) => b.to), accountId, segment }, input.feature ?? null),
      this.rows(input.metric_type, { from: [whole.from], to: [whole.to], accountId, segment }, input.feature ?? null),
    ]);

    const series = (seg: string | null) => {
      const byBucket = new Map(rows.filter((r) => r.seg === seg).map((r) => [Number(r.i), r]));
      return buckets.map((b: Bucket, idx) => {
        const p = def.point(byBucket.get(idx + 1));
        return { bucket_start: b.start, bucket_end: b.end, days: b.days, value: p.value, count: p.count, no_data: p.value === null, details: p.details };
      });
    };
    const total = (seg: string | null) => def.point(totals.find((r) => r.seg === seg && Number(r.i) === 1));
    const overall = series(null);
    const withData = overall.filter((p) => p.value !== null);
    const first = withData[0]?.value ?? null;
    const last = withData[withData.length - 1]?.value ?? null;
    const periodPoint = total(null);

    // Segments, largest first: the period value of the first MAX_SEGMENTS, and the series of as many as fit
    // in MAX_POINTS beside the portfolio's (industry and CSM are free text: there may be hundreds).
    let segments = null;
    let segmentsTotal = 0;
    let withSeries = 0;
    if (segment) {
      const names = [...new Set(rows.filter((r) => r.seg !== null).map((r) => String(r.seg)))];
      segmentsTotal = names.length;
      withSeries = Math.max(1, Math.floor(MAX_POINTS / buckets.length) - 1);
      segments = names
        .map((name) => ({ segment: name, ...total(name) }))
        .sort((a, b) => b.count - a.count || (a.segment < b.segment ? -1 : 1))
        .slice(0, MAX_SEGMENTS)
        .map((t, i) => ({ segment: t.segment, period_value: t.value, period_count: t.count, series: i < withSeries ? series(t.segment) : null }));
    }

    const missing: Array<{ what: string; how_to_supply: string }> = [];
    if (!withData.length) missing.push({ what: `no stored data for ${input.metric_type}${accountId ? ` of ${accountId}` : ""} between ${period.start} and ${period.end}`, how_to_supply: def.how_to_supply });
    else if (withData.length < overall.length) missing.push({ what: `${overall.length - withData.length} of ${overall.length} buckets have no data (value null, count 0)`, how_to_supply: def.how_to_supply });
    if (input.metric_type === "churn_rate" || input.metric_type === "retention_rate") {
      const undated = await this.repo.churnedWithoutDate(accountId);
      if (undated) missing.push({ what: `${undated} churned account${undated > 1 ? "s have" : " has"} no churned_at date and cannot be placed in a bucket`, how_to_supply: "record the churn date with analyze_churn_postmortem or the accounts import's churned_at column" });
    }

    return {
      metric_type: input.metric_type,
      scope: { client_id: accountId, feature: input.feature ?? null },
      period: { preset: period.preset, start: period.start, end: period.end, days: period.days, granularity: input.granularity, bounds: "whole UTC days, both ends inclusive; buckets are calendar days, ISO weeks, months or quarters clipped to the period" },
      unit: def.unit,
      formula: def.formula,
      count_basis: def.count_basis,
      series: overall,
      summary: {
        period_value: periodPoint.value,
        period_count: periodPoint.count,
        period_details: periodPoint.details,
        buckets: overall.length,
        buckets_with_data: withData.length,
        first_value: first,
        last_value: last,
        change_first_to_last: first !== null && last !== null && withData.length > 1 ? r2(last - first) : null,
      },
      segment_by: segment,
      segments,
      segment_note: segment
        ? `segments use each account's current tier / industry / lifecycle stage / CSM; empty industry is 'unknown', no CSM 'unassigned'. ` +
          `${segments!.length} of ${segmentsTotal} segments listed, largest first; series for the first ${Math.min(withSeries, segments!.length)} ` +
          `(at most ${MAX_POINTS} points per answer): for another segment's series, call again with a coarser granularity or a shorter period`
        : null,
      missing_data: missing,
    };
  }
}
