// Engagement patterns over stored usage: weekly trends of the scope (active users, logins, events) and
// anomalies per account. Everything is computed in the database over complete ISO weeks (Monday–Sunday,
// UTC) that end before the current week.
//
// Trend: week-over-week change of the last complete week against the one before, and the least-squares
// slope per week over the lookback; direction is "growing" when the slope exceeds +TREND_FLAT_SHARE of the
// mean weekly value, "declining" below −TREND_FLAT_SHARE, otherwise "flat".
// Anomaly (a sudden drop), per account and week, for active users or logins, either:
//   • the week's value < mean − 2σ of the previous 8 weeks (σ > 0 and at least 4 earlier weeks), or
//   • the week's value < 50 % of the previous week's, when the previous week had at least 3.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { UsageRepository, type WeeklyScope } from "../../repositories/usage.ts";
import { notFound, validationError } from "../../server/errors.ts";
import { USAGE_IMPORT_HINT } from "./usage.ts";

export const ANOMALY_RULE = { k: 2, dropRatio: 0.5, minBase: 3, minHistory: 4 } as const;
export const TREND_FLAT_SHARE = 0.05;
const WEEK = 7 * 86_400_000;
const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;

export type PatternType = "trends" | "anomalies";

export interface PatternsInput {
  analysis_scope: "account" | "segment" | "portfolio";
  scope_filter?: { client_id?: string | undefined; segment_id?: string | undefined; tier?: string | undefined; lifecycle_stage?: string | undefined; industry?: string | undefined } | undefined;
  pattern_types: PatternType[];
  lookback_period_days: number;
  anomaly_detection: boolean;
  limit: number;
}

function slope(ys: number[]): number {
  const n = ys.length;
  if (n < 2) return 0;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  ys.forEach((y, x) => {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

function trendOf(values: number[]) {
  const n = values.length;
  const mean = n ? values.reduce((a, b) => a + b, 0) / n : 0;
  const s = slope(values);
  const last = n ? values[n - 1]! : null;
  const prev = n > 1 ? values[n - 2]! : null;
  return {
    last_week: last,
    previous_week: prev,
    week_over_week_change_percent: last !== null && prev ? round(((last - prev) / prev) * 100, 1) : null,
    slope_per_week: round(s, 3),
    mean_per_week: round(mean),
    direction: (mean === 0 ? "flat" : s > TREND_FLAT_SHARE * mean ? "growing" : s < -TREND_FLAT_SHARE * mean ? "declining" : "flat") as "growing" | "declining" | "flat",
  };
}

export class EngagementService {
  private readonly repo: UsageRepository;
  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.repo = new UsageRepository(prisma);
  }

  async patterns(input: PatternsInput, progress?: (p: number, total: number, message: string) => Promise<void>) {
    const f = input.scope_filter ?? {};
    if (input.analysis_scope === "account" && !f.client_id) throw validationError("scope_filter.client_id: is required when analysis_scope is 'account'");
    if (input.analysis_scope === "segment" && !f.segment_id && !f.tier && !f.lifecycle_stage && !f.industry) {
      throw validationError("scope_filter: analysis_scope 'segment' needs segment_id (from segment_customers) or one of tier, lifecycle_stage, industry");
    }
    if (input.analysis_scope !== "account" && f.client_id) throw validationError("scope_filter.client_id: only with analysis_scope 'account'");
    if (f.client_id) {
      const a = await this.prisma.account.findUnique({ where: { id: f.client_id }, select: { id: true } });
      if (!a) throw notFound("client", f.client_id, "use list_clients to find the client_id");
    }
    if (f.segment_id) {
      const s = await this.prisma.segment.findUnique({ where: { id: f.segment_id }, select: { id: true } });
      if (!s) throw notFound("segment", f.segment_id, "segment_customers or segment_by_value_tier return segment ids");
    }
    const now = this.now();
    const since = new Date(now.getTime() - input.lookback_period_days * 86_400_000);
    // 8 more weeks of history before the window so the first weeks in it have a baseline.
    const scope: WeeklyScope = {
      accountIds: f.client_id ? [f.client_id] : null,
      segmentId: f.segment_id ?? null,
      filters: { tier: f.tier, lifecycle_stage: f.lifecycle_stage, industry: f.industry },
      from: new Date(since.getTime() - 8 * WEEK),
      until: now,
    };
    const wantTrends = input.pattern_types.includes("trends");
    const wantAnomalies = input.pattern_types.includes("anomalies") && input.anomaly_detection;
    const steps = (wantTrends ? 1 : 0) + (wantAnomalies ? 1 : 0);
    let step = 0;

    let trends = null;
    let series: Array<{ week: string; accounts: number; active_users: number; logins: number; events: number }> = [];
    if (wantTrends) {
      series = await this.repo.series(scope, since);
      await progress?.(++step, steps, "weekly series computed");
      trends = {
        active_users: trendOf(series.map((w) => w.active_users)),
        logins: trendOf(series.map((w) => w.logins)),
        events: trendOf(series.map((w) => w.events)),
        weeks: series,
      };
    }

    let anomalies = null;
    if (wantAnomalies) {
      const rows = await this.repo.anomalies(scope, since, ANOMALY_RULE, input.limit);
      await progress?.(++step, steps, "anomalies computed");
      anomalies = {
        total: rows[0]?.total ?? 0,
        truncated: (rows[0]?.total ?? 0) > rows.length,
        items: rows.map((r) => {
          const reasons: string[] = [];
          const sigma = (v: number, mean: number | null, sd: number | null, name: string) => {
            if (r.hist_n >= ANOMALY_RULE.minHistory && sd !== null && sd > 0 && mean !== null && v < mean - ANOMALY_RULE.k * sd) {
              reasons.push(`${name} ${v} < mean ${round(mean)} − 2σ (σ ${round(sd)}) of the previous ${r.hist_n} weeks`);
            }
          };
          const drop = (v: number, prev: number | null, name: string) => {
            if (prev !== null && prev >= ANOMALY_RULE.minBase && v < (1 - ANOMALY_RULE.dropRatio) * prev) {
              reasons.push(`${name} fell ${round(((prev - v) / prev) * 100, 1)}% from ${prev} the week before`);
            }
          };
          sigma(r.active_users, r.mean_au, r.sd_au, "active users");
          drop(r.active_users, r.prev_au, "active users");
          sigma(r.logins, r.mean_logins, r.sd_logins, "logins");
          drop(r.logins, r.prev_logins, "logins");
          const metrics = [...new Set(reasons.map((x) => (x.startsWith("logins") ? "logins" : "active_users")))];
          return {
            client_id: r.account_id,
            company_name: r.company_name,
            week_start: r.week,
            metrics,
            active_users: r.active_users,
            logins: r.logins,
            baseline_mean_active_users: r.mean_au === null ? null : round(r.mean_au),
            previous_week_active_users: r.prev_au,
            reasons,
          };
        }),
      };
    }

    const accountsWithUsage = series.length ? Math.max(...series.map((w) => w.accounts)) : null;
    const missing: Array<{ what: string; how_to_supply: string }> = [];
    if (wantTrends && series.every((w) => w.events === 0)) {
      missing.push({ what: `no usage events in scope in the complete weeks of the last ${input.lookback_period_days} days`, how_to_supply: USAGE_IMPORT_HINT });
    }
    return {
      analysis_scope: input.analysis_scope,
      scope_filter: { client_id: f.client_id ?? null, segment_id: f.segment_id ?? null, tier: f.tier ?? null, lifecycle_stage: f.lifecycle_stage ?? null, industry: f.industry ?? null },
      period: { start: since.toISOString(), end: now.toISOString(), lookback_period_days: input.lookback_period_days, weeks: series.length || null },
      accounts_with_usage: accountsWithUsage,
      trends,
      anomalies,
      rules: {
        weeks: "complete ISO weeks (Monday–Sunday, UTC) before the current week",
        trend: `least-squares slope per week; growing above +${TREND_FLAT_SHARE * 100}% of the weekly mean, declining below −${TREND_FLAT_SHARE * 100}%, otherwise flat`,
        anomaly: `a week's active users or logins below mean − ${ANOMALY_RULE.k}σ of the previous 8 weeks (σ > 0, ≥ ${ANOMALY_RULE.minHistory} earlier weeks), or below ${(1 - ANOMALY_RULE.dropRatio) * 100}% of the previous week when that week had ≥ ${ANOMALY_RULE.minBase}`,
      },
      missing_data: missing,
    };
  }
}
