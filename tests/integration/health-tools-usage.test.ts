// track_usage_engagement and track_feature_adoption through the tool pipeline, on both back ends:
// figures computed here from the usage rows the test inserts, and validation errors naming the field.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { call, callError, pipelineFor } from "../helpers/pipeline.ts";
import { ToolPipeline } from "../../src/server/pipeline.ts";
import { healthTools } from "../../src/tools/health/index.ts";

const NOW = new Date("2026-06-17T12:00:00.000Z");
type Ev = { account_id: string; user_id: string; event: string; feature?: string | null; occurred_at: Date };

async function account(t: TestDb, id: string, extra: Record<string, unknown> = {}) {
  await t.db.prisma.account.create({ data: { id, client_name: id, company_name: id, company_key: id, created_at: new Date("2026-01-01T00:00:00Z"), ...extra } });
}
const at = (day: string, hh = 9) => new Date(`${day}T${String(hh).padStart(2, "0")}:00:00Z`);
const dayOf = (d: Date) => d.toISOString().slice(0, 10);
function daysBetween(a: string, b: string): string[] {
  const out: string[] = [];
  for (let d = new Date(`${a}T00:00:00Z`); dayOf(d) <= b; d = new Date(d.getTime() + 86_400_000)) out.push(dayOf(d));
  return out;
}
/** The reference figures, computed from the inserted rows the way the tool defines them. */
function expected(rows: Ev[], account_id: string, start: string, end: string) {
  const inP = rows.filter((r) => r.account_id === account_id && dayOf(r.occurred_at) >= start && dayOf(r.occurred_at) <= end);
  const days = daysBetween(start, end);
  const users = (rs: Ev[]) => new Set(rs.map((r) => r.user_id)).size;
  const daySum = days.reduce((n, d) => n + users(inP.filter((r) => dayOf(r.occurred_at) === d)), 0);
  return {
    total_active_users: users(inP),
    dau: Math.round((daySum / days.length) * 100) / 100,
    logins: inP.filter((r) => r.event === "login").length,
    sessions: inP.filter((r) => r.event === "session_start").length,
    events: inP.length,
    inP,
  };
}

describe.each(BACKENDS)("health usage tools on %s", (backend) => {
  let t: TestDb;
  let p: ToolPipeline;
  const rows: Ev[] = [];
  const A = "cs_1767225600_alpha";
  const B = "cs_1767225600_beta";
  const C = "cs_1767225600_gamma";
  const D = "cs_1767225600_delta";
  const E = "cs_1767225600_epsilon";
  const EMPTY = "cs_1767225600_empty";

  beforeAll(async () => {
    t = await openTestDb(backend);
    p = pipelineFor(t, healthTools, NOW);
    for (const id of [A, B, C, D, E, EMPTY]) await account(t, id);
    // A, 2026-05-04 (Mon) … 2026-05-17 (Sun): u1 logs in and starts a session daily; u2 logs in on three days
    // and runs a report; u3 views a dashboard once; u4 was only seen before the period (dormant).
    for (const d of daysBetween("2026-05-04", "2026-05-17")) {
      rows.push({ account_id: A, user_id: "u1", event: "login", occurred_at: at(d) }, { account_id: A, user_id: "u1", event: "session_start", occurred_at: at(d, 10) });
    }
    for (const d of ["2026-05-04", "2026-05-05", "2026-05-06"]) rows.push({ account_id: A, user_id: "u2", event: "login", occurred_at: at(d) });
    rows.push(
      { account_id: A, user_id: "u2", event: "report_run", feature: "reports", occurred_at: at("2026-05-05", 11) },
      { account_id: A, user_id: "u3", event: "dashboard_view", feature: "dashboards", occurred_at: at("2026-05-12", 11) },
      { account_id: A, user_id: "u4", event: "login", occurred_at: at("2026-04-20") },
      { account_id: A, user_id: "u2", event: "login", occurred_at: at("2026-05-18") }, // after the period
      { account_id: B, user_id: "b1", event: "login", occurred_at: at("2026-05-04") },
      // the last 30 days (feature adoption): C uses reports and dashboards, D reports, E only logs in
      { account_id: C, user_id: "c1", event: "login", occurred_at: at("2026-06-10") },
      { account_id: C, user_id: "c1", event: "report_run", feature: "reports", occurred_at: at("2026-06-10", 11) },
      { account_id: C, user_id: "c2", event: "dashboard_view", feature: "dashboards", occurred_at: at("2026-06-11") },
      { account_id: D, user_id: "d1", event: "report_run", feature: "reports", occurred_at: at("2026-06-12") },
      { account_id: E, user_id: "e1", event: "login", occurred_at: at("2026-06-13") },
    );
    await t.db.prisma.usageEvent.createMany({ data: rows.map((r) => ({ ...r, feature: r.feature ?? null })) });
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("track_usage_engagement: DAU/WAU/MAU, logins, sessions and weekly buckets from the stored events", async () => {
    const r = await call(p, "track_usage_engagement", { client_id: A, period_start: "2026-05-04", period_end: "2026-05-17", granularity: "weekly", include_user_segmentation: true });
    const e = expected(rows, A, "2026-05-04", "2026-05-17");
    expect(r.summary).toMatchObject({ total_active_users: e.total_active_users, dau: e.dau, logins: e.logins, sessions: e.sessions, events: e.events, days_in_period: 14 });
    // two ISO weeks, each with 2 distinct users; one month (May) with 3
    const w1 = expected(rows, A, "2026-05-04", "2026-05-10");
    const w2 = expected(rows, A, "2026-05-11", "2026-05-17");
    expect(r.summary.wau).toBe((w1.total_active_users + w2.total_active_users) / 2);
    expect(r.summary.mau).toBe(e.total_active_users);
    expect(r.buckets).toEqual([
      { bucket_start: "2026-05-04", bucket_end: "2026-05-10", active_users: w1.total_active_users, avg_daily_active_users: w1.dau, logins: w1.logins, sessions: w1.sessions, events: w1.events },
      { bucket_start: "2026-05-11", bucket_end: "2026-05-17", active_users: w2.total_active_users, avg_daily_active_users: w2.dau, logins: w2.logins, sessions: w2.sessions, events: w2.events },
    ]);
    expect(r.feature_breakdown.features).toEqual([
      { feature: "dashboards", events: 1, users: 1, share_of_active_users: Math.round((1 / 3) * 10000) / 10000 },
      { feature: "reports", events: 1, users: 1, share_of_active_users: Math.round((1 / 3) * 10000) / 10000 },
    ]);
    // 14 days: power ≥ 7 active days (u1: 14), regular ≥ 3 (u2: 3), light (u3: 1), dormant (u4)
    expect(r.user_segmentation).toMatchObject({ power: 1, regular: 1, light: 1, dormant: 1 });
    expect(r.missing_data).toEqual([]);
  });

  it("track_usage_engagement: daily and monthly buckets, clipped to the period", async () => {
    const daily = await call(p, "track_usage_engagement", { client_id: A, period_start: "2026-05-10", period_end: "2026-05-12", granularity: "daily", include_feature_breakdown: false });
    expect(daily.buckets.map((b: any) => [b.bucket_start, b.active_users])).toEqual(
      ["2026-05-10", "2026-05-11", "2026-05-12"].map((d) => [d, expected(rows, A, d, d).total_active_users]),
    );
    expect(daily.feature_breakdown).toBeNull();
    const monthly = await call(p, "track_usage_engagement", { client_id: A, period_start: "2026-04-15", period_end: "2026-05-31", granularity: "monthly" });
    expect(monthly.buckets.map((b: any) => [b.bucket_start, b.bucket_end, b.events])).toEqual([
      ["2026-04-15", "2026-04-30", expected(rows, A, "2026-04-15", "2026-04-30").events],
      ["2026-05-01", "2026-05-31", expected(rows, A, "2026-05-01", "2026-05-31").events],
    ]);
  });

  it("track_usage_engagement: benchmark against the portfolio median of accounts with usage in the period", async () => {
    const r = await call(p, "track_usage_engagement", { client_id: A, period_start: "2026-05-04", period_end: "2026-05-17", benchmark_comparison: true });
    const a = expected(rows, A, "2026-05-04", "2026-05-17");
    const b = expected(rows, B, "2026-05-04", "2026-05-17");
    expect(r.benchmark.peer_accounts).toBe(2);
    expect(r.benchmark.logins).toEqual({ account: a.logins, portfolio_median: (a.logins + b.logins) / 2, difference_percent: Math.round(((a.logins - (a.logins + b.logins) / 2) / ((a.logins + b.logins) / 2)) * 1000) / 10 });
    expect(r.benchmark.total_active_users.portfolio_median).toBe((a.total_active_users + b.total_active_users) / 2);
  });

  it("track_usage_engagement: says what is missing and how to import it", async () => {
    const r = await call(p, "track_usage_engagement", { client_id: EMPTY, period_start: "2026-05-01", period_end: "2026-05-31" });
    expect(r.summary.events).toBe(0);
    expect(r.missing_data[0].what).toContain("no usage events are stored");
    expect(r.missing_data[0].how_to_supply).toContain("cs-mcp import usage_events");
    const r2 = await call(p, "track_usage_engagement", { client_id: A, period_start: "2025-01-01", period_end: "2025-01-31" });
    expect(r2.missing_data[0].what).toContain("latest stored event: 2026-05-18T09:00:00.000Z");
  });

  it("track_usage_engagement: validation errors name the field", async () => {
    expect((await callError(p, "track_usage_engagement", { client_id: "acme" })).message).toContain("client_id");
    expect((await callError(p, "track_usage_engagement", { client_id: A, granularity: "hourly" })).message).toContain("granularity");
    expect((await callError(p, "track_usage_engagement", { client_id: A, period_start: "2026-05-10", period_end: "2026-05-01" })).message).toContain("period_end");
    expect((await callError(p, "track_usage_engagement", { client_id: A, mixpanel: true })).message).toContain("mixpanel");
    expect((await callError(p, "track_usage_engagement", { client_id: "cs_1_nobody" })).code).toBe("not_found");
  });

  it("track_feature_adoption: accounts that used each feature ÷ active accounts in the window", async () => {
    const since = new Date(NOW.getTime() - 30 * 86_400_000);
    const win = rows.filter((r) => r.occurred_at >= since && r.occurred_at < NOW);
    const active = new Set(win.map((r) => r.account_id)).size;
    const adopters = (f: string) => new Set(win.filter((r) => r.feature === f).map((r) => r.account_id)).size;
    const r = await call(p, "track_feature_adoption", { time_period_days: 30, adoption_threshold: 0.5 });
    expect(r.eligible).toBe(active);
    const byName = Object.fromEntries(r.features.map((f: any) => [f.feature, f]));
    expect(byName.reports).toMatchObject({ adopters: adopters("reports"), adoption_rate: Math.round((adopters("reports") / active) * 10000) / 10000, under_adopted: false });
    expect(byName.dashboards).toMatchObject({ adopters: adopters("dashboards"), adoption_rate: Math.round((adopters("dashboards") / active) * 10000) / 10000, under_adopted: true });
    expect(r.under_adopted).toEqual(["dashboards"]);
    expect(r.features[0].feature).toBe("dashboards"); // least adopted first
  });

  it("track_feature_adoption: users within one account, one feature, and pagination", async () => {
    const r = await call(p, "track_feature_adoption", { client_id: C, time_period_days: 30 });
    expect(r.scope).toEqual({ level: "users", client_id: C });
    expect(r.eligible).toBe(2);
    expect(r.features.map((f: any) => [f.feature, f.adopters, f.adoption_rate])).toEqual([
      ["dashboards", 1, 0.5],
      ["reports", 1, 0.5],
    ]);
    const one = await call(p, "track_feature_adoption", { client_id: E, feature_id: "reports" });
    expect(one.features).toEqual([expect.objectContaining({ feature: "reports", adopters: 0, adoption_rate: 0, under_adopted: true })]);
    const page = await call(p, "track_feature_adoption", { limit: 1 });
    expect(page.features).toHaveLength(1);
    expect(page.next_offset).toBe(1);
    expect((await callError(p, "track_feature_adoption", { adoption_threshold: 2 })).message).toContain("adoption_threshold");
  });
});
