import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { TRIGGER_TYPES } from "../../repositories/retention.ts";
import { CAMPAIGN_TYPES, INTERVENTION_LEVELS } from "../../services/retention/campaigns.ts";

const matchRow = { client_id: z.string(), company_name: z.string(), trigger_value: z.number().nullable() };

export const automateRetentionCampaigns = defineTool({
  name: "automate_retention_campaigns",
  toolset: "retention",
  title: "Start retention campaigns for every matching account",
  description:
    "Start retention campaigns for every active account matching a trigger (health_below, usage_drop, " +
    "nps_detractor, renewal_risk), most severe first; recently covered accounts are skipped, so calling " +
    "again continues. dry_run lists who. One account: execute_retention_campaign. Example: {trigger_type:" +
    " 'health_below', threshold: 50, dry_run: true}.",
  input: z.strictObject({
    trigger_type: z.enum(TRIGGER_TYPES, { error: `must be one of ${TRIGGER_TYPES.join(", ")}` }).describe("What selects accounts"),
    threshold: z
      .number()
      .finite()
      .min(0)
      .max(3650)
      .optional()
      .describe("Score, drop share, NPS answer or days, per trigger"),
    campaign_template: z
      .strictObject({
        campaign_type: z.enum(CAMPAIGN_TYPES, { error: `must be one of ${CAMPAIGN_TYPES.join(", ")}` }),
        intervention_level: z.enum(INTERVENTION_LEVELS, { error: `must be one of ${INTERVENTION_LEVELS.join(", ")}` }).default("medium"),
      })
      .default({ campaign_type: "re_engagement", intervention_level: "medium" })
      .describe("Default re_engagement, medium"),
    dry_run: z.boolean().default(false).describe("List only, change nothing"),
    max_accounts: z.number().int().min(1).max(200).default(100).describe("Most campaigns per call"),
  }),
  output: z.object({
    trigger_type: z.string(),
    threshold: z.number(),
    campaign_template: z.object({ campaign_type: z.string(), intervention_level: z.string() }),
    dry_run: z.boolean(),
    matched: z.number().int(),
    already_covered: z.number().int().describe("Matching accounts with a campaign within RETENTION_FREQUENCY_DAYS (skipped)"),
    evaluated: z.number().int(),
    remaining: z.number().int().describe("Matching accounts open for a campaign that this call did not reach (max_accounts); call again to continue"),
    truncated: z.boolean(),
    started: z.array(z.object({ ...matchRow, campaign_id: z.string().nullable(), outreach_status: z.string().nullable(), steps: z.number().int() })),
    skipped: z.array(z.object({ ...matchRow, reason: z.string(), existing_campaign_id: z.string().nullable() })),
    skipped_note: z.string().nullable(),
    frequency_days: z.number().int(),
    integration_note: z.string().optional(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true, idempotentHint: false },
  async handler(args, { services, progress, signal }) {
    const data = await services.retention.campaigns.automate(args, (done, total, message) => progress(done, total, message), signal);
    const verb = data.dry_run ? "would start" : "started";
    const ids = data.started.slice(0, 10).map((s) => s.campaign_id ? `${s.client_id} → ${s.campaign_id}` : s.client_id).join("; ");
    return {
      data,
      text:
        `${data.matched} accounts match ${data.trigger_type} (threshold ${data.threshold}), ${data.already_covered} already covered; ${verb} ${data.started.length}, skipped ${data.skipped.length}` +
        `${ids ? `: ${ids}${data.started.length > 10 ? "; …" : ""}` : ""}.${data.remaining ? ` ${data.remaining} more beyond max_accounts: call again to continue.` : ""}${data.integration_note ? ` ${data.integration_note}.` : ""}`,
    };
  },
});
