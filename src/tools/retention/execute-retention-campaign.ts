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
    "Start a retention campaign for one account: records the campaign with its dated steps (a sequence derived " +
    "from campaign_type; higher intervention levels compress it and add manager or executive steps) and queues " +
    "the outreach email to the account's primary contact through SendGrid. The email is reported as queued (with " +
    "its outbox id) or not_configured with the variables to set; nothing is pretended sent. At most one campaign " +
    "per account within RETENTION_FREQUENCY_DAYS (default 7), whatever its type or status (as automate_retention_campaigns): " +
    "a second one is refused as a conflict naming the existing one. For many accounts at once use automate_retention_campaigns; to find who needs one use " +
    "identify_churn_risk or score_risk_factors. Example: {client_id: 'cs_1700000000_acme_corp', campaign_type: " +
    "'value_review', intervention_level: 'high'}.",
  input: z.strictObject({
    client_id: clientId(),
    campaign_type: z
      .enum(CAMPAIGN_TYPES, { error: `must be one of ${CAMPAIGN_TYPES.join(", ")}` })
      .describe("Kind of campaign: re_engagement, executive_outreach, value_review, training_offer, discount_offer or success_plan"),
    intervention_level: z
      .enum(INTERVENTION_LEVELS, { error: `must be one of ${INTERVENTION_LEVELS.join(", ")}` })
      .default("medium")
      .describe("Intensity: low (spread out), medium, high (compressed, manager review), critical (fastest, leadership escalation); default medium"),
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
