import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { clientId } from "../../security/validation.ts";
import { churnAge, levelTotals, missingData, renewalView } from "./schemas.ts";

export const trackRenewals = defineTool({
  name: "track_renewals",
  toolset: "expansion",
  title: "Track upcoming renewals",
  description:
    "List the renewals due in the next days_until_renewal days (default 90): active contracts of active accounts whose " +
    "renewal date (renewal_date, else end_date) is between today and today + days (UTC calendar days, both ends " +
    "included), soonest first. Each row: ARR (the contract's annual value), latest stored health score, churn risk (latest " +
    "identify_churn_risk prediction at most prediction_max_age_days old, else computed now by the same model), auto_renew, " +
    "notice deadline = renewal date − notice_period_days (and whether it passed), payment status, and the reminder " +
    "schedule at RENEWAL_REMINDER_DAYS (90, 60, 30, 14, 7 days before) with each date and status past / due_today / " +
    "upcoming. Totals: ARR due, by churn risk level, auto-renewing, notice deadlines passed, payment issues, reminders due " +
    "today. Read-only. Example: {days_until_renewal: 30}.",
  input: z.strictObject({
    client_id: clientId().optional().describe("One account's renewals; leave out for every active account"),
    days_until_renewal: z.number().int().min(0).max(730).default(90).describe("Window in days from today, 0–730 (default 90)"),
    ...churnAge,
    limit: z.number().int().min(1).max(15).default(15).describe("Renewals listed, soonest first, 1–15 (default 15); totals cover all"),
  }),
  output: z.object({
    as_of: z.string(),
    window: z.object({ from: z.string(), to: z.string(), days_until_renewal: z.number().int() }),
    definitions: z.record(z.string(), z.string()),
    renewals: z.array(renewalView),
    totals: z.object({
      renewals: z.number().int(),
      arr_due: z.number(),
      by_risk_level: z.record(z.string(), levelTotals),
      auto_renew: levelTotals,
      notice_deadline_passed: z.number().int(),
      payment_issues: z.number().int(),
      reminders_due_today: z.number().int(),
      churn_from_stored_predictions: z.number().int(),
      churn_computed_now: z.number().int(),
    }),
    missing_data: missingData,
    limit: z.number().int(),
    truncated: z.boolean(),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false, idempotentHint: true },
  async handler(args, { services }) {
    const data = await services.expansion.renewals.track(args);
    const t = data.totals;
    return {
      data,
      text:
        `${t.renewals} renewals ${data.window.from}..${data.window.to}, ARR due ${t.arr_due}; high risk ${t.by_risk_level.high!.renewals}, medium ${t.by_risk_level.medium!.renewals}; ` +
        `${t.reminders_due_today} reminders due today, ${t.notice_deadline_passed} notice deadlines passed. ` +
        `${data.renewals.slice(0, 5).map((r) => `${r.client_id} ${r.renewal_date} ARR ${r.arr} (${r.churn.risk_level})`).join("; ") || ""}`,
    };
  },
});
