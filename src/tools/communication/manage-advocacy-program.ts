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
    "The advocacy program: enroll_advocate (healthy promoter accounts, or override_reason), " +
    "get_advocate_profile, list_advocates, track_contribution (earns ADVOCACY_POINTS), award_points, " +
    "set_status, get_program_analytics. Example: {action: 'track_contribution', advocate_id: '0197…', " +
    "contribution_type: 'case_study'}.",
  input: z.strictObject({
    action: enumOf(ADVOCACY_ACTIONS),
    advocate_id: z.uuid({ error: "must be an advocate_id (a UUID) from enroll_advocate or list_advocates" }).optional().describe("The advocate"),
    client_id: clientId().optional().describe("The advocate's account"),
    email: email().optional().describe("With client_id"),
    advocate_name: text(200).optional().describe("Default: contact's name"),
    override_reason: text(1000).optional().describe("Why enroll anyway (audited)"),
    status: enumOf(ADVOCATE_STATUSES).optional().describe("set_status; list filter"),
    contribution_type: enumOf(CONTRIBUTION_TYPES).optional().describe("track_contribution"),
    description: text(2000).optional().describe("track_contribution"),
    occurred_at: isoDateOrDateTime().optional().describe("Default now"),
    referred_client_id: clientId().optional().describe("Referral's account"),
    points: z.number().int().min(-100_000).max(100_000).optional().describe("Negative corrects"),
    reason: text(1000).optional().describe("award_points, set_status"),
    awarded_by: text(200).optional().describe("award_points"),
    period_days: z.number().int().min(1).max(3650).optional().describe("Default 90"),
    start_date: isoDateOrDateTime().optional().describe("Instead of period_days"),
    end_date: isoDateOrDateTime().optional().describe("Default now"),
    limit: z.number().int().min(1).max(75).default(50),
    offset: z.number().int().min(0).max(1_000_000).default(0),
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
