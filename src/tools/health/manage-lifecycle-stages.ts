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
    "Read or move accounts through lifecycle stages (onboarding → adoption → growth → maturity → renewal," +
    " at_risk, churned). get: stage, history, interventions; move: new_stage and reason, audited; " +
    "portfolio: accounts, ARR and health per stage. Example: {client_id: 'cs_1700000000_acme_corp', " +
    "new_stage: 'adoption', reason: 'kick-off done'}.",
  input: z.strictObject({
    action: z.enum(["get", "move", "portfolio"], { error: "must be one of get, move, portfolio" }).optional().describe("Default: move with new_stage, get with client_id, else portfolio"),
    client_id: clientId().optional().describe("get, move"),
    current_stage: lifecycleStage().optional().describe("move: must match now; portfolio: list this stage"),
    new_stage: lifecycleStage().optional().describe("move: target stage"),
    reason: text(500).optional().describe("move: why (stored)"),
    include_transitions: z.boolean().default(true).describe("Transition history"),
    intervention_planning: z.boolean().default(true).describe("Suggested interventions"),
    limit: z.number().int().min(1).max(100).default(50).describe("portfolio: page size"),
    offset: z.number().int().min(0).max(1_000_000).default(0).describe("portfolio: rows to skip"),
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
