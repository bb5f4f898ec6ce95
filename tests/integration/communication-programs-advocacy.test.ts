// manage_advocacy_program on both back ends, through the tool pipeline: per-action validation (nothing
// written), eligibility from stored health scores and NPS answers (refusal names each reason; an override is
// stored), points = the documented ADVOCACY_POINTS table over the recorded contributions + manual awards, and
// the program analytics (by status, by type in the period, leaderboard, advocate accounts' ARR and renewal
// outcome, referrals) computed in the test from the inserted rows on a fresh database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { call, callError, pipelineFor } from "../helpers/pipeline.ts";
import { communicationProgramTools } from "../../src/tools/communication/programs.ts";
import { ConfigError, loadConfig } from "../../src/config/load.ts";
import type { ToolPipeline } from "../../src/server/pipeline.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const DAY = 86_400_000;
const at = (days: number) => new Date(NOW.getTime() + days * DAY);
const day = (days: number) => new Date(`${at(days).toISOString().slice(0, 10)}T00:00:00.000Z`);
const TOOL = "manage_advocacy_program";
/** The documented default points table (ADVOCACY_POINTS). */
const TABLE = { case_study: 500, reference_call: 250, review: 100, referral: 300, speaking: 400, award: 200 };

describe("ADVOCACY_POINTS setting", () => {
  it("defaults to the documented table and refuses an incomplete or unknown table, naming the variable", () => {
    expect(loadConfig({}).ADVOCACY_POINTS).toEqual(TABLE);
    expect(loadConfig({ ADVOCACY_POINTS: "case_study=1,reference_call=2,review=3,referral=4,speaking=5,award=6" }).ADVOCACY_POINTS).toEqual({ case_study: 1, reference_call: 2, review: 3, referral: 4, speaking: 5, award: 6 });
    for (const bad of ["case_study=500", "case_study=x,reference_call=2,review=3,referral=4,speaking=5,award=6", "case_study=1,reference_call=2,review=3,referral=4,speaking=5,award=6,webinar=3"]) {
      expect(() => loadConfig({ ADVOCACY_POINTS: bad })).toThrow(ConfigError);
      try {
        loadConfig({ ADVOCACY_POINTS: bad });
      } catch (e) {
        expect((e as ConfigError).problems[0]).toMatch(/^ADVOCACY_POINTS: /);
      }
    }
  });
});

describe.each(BACKENDS)("manage_advocacy_program on %s", (backend) => {
  let t: TestDb;
  let p: ToolPipeline;
  let n = 0;

  async function account(db: TestDb, o: { arr?: number; health?: number | null; nps?: Array<[string, number, number]>; status?: "active" | "churned" } = {}) {
    const slug = `adv_${backend}_${++n}`;
    const id = `cs_1700000000_${slug}`;
    const pr = db.db.prisma;
    await pr.account.create({ data: { id, client_name: slug, company_name: `Company ${slug}`, company_key: slug, primary_contact_email: `${slug}@cust.test`, arr: o.arr ?? 10_000, status: o.status ?? "active", created_at: at(-400) } });
    const champ = `champ@${slug.replace(/_/g, "-")}.test`;
    await pr.contact.create({ data: { account_id: id, email: champ, name: "Charlie Champion" } });
    if (o.health !== null && o.health !== undefined) {
      // An older, higher score first: only the latest counts.
      await pr.healthScore.create({ data: { account_id: id, overall_score: 95, weights: {}, trend: "stable", band: "champion", calculated_at: at(-60) } });
      await pr.healthScore.create({ data: { account_id: id, overall_score: o.health, weights: {}, trend: "down", band: o.health >= 75 ? "healthy" : "needs_attention", calculated_at: at(-2) } });
    }
    for (const [email, score, d] of o.nps ?? []) await pr.surveyResponse.create({ data: { account_id: id, survey_type: "nps", respondent_email: email, score, responded_at: at(d) } });
    return { id, champ, slug };
  }
  const counts = async (db: TestDb) => ({
    advocates: await db.db.prisma.advocate.count(),
    contributions: await db.db.prisma.advocateContribution.count(),
    awards: await db.db.prisma.advocatePointAward.count(),
  });

  beforeAll(async () => {
    t = await openTestDb(backend);
    p = pipelineFor(t, communicationProgramTools, NOW);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("validates each action's fields and writes nothing", async () => {
    const a = await account(t, { health: 80, nps: [["x@y.test", 9, -3]] });
    const adv = (await call(p, TOOL, { action: "enroll_advocate", client_id: a.id, email: a.champ })).advocate;
    const before = await counts(t);
    const id = adv.advocate_id;
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ action: "enroll_advocate" }, "action 'enroll_advocate' needs client_id, email (missing)"],
      [{ action: "enroll_advocate", client_id: a.id }, "action 'enroll_advocate' needs email (missing)"],
      [{ action: "get_advocate_profile" }, "action 'get_advocate_profile' needs at least one of advocate_id, email"],
      [{ action: "get_advocate_profile", email: a.champ }, "action 'get_advocate_profile' with email needs client_id (missing)"],
      [{ action: "list_advocates", points: 5 }, "action 'list_advocates' does not use points"],
      [{ action: "track_contribution", advocate_id: id }, "action 'track_contribution' needs contribution_type (missing)"],
      [{ action: "track_contribution", contribution_type: "review" }, "action 'track_contribution' needs advocate_id (missing)"],
      [{ action: "track_contribution", advocate_id: id, contribution_type: "review", referred_client_id: a.id }, "referred_client_id: only a 'referral' contribution names a referred account (contribution_type is 'review')"],
      [{ action: "track_contribution", advocate_id: id, contribution_type: "review", occurred_at: "2026-07-01" }, "occurred_at: must not be in the future"],
      [{ action: "award_points", advocate_id: id, points: 50 }, "action 'award_points' needs reason (missing)"],
      [{ action: "award_points", advocate_id: id, points: 0, reason: "x" }, "points: must not be 0"],
      [{ action: "set_status", advocate_id: id, status: "paused" }, "action 'set_status' needs reason (missing)"],
      [{ action: "get_program_analytics", period_days: 30, start_date: "2026-01-01" }, "action 'get_program_analytics': give period_days or start_date, not both"],
    ];
    for (const [args, message] of cases) {
      const e = await callError(p, TOOL, args);
      expect(e.code, JSON.stringify(args)).toBe("validation_error");
      expect(e.message).toBe(message);
    }
    const bad = await callError(p, TOOL, { action: "track_contribution", advocate_id: id, contribution_type: "webinar" });
    expect(bad.message).toBe("invalid arguments: contribution_type: must be one of case_study, reference_call, review, referral, speaking, award");
    expect(await counts(t)).toEqual(before);
    expect((await t.db.prisma.advocate.findUniqueOrThrow({ where: { id } })).points).toBe(0);
  });

  it("refuses an ineligible contact naming every reason, writes nothing, and enrolls with an override that is stored", async () => {
    // Health 74 (one under ADVOCACY_MIN_HEALTH 75) and the person's own latest NPS 8 (passive), although the
    // account's latest answer (someone else's) is a 10: the person's own answer decides.
    const a = await account(t, { health: 74 });
    await t.db.prisma.surveyResponse.createMany({
      data: [
        { account_id: a.id, survey_type: "nps", respondent_email: a.champ, score: 10, responded_at: at(-40) },
        { account_id: a.id, survey_type: "nps", respondent_email: a.champ, score: 8, responded_at: at(-10) },
        { account_id: a.id, survey_type: "nps", respondent_email: "other@cust.test", score: 10, responded_at: at(-1) },
      ],
    });
    const before = await counts(t);
    const e = await callError(p, TOOL, { action: "enroll_advocate", client_id: a.id, email: a.champ });
    expect(e.code).toBe("conflict");
    expect(e.message).toContain(`${a.champ} at Company ${a.slug} is not eligible for the advocacy program: `);
    expect(e.message).toContain(`health score 74 (calculated ${at(-2).toISOString().slice(0, 10)}) is below 75 (ADVOCACY_MIN_HEALTH)`);
    expect(e.message).toContain(`latest NPS answer, their own on ${at(-10).toISOString().slice(0, 10)}, is 8 (passive), not a promoter (9–10)`);
    expect(await counts(t)).toEqual(before);

    // No stored data at all: the reasons say what is missing and how to supply it.
    const empty = await account(t, { health: null });
    const e2 = await callError(p, TOOL, { action: "enroll_advocate", client_id: empty.id, email: empty.champ });
    expect(e2.message).toContain("no stored health score: run calculate_health_score for the account");
    expect(e2.message).toContain("no NPS answer stored for this person or account");

    // A churned account fails the active rule even with good signals.
    const churned = await account(t, { health: 90, nps: [["z@z.test", 10, -1]], status: "churned" });
    const e3 = await callError(p, TOOL, { action: "enroll_advocate", client_id: churned.id, email: churned.champ });
    expect(e3.message).toContain("account is churned");
    expect(e3.message).not.toContain("health score");

    // Override: enrolled, with the reasons as warnings and the override stored and audited.
    const ok = await call(p, TOOL, { action: "enroll_advocate", client_id: a.id, email: a.champ, override_reason: "Exec sponsor asked for it" });
    expect(ok.eligibility).toMatchObject({ eligible: false, override_reason: "Exec sponsor asked for it" });
    expect(ok.warnings).toHaveLength(2);
    expect(ok.advocate).toMatchObject({ email: a.champ, name: "Charlie Champion", status: "active", points: { total: 0 } });
    const stored = await t.db.prisma.advocate.findUniqueOrThrow({ where: { id: ok.advocate.advocate_id } });
    expect(stored.eligibility).toMatchObject({ eligible: false, override_reason: "Exec sponsor asked for it" });
    expect(await t.db.prisma.auditLog.count({ where: { entity_id: stored.id, action: "enroll_advocate" } })).toBe(1);
    const dup = await callError(p, TOOL, { action: "enroll_advocate", client_id: a.id, email: a.champ });
    expect(dup.code).toBe("conflict");
    expect(dup.message).toContain(stored.id);
  });

  it("points are the documented table summed over the recorded contributions plus manual awards", async () => {
    const a = await account(t, { health: 75, nps: [["boss@cust.test", 9, -5]] }); // both at the boundary: eligible
    const referred = await account(t, { arr: 42_000 });
    const enrolled = await call(p, TOOL, { action: "enroll_advocate", client_id: a.id, email: a.champ });
    expect(enrolled.eligibility.eligible).toBe(true);
    const id = enrolled.advocate.advocate_id;
    const types = ["case_study", "review", "review", "referral", "speaking", "reference_call", "award"] as const;
    for (const type of types) {
      const r = await call(p, TOOL, { action: "track_contribution", advocate_id: id, contribution_type: type, description: `${type} done`, ...(type === "referral" ? { referred_client_id: referred.id } : {}) });
      expect(r.contribution.points).toBe(TABLE[type]);
    }
    await call(p, TOOL, { action: "award_points", advocate_id: id, points: 75, reason: "Hosted a webinar", awarded_by: "cs-lead" });
    const corr = await call(p, TOOL, { action: "award_points", advocate_id: id, points: -25, reason: "Double-counted review" });
    const expected = types.reduce((s, ty) => s + TABLE[ty], 0) + 75 - 25; // 500+100+100+300+400+250+200+50 = 1900
    expect(expected).toBe(1900);
    expect(corr.advocate.points).toEqual({ total: expected, from_contributions: expected - 50, from_awards: 50 });
    expect((await t.db.prisma.advocate.findUniqueOrThrow({ where: { id } })).points).toBe(expected);

    const profile = await call(p, TOOL, { action: "get_advocate_profile", client_id: a.id, email: a.champ });
    expect(profile.advocate.points.total).toBe(expected);
    expect(profile.advocate.contributions).toBe(types.length);
    expect(profile.recent_awards.map((w: { points: number }) => w.points).sort()).toEqual([-25, 75]);
    expect(profile.recent_contributions.find((c: { contribution_type: string }) => c.contribution_type === "referral")).toMatchObject({ referred_client_id: referred.id, referred_company: `Company ${referred.slug}` });
    expect(profile.points_table).toEqual(TABLE);

    // A correction below zero is refused and changes nothing.
    const tooMuch = await callError(p, TOOL, { action: "award_points", advocate_id: id, points: -(expected + 1), reason: "oops" });
    expect(tooMuch.code).toBe("conflict");
    expect((await t.db.prisma.advocate.findUniqueOrThrow({ where: { id } })).points).toBe(expected);

    // A paused advocate records no contribution.
    await call(p, TOOL, { action: "set_status", advocate_id: id, status: "paused", reason: "On leave" });
    const paused = await callError(p, TOOL, { action: "track_contribution", advocate_id: id, contribution_type: "review" });
    expect(paused.code).toBe("conflict");
    expect(paused.message).toContain("is paused (On leave)");
    expect(await t.db.prisma.advocateContribution.count({ where: { advocate_id: id } })).toBe(types.length);
  });

  it("program analytics from the stored rows: status, contributions by type in the period, leaderboard, ARR and renewal outcomes, referrals", async () => {
    const db = await openTestDb(backend);
    try {
      const q = pipelineFor(db, communicationProgramTools, NOW);
      const pr = db.db.prisma;
      const a1 = await account(db, { arr: 120_000.5, health: 80, nps: [["p@x.test", 10, -1]] });
      const a2 = await account(db, { arr: 30_000.25, health: 90, nps: [["p@x.test", 9, -1]] });
      const a3 = await account(db, { arr: 5_000, health: 85, nps: [["p@x.test", 9, -1]] });
      const r1 = await account(db, { arr: 7_500 });
      // Renewal outcomes: a1 renewed (past renewal, status renewed, plus a new contract ahead), a2 upcoming, a3 none.
      await pr.contract.create({ data: { account_id: a1.id, contract_value: 100_000, renewal_date: day(-20), status: "renewed" } });
      await pr.contract.create({ data: { account_id: a1.id, contract_value: 120_000.5, renewal_date: day(345), status: "active" } });
      await pr.contract.create({ data: { account_id: a2.id, contract_value: 30_000.25, renewal_date: day(60), status: "active" } });

      const enroll = async (a: { id: string; champ: string }) => (await call(q, TOOL, { action: "enroll_advocate", client_id: a.id, email: a.champ })).advocate.advocate_id as string;
      const v1 = await enroll(a1);
      const v2 = await enroll(a2);
      const v3 = await enroll(a3);
      await call(q, TOOL, { action: "set_status", advocate_id: v3, status: "retired", reason: "Left the company" });

      // Contributions: some in the 90-day period, one before it (counts for the total, not the period).
      const track = (id: string, type: string, daysAgo: number, extra: Record<string, unknown> = {}) =>
        call(q, TOOL, { action: "track_contribution", advocate_id: id, contribution_type: type, occurred_at: at(-daysAgo).toISOString(), ...extra });
      await track(v1, "case_study", 10);
      await track(v1, "referral", 5, { referred_client_id: r1.id });
      await track(v1, "review", 120); // outside the period
      await track(v2, "reference_call", 30);
      await track(v2, "referral", 2); // no referred account recorded
      await track(v2, "review", 89);
      await call(q, TOOL, { action: "award_points", advocate_id: v2, points: 600, reason: "Keynote" });

      const r = await call(q, TOOL, { action: "get_program_analytics", period_days: 90 });
      expect(r.advocates_by_status).toEqual([{ status: "active", advocates: 2 }, { status: "paused", advocates: 0 }, { status: "retired", advocates: 1 }]);
      expect(r.enrolled_in_period).toBe(3);
      const byType = Object.fromEntries(r.contributions_by_type.map((x: { contribution_type: string; contributions: number; points: number }) => [x.contribution_type, [x.contributions, x.points]]));
      expect(byType).toEqual({
        case_study: [1, TABLE.case_study],
        reference_call: [1, TABLE.reference_call],
        review: [1, TABLE.review], // the 120-day-old review is outside
        referral: [2, 2 * TABLE.referral],
        speaking: [0, 0],
        award: [0, 0],
      });
      expect(r.contributions_total).toEqual({ contributions: 5, points: 500 + 250 + 100 + 600 });
      expect(r.manual_awards).toEqual({ awards: 1, points: 600 });
      const total1 = TABLE.case_study + TABLE.referral + TABLE.review; // 900
      const total2 = TABLE.reference_call + TABLE.referral + TABLE.review + 600; // 1250
      expect(r.leaderboard.map((l: { advocate_id: string; total_points: number; period_points: number; rank: number }) => [l.rank, l.advocate_id, l.total_points, l.period_points])).toEqual([
        [1, v2, total2, total2],
        [2, v1, total1, total1 - TABLE.review],
        [3, v3, 0, 0],
      ]);
      // Advocate accounts: those with an active advocate (a1, a2), ARR summed exactly.
      expect(r.advocate_accounts.accounts).toBe(2);
      expect(r.advocate_accounts.total_arr).toBe(150_000.75);
      const outcomes = Object.fromEntries(r.advocate_accounts.renewal_outcomes.map((o: { outcome: string; accounts: number; arr: number }) => [o.outcome, [o.accounts, o.arr]]));
      expect(outcomes).toMatchObject({ renewed: [1, 120_000.5], upcoming: [1, 30_000.25], not_renewed: [0, 0], churned: [0, 0], no_contract: [0, 0] });
      expect(r.advocate_accounts.renewal_rate_percent).toBe(100);
      expect(r.advocate_accounts.list.find((x: { client_id: string }) => x.client_id === a2.id)).toMatchObject({ renewal_outcome: "upcoming", renewal_date: day(60).toISOString().slice(0, 10) });
      expect(r.referrals).toMatchObject({ referrals: 2, points: 2 * TABLE.referral, linked_accounts: 1, referred_arr: 7_500 });
      expect(r.missing).toEqual([]);
    } finally {
      await db.cleanup();
    }
  });
});
