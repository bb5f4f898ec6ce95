// analyze_support_performance on both back ends: every figure is recomputed here from the fixture tickets
// (times, medians and p90 by linear interpolation, SLA attainment, CSAT %, backlog buckets, breakdowns) and
// compared with the tool's answer.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { call, pipelineFor } from "../helpers/pipeline.ts";
import { supportTools } from "../../src/tools/support/index.ts";
import type { ToolPipeline } from "../../src/server/pipeline.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const MIN = 60_000;
const DAY = 1440 * MIN;
const TARGET: Record<string, number> = { P1: 240, P2: 480, P3: 1440, P4: 2880 };
const FR_TARGET = 15;
const PERIOD_DAYS = 30;

interface Fixture {
  name: string;
  priority: "P1" | "P2" | "P3" | "P4";
  createdMinAgo: number;
  frAfter?: number; // minutes after creation
  resolvedAfter?: number;
  rating?: number;
  assigned?: string;
  team?: string;
}

// Times in minutes; "open" when there is no resolvedAfter.
const FIXTURES: Fixture[] = [
  { name: "t1", priority: "P1", createdMinAgo: 10 * 1440, frAfter: 10, resolvedAfter: 200, rating: 5, assigned: "ann@vendor.test", team: "Tech" },
  { name: "t2", priority: "P2", createdMinAgo: 9 * 1440, frAfter: 20, resolvedAfter: 500, rating: 3, assigned: "Bo Billing" },
  { name: "t3", priority: "P3", createdMinAgo: 8 * 1440, frAfter: 5, resolvedAfter: 1000, rating: 4 },
  { name: "t4", priority: "P3", createdMinAgo: 5 * 1440, frAfter: 15, assigned: "ann@vendor.test" },
  { name: "t5", priority: "P4", createdMinAgo: 60 },
  { name: "t6", priority: "P2", createdMinAgo: 40 * 1440, frAfter: 3, resolvedAfter: 5 * 1440 },
  { name: "t7", priority: "P3", createdMinAgo: 45 * 1440, frAfter: 30, resolvedAfter: 43 * 1440, rating: 2 },
];

/** Percentile by linear interpolation between closest ranks (what percentile_cont does), written out here. */
function percentile(values: number[], q: number): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}
const r1 = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : null);

function expected(fx: Fixture[]) {
  const nowMin = 0;
  const startMin = -PERIOD_DAYS * 1440;
  const created = (f: Fixture) => nowMin - f.createdMinAgo;
  const inPeriod = (m: number) => m > startMin && m <= nowMin;
  const createdIn = fx.filter((f) => inPeriod(created(f)));
  const resolvedIn = fx.filter((f) => f.resolvedAfter !== undefined && inPeriod(created(f) + f.resolvedAfter));
  const fr = createdIn.filter((f) => f.frAfter !== undefined).map((f) => f.frAfter!);
  const res = resolvedIn.map((f) => f.resolvedAfter!);
  // SLA: decided when the event happened, or when it did not and the due time has passed on an open ticket.
  const decide = (event: number | undefined, target: number, age: number) => (event !== undefined ? (event <= target ? "met" : "breached") : age > target ? "breached" : null);
  const frS = createdIn.map((f) => decide(f.frAfter ?? f.resolvedAfter, FR_TARGET, f.createdMinAgo));
  const resS = createdIn.map((f) => decide(f.resolvedAfter, TARGET[f.priority]!, f.createdMinAgo));
  const att = (s: Array<string | null>) => {
    const met = s.filter((x) => x === "met").length;
    const breached = s.filter((x) => x === "breached").length;
    return { met, breached, attainment_percent: met + breached ? Math.round((met / (met + breached)) * 1000) / 10 : null };
  };
  const ratings = resolvedIn.filter((f) => f.rating !== undefined).map((f) => f.rating!);
  return {
    tickets_created: createdIn.length,
    tickets_resolved: resolvedIn.length,
    open_now: fx.filter((f) => f.resolvedAfter === undefined).length,
    escalated: 0,
    first_response_minutes: { count: fr.length, median: r1(percentile(fr, 0.5)), mean: r1(mean(fr)), p90: r1(percentile(fr, 0.9)) },
    resolution_minutes: { count: res.length, median: r1(percentile(res, 0.5)), mean: r1(mean(res)), p90: r1(percentile(res, 0.9)) },
    sla: { first_response: att(frS), resolution: att(resS) },
    csat: {
      responses: ratings.length,
      satisfied: ratings.filter((r) => r >= 4).length,
      csat_percent: ratings.length ? Math.round((ratings.filter((r) => r >= 4).length / ratings.length) * 1000) / 10 : null,
      mean_rating: ratings.length ? Math.round((ratings.reduce((a, b) => a + b, 0) / ratings.length) * 100) / 100 : null,
    },
  };
}

describe.each(BACKENDS)("analyze_support_performance on %s", (backend) => {
  let t: TestDb;
  let p: ToolPipeline;
  const id = `cs_1700000000_perf_${backend}`;
  const other = `cs_1700000000_perf_other_${backend}`;

  beforeAll(async () => {
    t = await openTestDb(backend);
    p = pipelineFor(t, supportTools, NOW);
    for (const a of [id, other]) await t.db.prisma.account.create({ data: { id: a, client_name: a, company_name: a, company_key: a } });
    await t.db.prisma.supportAgent.createMany({
      data: [
        { email: "ann@vendor.test", name: "Ann Tech", team: "Tech" },
        { email: "bo@vendor.test", name: "Bo Billing", team: "Billing" },
      ],
    });
    for (const f of FIXTURES) {
      const created = new Date(NOW.getTime() - f.createdMinAgo * MIN);
      const at = (m: number | undefined) => (m === undefined ? null : new Date(created.getTime() + m * MIN));
      await t.db.prisma.supportTicket.create({
        data: {
          account_id: id,
          subject: f.name,
          priority: f.priority,
          status: f.resolvedAfter === undefined ? "open" : "resolved",
          assigned_agent: f.assigned ?? null,
          team: f.team ?? null,
          created_at: created,
          first_response_due_at: new Date(created.getTime() + FR_TARGET * MIN),
          resolution_due_at: new Date(created.getTime() + TARGET[f.priority]! * MIN),
          first_response_at: at(f.frAfter),
          resolved_at: at(f.resolvedAfter),
          satisfaction_rating: f.rating ?? null,
        },
      });
    }
    // Another account's ticket: left out when client_id is given.
    await t.db.prisma.supportTicket.create({
      data: { account_id: other, subject: "other", priority: "P1", created_at: new Date(NOW.getTime() - DAY), first_response_due_at: new Date(NOW.getTime() - DAY + 15 * MIN), resolution_due_at: new Date(NOW.getTime() - DAY + 240 * MIN) },
    });
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("totals: volume, median/mean/p90 times, SLA attainment and CSAT % match the figures recomputed from the tickets", async () => {
    const r = await call(p, "analyze_support_performance", { client_id: id, period_days: PERIOD_DAYS });
    const e = expected(FIXTURES);
    expect(r.totals).toEqual(e);
    // The same figures written out, as a reader would check them by hand:
    // first responses of t1–t4 = 10, 20, 5, 15 → median 12.5, p90 18.5; first-response SLA met t1, t3, t4 (15 = due), breached
    // t2 (20) and t5 (open 60 min, no reply) → 60 %; resolution met t1, t3, breached t2 and t4 (open 5 days) → 50 %;
    // CSAT over t1, t2, t3, t7 (resolved in the period) = 5, 3, 4, 2 → 50 %.
    expect(r.totals.first_response_minutes).toEqual({ count: 4, median: 12.5, mean: 12.5, p90: 18.5 });
    expect(r.totals.sla.first_response.attainment_percent).toBe(60);
    expect(r.totals.sla.resolution.attainment_percent).toBe(50);
    expect(r.totals.csat.csat_percent).toBe(50);
    expect(r.backlog).toMatchObject({
      open_now: 2,
      unassigned: 1,
      by_age: { under_1_day: 1, "1_to_3_days": 0, "3_to_7_days": 1, "7_to_30_days": 0, "30_days_or_more": 0 },
      sla_breached: 2,
      escalation_due: 1,
      oldest_created_at: new Date(NOW.getTime() - 5 * DAY).toISOString(),
    });
    expect(r.missing_data).toEqual([]);
  });

  it("breaks down by priority, agent (matched by email or name) and team (the ticket's, else its agent's)", async () => {
    const r = await call(p, "analyze_support_performance", { client_id: id, period_days: PERIOD_DAYS, analysis_type: "full" });
    for (const prio of ["P1", "P2", "P3", "P4"]) {
      const row = r.by_priority.find((g: { key: string }) => g.key === prio);
      const { key: _k, label: _l, ...figures } = row;
      expect(figures, prio).toEqual(expected(FIXTURES.filter((f) => f.priority === prio)));
    }
    const agentOf = (f: Fixture) => (f.assigned === "Bo Billing" ? "bo@vendor.test" : (f.assigned ?? null));
    for (const key of ["ann@vendor.test", "bo@vendor.test", null]) {
      const row = r.by_agent.find((g: { key: string | null }) => g.key === key);
      const { key: _k, label: _l, ...figures } = row;
      expect(figures, String(key)).toEqual(expected(FIXTURES.filter((f) => agentOf(f) === key)));
    }
    expect(r.by_agent.map((g: { label: string }) => g.label)).toEqual(["Ann Tech", "Bo Billing", "(unassigned)"]);
    const teamOf = (f: Fixture) => f.team ?? (agentOf(f) === "ann@vendor.test" ? "Tech" : agentOf(f) === "bo@vendor.test" ? "Billing" : null);
    expect(r.by_team.map((g: { key: string | null; tickets_created: number }) => [g.key, g.tickets_created])).toEqual(
      ["Billing", "Tech", null].map((k) => [k, FIXTURES.filter((f) => teamOf(f) === k && f.createdMinAgo < PERIOD_DAYS * 1440).length]),
    );

    const filtered = await call(p, "analyze_support_performance", { period_days: PERIOD_DAYS, team_filter: "tech" });
    expect(filtered.totals).toEqual(expected(FIXTURES.filter((f) => teamOf(f) === "Tech")));
    const byName = await call(p, "analyze_support_performance", { period_days: PERIOD_DAYS, agent_filter: "Bo Billing" });
    expect(byName.totals.tickets_created).toBe(1);
  });

  it("without client_id counts every account; an account without tickets says what is missing", async () => {
    const all = await call(p, "analyze_support_performance", { period_days: PERIOD_DAYS });
    expect(all.totals.tickets_created).toBe(expected(FIXTURES).tickets_created + 1);
    const empty = `cs_1700000000_perf_empty_${backend}`;
    await t.db.prisma.account.create({ data: { id: empty, client_name: empty, company_name: empty, company_key: empty } });
    const none = await call(p, "analyze_support_performance", { client_id: empty });
    expect(none.totals.tickets_created).toBe(0);
    expect(none.totals.csat.csat_percent).toBeNull();
    expect(none.missing_data).toEqual(["no tickets match this selection: import them (cs-mcp import, kind 'tickets') or create them with handle_support_ticket"]);
  });
});
