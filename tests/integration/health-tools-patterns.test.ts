// analyze_engagement_patterns through the tool pipeline, on both back ends: a planted drop is detected,
// flat usage gives none; trends from the weekly figures the test inserted.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { call, callError, pipelineFor } from "../helpers/pipeline.ts";
import { ToolPipeline } from "../../src/server/pipeline.ts";
import { healthTools } from "../../src/tools/health/index.ts";

const NOW = new Date("2026-06-17T12:00:00.000Z");


// NOW is a Wednesday; the current ISO week starts Monday 2026-06-15, so the last complete week is 2026-06-08.
const WEEK = 7 * 86_400_000;
const mondays = (from: string, to: string) => {
  const out: string[] = [];
  for (let d = new Date(`${from}T00:00:00Z`); d.toISOString().slice(0, 10) <= to; d = new Date(d.getTime() + WEEK)) out.push(d.toISOString().slice(0, 10));
  return out;
};

describe.each(BACKENDS)("analyze_engagement_patterns on %s", (backend) => {
  let t: TestDb;
  let p: ToolPipeline;
  const FLAT = "cs_1_flat";
  const DROP = "cs_1_drop";
  const weeks = mondays("2026-01-05", "2026-06-08");
  const users = (acc: string, week: string) => (acc === FLAT ? 5 : week >= "2026-06-01" ? 2 : 10);

  beforeAll(async () => {
    t = await openTestDb(backend);
    p = pipelineFor(t, healthTools, NOW);
    for (const id of [FLAT, DROP]) {
      await t.db.prisma.account.create({ data: { id, client_name: id, company_name: id, company_key: id, tier: id === FLAT ? "standard" : "enterprise" } });
    }
    const rows: Array<{ account_id: string; user_id: string; event: string; occurred_at: Date }> = [];
    for (const acc of [FLAT, DROP]) {
      for (const w of weeks) {
        for (let u = 0; u < users(acc, w); u++) rows.push({ account_id: acc, user_id: `u${u}`, event: "login", occurred_at: new Date(`${w}T10:00:00Z`) });
      }
    }
    // events in the current, incomplete week are left out of the analysis
    rows.push({ account_id: FLAT, user_id: "u0", event: "login", occurred_at: new Date("2026-06-16T10:00:00Z") });
    await t.db.prisma.usageEvent.createMany({ data: rows });
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("detects the planted drop and nothing on flat usage (portfolio)", async () => {
    const r = await call(p, "analyze_engagement_patterns", { lookback_period_days: 84 });
    const flagged = r.anomalies.items.map((a: any) => [a.client_id, a.week_start]);
    // 2026-06-01: 2 < 50 % of 10 (drop rule); 2026-06-08: 2 < mean 9 − 2σ (σ = √7) of the previous 8 weeks
    expect(flagged).toEqual([
      [DROP, "2026-06-08"],
      [DROP, "2026-06-01"],
    ]);
    expect(r.anomalies.total).toBe(2);
    expect(r.anomalies.items[1].metrics).toEqual(["active_users", "logins"]);
    expect(r.anomalies.items[1].reasons.some((x: string) => x.includes("fell 80%"))).toBe(true);
    expect(r.anomalies.items[0].reasons.some((x: string) => x.includes("2σ"))).toBe(true);
    // trend over the 12 complete weeks in the window: summed active users per week
    const inWindow = weeks.filter((w) => new Date(`${w}T00:00:00Z`).getTime() >= new Date(`2026-03-23T00:00:00Z`).getTime());
    expect(r.trends.weeks.map((w: any) => [w.week, w.active_users])).toEqual(inWindow.map((w) => [w, users(FLAT, w) + users(DROP, w)]));
    // 10 weeks of 15 then 2 of 7: least-squares slope −0.56/week is within 5 % of the mean (13.67) → flat
    expect(r.trends.active_users).toMatchObject({ direction: "flat", slope_per_week: -0.559, last_week: 7, previous_week: 7, week_over_week_change_percent: 0 });
    // over the last 4 weeks (15, 15, 7, 7) the slope −3.2/week is well beyond 5 % of the mean 11 → declining
    const short = await call(p, "analyze_engagement_patterns", { lookback_period_days: 28, pattern_types: ["trends"] });
    expect(short.trends.weeks.map((w: any) => w.active_users)).toEqual([15, 15, 7, 7]);
    expect(short.trends.active_users).toMatchObject({ direction: "declining", slope_per_week: -3.2 });
  });

  it("account scope on flat data: no anomalies, flat trend; segment scope by tier", async () => {
    const r = await call(p, "analyze_engagement_patterns", { analysis_scope: "account", scope_filter: { client_id: FLAT } });
    expect(r.anomalies).toEqual({ total: 0, truncated: false, items: [] });
    expect(r.trends.active_users).toMatchObject({ direction: "flat", slope_per_week: 0, week_over_week_change_percent: 0, last_week: 5 });
    const seg = await call(p, "analyze_engagement_patterns", { analysis_scope: "segment", scope_filter: { tier: "enterprise" }, pattern_types: ["anomalies"] });
    expect(seg.trends).toBeNull();
    expect(new Set(seg.anomalies.items.map((a: any) => a.client_id))).toEqual(new Set([DROP]));
    const off = await call(p, "analyze_engagement_patterns", { anomaly_detection: false });
    expect(off.anomalies).toBeNull();
  });

  it("a stored segment as scope, and validation errors naming the field", async () => {
    const seg = await call(p, "segment_customers", { segmentation_type: "custom", criteria: { tiers: ["standard"] } });
    const r = await call(p, "analyze_engagement_patterns", { analysis_scope: "segment", scope_filter: { segment_id: seg.segments[0].segment_id } });
    expect(r.anomalies.total).toBe(0);
    expect(r.accounts_with_usage).toBe(1);
    expect((await callError(p, "analyze_engagement_patterns", { analysis_scope: "account" })).message).toContain("scope_filter.client_id");
    expect((await callError(p, "analyze_engagement_patterns", { analysis_scope: "segment" })).message).toContain("scope_filter");
    expect((await callError(p, "analyze_engagement_patterns", { lookback_period_days: 3 })).message).toContain("lookback_period_days");
    expect((await callError(p, "analyze_engagement_patterns", { pattern_types: ["vibes"] })).message).toContain("pattern_types");
    expect((await callError(p, "analyze_engagement_patterns", { analysis_scope: "segment", scope_filter: { segment_id: "nope" } })).code).toBe("not_found");
  });
});
