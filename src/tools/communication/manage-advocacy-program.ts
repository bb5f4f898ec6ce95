import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { clientId, email, isoDateOrDateTime, text } from "../../security/validation.ts";
import { ADVOCACY_ACTIONS, ADVOCATE_STATUSES, RENEWAL_OUTCOMES, type AdvocacyService } from "../../services/programs/advocacy.ts";
import { CONTRIBUTION_TYPES } from "../../services/programs/advocacy-rules.ts";

const enumOf = <T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `must be one of ${values.join(", ")}` });
const missingItem = z.object({ what: z.string(), how_to_supply: z.string() });
const pointsTable = z.object(Object.fromEntries(CONTRIBUTION_TYPES.map((t) => [t, z.number().int()])) as Record<(typeof CONTRIBUTION_TYPES)[number], z.ZodNumber>);

const advocateView = z.object({
  advocate_id: z.string(),
  client_id: z.string(),
  company_name: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  status: z.string(),
  status_reason: z.string().nullable(),
  points: z.object({ total: z.number().int(), from_contributions: z.number().int(), from_awards: z.number().int() }),
  contributions: z.number().int(),
  last_contribution_at: z.string().nullable(),
  enrolled_at: z.string(),
});
const check = z.object({ rule: z.string(), passed: z.boolean(), detail: z.string(), how_to_supply: z.string().optional() });
const eligibility = z.object({ eligible: z.boolean(), checks: z.array(check), reasons: z.array(z.string()), rules: z.string(), override_reason: z.string().nullable().optional() });
const contribution = z.object({ contribution_id: z.string(), contribution_type: z.string(), description: z.string().nullable(), points: z.number().int(), occurred_at: z.string(), referred_client_id: z.string().nullable(), referred_company: z.string().nullable() });
const award = z.object({ award_id: z.string(), points: z.number().int(), reason: z.string(), awarded_by: z.string().nullable(), awarded_at: z.string() });

export const manageAdvocacyProgram = defineTool({
  name: "manage_advocacy_program",
  toolset: "communication",
  title: "Manage the customer advocacy program",
  description:
    "The customer advocacy program, from stored data. Actions and their fields: enroll_advocate (client_id, email; " +
    "advocate_name, override_reason) — eligibility: the account is active, its latest stored health score ≥ " +
    "ADVOCACY_MIN_HEALTH (default 75, the healthy band) and the latest NPS answer (the person's own, else the account's) " +
    "is a promoter 9–10 (ADVOCACY_REQUIRE_PROMOTER); an ineligible contact is refused with the reasons unless " +
    "override_reason is given (stored and audited); get_advocate_profile (advocate_id, or client_id + email); " +
    "list_advocates (status, client_id filters; highest points first); track_contribution (advocate_id, " +
    "contribution_type case_study|reference_call|review|referral|speaking|award; description, occurred_at, " +
    "referred_client_id for a referral) — points from the ADVOCACY_POINTS table (default case_study 500, " +
    "reference_call 250, review 100, referral 300, speaking 400, award 200); award_points (advocate_id, points — " +
    "negative for a correction, reason; awarded_by); set_status (advocate_id, status active|paused|retired, reason); " +
    "get_program_analytics (period_days, default 90, or start_date/end_date): advocates by status, contributions by " +
    "type in the period, points leaderboard, advocate accounts' ARR and renewal outcome, referrals. A missing field, " +
    "or one the action does not use, is named in the error and nothing changes. Example: {action: " +
    "'track_contribution', advocate_id: '0197…', contribution_type: 'case_study', description: 'Published Q3 case study'}.",
  input: z.strictObject({
    action: enumOf(ADVOCACY_ACTIONS).describe(ADVOCACY_ACTIONS.join(", ")),
    advocate_id: z.uuid({ error: "must be an advocate_id (a UUID) from enroll_advocate or list_advocates" }).optional().describe("The advocate (profile, track_contribution, award_points, set_status)"),
    client_id: clientId().optional().describe("The advocate's account (enroll_advocate; with email for get_advocate_profile; filter for list_advocates)"),
    email: email().optional().describe("The advocate's email (enroll_advocate; with client_id for get_advocate_profile)"),
    advocate_name: text(200).optional().describe("Display name (enroll_advocate; default the contact's name)"),
    override_reason: text(1000).optional().describe("Enroll although the eligibility rules fail; why (enroll_advocate; stored and audited)"),
    status: enumOf(ADVOCATE_STATUSES).optional().describe("active, paused or retired (set_status; filter for list_advocates)"),
    contribution_type: enumOf(CONTRIBUTION_TYPES).optional().describe("case_study, reference_call, review, referral, speaking or award (track_contribution)"),
    description: text(2000).optional().describe("What the contribution was (track_contribution)"),
    occurred_at: isoDateOrDateTime().optional().describe("When it happened, not in the future (track_contribution; default now)"),
    referred_client_id: clientId().optional().describe("The account a referral brought in, if registered (track_contribution with contribution_type referral)"),
    points: z.number().int().min(-100_000).max(100_000).optional().describe("Points to add; negative to correct (award_points; not 0)"),
    reason: text(1000).optional().describe("Why the points are awarded (award_points) or the status changes (set_status)"),
    awarded_by: text(200).optional().describe("Who awards the points (award_points)"),
    period_days: z.number().int().min(1).max(3650).optional().describe("Analytics period: the last N days (get_program_analytics; default 90)"),
    start_date: isoDateOrDateTime().optional().describe("Analytics period start, instead of period_days (get_program_analytics)"),
    end_date: isoDateOrDateTime().optional().describe("Analytics period end, default now (get_program_analytics)"),
    limit: z.number().int().min(1).max(75).default(50).describe("Page size for list_advocates, 1–75 (default 50)"),
    offset: z.number().int().min(0).max(1_000_000).default(0).describe("Rows to skip for list_advocates (default 0)"),
  }),
  output: z.object({
    action: enumOf(ADVOCACY_ACTIONS),
    advocate: advocateView.optional(),
    eligibility: eligibility.optional(),
    warnings: z.array(z.string()).optional(),
    account: z.object({ client_id: z.string(), company_name: z.string(), tier: z.string(), arr: z.number(), health_score: z.number().int().nullable(), latest_nps: z.number().int().nullable() }).optional(),
    recent_contributions: z.array(contribution).optional(),
    recent_awards: z.array(award).optional(),
    eligibility_now: eligibility.optional(),
    enrollment_override_reason: z.string().nullable().optional(),
    points_table: pointsTable.optional(),
    advocates: z.array(advocateView).optional(),
    contribution: contribution.optional(),
    points_rule: z.string().optional(),
    award: award.optional(),
    from_status: z.string().optional(),
    period: z.object({ start: z.string(), end: z.string(), days: z.number() }).optional(),
    advocates_by_status: z.array(z.object({ status: z.string(), advocates: z.number().int() })).optional(),
    enrolled_in_period: z.number().int().optional(),
    contributions_by_type: z.array(z.object({ contribution_type: z.string(), contributions: z.number().int(), points: z.number().int(), advocates: z.number().int(), points_each_now: z.number().int() })).optional(),
    contributions_total: z.object({ contributions: z.number().int(), points: z.number().int() }).optional(),
    manual_awards: z.object({ awards: z.number().int(), points: z.number().int() }).optional(),
    leaderboard: z.array(z.object({ rank: z.number().int(), advocate_id: z.string(), email: z.string(), name: z.string().nullable(), status: z.string(), client_id: z.string(), company_name: z.string(), total_points: z.number().int(), period_points: z.number().int(), contributions: z.number().int() })).optional(),
    advocate_accounts: z.object({
      accounts: z.number().int(),
      total_arr: z.number().describe("Σ current ARR of the advocate accounts (churned ones excluded)"),
      churned_arr: z.number(),
      arr_basis: z.string(),
      renewal_outcomes: z.array(z.object({ outcome: z.enum(RENEWAL_OUTCOMES), accounts: z.number().int(), arr: z.number() })),
      renewal_rate_percent: z.number().nullable(),
      renewal_rule: z.string(),
      list: z.array(z.object({ client_id: z.string(), company_name: z.string(), tier: z.string(), arr: z.number(), active_advocates: z.number().int(), renewal_outcome: z.string(), renewal_date: z.string().nullable() })),
    }).optional(),
    referrals: z.object({
      referrals: z.number().int(),
      points: z.number().int(),
      linked_accounts: z.number().int(),
      referred_arr: z.number(),
      list: z.array(z.object({ contribution_id: z.string(), advocate_id: z.string(), advocate_email: z.string(), client_id: z.string(), occurred_at: z.string(), referred_client_id: z.string().nullable(), referred_company: z.string().nullable(), referred_arr: z.number().nullable() })),
    }).optional(),
    missing: z.array(missingItem).optional(),
    total: z.number().int().optional(),
    count: z.number().int().optional(),
    limit: z.number().int().optional(),
    offset: z.number().int().optional(),
    next_offset: z.number().int().nullable().optional(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false, idempotentHint: false },
  async handler(args, { services }) {
    const data = await services.advocacy.handle(args);
    return { data, text: render(data) };
  },
});

function render(d: Awaited<ReturnType<AdvocacyService["handle"]>>): string {
  switch (d.action) {
    case "enroll_advocate":
      return `Enrolled ${d.advocate.email} of ${d.advocate.company_name} as advocate ${d.advocate.advocate_id}${d.eligibility.eligible ? " (eligible)" : ` (eligibility overridden: ${d.eligibility.reasons.join("; ")})`}.${d.warnings.length ? ` Warnings: ${d.warnings.join("; ")}.` : ""}`;
    case "get_advocate_profile":
      return `Advocate ${d.advocate.advocate_id}: ${d.advocate.email} (${d.advocate.company_name}), ${d.advocate.status}, ${d.advocate.points.total} points (${d.advocate.points.from_contributions} from ${d.advocate.contributions} contributions, ${d.advocate.points.from_awards} awarded). Eligible now: ${d.eligibility_now.eligible ? "yes" : `no — ${d.eligibility_now.reasons.join("; ")}`}.`;
    case "list_advocates":
      return `${d.total} advocates match; showing ${d.count}${d.advocates.length ? `: ${d.advocates.slice(0, 20).map((a) => `${a.email} (${a.advocate_id}, ${a.points.total} pts, ${a.status})`).join("; ")}` : ""}.${d.next_offset !== null ? ` More: offset ${d.next_offset}.` : ""}`;
    case "track_contribution":
      return `Recorded ${d.contribution.contribution_type} ${d.contribution.contribution_id} for advocate ${d.advocate.advocate_id}: +${d.contribution.points} points (${d.points_rule}); total ${d.advocate.points.total}.`;
    case "award_points":
      return `Awarded ${d.award.points} points to advocate ${d.advocate.advocate_id} (${d.award.reason}); total ${d.advocate.points.total}.`;
    case "set_status":
      return `Advocate ${d.advocate.advocate_id}: ${d.from_status} → ${d.advocate.status}.`;
    case "get_program_analytics":
      return (
        `Advocacy ${d.period.start.slice(0, 10)} → ${d.period.end.slice(0, 10)}: ${d.advocates_by_status.map((s) => `${s.advocates} ${s.status}`).join(", ")}; ` +
        `${d.contributions_total.contributions} contributions (${d.contributions_total.points} points), ${d.manual_awards.points} points awarded manually; ` +
        `${d.advocate_accounts.accounts} advocate accounts, ARR ${d.advocate_accounts.total_arr}, renewal rate ${d.advocate_accounts.renewal_rate_percent ?? "n/a"}%; ${d.referrals.referrals} referrals.` +
        (d.leaderboard.length ? ` Top: ${d.leaderboard.slice(0, 5).map((l) => `${l.email} ${l.total_points}`).join(", ")}.` : "") +
        (d.missing.length ? ` Missing: ${d.missing.map((m) => m.what).join("; ")}.` : "")
      );
  }
}
