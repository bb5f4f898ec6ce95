// segment_customers and segment_by_value_tier through the tool pipeline, on both back ends: counts, ARR
// and mean health per segment computed here from the inserted accounts, stored segments and members.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { call, callError, pipelineFor } from "../helpers/pipeline.ts";
import { ToolPipeline } from "../../src/server/pipeline.ts";
import { healthTools } from "../../src/tools/health/index.ts";

const NOW = new Date("2026-06-17T12:00:00.000Z");


interface Acc { id: string; tier: "starter" | "standard" | "professional" | "enterprise"; industry: string | null; arr: number; health: number | null; stage: "onboarding" | "adoption" | "growth" | "at_risk"; status?: "active" | "churned" }
const ACCOUNTS: Acc[] = [
  { id: "cs_1_big_healthy", tier: "enterprise", industry: "Retail", arr: 250_000, health: 88, stage: "growth" },
  { id: "cs_1_big_sick", tier: "enterprise", industry: "retail", arr: 120_000, health: 35, stage: "at_risk" },
  { id: "cs_1_mid_a", tier: "professional", industry: "Finance", arr: 60_000, health: 70, stage: "adoption" },
  { id: "cs_1_mid_b", tier: "professional", industry: "Finance", arr: 30_000.5, health: 92, stage: "growth" },
  { id: "cs_1_small_a", tier: "standard", industry: null, arr: 12_000, health: null, stage: "onboarding" },
  { id: "cs_1_small_b", tier: "starter", industry: "Health", arr: 2_000, health: 45, stage: "onboarding" },
  { id: "cs_1_gone", tier: "starter", industry: "Health", arr: 5_000, health: 20, stage: "at_risk", status: "churned" },
];
const live = ACCOUNTS.filter((a) => a.status !== "churned");
const sum = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) * 100) / 100;
const meanHealth = (xs: Acc[]) => {
  const h = xs.filter((a) => a.health !== null).map((a) => a.health!);
  return h.length ? Math.round((h.reduce((a, b) => a + b, 0) / h.length) * 100) / 100 : null;
};

describe.each(BACKENDS)("health segment tools on %s", (backend) => {
  let t: TestDb;
  let p: ToolPipeline;

  beforeAll(async () => {
    t = await openTestDb(backend);
    p = pipelineFor(t, healthTools, NOW);
    for (const a of ACCOUNTS) {
      await t.db.prisma.account.create({
        data: { id: a.id, client_name: a.id, company_name: a.id, company_key: a.id, tier: a.tier, industry: a.industry, arr: a.arr, health_score: a.health, lifecycle_stage: a.stage, status: a.status ?? "active" },
      });
    }
    // engagement: big_healthy active on 16 days, mid_a on 6, small_b on 1 in the last 30 days
    const ev: Array<{ account_id: string; user_id: string; event: string; occurred_at: Date }> = [];
    const day = (n: number) => new Date(NOW.getTime() - n * 86_400_000);
    for (let i = 1; i <= 16; i++) ev.push({ account_id: "cs_1_big_healthy", user_id: "u", event: "login", occurred_at: day(i) });
    for (let i = 1; i <= 6; i++) ev.push({ account_id: "cs_1_mid_a", user_id: "u", event: "login", occurred_at: day(i) });
    ev.push({ account_id: "cs_1_small_b", user_id: "u", event: "login", occurred_at: day(3) });
    ev.push({ account_id: "cs_1_mid_b", user_id: "u", event: "login", occurred_at: day(45) }); // outside the window
    await t.db.prisma.usageEvent.createMany({ data: ev });
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("segment_customers value: counts, ARR and mean health per band, stored with members", async () => {
    const r = await call(p, "segment_customers", { segmentation_type: "value" });
    const band = (a: Acc) => (a.arr >= 100_000 ? "high_value" : a.arr >= 25_000 ? "mid_value" : "low_value");
    const keys = [...new Set(live.map(band))].sort();
    expect(r.segments.map((s: any) => s.key)).toEqual(keys);
    for (const s of r.segments) {
      const members = live.filter((a) => band(a) === s.key);
      expect(s.account_count).toBe(members.length);
      expect(s.total_arr).toBe(sum(members.map((a) => a.arr)));
      expect(s.mean_health).toBe(meanHealth(members));
      const stored = await t.db.prisma.segment.findUniqueOrThrow({ where: { id: s.segment_id }, include: { members: true } });
      expect(stored.segmentation_type).toBe("value");
      expect(stored.account_count).toBe(members.length);
      expect(Number(stored.total_arr)).toBe(sum(members.map((a) => a.arr)));
      expect(stored.members.map((m) => m.account_id).sort()).toEqual(members.map((a) => a.id).sort());
    }
    expect(r.accounts_considered).toBe(live.length);
    expect(r.total_arr).toBe(sum(live.map((a) => a.arr)));
    // high_value holds ≥ 40 % of ARR → concentration; low_value has < half scored? small_a unscored, small_b scored → 1 of 2
    const high = r.segments.find((s: any) => s.key === "high_value");
    expect(high.recommendations.map((x: any) => x.rule)).toContain("arr_concentration");
    expect(await t.db.prisma.auditLog.count({ where: { action: "segment_customers" } })).toBe(1);
  });

  it("segment_customers health, lifecycle, industry and engagement follow the stated rules", async () => {
    const health = await call(p, "segment_customers", { segmentation_type: "health", include_recommendations: false });
    const bandOf = (h: number | null) => (h === null ? "unscored" : h < 50 ? "at_risk" : h < 75 ? "needs_attention" : h < 90 ? "healthy" : "champion");
    expect(Object.fromEntries(health.segments.map((s: any) => [s.key, s.account_count]))).toEqual(
      live.reduce<Record<string, number>>((m, a) => ({ ...m, [bandOf(a.health)]: (m[bandOf(a.health)] ?? 0) + 1 }), {}),
    );
    expect(health.segments[0].recommendations).toBeNull();

    const industry = await call(p, "segment_customers", { segmentation_type: "industry" });
    expect(Object.fromEntries(industry.segments.map((s: any) => [s.key, s.account_count]))).toEqual({ finance: 2, health: 1, retail: 2, unspecified: 1 });

    const eng = await call(p, "segment_customers", { segmentation_type: "engagement" });
    expect(Object.fromEntries(eng.segments.map((s: any) => [s.key, s.account_count]))).toEqual({ highly_engaged: 1, moderately_engaged: 1, low_engagement: 1, inactive: 3 });
    const inactive = eng.segments.find((s: any) => s.key === "inactive");
    expect(inactive.recommendations.map((x: any) => x.rule)).toContain("re_engagement");

    const life = await call(p, "segment_customers", { segmentation_type: "lifecycle", min_segment_size: 2 });
    expect(life.segments.map((s: any) => [s.key, s.account_count])).toEqual([["growth", 2], ["onboarding", 2]]);
    expect(life.skipped_segments.map((s: any) => s.key).sort()).toEqual(["adoption", "at_risk"]);
    const withChurned = await call(p, "segment_customers", { segmentation_type: "lifecycle", criteria: { include_churned: true } });
    expect(withChurned.segments.find((s: any) => s.key === "at_risk").account_count).toBe(2);
  });

  it("segment_customers custom: one segment from a validated filter", async () => {
    const r = await call(p, "segment_customers", { segmentation_type: "custom", criteria: { name: "enterprise retail", tiers: ["enterprise"], industries: ["RETAIL"], arr_min: 100000 } });
    const members = live.filter((a) => a.tier === "enterprise" && a.industry?.toLowerCase() === "retail" && a.arr >= 100000);
    expect(r.segments).toHaveLength(1);
    expect(r.segments[0]).toMatchObject({ name: "enterprise retail", account_count: members.length, total_arr: sum(members.map((a) => a.arr)), mean_health: meanHealth(members) });
    expect((await callError(p, "segment_customers", { segmentation_type: "custom" })).message).toContain("criteria");
    expect((await callError(p, "segment_customers", { segmentation_type: "custom", criteria: { arr_min: 10, arr_max: 5 } })).message).toContain("criteria.arr_min");
    expect((await callError(p, "segment_customers", { segmentation_type: "custom", criteria: { colour: "red" } })).message).toContain("colour");
    expect((await callError(p, "segment_customers", { segmentation_type: "vibes" })).message).toContain("segmentation_type");
  });

  it("segment_by_value_tier: default tiers put the largest accounts at the top; a sick VIP is flagged at risk", async () => {
    const r = await call(p, "segment_by_value_tier", {});
    expect(r.segmentation_criteria).toBe("arr");
    // independent: tiers by ARR alone, so the largest accounts (whatever their health) are platinum
    const tierOf = (a: Acc) => (a.arr >= 100_000 ? "platinum" : a.arr >= 50_000 ? "gold" : a.arr >= 10_000 ? "silver" : "bronze");
    const largest = [...live].sort((a, b) => b.arr - a.arr).slice(0, 2);
    const platinum = await t.db.prisma.segment.findUniqueOrThrow({ where: { id: r.tiers[0].segment_id }, include: { members: true } });
    expect(platinum.members.map((m) => m.account_id).sort()).toEqual(largest.map((a) => a.id).sort());
    expect(r.vip_accounts.find((v: any) => v.client_id === "cs_1_big_sick")).toMatchObject({ health_score: 35, at_risk: true });
    for (const tier of r.tiers) {
      const members = live.filter((a) => tierOf(a) === tier.tier);
      expect(tier.account_count, tier.tier).toBe(members.length);
      expect(tier.total_arr).toBe(sum(members.map((a) => a.arr)));
      expect(tier.mean_health).toBe(meanHealth(members));
      expect(tier.service_level).not.toBeNull();
      const stored = await t.db.prisma.segment.findUniqueOrThrow({ where: { id: tier.segment_id }, include: { members: true } });
      expect(stored.segmentation_type).toBe("value_tier");
      expect(stored.members.map((m) => m.account_id).sort()).toEqual(members.map((a) => a.id).sort());
    }
    expect(r.vip_accounts.map((v: any) => v.client_id)).toEqual(live.filter((a) => tierOf(a) === "platinum").sort((a, b) => b.arr - a.arr).map((a) => a.id));
    expect(r.unassigned_accounts).toBe(0);
    // arr_and_health (asked for): health gates the top tiers; unrated accounts fail any health minimum
    const both = await call(p, "segment_by_value_tier", { segmentation_criteria: "arr_and_health" });
    const tierOf2 = (a: Acc) =>
      a.arr >= 100_000 && (a.health ?? -1) >= 75 ? "platinum" : a.arr >= 50_000 && (a.health ?? -1) >= 50 ? "gold" : a.arr >= 10_000 ? "silver" : "bronze";
    for (const tier of both.tiers) expect(tier.account_count, tier.tier).toBe(live.filter((a) => tierOf2(a) === tier.tier).length);
  });

  it("segment_by_value_tier: custom ordered tiers, unassigned accounts, mapping and validation", async () => {
    const r = await call(p, "segment_by_value_tier", {
      segmentation_criteria: "arr",
      tier_definitions: [{ name: "strategic", min_arr: 100000 }, { name: "core", min_arr: 25000 }],
      service_level_mapping: { strategic: { csm_coverage: "dedicated pod" } },
    });
    expect(r.tiers.map((x: any) => [x.tier, x.account_count])).toEqual([
      ["strategic", live.filter((a) => a.arr >= 100000).length],
      ["core", live.filter((a) => a.arr >= 25000 && a.arr < 100000).length],
    ]);
    expect(r.unassigned_accounts).toBe(live.filter((a) => a.arr < 25000).length);
    expect(r.tiers[0].service_level).toEqual({ csm_coverage: "dedicated pod", business_review_cadence: "not mapped", support_queue: "not mapped" });
    const e1 = await callError(p, "segment_by_value_tier", { segmentation_criteria: "arr", tier_definitions: [{ name: "low", min_arr: 0 }, { name: "high", min_arr: 100 }] });
    expect(e1.message).toContain("tier_definitions[1].min_arr");
    const e2 = await callError(p, "segment_by_value_tier", { tier_definitions: [{ name: "a", min_arr: 5 }], service_level_mapping: { b: {} } });
    expect(e2.message).toContain("service_level_mapping.b");
    const e3 = await callError(p, "segment_by_value_tier", { segmentation_criteria: "arr", tier_definitions: [{ name: "a" }] });
    expect(e3.message).toContain("tier_definitions[0].min_arr");
  });
});
