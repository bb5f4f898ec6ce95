import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { clientId } from "../../security/validation.ts";
import { churnAge, levelTotals, missingData, renewalView } from "./schemas.ts";

export const trackRenewals = defineTool({
  name: "track_renewals",
  toolset: "expansion",
  title: "Track upcoming renewals",
  description:
    "Renewals due in the next days_until_renewal days, soonest first: ARR, health, churn risk (stored " +
    "prediction or computed now), auto_renew, notice deadline, payment status and reminder schedule; " +
    "totals by risk level. Read-only. For probabilities and forecast ARR use forecast_renewals; for a " +
    "negotiation brief negotiate_renewals. Example: {days_until_renewal: 30}.",
  input: z.strictObject({
    client_id: clientId().optional().describe("Omit for every active account"),
    days_until_renewal: z.number().int().min(0).max(730).default(90).describe("Days ahead"),
    ...churnAge,
    limit: z.number().int().min(1).max(15).default(15).describe("Most listed"),
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
