import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { clientId } from "../../security/validation.ts";
import { CHANNELS, RECIPIENT_SCOPES } from "../../services/onboarding/automation.ts";
import { AUTOMATION_TRIGGERS } from "../../services/onboarding/messages.ts";
import { deliveryReport } from "./schemas.ts";

const preferences = z
  .strictObject({
    channel: z.enum(CHANNELS, { error: `must be one of ${CHANNELS.join(", ")}` }).default("email"),
    recipients: z.enum(RECIPIENT_SCOPES, { error: `must be one of ${RECIPIENT_SCOPES.join(", ")}` }).default("primary_contact"),
    reminder_days_before: z.number().int().min(0, "must be 0–30").max(30, "must be 0–30").default(3),
    overdue_days_after: z.number().int().min(1, "must be 1–30").max(30, "must be 1–30").default(1),
    send_hour_utc: z.number().int().min(0, "must be 0–23").max(23, "must be 0–23").default(9),
  })
  .default({ channel: "email", recipients: "primary_contact", reminder_days_before: 3, overdue_days_after: 1, send_hour_utc: 9 });

export const activateOnboardingAutomation = defineTool({
  name: "activate_onboarding_automation",
  toolset: "onboarding",
  title: "Activate onboarding reminders",
  description:
    "Schedule an onboarding plan's welcome, milestone reminders and overdue nudges via the outbox (email " +
    "or in-app). Repeats queue nothing twice; new preferences supersede pending ones; unconfigured " +
    "vendors report not_configured. Example: {client_id: 'cs_1700000000_acme_corp', plan_id: '0197…', " +
    "notification_preferences: {channel: 'email'}}.",
  input: z.strictObject({
    client_id: clientId(),
    plan_id: z.uuid({ error: "must be a plan_id (a UUID) from create_onboarding_plan" }).describe("Active onboarding plan"),
    automation_triggers: z
      .array(z.enum(AUTOMATION_TRIGGERS, { error: `must be one of ${AUTOMATION_TRIGGERS.join(", ")}` }))
      .min(1, "must list at least one trigger")
      .max(3)
      .default([...AUTOMATION_TRIGGERS])
      .describe("Default all three"),
    notification_preferences: preferences.describe("Delivery preferences"),
  }),
  output: z.object({
    plan_id: z.string(),
    client_id: z.string(),
    company_name: z.string(),
    triggers: z.array(z.string()),
    notification_preferences: z.object({ channel: z.string(), recipients: z.string(), reminder_days_before: z.number().int(), overdue_days_after: z.number().int(), send_hour_utc: z.number().int() }),
    integration: z.string(),
    recipients: z.array(z.string()).describe("the first 20"),
    recipients_total: z.number().int(),
    scheduled: z.array(
      z.object({
        kind: z.string(),
        milestone_id: z.string().nullable(),
        milestone_sequence: z.number().int().nullable(),
        milestone_name: z.string().nullable(),
        milestone_due_date: z.string().nullable(),
        send_at: z.string(),
        timing: z.enum(["now", "scheduled", "catch_up"]),
        channel: z.string(),
        operation: z.string(),
        recipients: z.array(z.string()).describe("the first 3"),
        recipients_total: z.number().int(),
        idempotency_key: z.string(),
        delivery: deliveryReport,
      }),
    ),
    not_scheduled: z.array(z.object({ kind: z.string(), milestone_id: z.string().nullable(), milestone_name: z.string().nullable(), reason: z.string() })),
    superseded: z.array(z.object({ outbox_id: z.string(), idempotency_key: z.string(), reason: z.string() })),
    counts: z.object({ scheduled: z.number().int(), queued: z.number().int(), not_configured: z.number().int(), skipped: z.number().int(), superseded: z.number().int() }),
    next_send_at: z.string().nullable(),
    rules: z.record(z.string(), z.string()),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true, idempotentHint: true },
  async handler(args, { services }) {
    const d = await services.onboarding.automation.activate(args);
    const nc = d.scheduled.find((s) => s.delivery.status === "not_configured")?.delivery as { missing_variables?: string[] } | undefined;
    return {
      data: d,
      text:
        `Onboarding automation for plan ${d.plan_id} (${d.company_name}, ${d.notification_preferences.channel} via ${d.integration}): ${d.counts.scheduled} messages, ` +
        `${d.counts.queued} queued, ${d.counts.not_configured} not configured${nc?.missing_variables ? ` (set ${nc.missing_variables.join(", ")})` : ""}, ${d.counts.skipped} skipped, ` +
        `${d.counts.superseded} earlier pending superseded.${d.next_send_at ? ` First send ${d.next_send_at}.` : ""}`,
    };
  },
});
