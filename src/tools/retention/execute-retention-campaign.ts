import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { clientId } from "../../security/validation.ts";
import { CAMPAIGN_TYPES, INTERVENTION_LEVELS } from "../../services/retention/campaigns.ts";
import { campaignStep, outreachReport } from "./schemas.ts";

export const executeRetentionCampaign = defineTool({
  name: "execute_retention_campaign",
  toolset: "retention",
  title: "Start a retention campaign",
  description:
    "Start a retention campaign for one account: dated steps by type and intervention level, and an " +
    "outreach email queued via SendGrid. One per account within RETENTION_FREQUENCY_DAYS. Many accounts: " +
    "automate_retention_campaigns; who needs one: identify_churn_risk. Example: {client_id: " +
    "'cs_1700000000_acme_corp', campaign_type: 'value_review', intervention_level: 'high'}.",
  input: z.strictObject({
    client_id: clientId(),
    campaign_type: z
      .enum(CAMPAIGN_TYPES, { error: `must be one of ${CAMPAIGN_TYPES.join(", ")}` })
      .describe("Kind of campaign"),
    intervention_level: z
      .enum(INTERVENTION_LEVELS, { error: `must be one of ${INTERVENTION_LEVELS.join(", ")}` })
      .default("medium")
      .describe("Intensity"),
  }),
  output: z.object({
    campaign_id: z.string(),
    client_id: z.string(),
    company_name: z.string(),
    campaign_type: z.string(),
    intervention_level: z.string(),
    trigger_type: z.string().nullable(),
    trigger_value: z.number().nullable(),
    status: z.string(),
    started_at: z.string(),
    steps: z.array(campaignStep),
    outreach: outreachReport,
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true, idempotentHint: false },
  async handler(args, { services }) {
    const data = await services.retention.campaigns.execute(args);
    const o = data.outreach;
    const outreach =
      o.status === "queued" ? `outreach email queued (outbox ${o.outbox_id})` : o.status === "not_configured" ? `outreach email not sent: SendGrid not configured (set ${o.missing_variables.join(", ")})` : `outreach email skipped: ${o.reason}`;
    return {
      data,
      text: `Started ${data.campaign_type} campaign ${data.campaign_id} (${data.intervention_level}) for ${data.company_name} (${data.client_id}): ${data.steps.length} steps, last due ${data.steps[data.steps.length - 1]?.due_date}; ${outreach}.`,
    };
  },
});
