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
    "Find the active accounts matching a trigger (one set-based query) and start a campaign for each, the same " +
    "way execute_retention_campaign does (steps, outreach email queued through SendGrid or reported " +
    "not_configured). Triggers and their threshold: health_below — health score below threshold (default " +
    "RETENTION_TRIGGER_HEALTH, 60); usage_drop — active users of the last 30 days down by at least threshold " +
    "(share, default 0.3) against days 30–60; nps_detractor — latest NPS answer of 90 days at or below threshold " +
    "(default 6); renewal_risk — renewal within threshold days (default 90) with health below " +
    "RETENTION_TRIGGER_HEALTH. At most one campaign per account within RETENTION_FREQUENCY_DAYS, whatever its type " +
    "(the rule of execute_retention_campaign too): covered accounts are skipped with the reason and do not count " +
    "toward max_accounts, so calling again continues with the next matches (remaining). Use dry_run to see who would " +
    "get one. Most severe first, at most max_accounts (≤ 200) campaigns per call. " +
    "Example: {trigger_type: 'health_below', threshold: 50, campaign_template: {campaign_type: 're_engagement', " +
    "intervention_level: 'high'}, dry_run: true}.",
  input: z.strictObject({
    trigger_type: z.enum(TRIGGER_TYPES, { error: `must be one of ${TRIGGER_TYPES.join(", ")}` }).describe("What selects the accounts: health_below, usage_drop, nps_detractor or renewal_risk"),
    threshold: z
      .number()
      .finite()
      .min(0)
      .max(3650)
      .optional()
      .describe("Trigger threshold: health score (health_below), drop share 0–1 (usage_drop), NPS answer (nps_detractor) or days to renewal (renewal_risk); defaults from configuration"),
    campaign_template: z
      .strictObject({
        campaign_type: z.enum(CAMPAIGN_TYPES, { error: `must be one of ${CAMPAIGN_TYPES.join(", ")}` }).describe("Campaign type for every started campaign"),
        intervention_level: z.enum(INTERVENTION_LEVELS, { error: `must be one of ${INTERVENTION_LEVELS.join(", ")}` }).default("medium").describe("Intervention level (default medium)"),
      })
      .default({ campaign_type: "re_engagement", intervention_level: "medium" })
      .describe("The campaign to start for each account (default re_engagement, medium)"),
    dry_run: z.boolean().default(false).describe("true: list the accounts that would get a campaign, change nothing"),
    max_accounts: z.number().int().min(1).max(200).default(100).describe("Most campaigns to start (dry_run: to list) in this call, 1–200 (default 100); already covered accounts do not count"),
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
