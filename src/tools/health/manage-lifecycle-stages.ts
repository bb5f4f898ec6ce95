import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { clientId, lifecycleStage, text } from "../../security/validation.ts";

const intervention = z.object({ rule: z.string(), action: z.string(), figure: z.string() });
const accountView = z.object({
  client_id: z.string(),
  company_name: z.string(),
  lifecycle_stage: z.string(),
  status: z.string(),
  stage_since: z.string(),
  days_in_stage: z.number().int(),
  arr: z.number(),
  health_score: z.number().int().nullable(),
  last_usage_at: z.string().nullable(),
  renewal_date: z.string().nullable(),
  interventions: z.array(intervention).nullable(),
});
const transition = z.object({
  transition_id: z.string(),
  client_id: z.string(),
  from_stage: z.string().nullable(),
  to_stage: z.string(),
  reason: z.string(),
  transitioned_at: z.string(),
});

export const manageLifecycleStages = defineTool({
  name: "manage_lifecycle_stages",
  toolset: "health",
  title: "Manage lifecycle stages",
  description:
    "Read or move accounts through the lifecycle onboarding → adoption → growth → maturity → renewal (→ at_risk, churned). " +
    "action 'get' (default with client_id): the account's stage, days in it, its transition history and interventions derived " +
    "from stored facts (health, usage recency, renewal date, time in onboarding). action 'move' (default when new_stage is given): " +
    "needs client_id, new_stage and reason; writes the transition, the account's stage (status churned when moving to churned, " +
    "active again when leaving it), a timeline entry and an audit record in one transaction; current_stage, when given, must " +
    "match or nothing is changed. action 'portfolio' (default without client_id): accounts, ARR and mean health per stage, " +
    "interventions per stage, the accounts of current_stage (paginated) and recent transitions. Example: {client_id: " +
    "'cs_1700000000_acme_corp', new_stage: 'adoption', reason: 'kick-off complete, 5 users active'}.",
  input: z.strictObject({
    action: z.enum(["get", "move", "portfolio"], { error: "must be one of get, move, portfolio" }).optional().describe("get, move or portfolio (default: move when new_stage is given, get with client_id, else portfolio)"),
    client_id: clientId().optional().describe("The account (get, move)"),
    current_stage: lifecycleStage().optional().describe("move: the stage the account must be in now (optimistic check); portfolio: list the accounts in this stage"),
    new_stage: lifecycleStage().optional().describe("move: the stage to move to"),
    reason: text(500).optional().describe("move: why the account moves; stored with the transition and on the timeline"),
    include_transitions: z.boolean().default(true).describe("Include transition history (the account's, or the portfolio's last 90 days)"),
    intervention_planning: z.boolean().default(true).describe("Include suggested interventions derived from stored facts"),
    limit: z.number().int().min(1).max(100).default(50).describe("portfolio: accounts per page of current_stage, 1–100 (default 50)"),
    offset: z.number().int().min(0).max(1_000_000).default(0).describe("portfolio: accounts to skip"),
  }),
  output: z.object({
    action: z.enum(["get", "move", "portfolio"]),
    account: accountView.nullable(),
    stage_matches_current_stage: z.boolean().nullable(),
    transitions: z.array(transition).nullable(),
    moved: transition.extend({ status: z.string() }).nullable(),
    portfolio: z
      .object({
        total_accounts: z.number().int(),
        stages: z.array(
          z.object({
            stage: z.string(),
            accounts: z.number().int(),
            arr: z.number(),
            mean_health: z.number().nullable(),
            mean_days_in_stage: z.number().nullable(),
            interventions: z.array(intervention).nullable(),
          }),
        ),
        accounts: z.object({ stage: z.string(), total: z.number().int(), items: z.array(accountView), next_offset: z.number().int().nullable() }).nullable(),
        transitions: z
          .object({
            since: z.string(),
            by_move: z.array(z.object({ from_stage: z.string().nullable(), to_stage: z.string(), transitions: z.number().int() })),
            recent: z.array(transition),
          })
          .nullable(),
      })
      .nullable(),
    rules: z.record(z.string(), z.string()),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false, idempotentHint: false },
  async handler(args, { services, progress }) {
    const d = await services.lifecycle.run(args, progress);
    let text: string;
    if (d.moved) text = `Moved ${d.moved.client_id} from ${d.moved.from_stage} to ${d.moved.to_stage} (transition ${d.moved.transition_id}, status ${d.moved.status}).`;
    else if (d.account) {
      const iv = d.account.interventions?.length ? ` Interventions: ${d.account.interventions.map((i) => i.rule).join(", ")}.` : "";
      text = `${d.account.company_name} (${d.account.client_id}) is in ${d.account.lifecycle_stage} for ${d.account.days_in_stage} days.${iv}`;
    } else {
      const p = d.portfolio!;
      text = `${p.total_accounts} accounts by stage: ${p.stages.map((s) => `${s.stage} ${s.accounts}`).join(", ")}.${p.accounts ? ` Listed ${p.accounts.items.length} of ${p.accounts.total} in ${p.accounts.stage}.` : ""}`;
    }
    return { data: d, text };
  },
});
