// analyze_product_usage on both back ends: feature breakdown, user segments at the active-day cut-offs
// (power ≥ 50 % of the period's days, regular ≥ 20 %), adoption against the portfolio's feature catalog,
// the trend against the previous period, and the same-tier benchmark (median and percentile with ties
// counted half) — every expected figure computed in the test from the events it inserted.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { call, callError, pipelineFor } from "../helpers/pipeline.ts";
import { feedbackTools } from "../../src/tools/feedback/index.ts";
import type { ToolPipeline } from "../../src/server/pipeline.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const X = "cs_1700000000_usage_x";
const P1 = "cs_1700000000_usage_p1";
const P2 = "cs_1700000000_usage_p2";
const P3 = "cs_1700000000_usage_p3";
const OTHER_TIER = "cs_1700000000_usage_other";
const CHURNED = "cs_1700000000_usage_churned";
const day = (d: number, h = 10) => new Date(Date.UTC(2026, 5, d, h)); // June 2026
const PERIOD = { period_start: "2026-06-01", period_end: "2026-06-10" };
const DAYS = 10;

type Ev = { account_id: string; user_id: string; event: string; feature: string | null; occurred_at: Date };

describe.each(BACKENDS)("analyze_product_usage on %s", (backend) => {
  let t: TestDb;
  let p: ToolPipeline;
  const events: Ev[] = [];

  beforeAll(async () => {
    t = await openTestDb(backend);
    p = pipelineFor(t, feedbackTools, NOW);
    const acct = (id: string, tier: string, status = "active") => ({ id, client_name: id, company_name: id, company_key: id, tier: tier as "professional", status: status as "active", created_at: new Date("2025-01-01") });
    await t.db.prisma.account.createMany({ data: [acct(X, "professional"), acct(P1, "professional"), acct(P2, "professional"), acct(P3, "professional"), acct(OTHER_TIER, "starter"), acct(CHURNED, "professional", "churned")] });
    const ev = (account_id: string, user_id: string, at: Date, feature: string | null = null, event = feature ? "feature_used" : "login") => events.push({ account_id, user_id, event, feature, occurred_at: at });
    // X: u1 on 6 days, u2 on 5 (the power boundary), u3 on 4, u4 on 2 (the regular boundary), u5 on 1; u6 only before.
    for (const d of [1, 2, 3, 4, 5, 6]) ev(X, "u1", day(d), "reports");
    for (const d of [1, 3, 5, 7, 9]) ev(X, "u2", day(d), d === 9 ? "export" : null);
    for (const d of [2, 4, 6, 8]) ev(X, "u3", day(d));
    for (const d of [5, 10]) ev(X, "u4", day(d), "export");
    ev(X, "u5", day(10), "reports");
    ev(X, "u5", day(10, 11)); // same day twice: still one active day
    ev(X, "u6", new Date(Date.UTC(2026, 4, 25)), "reports"); // previous period only
    ev(X, "u1", new Date(Date.UTC(2026, 4, 28)));
    // Peers of the same tier: P1 more events (and feature sso), P2 fewer, P3 as many events as X.
    const xEvents = () => events.filter((e) => e.account_id === X && e.occurred_at >= day(1, 0) && e.occurred_at < day(11, 0)).length;
    const n = xEvents();
    for (let i = 0; i < n + 5; i++) ev(P1, `p1u${i % 3}`, day(1 + (i % 10), 10 + (i % 12)), i === 0 ? "sso" : null);
    for (let i = 0; i < 3; i++) ev(P2, "p2u", day(2 + i));
    for (let i = 0; i < n; i++) ev(P3, `p3u${i % 2}`, day(1 + (i % 10), 8 + Math.floor(i / 10)));
    // Not peers: another tier, a churned account.
    for (let i = 0; i < 50; i++) ev(OTHER_TIER, "o", day(1 + (i % 10), 1 + Math.floor(i / 10)), "billing");
    for (let i = 0; i < 2; i++) ev(CHURNED, "c", day(3 + i));
    await t.db.prisma.usageEvent.createMany({ data: events });
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  const inPeriod = (e: Ev) => e.occurred_at >= day(1, 0) && e.occurred_at < day(11, 0);
  const dayKey = (d: Date) => d.toISOString().slice(0, 10);

  it("segments users by active days at the documented cut-offs", async () => {
    const r = await call(p, "analyze_product_usage", { client_id: X, ...PERIOD });
    const powerDays = Math.ceil(0.5 * DAYS);
    const regularDays = Math.ceil(0.2 * DAYS);
    const activeDays = new Map<string, Set<string>>();
    for (const e of events.filter((e) => e.account_id === X && inPeriod(e))) activeDays.set(e.user_id, (activeDays.get(e.user_id) ?? new Set()).add(dayKey(e.occurred_at)));
    const before = new Set(events.filter((e) => e.account_id === X && e.occurred_at < day(1, 0)).map((e) => e.user_id));
    const sizes = [...activeDays.values()].map((s) => s.size);
    expect(r.user_segmentation).toMatchObject({
      power: sizes.filter((s) => s >= powerDays).length,
      regular: sizes.filter((s) => s >= regularDays && s < powerDays).length,
      light: sizes.filter((s) => s < regularDays).length,
      dormant: [...before].filter((u) => !activeDays.has(u)).length,
    });
    expect(r.user_segmentation).toMatchObject({ power: 2, regular: 2, light: 1, dormant: 1 });
    expect(r.summary).toMatchObject({ active_users: activeDays.size, events: events.filter((e) => e.account_id === X && inPeriod(e)).length, days_in_period: DAYS });
  });

  it("breaks usage down by feature and measures adoption against the catalog", async () => {
    const r = await call(p, "analyze_product_usage", { client_id: X, ...PERIOD });
    const mine = events.filter((e) => e.account_id === X && inPeriod(e) && e.feature);
    const features = [...new Set(mine.map((e) => e.feature!))];
    const users = new Set(events.filter((e) => e.account_id === X && inPeriod(e)).map((e) => e.user_id)).size;
    for (const f of features) {
      const rows = mine.filter((e) => e.feature === f);
      expect(r.feature_breakdown.features.find((x: { feature: string }) => x.feature === f)).toEqual({
        feature: f,
        events: rows.length,
        distinct_users: new Set(rows.map((e) => e.user_id)).size,
        share_of_feature_events: Math.round((rows.length / mine.length) * 10_000) / 10_000,
        share_of_active_users: Math.round((new Set(rows.map((e) => e.user_id)).size / users) * 10_000) / 10_000,
      });
    }
    const catalog = new Set(events.filter((e) => e.feature && e.occurred_at < day(11, 0)).map((e) => e.feature!));
    expect(r.adoption).toMatchObject({ features_used: features.length, catalog_features: catalog.size, adoption_rate: Math.round((features.length / catalog.size) * 10_000) / 10_000 });
    expect(r.adoption.unused_features.sort()).toEqual([...catalog].filter((f) => !features.includes(f)).sort());
  });

  it("benchmarks against active accounts of the same tier: median and percentile with ties counted half", async () => {
    const r = await call(p, "analyze_product_usage", { client_id: X, ...PERIOD });
    const perAccount = (id: string) => events.filter((e) => e.account_id === id && inPeriod(e)).length;
    const mine = perAccount(X);
    const peers = [P1, P2, P3].map(perAccount);
    const sorted = [...peers].sort((a, b) => a - b);
    const median = sorted[1]!;
    const pct = Math.round(((100 * (peers.filter((v) => v < mine).length + 0.5 * peers.filter((v) => v === mine).length)) / peers.length) * 10) / 10;
    expect(pct).toBe(50); // one below, one equal, one above
    expect(r.benchmark).toMatchObject({ tier: "professional", peers: 3 });
    expect(r.benchmark.events).toEqual({ account: mine, peer_median: median, percentile: pct });
  });

  it("compares with the previous period of the same length", async () => {
    const r = await call(p, "analyze_product_usage", { client_id: X, ...PERIOD });
    const prev = events.filter((e) => e.account_id === X && e.occurred_at >= new Date(Date.UTC(2026, 4, 22)) && e.occurred_at < day(1, 0));
    const cur = events.filter((e) => e.account_id === X && inPeriod(e));
    expect(r.trend.previous_period).toEqual({ start: "2026-05-22", end: "2026-05-31", days: 10 });
    expect(r.trend.events).toEqual({ current: cur.length, previous: prev.length, change: cur.length - prev.length, change_percent: Math.round(((cur.length - prev.length) / prev.length) * 1000) / 10 });
    expect(r.trend.active_users).toMatchObject({ current: 5, previous: new Set(prev.map((e) => e.user_id)).size });
  });

  it("says what is missing for an account without usage, and refuses an unknown client", async () => {
    await t.db.prisma.account.create({ data: { id: "cs_1700000000_usage_empty", client_name: "e", company_name: "e", company_key: "e", tier: "enterprise" } });
    const r = await call(p, "analyze_product_usage", { client_id: "cs_1700000000_usage_empty", ...PERIOD });
    expect(r.missing_data[0].what).toBe("no usage events are stored for cs_1700000000_usage_empty");
    expect(r.benchmark.peers).toBe(0);
    expect(r.benchmark.events.percentile).toBeNull();
    expect((await callError(p, "analyze_product_usage", { client_id: "cs_1700000000_ghost" })).code).toBe("not_found");
  });
});
