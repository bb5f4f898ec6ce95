// analyze_product_usage: how one account uses the product over a period, from stored usage events —
// feature breakdown, user segments, adoption against the portfolio's feature catalog, the change against the
// previous period of the same length, and a benchmark against the active accounts of the same tier.
// Definitions:
//   active user = a user_id with an event; active day = a UTC day with an event; DAU = mean distinct users per
//   day of the period (the health toolset's UsageRepository figures, reused as they are);
//   user segments by active days in the period — the cut-offs of track_usage_engagement: power ≥ 50 % of the
//   period's days, regular ≥ 20 %, light below that (≥ 1 day), dormant = seen before the period, not in it;
//   adoption = features the account used in the period ÷ features in the catalog (every feature named by a
//   stored usage event of any account up to the period's end);
//   benchmark peers = other active accounts of the same tier with usage in the period; median of their
//   per-account figures; percentile = 100 × (peers below the account + ½ × peers equal) ÷ peers.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { UsageRepository } from "../../repositories/usage.ts";
import { FeedbackUsageRepository } from "../../repositories/feedback-usage.ts";
import { POWER_SHARE, REGULAR_SHARE, USAGE_IMPORT_HINT } from "../health/usage.ts";
import { notFound } from "../../server/errors.ts";
import { previousDatePeriod, resolveDatePeriod, type PeriodPreset } from "./periods.ts";

export interface ProductUsageInput {
  client_id: string;
  period?: PeriodPreset | undefined;
  period_start?: string | undefined;
  period_end?: string | undefined;
  include_feature_breakdown: boolean;
  include_user_segmentation: boolean;
  include_adoption: boolean;
  include_trend: boolean;
  include_benchmark: boolean;
  feature_limit: number;
}

const r1 = (v: number) => Math.round(v * 10) / 10;
const r2 = (v: number) => Math.round(v * 100) / 100;
const r4 = (v: number) => Math.round(v * 10_000) / 10_000;

export const PERCENTILE_METHOD = "percentile = 100 × (peers with a lower value + ½ × peers with the same value) ÷ peers (the account itself excluded), 1 decimal";

export class ProductUsageService {
  private readonly usage: UsageRepository;
  private readonly repo: FeedbackUsageRepository;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.usage = new UsageRepository(prisma);
    this.repo = new FeedbackUsageRepository(prisma);
  }

  private async figures(accountId: string, start: string, end: string) {
    const [s, features] = await Promise.all([this.usage.summary(accountId, start, end), this.repo.featuresUsed(accountId, start, end)]);
    return {
      events: s.events,
      active_users: s.total_users,
      active_days: s.active_days,
      dau: s.n_days ? r2(s.day_sum / s.n_days) : 0,
      logins: s.logins,
      sessions: s.sessions,
      features_used: features,
      days_in_period: s.n_days,
    };
  }

  async analyze(input: ProductUsageInput) {
    const account = await this.prisma.account.findUnique({ where: { id: input.client_id }, select: { id: true, company_name: true, tier: true, status: true } });
    if (!account) throw notFound("client", input.client_id, "use list_clients to find the client_id");
    const period = resolveDatePeriod(input, this.now(), "last_30_days", 731);
    const prev = previousDatePeriod(period);
    const cur = await this.figures(account.id, period.start, period.end);
    const missing: Array<{ what: string; how_to_supply: string }> = [];
    if (cur.events === 0) {
      const last = await this.usage.lastEvent(account.id);
      missing.push({
        what: last.total === 0 ? `no usage events are stored for ${account.id}` : `no usage events for ${account.id} between ${period.start} and ${period.end} (latest stored event: ${last.last_at!.toISOString()})`,
        how_to_supply: USAGE_IMPORT_HINT,
      });
    }

    let feature_breakdown = null;
    if (input.include_feature_breakdown) {
      const rows = await this.usage.featureBreakdown(account.id, period.start, period.end, input.feature_limit);
      const withFeature = await this.repo.featureEvents(account.id, period.start, period.end);
      feature_breakdown = {
        features: rows.map((r) => ({
          feature: r.feature,
          events: r.events,
          distinct_users: r.users,
          share_of_feature_events: withFeature ? r4(r.events / withFeature) : 0,
          share_of_active_users: cur.active_users ? r4(r.users / cur.active_users) : 0,
        })),
        total_features: rows[0]?.total_features ?? 0,
        truncated: (rows[0]?.total_features ?? 0) > rows.length,
        events_with_a_feature: withFeature,
        events_without_a_feature: cur.events - withFeature,
      };
    }

    let user_segmentation = null;
    if (input.include_user_segmentation) {
      const powerDays = Math.max(1, Math.ceil(POWER_SHARE * period.days));
      const regularDays = Math.max(1, Math.ceil(REGULAR_SHARE * period.days));
      const u = await this.usage.userActivity(account.id, period.start, period.end, powerDays, regularDays);
      user_segmentation = {
        power: u.power,
        regular: u.regular,
        light: u.light,
        dormant: u.dormant,
        active_users: cur.active_users,
        thresholds: {
          power: `active on ≥ ${powerDays} of ${period.days} days (${POWER_SHARE * 100} %)`,
          regular: `active on ${regularDays}–${powerDays - 1} days (≥ ${REGULAR_SHARE * 100} %)`,
          light: `active on 1–${regularDays - 1} days`,
          dormant: "had events before the period, none in it",
        },
      };
    }

    let adoption = null;
    if (input.include_adoption) {
      const cat = await this.repo.catalog(account.id, period.start, period.end);
      const unused = cat.filter((c) => !c.used).map((c) => c.feature);
      adoption = {
        features_used: cur.features_used,
        catalog_features: cat.length,
        adoption_rate: cat.length ? r4(cur.features_used / cat.length) : null,
        unused_features: unused.slice(0, 50),
        unused_total: unused.length,
        basis: "features the account used in the period ÷ every feature named by a stored usage event of any account up to the period's end",
      };
      if (!cat.length) missing.push({ what: "no stored usage event names a feature, so there is no feature catalog", how_to_supply: `${USAGE_IMPORT_HINT} with the feature column filled` });
    }

    let trend = null;
    if (input.include_trend) {
      const p = await this.figures(account.id, prev.start, prev.end);
      const change = (a: number, b: number) => ({ current: a, previous: b, change: r2(a - b), change_percent: b ? r1(((a - b) / b) * 100) : null });
      trend = {
        previous_period: prev,
        events: change(cur.events, p.events),
        active_users: change(cur.active_users, p.active_users),
        active_days: change(cur.active_days, p.active_days),
        dau: change(cur.dau, p.dau),
        features_used: change(cur.features_used, p.features_used),
      };
      if (p.events === 0) missing.push({ what: `no usage events in the previous period (${prev.start}…${prev.end}): the trend compares against zero`, how_to_supply: USAGE_IMPORT_HINT });
    }

    let benchmark = null;
    if (input.include_benchmark) {
      const mine = { events: cur.events, users: cur.active_users, features: cur.features_used, active_days: cur.active_days };
      const b = await this.repo.peers(account.id, period.start, period.end, account.tier, mine);
      const pct = (below: number, equal: number) => (b.peers ? r1((100 * (below + 0.5 * equal)) / b.peers) : null);
      const m = (v: number | null) => (v === null ? null : r2(v));
      benchmark = {
        tier: account.tier,
        peers: b.peers,
        basis: `other active ${account.tier} accounts with usage events between ${period.start} and ${period.end}`,
        percentile_method: PERCENTILE_METHOD,
        events: { account: mine.events, peer_median: m(b.median_events), percentile: pct(b.below_events, b.equal_events) },
        active_users: { account: mine.users, peer_median: m(b.median_users), percentile: pct(b.below_users, b.equal_users) },
        features_used: { account: mine.features, peer_median: m(b.median_features), percentile: pct(b.below_features, b.equal_features) },
        active_days: { account: mine.active_days, peer_median: m(b.median_active_days), percentile: pct(b.below_active_days, b.equal_active_days) },
      };
      if (!b.peers) missing.push({ what: `no other active ${account.tier} account has usage events in the period, so there is nothing to benchmark against`, how_to_supply: USAGE_IMPORT_HINT });
    }

    return {
      client_id: account.id,
      company_name: account.company_name,
      tier: account.tier,
      period: { preset: period.preset, start: period.start, end: period.end, days: period.days },
      summary: cur,
      feature_breakdown,
      user_segmentation,
      adoption,
      trend,
      benchmark,
      missing_data: missing,
    };
  }
}
