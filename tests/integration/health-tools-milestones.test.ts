// track_adoption_milestones through the tool pipeline, on both back ends: each milestone's date, days and
// status recomputed here from the usage rows the test inserts (accounts created on known dates), a custom
// milestone, the portfolio summary with pagination, missing data, and validation errors naming the field.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { pipelineFor } from "../helpers/pipeline.ts";
import { ToolPipeline } from "../../src/server/pipeline.ts";
import { healthTools } from "../../src/tools/health/index.ts";

const NOW = new Date("2026-06-17T12:00:00.000Z");
const DAY = 86_400_000;
type Ev = { account_id: string; user_id: string; event: string; feature?: string | null; occurred_at: Date };

async function call(p: ToolPipeline, args: Record<string, unknown>) {
  const r = await p.call("track_adoption_milestones", args);
  if (r.isError) throw new Error(`unexpected error: ${JSON.stringify(r.content)}`);
  return { data: r.structuredContent as any, text: (r.content[0] as { text: string }).text };
}
async function callError(p: ToolPipeline, args: Record<string, unknown>) {
  const r = await p.call("track_adoption_milestones", args);
  expect(r.isError).toBe(true);
  return JSON.parse((r.content[0] as { text: string }).text).error as { code: string; message: string };
}
const at = (day: string, hh = 9) => new Date(`${day}T${String(hh).padStart(2, "0")}:00:00Z`);
const utcDay = (d: Date) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
const calendarDays = (from: Date, to: Date) => Math.round((utcDay(to) - utcDay(from)) / DAY);

// ---- the reference: milestone dates recomputed from the inserted rows, the way the tool defines them ----
type Ref = { kind: "match"; pred: (e: Ev) => boolean; minUsers: number } | { kind: "breadth"; features: number; users: number };
function nthUser(evs: Ev[], pred: (e: Ev) => boolean, n: number): Date | null {
  const first = new Map<string, number>();
  for (const e of evs) if (pred(e)) first.set(e.user_id, Math.min(first.get(e.user_id) ?? Infinity, e.occurred_at.getTime()));
  const sorted = [...first.values()].sort((a, b) => a - b);
  return sorted.length >= n ? new Date(sorted[n - 1]!) : null;
}
function reachedAt(evs: Ev[], r: Ref): Date | null {
  if (r.kind === "match") return nthUser(evs, r.pred, r.minUsers);
  const perFeature = [...new Set(evs.filter((e) => e.feature).map((e) => e.feature!))]
    .map((f) => nthUser(evs, (e) => e.feature === f, r.users))
    .filter((d): d is Date => d !== null)
    .map((d) => d.getTime())
    .sort((a, b) => a - b);
  return perFeature.length >= r.features ? new Date(perFeature[r.features - 1]!) : null;
}
/** Created on a UTC day before the first stored usage event of any account: its early usage is not held. */
function beforeHistory(rows: Ev[], created: Date): boolean {
  const held = rows.filter((e) => e.occurred_at <= NOW).map((e) => e.occurred_at.getTime());
  return held.length === 0 || utcDay(created) < utcDay(new Date(Math.min(...held)));
}
function expectedAccount(rows: Ev[], id: string, created: Date, framework: Array<{ name: string; ref: Ref; target: number }>) {
  const evs = rows.filter((e) => e.account_id === id && e.occurred_at <= NOW);
  const age = calendarDays(created, NOW);
  const before = beforeHistory(rows, created);
  return framework.map((f) => {
    const r = reachedAt(evs, f.ref);
    const reachedDays = r ? Math.max(0, calendarDays(created, r)) : null;
    const judged = reachedDays !== null ? (reachedDays <= f.target ? "on_time" : "late") : age > f.target ? "overdue" : "pending";
    // late or overdue cannot be judged for an account older than the usage history
    const status = before && (judged === "late" || judged === "overdue") ? "unknown" : judged;
    const days = status === "unknown" ? null : reachedDays;
    return {
      name: f.name,
      reached_at: r ? r.toISOString() : null,
      days_to_reach: days,
      target_days: f.target,
      status,
      days_past_target: status === "late" ? days! - f.target : status === "overdue" ? age - f.target : null,
    };
  });
}
function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

describe.each(BACKENDS)("track_adoption_milestones on %s", (backend) => {
  let t: TestDb;
  let p: ToolPipeline;
  const rows: Ev[] = [];
  const A = "cs_1780300800_alpha"; // created 2026-06-01 08:00: a fast onboarding, all users active within two weeks
  const B = "cs_1775001600_beta"; // created 2026-04-01: one user, late first value, no activation
  const C = "cs_1781481600_gamma"; // created 2026-06-15: no usage yet
  const D = "cs_1775001600_delta"; // churned: left out of the portfolio, still answerable by client_id
  const E = "cs_1778371200_epsilon"; // created 2026-05-10, usage imported from before the record existed
  const F = "cs_1772323200_zeta"; // created 2026-03-01, before the usage history (from 2026-03-20): timing unknown
  const created: Record<string, Date> = {
    [A]: new Date("2026-06-01T08:00:00Z"),
    [B]: new Date("2026-04-01T00:00:00Z"),
    [C]: new Date("2026-06-15T23:30:00Z"),
    [D]: new Date("2026-04-01T00:00:00Z"),
    [E]: new Date("2026-05-10T00:00:00Z"),
    [F]: new Date("2026-03-01T00:00:00Z"),
  };
  let T: { first: number; act: number; full: number };
  /** The default framework as the tool documents it, with 'reports' as the portfolio's top feature. */
  const defaults = (key: string[]) => [
    { name: "first_login", ref: { kind: "match", pred: (e: Ev) => e.event === "login", minUsers: 1 } as Ref, target: T.first },
    { name: "first_value", ref: { kind: "match", pred: (e: Ev) => e.event !== "login" && !!e.feature, minUsers: 1 } as Ref, target: T.first },
    { name: "activation", ref: { kind: "match", pred: () => true, minUsers: 3 } as Ref, target: T.act },
    { name: "key_feature_used", ref: { kind: "match", pred: (e: Ev) => key.includes(e.feature ?? ""), minUsers: 1 } as Ref, target: T.act },
    { name: "integration_connected", ref: { kind: "match", pred: (e: Ev) => e.event === "integration_connected", minUsers: 1 } as Ref, target: T.act },
    { name: "full_value", ref: { kind: "breadth", features: 3, users: 2 } as Ref, target: T.full },
  ];

  beforeAll(async () => {
    // the first-value target comes from the configuration: 5 here instead of the default 7
    t = await openTestDb(backend, { TTV_FIRST_VALUE_DAYS: "5" });
    p = pipelineFor(t, healthTools, NOW);
    T = { first: t.config.TTV_FIRST_VALUE_DAYS, act: t.config.TTV_ACTIVATION_DAYS, full: t.config.TTV_FULL_VALUE_DAYS };
    for (const id of [A, B, C, D, E, F]) {
      await t.db.prisma.account.create({ data: { id, client_name: id, company_name: `Co ${id.split("_")[2]}`, company_key: id, created_at: created[id]!, status: id === D ? "churned" : "active" } });
    }
    rows.push(
      { account_id: D, user_id: "d0", event: "login", occurred_at: at("2026-03-20") }, // the first stored usage event
      { account_id: F, user_id: "f1", event: "login", occurred_at: at("2026-04-10") }, // 40 days after F's creation
      { account_id: A, user_id: "u1", event: "login", occurred_at: at("2026-06-02") },
      { account_id: A, user_id: "u1", event: "report_run", feature: "reports", occurred_at: at("2026-06-04") },
      { account_id: A, user_id: "u2", event: "login", occurred_at: at("2026-06-05") },
      { account_id: A, user_id: "u2", event: "report_run", feature: "reports", occurred_at: at("2026-06-06") },
      { account_id: A, user_id: "u3", event: "dashboard_view", feature: "dashboards", occurred_at: at("2026-06-09") },
      { account_id: A, user_id: "u1", event: "dashboard_view", feature: "dashboards", occurred_at: at("2026-06-10") },
      { account_id: A, user_id: "u2", event: "export_csv", feature: "exports", occurred_at: at("2026-06-11") },
      { account_id: A, user_id: "u3", event: "export_csv", feature: "exports", occurred_at: at("2026-06-12", 15) },
      { account_id: A, user_id: "u1", event: "integration_connected", occurred_at: at("2026-06-20") }, // after NOW: not counted
      { account_id: B, user_id: "b1", event: "login", occurred_at: at("2026-04-03") },
      { account_id: B, user_id: "b1", event: "report_run", feature: "reports", occurred_at: at("2026-04-15") },
      { account_id: B, user_id: "b1", event: "integration_connected", occurred_at: at("2026-04-20") },
      { account_id: D, user_id: "d1", event: "dashboard_view", feature: "dashboards", occurred_at: at("2026-04-02") },
      { account_id: D, user_id: "d2", event: "dashboard_view", feature: "dashboards", occurred_at: at("2026-04-03") },
      { account_id: E, user_id: "e1", event: "login", occurred_at: at("2026-05-01") },
      { account_id: E, user_id: "e2", event: "login", occurred_at: at("2026-05-12") },
    );
    await t.db.prisma.usageEvent.createMany({ data: rows.map((r) => ({ ...r, feature: r.feature ?? null })) });
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("one account: each default milestone's date, days from creation and status, targets from the configuration", async () => {
    const { data: r, text } = await call(p, { client_id: A });
    expect(r.mode).toBe("account");
    expect(r.framework.map((f: any) => [f.name, f.target_days, f.target_source])).toEqual([
      ["first_login", 5, "TTV_FIRST_VALUE_DAYS"],
      ["first_value", 5, "TTV_FIRST_VALUE_DAYS"],
      ["activation", T.act, "TTV_ACTIVATION_DAYS"],
      ["key_feature_used", T.act, "TTV_ACTIVATION_DAYS"],
      ["integration_connected", T.act, "TTV_ACTIVATION_DAYS"],
      ["full_value", T.full, "TTV_FULL_VALUE_DAYS"],
    ]);
    // 'reports' is used by two active accounts (A, B); 'dashboards' by A only (D is churned)
    expect(r.framework[3].definition).toContain("'reports'");
    const a = r.accounts[0];
    expect(a).toMatchObject({ client_id: A, customer_since: created[A]!.toISOString(), age_days: calendarDays(created[A]!, NOW), active_users: 3, usage_events: 8 });
    const exp = expectedAccount(rows, A, created[A]!, defaults(["reports"]));
    expect(a.milestones).toEqual(exp);
    // spelled out: login on 06-02 (day 1), activation when u3 appeared on 06-09 (day 8), full value on 06-12
    // (exports' second user, day 11); the 06-20 integration event is after as_of, so it is overdue (age 16 > 14)
    expect(a.milestones.map((m: any) => [m.name, m.days_to_reach, m.status])).toEqual([
      ["first_login", 1, "on_time"],
      ["first_value", 3, "on_time"],
      ["activation", 8, "on_time"],
      ["key_feature_used", 3, "on_time"],
      ["integration_connected", null, "overdue"],
      ["full_value", 11, "on_time"],
    ]);
    expect(a.overdue).toEqual(["integration_connected"]);
    expect(a.reached).toBe(5);
    expect(r.summary).toBeNull();
    expect(r.missing_data).toEqual([]);
    expect(text).toContain("5/6 milestones reached");
  });

  it("late and overdue milestones, usage before the account record, and a churned account by client_id", async () => {
    const b = (await call(p, { client_id: B })).data.accounts[0];
    expect(b.milestones).toEqual(expectedAccount(rows, B, created[B]!, defaults(["reports"])));
    expect(b.milestones.find((m: any) => m.name === "first_value")).toMatchObject({ reached_at: at("2026-04-15").toISOString(), days_to_reach: 14, status: "late", days_past_target: 14 - T.first });
    expect(b.milestones.find((m: any) => m.name === "activation")).toMatchObject({ reached_at: null, status: "overdue", days_past_target: calendarDays(created[B]!, NOW) - T.act });
    const e = (await call(p, { client_id: E })).data.accounts[0];
    expect(e.milestones[0]).toMatchObject({ name: "first_login", reached_at: at("2026-05-01").toISOString(), days_to_reach: 0, status: "on_time" });
    expect(e.milestones).toEqual(expectedAccount(rows, E, created[E]!, defaults(["reports"])));
    const d = (await call(p, { client_id: D })).data.accounts[0];
    expect(d.milestones).toEqual(expectedAccount(rows, D, created[D]!, defaults(["reports"])));
  });

  it("an account older than the usage history: late and overdue become unknown, on time stays", async () => {
    const { data } = await call(p, { client_id: F });
    const f = data.accounts[0];
    expect(f.before_usage_history).toBe(true);
    expect(f.milestones).toEqual(expectedAccount(rows, F, created[F]!, defaults(["reports"])));
    // first login 40 days after creation would be "late", but usage before 2026-03-20 is not held
    expect(f.milestones[0]).toMatchObject({ name: "first_login", reached_at: at("2026-04-10").toISOString(), status: "unknown", days_to_reach: null, days_past_target: null });
    expect(f.milestones.map((m: any) => m.status)).not.toContain("late");
    expect(f.milestones.map((m: any) => m.status)).not.toContain("overdue");
    expect(f.overdue).toEqual([]);
    expect(data.missing_data.map((m: any) => m.what).join(" ")).toContain("created before the first stored usage event");
  });

  it("key_features and a custom milestone added to the default framework", async () => {
    const custom = [
      { name: "exports_by_two", feature: "exports", min_users: 2, target_days: 10 },
      { name: "first_report", event: "report_run", target_days: 2 },
    ];
    const { data: r } = await call(p, { client_id: A, key_features: ["dashboards", "exports"], custom_milestones: custom });
    expect(r.framework.map((f: any) => f.name)).toEqual(["first_login", "first_value", "activation", "key_feature_used", "integration_connected", "full_value", "exports_by_two", "first_report"]);
    expect(r.framework[6]).toMatchObject({ source: "custom", target_days: 10, target_source: "custom_milestones" });
    const fw = [
      ...defaults(["dashboards", "exports"]),
      { name: "exports_by_two", ref: { kind: "match", pred: (e: Ev) => e.feature === "exports", minUsers: 2 } as Ref, target: 10 },
      { name: "first_report", ref: { kind: "match", pred: (e: Ev) => e.event === "report_run", minUsers: 1 } as Ref, target: 2 },
    ];
    expect(r.accounts[0].milestones).toEqual(expectedAccount(rows, A, created[A]!, fw));
    // exports reached its second user on 06-12 15:00: day 11 of a 10-day target; the first report on 06-04: day 3 of 2
    expect(r.accounts[0].milestones.slice(6).map((m: any) => [m.reached_at, m.days_to_reach, m.status])).toEqual([
      [at("2026-06-12", 15).toISOString(), 11, "late"],
      [at("2026-06-04").toISOString(), 3, "late"],
    ]);
    expect(r.accounts[0].milestones[3]).toMatchObject({ name: "key_feature_used", reached_at: at("2026-06-09").toISOString(), days_to_reach: 8 });

    // milestone_framework 'custom': only the custom milestones
    const only = (await call(p, { client_id: A, milestone_framework: "custom", custom_milestones: custom })).data;
    expect(only.framework.map((f: any) => f.name)).toEqual(["exports_by_two", "first_report"]);
    expect(only.accounts[0].milestones).toEqual(expectedAccount(rows, A, created[A]!, fw.slice(6)));
  });

  it("portfolio: per-milestone reach rate, median days, on time / late / overdue over the active accounts, paginated newest first", async () => {
    const active = [A, B, C, E, F];
    const fw = defaults(["reports"]);
    const per = Object.fromEntries(active.map((id) => [id, expectedAccount(rows, id, created[id]!, fw)]));
    const { data: r, text } = await call(p, { limit: 2 });
    expect(r.mode).toBe("portfolio");
    expect(r.summary).toEqual({
      accounts: 5,
      accounts_with_usage: 4,
      accounts_with_overdue: active.filter((id) => per[id]!.some((m) => m.status === "overdue")).length,
      accounts_reached_all: active.filter((id) => per[id]!.every((m) => m.reached_at !== null)).length,
      milestones: fw.map((f, i) => {
        const ms = active.map((id) => per[id]![i]!);
        const reached = ms.filter((m) => m.reached_at !== null);
        // the median leaves out accounts older than the usage history (their days are upper bounds)
        const judged = active.filter((id) => !beforeHistory(rows, created[id]!)).map((id) => per[id]![i]!).filter((m) => m.days_to_reach !== null);
        return {
          name: f.name,
          target_days: f.target,
          reached: reached.length,
          reach_rate: Math.round((reached.length / 5) * 10_000) / 10_000,
          median_days: median(judged.map((m) => m.days_to_reach!)),
          on_time: ms.filter((m) => m.status === "on_time").length,
          late: ms.filter((m) => m.status === "late").length,
          overdue: ms.filter((m) => m.status === "overdue").length,
          unknown: ms.filter((m) => m.status === "unknown").length,
        };
      }),
    });
    // spelled out for first_login: A day 1, B day 2, E day 0 → median 1; C (2 days old) pending; F unknown
    expect(r.summary.milestones[0]).toMatchObject({ reached: 4, median_days: 1, on_time: 3, overdue: 0, unknown: 1 });
    // newest first: C (06-15), A (06-01) | E (05-10), B (04-01); D is churned
    expect(r.accounts.map((a: any) => a.client_id)).toEqual([C, A]);
    expect(r).toMatchObject({ total: 5, limit: 2, offset: 0, next_offset: 2 });
    expect(r.accounts[1].milestones).toEqual(per[A]);
    expect(r.accounts[0].milestones.every((m: any) => m.status === "pending")).toBe(true);
    const page2 = (await call(p, { limit: 2, offset: 2 })).data;
    expect(page2.accounts.map((a: any) => a.client_id)).toEqual([E, B]);
    expect(page2.next_offset).toBe(4);
    expect(page2.accounts[1].milestones).toEqual(per[B]);
    expect(r.missing_data.map((m: any) => m.what)).toEqual(["1 of 5 active accounts have no usage events; they reach no milestone"]);
    expect(text).toContain("5 active accounts");
    expect(text).toContain("More accounts: offset 2");
  });

  it("says what is missing: an account without usage events, an event no account has", async () => {
    const c = (await call(p, { client_id: C })).data;
    expect(c.accounts[0]).toMatchObject({ usage_events: 0, reached: 0, overdue: [] });
    expect(c.missing_data[0].what).toContain(`no usage events are stored for ${C}`);
    expect(c.missing_data[0].how_to_supply).toContain("cs-mcp import usage_events");
    const r = (await call(p, { milestone_framework: "custom", custom_milestones: [{ name: "sso_enabled", event: "sso_enabled", target_days: 30 }] })).data;
    expect(r.summary.milestones[0]).toMatchObject({ name: "sso_enabled", reached: 0, median_days: null });
    expect(r.missing_data.map((m: any) => m.what)).toContain("no active account has a stored 'sso_enabled' event (milestone sso_enabled)");
  });

  it("validation errors name the field", async () => {
    const e1 = await callError(p, { milestone_framework: "custom" });
    expect(e1.code).toBe("validation_error");
    expect(e1.message).toContain("custom_milestones: must list at least one milestone");
    expect((await callError(p, { custom_milestones: [{ name: "x1", event: "a", feature: "b", target_days: 5 }] })).message).toContain("custom_milestones.0.event: give exactly one of event or feature");
    expect((await callError(p, { custom_milestones: [{ name: "first_login", event: "login", target_days: 5 }] })).message).toContain("custom_milestones.0.name");
    expect((await callError(p, { custom_milestones: [{ name: "Bad Name", event: "x", target_days: 5 }] })).message).toContain("custom_milestones.0.name");
    expect((await callError(p, { custom_milestones: [{ name: "ok", event: "x", target_days: 0 }] })).message).toContain("custom_milestones.0.target_days");
    expect((await callError(p, { custom_milestones: [{ name: "ok", event: "x", target_days: 5, extra: 1 }] })).message).toContain("custom_milestones.0: unknown field 'extra'");
    const many = Array.from({ length: 21 }, (_, i) => ({ name: `m${i}`, event: "x", target_days: 5 }));
    expect((await callError(p, { custom_milestones: many })).message).toContain("custom_milestones: must list at most 20 milestones");
    expect((await callError(p, { milestone_framework: "gold" })).message).toContain("milestone_framework");
    expect((await callError(p, { client_id: "acme" })).message).toContain("client_id");
    expect((await callError(p, { limit: 500 })).message).toContain("limit");
    expect((await callError(p, { client_id: "cs_1_nobody" })).code).toBe("not_found");
  });
});
