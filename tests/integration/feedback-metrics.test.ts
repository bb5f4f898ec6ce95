// track_cs_metrics on both back ends: time series from stored rows with the DOMAIN.md formulas — NPS at the
// 6/7 and 8/9 boundaries, CSAT at 3/4, CES mean, a bucket without data reported as no data (null, count 0),
// churn and retention per bucket (expected figures computed here from every stored account), segments,
// support satisfaction, health score means, time to value by signup cohort, feature adoption.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { call, callError, pipelineFor } from "../helpers/pipeline.ts";
import { feedbackTools } from "../../src/tools/feedback/index.ts";
import type { ToolPipeline } from "../../src/server/pipeline.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const ts = (s: string) => new Date(`${s}T12:00:00.000Z`);
const r1 = (v: number) => Math.round(v * 10) / 10;
const r2 = (v: number) => Math.round(v * 100) / 100;
const nps = (s: number[]) => r1(((s.filter((x) => x >= 9).length - s.filter((x) => x <= 6).length) / s.length) * 100);
const csat = (s: number[]) => r1((s.filter((x) => x >= 4).length / s.length) * 100);

describe.each(BACKENDS)("track_cs_metrics on %s", (backend) => {
  let t: TestDb;
  let p: ToolPipeline;
  let n = 0;

  async function account(over: Record<string, unknown> = {}) {
    const slug = `m_${backend}_${++n}`;
    const id = `cs_1700000000_${slug}`;
    await t.db.prisma.account.create({ data: { id, client_name: slug, company_name: `Company ${slug}`, company_key: slug, created_at: ts("2025-01-01"), ...over } });
    return id;
  }
  async function answers(id: string, type: "nps" | "csat" | "ces", day: string, scores: number[]) {
    await t.db.prisma.surveyResponse.createMany({ data: scores.map((score, i) => ({ account_id: id, survey_type: type, score, respondent_email: `${type}${i}_${day}@cust.test`, responded_at: ts(day) })) });
  }

  beforeAll(async () => {
    t = await openTestDb(backend);
    p = pipelineFor(t, feedbackTools, NOW);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("NPS per month at the boundaries, with an empty month reported as no data", async () => {
    const id = await account();
    const march = [0, 6, 7, 8, 9, 10];
    const may = [6, 9, 9];
    await answers(id, "nps", "2026-03-10", march);
    await answers(id, "nps", "2026-05-20", may);
    const r = await call(p, "track_cs_metrics", { metric_type: "nps", client_id: id, period: "custom", period_start: "2026-03-01", period_end: "2026-05-31", granularity: "month" });
    expect(r.series.map((s: { bucket_start: string; bucket_end: string; value: number | null; count: number; no_data: boolean }) => [s.bucket_start, s.bucket_end, s.value, s.count, s.no_data])).toEqual([
      ["2026-03-01", "2026-03-31", nps(march), 6, false],
      ["2026-04-01", "2026-04-30", null, 0, true],
      ["2026-05-01", "2026-05-31", nps(may), 3, false],
    ]);
    expect(nps(march)).toBe(0);
    expect(nps(may)).toBe(33.3);
    expect(r.series[0].details).toMatchObject({ promoters: 2, passives: 2, detractors: 2 });
    expect(r.summary).toMatchObject({ period_value: nps([...march, ...may]), period_count: 9, buckets: 3, buckets_with_data: 2, first_value: 0, last_value: 33.3, change_first_to_last: 33.3 });
    expect(r.missing_data[0].what).toBe("1 of 3 buckets have no data (value null, count 0)");
  });

  it("CSAT at the 3/4 boundary and CES as the mean", async () => {
    const id = await account();
    const c = [3, 4, 5, 1];
    await answers(id, "csat", "2026-05-05", c);
    const r = await call(p, "track_cs_metrics", { metric_type: "csat", client_id: id, period_start: "2026-05-01", period_end: "2026-05-31" });
    expect(csat(c)).toBe(50);
    expect(r.series).toHaveLength(1);
    expect(r.series[0]).toMatchObject({ value: 50, count: 4, details: { satisfied: 2, neutral: 1, dissatisfied: 1 } });

    const ces1 = [1, 7, 4];
    const ces2 = [2, 3];
    await answers(id, "ces", "2026-05-04", ces1); // ISO week of Mon 2026-05-04
    await answers(id, "ces", "2026-05-12", ces2); // week of Mon 2026-05-11
    const w = await call(p, "track_cs_metrics", { metric_type: "ces", client_id: id, period_start: "2026-05-04", period_end: "2026-05-24", granularity: "week" });
    const mean = (s: number[]) => r2(s.reduce((a, b) => a + b, 0) / s.length);
    expect(w.series.map((s: { bucket_start: string; value: number | null; count: number }) => [s.bucket_start, s.value, s.count])).toEqual([
      ["2026-05-04", mean(ces1), 3],
      ["2026-05-11", mean(ces2), 2],
      ["2026-05-18", null, 0],
    ]);
    expect(w.summary.period_value).toBe(mean([...ces1, ...ces2]));
  });

  it("support satisfaction from ticket ratings by resolution time", async () => {
    const id = await account();
    const t0 = ts("2026-04-01");
    const ticket = (rating: number | null, resolved: string | null) => ({ account_id: id, subject: "s", satisfaction_rating: rating, created_at: t0, first_response_due_at: t0, resolution_due_at: t0, resolved_at: resolved ? ts(resolved) : null });
    await t.db.prisma.supportTicket.createMany({ data: [ticket(4, "2026-04-03"), ticket(5, "2026-04-20"), ticket(2, "2026-04-21"), ticket(null, "2026-04-22"), ticket(1, "2026-05-02")] });
    const r = await call(p, "track_cs_metrics", { metric_type: "support_satisfaction", client_id: id, period_start: "2026-04-01", period_end: "2026-05-31" });
    expect(r.series.map((s: { value: number | null; count: number }) => [s.value, s.count])).toEqual([
      [csat([4, 5, 2]), 3],
      [csat([1]), 1],
    ]);
    expect(csat([4, 5, 2])).toBe(66.7);
  });

  it("churn and retention per month and per tier, from every stored account", async () => {
    // Accounts that were customers from 2025 on; some churn in March and May 2026, one signs up in April.
    await account({ tier: "starter" });
    await account({ tier: "starter", status: "churned", churned_at: ts("2026-03-15") });
    await account({ tier: "enterprise", status: "churned", churned_at: ts("2026-05-01") });
    await account({ tier: "enterprise" });
    await account({ tier: "starter", created_at: ts("2026-04-10"), status: "churned", churned_at: ts("2026-04-20") });
    await account({ tier: "enterprise", churned_at: new Date("2026-03-01T00:00:00.000Z"), status: "churned" }); // churned at the bucket's first instant

    const all = await t.db.prisma.account.findMany({ select: { tier: true, created_at: true, churned_at: true } });
    const months = [["2026-03-01", "2026-04-01"], ["2026-04-01", "2026-05-01"], ["2026-05-01", "2026-06-01"]] as const;
    const expected = (tier: string | null) =>
      months.map(([s, e]) => {
        const bs = new Date(`${s}T00:00:00Z`);
        const be = new Date(`${e}T00:00:00Z`);
        const pool = all.filter((a) => (tier === null || a.tier === tier) && a.created_at < bs && (a.churned_at === null || a.churned_at >= bs));
        const churned = pool.filter((a) => a.churned_at && a.churned_at < be).length;
        return pool.length ? { value: r2((churned / pool.length) * 100), count: pool.length, churned } : { value: null, count: 0, churned: 0 };
      });
    const r = await call(p, "track_cs_metrics", { metric_type: "churn_rate", period_start: "2026-03-01", period_end: "2026-05-31", segment_by: "tier" });
    expect(r.series.map((s: { value: number | null; count: number; details: { churned: number } }) => ({ value: s.value, count: s.count, churned: s.details.churned }))).toEqual(expected(null));
    expect(expected(null).map((e) => e.churned)).toEqual([2, 0, 1]); // the April sign-up churned in its first month: not in the base
    for (const tier of ["starter", "enterprise"]) {
      const seg = r.segments.find((s: { segment: string }) => s.segment === tier);
      expect(seg.series.map((s: { value: number | null; count: number; details: { churned: number } }) => ({ value: s.value, count: s.count, churned: s.details.churned }))).toEqual(expected(tier));
    }
    const ret = await call(p, "track_cs_metrics", { metric_type: "retention_rate", period_start: "2026-03-01", period_end: "2026-05-31" });
    expect(ret.series.map((s: { value: number }) => s.value)).toEqual(expected(null).map((e) => (e.value === null ? null : r2(100 - e.value))));
  });

  it("health and engagement: the mean of each account's latest score in the bucket", async () => {
    const a = await account();
    const b = await account();
    const h = (account_id: string, day: string, overall: number, engagement: number | null) => ({ account_id, overall_score: overall, engagement_score: engagement, weights: {}, trend: "stable", band: "healthy", calculated_at: ts(day) });
    await t.db.prisma.healthScore.createMany({ data: [h(a, "2026-05-02", 40, 30), h(a, "2026-05-20", 80, null), h(b, "2026-05-10", 65, 70), h(b, "2026-06-03", 90, 95)] });
    const r = await call(p, "track_cs_metrics", { metric_type: "health_score", client_id: a, period_start: "2026-05-01", period_end: "2026-06-14" });
    expect(r.series.map((s: { value: number | null; count: number }) => [s.value, s.count])).toEqual([[80, 1], [null, 0]]);
    const e = await call(p, "track_cs_metrics", { metric_type: "engagement_score", client_id: a, period_start: "2026-05-01", period_end: "2026-05-31" });
    expect(e.series[0]).toMatchObject({ value: 30, count: 1 }); // the latest row without the component is skipped
    const both = await call(p, "track_cs_metrics", { metric_type: "health_score", period_start: "2026-05-01", period_end: "2026-05-31", segment_by: "csm" });
    const seg = both.segments.find((s: { segment: string }) => s.segment === "unassigned");
    expect(seg).toBeTruthy();
    // Portfolio May: a → 80 (latest), b → 65, plus nothing else stored in this database.
    expect(both.series[0]).toMatchObject({ value: r1((80 + 65) / 2), count: 2 });
  });

  it("time to value by signup cohort, and feature adoption of one account's users", async () => {
    const t1 = await account({ created_at: ts("2025-07-03") });
    const t2 = await account({ created_at: ts("2025-07-10") });
    await account({ created_at: ts("2025-08-05") }); // no usage: in the cohort, never reaches first value
    const ev = (account_id: string, user_id: string, day: string, event: string, feature: string | null) => ({ account_id, user_id, event, feature, occurred_at: ts(day) });
    await t.db.prisma.usageEvent.createMany({
      data: [
        ev(t1, "u1", "2025-07-04", "login", null),
        ev(t1, "u1", "2025-07-08", "feature_used", "reports"), // first value: 5 days
        ev(t2, "v1", "2025-07-20", "feature_used", "export"), // 10 days
        ev(t2, "v2", "2025-07-21", "login", "export"), // a login never counts as value
      ],
    });
    const r = await call(p, "track_cs_metrics", { metric_type: "time_to_value", period_start: "2025-07-01", period_end: "2025-09-30" });
    expect(r.series.map((s: { value: number | null; count: number; details: Record<string, number | null> }) => [s.value, s.count, s.details.reached_first_value])).toEqual([
      [(5 + 10) / 2, 2, 2],
      [null, 1, 0],
      [null, 0, 0],
    ]);

    // Feature adoption of t2's users in July 2025: v1 used a feature, v2 only logged in (naming a feature).
    const fa = await call(p, "track_cs_metrics", { metric_type: "feature_adoption", client_id: t2, period_start: "2025-07-01", period_end: "2025-07-31" });
    expect(fa.series[0]).toMatchObject({ value: 100, count: 2, details: { active: 2, adopters: 2 } });
    const one = await call(p, "track_cs_metrics", { metric_type: "feature_adoption", client_id: t1, feature: "reports", period_start: "2025-07-01", period_end: "2025-07-31" });
    expect(one.series[0]).toMatchObject({ value: 100, count: 1 });
    const none = await call(p, "track_cs_metrics", { metric_type: "feature_adoption", client_id: t1, feature: "export", period_start: "2025-07-01", period_end: "2025-07-31" });
    expect(none.series[0]).toMatchObject({ value: 0, count: 1 });
  });

  it("names bad combinations", async () => {
    const id = await account();
    expect((await callError(p, "track_cs_metrics", { metric_type: "nps", client_id: id, segment_by: "tier" })).message).toBe("segment_by: not with client_id (one account is a single segment); omit one of them");
    expect((await callError(p, "track_cs_metrics", { metric_type: "nps", feature: "x" })).message).toBe("feature: only used with metric_type 'feature_adoption' (not 'nps')");
    expect((await callError(p, "track_cs_metrics", { metric_type: "nps", period: "last_30_days", period_start: "2026-01-01" })).message).toBe(
      "period: 'last_30_days' cannot be combined with period_start/period_end; use period 'custom' or omit period",
    );
    expect((await callError(p, "track_cs_metrics", { metric_type: "nps", period_start: "2024-01-01", period_end: "2026-01-01", granularity: "day" })).message).toBe(
      "granularity: day buckets over this period exceed 150; choose a coarser granularity or a shorter period",
    );
    // The size rule: at most 150 points (buckets × series), so by day over 12 months per segment is refused.
    expect((await callError(p, "track_cs_metrics", { metric_type: "nps", period: "last_12_months", granularity: "day", segment_by: "industry" })).message).toBe(
      "granularity: day buckets over this period exceed 75 with segment_by; choose a coarser granularity or a shorter period",
    );
    expect((await callError(p, "track_cs_metrics", { metric_type: "nps_score" })).message).toContain("metric_type: must be one of nps, csat, ces");
  });
});
