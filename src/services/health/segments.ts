// Customer segmentation and value tiers: accounts are assigned to segments by one SQL expression, the
// figures per segment (accounts, ARR, mean health, mean active days) come from one GROUP BY, and the
// segments and their members are stored together in one transaction (each call stores a new snapshot).
//
// Segment rules:
//   value       high_value ARR ≥ 100,000; mid_value ≥ 25,000; low_value below
//   engagement  active days (any usage event) in the last 30 days: highly_engaged ≥ 15, moderately_engaged ≥ 5,
//               low_engagement ≥ 1, inactive 0
//   lifecycle   the account's lifecycle stage
//   health      the health bands (HEALTH_AT_RISK_BELOW, HEALTH_HEALTHY_FROM, HEALTH_CHAMPION_FROM), unscored
//               (no rating: never scored or insufficient data — accounts.health_score is null for both)
//   industry    the account's industry (case-insensitive), unspecified when empty
//   custom      one segment: the accounts matching criteria
// Recommendations (rule-based, each with the figure that triggered it):
//   retention_focus     mean health < HEALTH_AT_RISK_BELOW
//   expansion_candidates mean health ≥ HEALTH_HEALTHY_FROM
//   score_coverage      fewer than half the accounts have a health score
//   re_engagement       mean active days in the last 30 days < 5
//   arr_concentration   the segment holds ≥ 40 % of the ARR considered
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { SegmentRepository, Sql, attributeTypes, population, type AttributeFilter, type PopulationFilter, type SegmentAggregate } from "../../repositories/segments.ts";
import { writeAudit } from "../../repositories/audit.ts";
import { validationError } from "../../server/errors.ts";

export const VALUE_BANDS = { high: 100_000, mid: 25_000 } as const;
export const ENGAGEMENT_DAYS = { high: 15, moderate: 5, low: 1 } as const;
export const USAGE_WINDOW_DAYS = 30;
const CONCENTRATION_SHARE = 0.4;
const DAY = 86_400_000;

export type SegmentationType = "value" | "engagement" | "lifecycle" | "health" | "industry" | "custom";

export interface Bands {
  atRiskBelow: number;
  healthyFrom: number;
  championFrom: number;
}

export interface Recommendation {
  rule: string;
  action: string;
  figure: string;
}

export interface TierDefinition {
  name: string;
  min_arr?: number | undefined;
  min_health?: number | undefined;
}

export interface ServiceLevel {
  csm_coverage: string;
  business_review_cadence: string;
  support_queue: string;
}

export const DEFAULT_SERVICE_LEVELS: Record<string, ServiceLevel> = {
  platinum: { csm_coverage: "dedicated CSM", business_review_cadence: "quarterly executive business review, monthly check-in", support_queue: "priority (named support contact)" },
  gold: { csm_coverage: "named CSM", business_review_cadence: "quarterly business review", support_queue: "priority" },
  silver: { csm_coverage: "pooled CSM team", business_review_cadence: "semi-annual review", support_queue: "standard" },
  bronze: { csm_coverage: "digital / scaled programme", business_review_cadence: "annual automated review", support_queue: "standard" },
};

const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;

export class SegmentService {
  private readonly repo: SegmentRepository;
  constructor(
    private readonly prisma: PrismaClient,
    private readonly bands: Bands,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.repo = new SegmentRepository(prisma);
  }

  private keyExpr(type: SegmentationType): (sql: Sql) => string {
    switch (type) {
      case "value":
        return (s) => `CASE WHEN a.arr >= ${s.p(VALUE_BANDS.high, "numeric")} THEN 'high_value' WHEN a.arr >= ${s.p(VALUE_BANDS.mid, "numeric")} THEN 'mid_value' ELSE 'low_value' END`;
      case "engagement":
        return (s) =>
          `CASE WHEN coalesce(u.active_days, 0) >= ${s.p(ENGAGEMENT_DAYS.high, "int")} THEN 'highly_engaged' WHEN coalesce(u.active_days, 0) >= ${s.p(ENGAGEMENT_DAYS.moderate, "int")} THEN 'moderately_engaged' WHEN coalesce(u.active_days, 0) >= ${s.p(ENGAGEMENT_DAYS.low, "int")} THEN 'low_engagement' ELSE 'inactive' END`;
      case "lifecycle":
        return () => `a.lifecycle_stage::text`;
      case "health":
        return (s) =>
          `CASE WHEN a.health_score IS NULL THEN 'unscored' WHEN a.health_score < ${s.p(this.bands.atRiskBelow, "int")} THEN 'at_risk' WHEN a.health_score < ${s.p(this.bands.healthyFrom, "int")} THEN 'needs_attention' WHEN a.health_score < ${s.p(this.bands.championFrom, "int")} THEN 'healthy' ELSE 'champion' END`;
      case "industry":
        return () => `coalesce(nullif(lower(trim(a.industry)), ''), 'unspecified')`;
      case "custom":
        return () => `'custom'`;
    }
  }

  private definition(type: SegmentationType, key: string): string {
    const b = this.bands;
    const defs: Record<string, string> = {
      high_value: `ARR ≥ ${VALUE_BANDS.high}`,
      mid_value: `${VALUE_BANDS.mid} ≤ ARR < ${VALUE_BANDS.high}`,
      low_value: `ARR < ${VALUE_BANDS.mid}`,
      highly_engaged: `≥ ${ENGAGEMENT_DAYS.high} active days in the last ${USAGE_WINDOW_DAYS}`,
      moderately_engaged: `${ENGAGEMENT_DAYS.moderate}–${ENGAGEMENT_DAYS.high - 1} active days in the last ${USAGE_WINDOW_DAYS}`,
      low_engagement: `1–${ENGAGEMENT_DAYS.moderate - 1} active days in the last ${USAGE_WINDOW_DAYS}`,
      inactive: `no usage event in the last ${USAGE_WINDOW_DAYS} days`,
      at_risk: `health < ${b.atRiskBelow}`,
      needs_attention: `${b.atRiskBelow} ≤ health < ${b.healthyFrom}`,
      healthy: `${b.healthyFrom} ≤ health < ${b.championFrom}`,
      champion: `health ≥ ${b.championFrom}`,
      unscored: "no health rating stored (never scored, or insufficient data: unknown, never a champion)",
    };
    if (type === "lifecycle") return `lifecycle stage ${key}`;
    if (type === "industry") return `industry ${key}`;
    if (type === "custom") return "accounts matching criteria";
    return defs[key] ?? key;
  }

  private recommend(a: SegmentAggregate, totalArr: number): Recommendation[] {
    const out: Recommendation[] = [];
    if (a.mean_health !== null && a.mean_health < this.bands.atRiskBelow) {
      out.push({ rule: "retention_focus", action: "prioritise retention: risk review and success plans for every account", figure: `mean health ${a.mean_health} < ${this.bands.atRiskBelow}` });
    }
    if (a.mean_health !== null && a.mean_health >= this.bands.healthyFrom) {
      out.push({ rule: "expansion_candidates", action: "look for upsell and advocacy (identify_upsell_opportunities)", figure: `mean health ${a.mean_health} ≥ ${this.bands.healthyFrom}` });
    }
    if (a.scored < a.accounts / 2) {
      out.push({ rule: "score_coverage", action: "calculate_health_score for the unscored accounts (insufficient_data ones need usage events)", figure: `${a.scored} of ${a.accounts} accounts scored` });
    }
    if (a.mean_active_days < ENGAGEMENT_DAYS.moderate) {
      out.push({ rule: "re_engagement", action: "re-engagement campaign: training, feature tips, CSM outreach", figure: `mean ${round(a.mean_active_days, 1)} active days in the last ${USAGE_WINDOW_DAYS}` });
    }
    if (totalArr > 0 && a.arr / totalArr >= CONCENTRATION_SHARE) {
      out.push({ rule: "arr_concentration", action: "protect concentrated revenue: executive sponsorship and renewal planning", figure: `${round((a.arr / totalArr) * 100, 1)}% of the ARR considered` });
    }
    return out;
  }

  async segmentCustomers(input: {
    segmentation_type: SegmentationType;
    criteria?: (PopulationFilter & { name?: string | undefined }) | undefined;
    min_segment_size: number;
    include_recommendations: boolean;
  }, progress?: (p: number, total: number, message: string) => Promise<void>) {
    const criteria = input.criteria ?? {};
    const { name: customName, ...filter } = criteria;
    if (input.segmentation_type === "custom" && !Object.values(filter).some((v) => v !== undefined && !(Array.isArray(v) && v.length === 0))) {
      throw validationError("criteria: segmentation_type 'custom' needs at least one filter (tiers, industries, stages, arr_min, arr_max, health_min, health_max, attributes)");
    }
    checkRanges(filter);
    await this.checkAttributes(filter.attributes);
    const now = this.now();
    const sql = new Sql();
    const pop = population(sql, filter, new Date(now.getTime() - USAGE_WINDOW_DAYS * DAY), now, this.keyExpr(input.segmentation_type));
    const result = await this.prisma.$transaction(async (tx) => {
      const aggs = (await this.repo.aggregate(sql, pop, tx)).filter((a): a is SegmentAggregate & { seg_key: string } => a.seg_key !== null);
      await progress?.(1, 2, "segments computed");
      const totalArr = aggs.reduce((n, a) => n + a.arr, 0);
      const totalAccounts = aggs.reduce((n, a) => n + a.accounts, 0);
      const kept = aggs.filter((a) => a.accounts >= input.min_segment_size);
      const toStore = kept.map((a) => ({
        key: a.seg_key,
        name: input.segmentation_type === "custom" ? (customName ?? "custom") : a.seg_key,
        criteria: { segmentation_type: input.segmentation_type, key: a.seg_key, definition: this.definition(input.segmentation_type, a.seg_key), filter },
        accounts: a.accounts,
        total_arr: a.total_arr,
        mean_health: a.mean_health,
        recommendations: input.include_recommendations ? this.recommend(a, totalArr) : [],
      }));
      const ids = await this.repo.store(tx, input.segmentation_type, sql, pop, toStore, now);
      await writeAudit(tx, {
        action: "segment_customers",
        entity_type: "segment",
        entity_id: null,
        changes: { segmentation_type: input.segmentation_type, segment_ids: [...ids.values()], accounts: totalAccounts, filter },
      });
      return { aggs, kept, toStore, ids, totalArr, totalAccounts };
    });
    await progress?.(2, 2, "segments stored");
    const skipped = result.aggs.filter((a) => a.accounts < input.min_segment_size);
    return {
      segmentation_type: input.segmentation_type,
      criteria: filter,
      accounts_considered: result.totalAccounts,
      total_arr: round(result.totalArr),
      segments: result.toStore.map((s, i) => ({
        segment_id: result.ids.get(s.key)!,
        name: s.name,
        key: s.key,
        definition: s.criteria.definition,
        account_count: s.accounts,
        total_arr: round(result.kept[i]!.arr),
        arr_share: result.totalArr > 0 ? round(result.kept[i]!.arr / result.totalArr, 4) : 0,
        mean_health: s.mean_health,
        scored_accounts: result.kept[i]!.scored,
        mean_active_days_30d: round(result.kept[i]!.mean_active_days, 1),
        recommendations: input.include_recommendations ? (s.recommendations as Recommendation[]) : null,
      })),
      skipped_segments: skipped.map((a) => ({ key: a.seg_key, account_count: a.accounts, reason: `fewer than min_segment_size (${input.min_segment_size}) accounts` })),
      stored_at: now.toISOString(),
      note: "each call stores a new snapshot of segments; churned accounts are left out unless criteria.include_churned is true",
    };
  }

  async valueTiers(input: {
    segmentation_criteria: "arr" | "health" | "arr_and_health";
    tier_definitions?: TierDefinition[] | undefined;
    service_level_mapping?: Record<string, Partial<ServiceLevel>> | undefined;
    vip_identification: boolean;
    vip_limit: number;
    include_churned: boolean;
  }, progress?: (p: number, total: number, message: string) => Promise<void>) {
    const tiers = input.tier_definitions ?? this.defaultTiers(input.segmentation_criteria);
    validateTiers(tiers, input.segmentation_criteria, !!input.tier_definitions);
    const names = new Set(tiers.map((t) => t.name));
    for (const k of Object.keys(input.service_level_mapping ?? {})) {
      if (!names.has(k)) throw validationError(`service_level_mapping.${k}: not a tier name (tiers: ${[...names].join(", ")})`);
    }
    const useArr = input.segmentation_criteria !== "health";
    const useHealth = input.segmentation_criteria !== "arr";
    const keyExpr = (s: Sql) => {
      const whens = tiers.map((t) => {
        const conds: string[] = [];
        if (useArr && t.min_arr !== undefined && t.min_arr > 0) conds.push(`a.arr >= ${s.p(t.min_arr, "numeric")}`);
        if (useHealth && t.min_health !== undefined && t.min_health > 0) conds.push(`coalesce(a.health_score, -1) >= ${s.p(t.min_health, "int")}`);
        return `WHEN ${conds.length ? conds.join(" AND ") : "true"} THEN ${s.p(t.name, "text")}`;
      });
      return `CASE ${whens.join(" ")} END`;
    };
    const now = this.now();
    const sql = new Sql();
    const pop = population(sql, { include_churned: input.include_churned }, new Date(now.getTime() - USAGE_WINDOW_DAYS * DAY), now, keyExpr);
    const res = await this.prisma.$transaction(async (tx) => {
      const all = await this.repo.aggregate(sql, pop, tx);
      await progress?.(1, 2, "tiers computed");
      const unassigned = all.find((a) => a.seg_key === null)?.accounts ?? 0;
      const aggs = all.filter((a) => a.seg_key !== null);
      const byKey = new Map(aggs.map((a) => [a.seg_key, a]));
      const totalArr = all.reduce((n, a) => n + a.arr, 0);
      const levels = tiers.map((t) => {
        const given = input.service_level_mapping?.[t.name];
        const dflt = DEFAULT_SERVICE_LEVELS[t.name];
        if (!given && !dflt) return null;
        return { ...(dflt ?? { csm_coverage: "not mapped", business_review_cadence: "not mapped", support_queue: "not mapped" }), ...(given ?? {}) } as ServiceLevel;
      });
      const toStore = tiers.map((t, i) => {
        const a = byKey.get(t.name);
        return {
          key: t.name,
          name: t.name,
          criteria: { segmentation_criteria: input.segmentation_criteria, min_arr: useArr ? (t.min_arr ?? 0) : null, min_health: useHealth ? (t.min_health ?? null) : null, service_level: levels[i] },
          accounts: a?.accounts ?? 0,
          total_arr: a?.total_arr ?? "0",
          mean_health: a?.mean_health ?? null,
          recommendations: a ? this.recommend(a, totalArr) : [],
        };
      });
      const ids = await this.repo.store(tx, "value_tier", sql, pop, toStore, now);
      const vips = input.vip_identification ? await this.repo.topMembers(sql, pop, tiers[0]!.name, input.vip_limit, tx) : [];
      await writeAudit(tx, { action: "segment_by_value_tier", entity_type: "segment", entity_id: null, changes: { segment_ids: [...ids.values()], tiers: tiers.map((t) => t.name) } });
      return { aggs: all, byKey, totalArr, levels, ids, vips, unassigned };
    });
    await progress?.(2, 2, "tiers stored");
    const considered = res.aggs.reduce((n, a) => n + a.accounts, 0);
    return {
      segmentation_criteria: input.segmentation_criteria,
      tier_definitions: tiers.map((t) => ({ name: t.name, min_arr: useArr ? (t.min_arr ?? 0) : null, min_health: useHealth ? (t.min_health ?? null) : null })),
      accounts_considered: considered,
      total_arr: round(res.totalArr),
      tiers: tiers.map((t, i) => {
        const a = res.byKey.get(t.name);
        return {
          segment_id: res.ids.get(t.name)!,
          tier: t.name,
          account_count: a?.accounts ?? 0,
          total_arr: round(a?.arr ?? 0),
          arr_share: res.totalArr > 0 ? round((a?.arr ?? 0) / res.totalArr, 4) : 0,
          mean_health: a?.mean_health ?? null,
          service_level: res.levels[i] ?? null,
        };
      }),
      unassigned_accounts: res.unassigned,
      vip_accounts: input.vip_identification
        ? res.vips.map((v) => ({ client_id: v.id, company_name: v.company_name, arr: round(v.arr), health_score: v.health_score, at_risk: v.health_score !== null && v.health_score < this.bands.atRiskBelow }))
        : null,
      vip_rule: input.vip_identification ? `accounts of the top tier (${tiers[0]!.name}) by ARR, at most ${input.vip_limit}; at_risk when health < ${this.bands.atRiskBelow}` : null,
      stored_at: now.toISOString(),
    };
  }

  /** Each attribute filter names a stored attribute, has a condition, and compares numbers only on numeric attributes. */
  private async checkAttributes(filters: AttributeFilter[] | undefined) {
    if (!filters?.length) return;
    const types = await attributeTypes(this.prisma, filters.map((f) => f.name));
    filters.forEach((f, i) => {
      const at = `criteria.attributes[${i}]`;
      const t = types.get(f.name);
      if (!t) throw validationError(`${at}.name: no account has the attribute '${f.name}' (attributes come from extra columns of \`cs-mcp import accounts\`)`);
      if (!f.in?.length && f.min === undefined && f.max === undefined) throw validationError(`${at}: give in, min or max`);
      if ((f.min !== undefined || f.max !== undefined) && !t.numeric) throw validationError(`${at}.min: '${f.name}' is categorical; use in`);
      if (f.min !== undefined && f.max !== undefined && f.min > f.max) throw validationError(`${at}.min: must not exceed max`);
    });
  }

  private defaultTiers(criteria: "arr" | "health" | "arr_and_health"): TierDefinition[] {
    if (criteria === "health") {
      return [
        { name: "platinum", min_health: this.bands.championFrom },
        { name: "gold", min_health: this.bands.healthyFrom },
        { name: "silver", min_health: this.bands.atRiskBelow },
        { name: "bronze", min_health: 0 },
      ];
    }
    return [
      { name: "platinum", min_arr: 100_000, min_health: criteria === "arr" ? undefined : this.bands.healthyFrom },
      { name: "gold", min_arr: 50_000, min_health: criteria === "arr" ? undefined : this.bands.atRiskBelow },
      { name: "silver", min_arr: 10_000 },
      { name: "bronze", min_arr: 0 },
    ];
  }
}

function checkRanges(f: PopulationFilter) {
  if (f.arr_min !== undefined && f.arr_max !== undefined && f.arr_min > f.arr_max) throw validationError("criteria.arr_min: must not exceed criteria.arr_max");
  if (f.health_min !== undefined && f.health_max !== undefined && f.health_min > f.health_max) throw validationError("criteria.health_min: must not exceed criteria.health_max");
}

/** Tiers are listed from the highest: thresholds never rise down the list, and no two tiers are identical. */
function validateTiers(tiers: TierDefinition[], criteria: "arr" | "health" | "arr_and_health", given: boolean) {
  if (!given) return;
  const seen = new Set<string>();
  tiers.forEach((t, i) => {
    if (seen.has(t.name)) throw validationError(`tier_definitions[${i}].name: '${t.name}' is used twice`);
    seen.add(t.name);
    if (criteria !== "health" && t.min_arr === undefined) throw validationError(`tier_definitions[${i}].min_arr: is required when segmentation_criteria is '${criteria}'`);
    if (criteria === "health" && t.min_health === undefined) throw validationError(`tier_definitions[${i}].min_health: is required when segmentation_criteria is 'health'`);
    if (i === 0) return;
    const prev = tiers[i - 1]!;
    if (criteria !== "health" && (t.min_arr ?? 0) > (prev.min_arr ?? 0)) {
      throw validationError(`tier_definitions[${i}].min_arr: must not exceed the tier above (${prev.name}: ${prev.min_arr}); list tiers from the highest`);
    }
    if (criteria !== "arr" && (t.min_health ?? 0) > (prev.min_health ?? 0)) {
      throw validationError(`tier_definitions[${i}].min_health: must not exceed the tier above (${prev.name}: ${prev.min_health ?? 0}); list tiers from the highest`);
    }
    const same = (criteria === "health" || (t.min_arr ?? 0) === (prev.min_arr ?? 0)) && (criteria === "arr" || (t.min_health ?? 0) === (prev.min_health ?? 0));
    if (same) throw validationError(`tier_definitions[${i}]: has the same thresholds as ${prev.name}; it could never hold an account`);
  });
}
