// Usage and engagement of one account over a period, and feature adoption, from stored usage_events.
// Definitions (stated in every answer):
//   active user = a user_id with at least one event; login = event 'login'; session = event 'session_start'.
//   DAU = mean over the period's days of distinct users that day (days without events count as 0);
//   WAU / MAU = the same mean over the calendar (ISO) weeks / months the period touches.
//   stickiness = DAU ÷ MAU.
//   user segments by active days in the period: power ≥ 50 % of the period's days, regular ≥ 20 %,
//   light below that (at least one day); dormant = seen before the period, not in it.
//   benchmark = the median of the same per-account figures among active accounts with usage in the period.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { UsageRepository, type Granularity } from "../../repositories/usage.ts";
import { notFound, validationError } from "../../server/errors.ts";
import { dateOnly, toIsoDate } from "../../security/validation.ts";

export const USAGE_IMPORT_HINT = "import usage events with `cs-mcp import usage_events <file>` (CSV or JSON rows: account_id, user_id, event, feature, occurred_at)";
export const POWER_SHARE = 0.5;
export const REGULAR_SHARE = 0.2;
const DAY = 86_400_000;

const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;
const pctDiff = (mine: number, median: number | null) => (median === null || median === 0 ? null : round(((mine - median) / median) * 100, 1));

export interface EngagementInput {
  client_id: string;
  period_start?: string | undefined;
  period_end?: string | undefined;
  granularity: Granularity;
  include_feature_breakdown: boolean;
  include_user_segmentation: boolean;
  benchmark_comparison: boolean;
  feature_limit: number;
}

/** Daily buckets over longer periods make answers too long to read; weekly covers them. */
const MAX_DAILY_DAYS = 120;

export class UsageService {
  private readonly repo: UsageRepository;
  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.repo = new UsageRepository(prisma);
  }

  async requireAccount(id: string) {
    const a = await this.prisma.account.findUnique({ where: { id }, select: { id: true, company_name: true, created_at: true, status: true } });
    if (!a) throw notFound("client", id, "use list_clients to find the client_id");
    return a;
  }

  async engagement(input: EngagementInput) {
    const today = toIsoDate(this.now())!;
    const end = input.period_end ?? today;
    const start = input.period_start ?? toIsoDate(new Date(dateOnly(end).getTime() - 29 * DAY))!;
    if (end < start) throw validationError("period_end: must not be before period_start");
    const days = Math.round((dateOnly(end).getTime() - dateOnly(start).getTime()) / DAY) + 1;
    if (days > 731) throw validationError("period_end: the period may span at most 731 days");
    if (input.granularity === "daily" && days > MAX_DAILY_DAYS) throw validationError(`granularity: daily buckets are limited to periods of ${MAX_DAILY_DAYS} days; use weekly or monthly`);
    const account = await this.requireAccount(input.client_id);

    const [buckets, s] = await Promise.all([this.repo.buckets(account.id, start, end, input.granularity), this.repo.summary(account.id, start, end)]);
    const missing: Array<{ what: string; how_to_supply: string }> = [];
    if (s.events === 0) {
      const last = await this.repo.lastEvent(account.id);
      missing.push({
        what:
          last.total === 0
            ? `no usage events are stored for ${account.id}`
            : `no usage events for ${account.id} between ${start} and ${end} (latest stored event: ${last.last_at!.toISOString()})`,
        how_to_supply: USAGE_IMPORT_HINT,
      });
    }
    const dau = s.n_days ? s.day_sum / s.n_days : 0;
    const wau = s.n_weeks ? s.week_sum / s.n_weeks : 0;
    const mau = s.n_months ? s.month_sum / s.n_months : 0;
    const summary = {
      total_active_users: s.total_users,
      dau: round(dau),
      wau: round(wau),
      mau: round(mau),
      stickiness_dau_mau: mau > 0 ? round(dau / mau, 4) : null,
      logins: s.logins,
      sessions: s.sessions,
      events: s.events,
      active_days: s.active_days,
      days_in_period: s.n_days,
    };

    let feature_breakdown = null;
    if (input.include_feature_breakdown) {
      const rows = await this.repo.featureBreakdown(account.id, start, end, input.feature_limit);
      const featureEvents = rows.reduce((n, r) => n + r.events, 0);
      feature_breakdown = {
        features: rows.map((r) => ({ feature: r.feature, events: r.events, users: r.users, share_of_active_users: s.total_users ? round(r.users / s.total_users, 4) : 0 })),
        total_features: rows[0]?.total_features ?? 0,
        truncated: (rows[0]?.total_features ?? 0) > rows.length,
        events_with_a_feature: featureEvents,
      };
    }

    let user_segmentation = null;
    if (input.include_user_segmentation) {
      const powerDays = Math.max(1, Math.ceil(POWER_SHARE * s.n_days));
      const regularDays = Math.max(1, Math.ceil(REGULAR_SHARE * s.n_days));
      const u = await this.repo.userActivity(account.id, start, end, powerDays, regularDays);
      user_segmentation = {
        ...u,
        thresholds: {
          power: `active on ≥ ${powerDays} of ${s.n_days} days (${POWER_SHARE * 100} %)`,
          regular: `active on ${regularDays}–${powerDays - 1} days (≥ ${REGULAR_SHARE * 100} %)`,
          light: `active on 1–${regularDays - 1} days`,
          dormant: "had events before the period, none in it",
        },
      };
    }

    let benchmark = null;
    if (input.benchmark_comparison) {
      const m = await this.repo.portfolioMedians(start, end);
      const metric = (mine: number, median: number | null) => ({ account: round(mine), portfolio_median: median === null ? null : round(median), difference_percent: pctDiff(mine, median) });
      benchmark = {
        peer_accounts: m.peers,
        basis: "median of the per-account figures among active accounts with usage events in the same period (this account included)",
        dau: metric(dau, m.dau),
        total_active_users: metric(s.total_users, m.total_users),
        logins: metric(s.logins, m.logins),
        sessions: metric(s.sessions, m.sessions),
        events: metric(s.events, m.events),
      };
      if (m.peers === 0) missing.push({ what: "no account has usage events in this period, so there is no portfolio median", how_to_supply: USAGE_IMPORT_HINT });
    }

    return {
      client_id: account.id,
      company_name: account.company_name,
      period: { start, end, granularity: input.granularity },
      summary,
      buckets: buckets.map((b) => ({
        bucket_start: b.bucket_start,
        bucket_end: b.bucket_end,
        active_users: b.active_users,
        avg_daily_active_users: b.days ? round(b.daily_active_sum / b.days) : 0,
        logins: b.logins,
        sessions: b.sessions,
        events: b.events,
      })),
      feature_breakdown,
      user_segmentation,
      benchmark,
      definitions: {
        active_user: "a user_id with at least one stored event",
        dau: "mean distinct users per day over the period's days (days without events count as 0)",
        wau: "mean distinct users per ISO week the period touches",
        mau: "mean distinct users per calendar month the period touches",
        logins: "events named 'login'",
        sessions: "events named 'session_start'",
      },
      missing_data: missing,
    };
  }

  async featureAdoption(input: { client_id?: string | undefined; feature_id?: string | undefined; time_period_days: number; adoption_threshold: number; limit: number; offset: number }) {
    if (input.client_id) await this.requireAccount(input.client_id);
    const until = this.now();
    const since = new Date(until.getTime() - input.time_period_days * DAY);
    const r = await this.repo.featureAdoption({
      accountId: input.client_id ?? null,
      featureId: input.feature_id ?? null,
      since,
      until,
      limit: input.limit,
      offset: input.offset,
      threshold: input.adoption_threshold,
    });
    const unit = input.client_id ? "users" : "accounts";
    const missing: Array<{ what: string; how_to_supply: string }> = [];
    if (r.eligible === 0) missing.push({ what: `no usage events${input.client_id ? ` for ${input.client_id}` : " for active accounts"} in the last ${input.time_period_days} days`, how_to_supply: USAGE_IMPORT_HINT });
    else if (r.features === 0) missing.push({ what: "no stored usage event names a feature", how_to_supply: `${USAGE_IMPORT_HINT}; fill the feature column` });
    if (input.feature_id && r.rows.length && r.rows[0]!.events === 0 && r.eligible > 0) {
      missing.push({ what: `no usage of feature '${input.feature_id}' is stored in the window`, how_to_supply: "check the feature name against track_usage_engagement's feature_breakdown" });
    }
    const features = r.rows.map((f) => ({
      feature: f.feature,
      adopters: f.adopters,
      eligible: r.eligible,
      adoption_rate: f.rate === null ? null : round(f.rate, 4),
      events: f.events,
      last_used_at: f.last_used_at ? new Date(f.last_used_at).toISOString() : null,
      under_adopted: f.rate !== null && f.rate < input.adoption_threshold,
    }));
    return {
      scope: input.client_id ? { level: "users" as const, client_id: input.client_id } : { level: "accounts" as const, client_id: null },
      period: { start: since.toISOString(), end: until.toISOString(), days: input.time_period_days },
      eligible: r.eligible,
      eligible_basis: input.client_id
        ? `distinct users of ${input.client_id} with any event in the window`
        : "active accounts with any usage event in the window",
      adoption_threshold: input.adoption_threshold,
      features,
      under_adopted: features.filter((f) => f.under_adopted).map((f) => f.feature),
      under_adopted_total: r.under,
      total_features: r.features,
      unit,
      limit: input.limit,
      offset: input.offset,
      next_offset: input.offset + features.length < r.features ? input.offset + features.length : null,
      note: "features are ordered from the least to the most adopted; a feature is any value of usage_events.feature seen in stored data",
      missing_data: missing,
    };
  }
}
