import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { clientId, text } from "../../security/validation.ts";
import { DEFAULT_MILESTONES } from "../../services/health/milestones.ts";
import { missingData } from "./schemas.ts";

const status = z.enum(["on_time", "late", "overdue", "pending", "unknown"]);

const customMilestone = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,39}$/, "must be 1–40 characters: lowercase letters, digits and _, starting with a letter")
      .describe("e.g. first_report"),
    event: text(200).optional().describe("usage event name"),
    feature: text(200).optional().describe("usage feature"),
    min_users: z.number().int().min(1).max(10_000).default(1).describe("Distinct users needed"),
    target_days: z.number().int().min(1).max(730).describe("Days from creation"),
  })
  .superRefine((m, ctx) => {
    if ((m.event === undefined) === (m.feature === undefined)) ctx.addIssue({ code: "custom", path: ["event"], message: "give exactly one of event or feature" });
  });

export const trackAdoptionMilestones = defineTool({
  name: "track_adoption_milestones",
  toolset: "health",
  title: "Track adoption milestones",
  description:
    "Which adoption milestones (first_login, first_value, activation, key_feature_used, " +
    "integration_connected, full_value, custom) each account reached and when, from stored usage events, " +
    "against target days from customer_since: on_time, late, overdue, pending. One account or a portfolio summary. Onboarding" +
    " plans: track_onboarding_progress. Example: {client_id: 'cs_1700000000_acme_corp'}.",
  input: z
    .strictObject({
      client_id: clientId().optional().describe("Omit for the portfolio"),
      milestone_framework: z
        .enum(["default", "custom"], { error: "must be one of default, custom" })
        .default("default")
        .describe("custom: only custom_milestones"),
      custom_milestones: z
        .array(customMilestone)
        .max(20, "must list at most 20 milestones")
        .default([])
        .describe("Give event or feature"),
      key_features: z
        .array(text(200))
        .min(1, "must list at least one feature")
        .max(20, "must list at most 20 features")
        .optional()
        .describe("Default: most used feature"),
      activation_users: z.number().int().min(1).max(10_000).default(3).describe("Users for activation"),
      full_value_features: z.number().int().min(1).max(50).default(3).describe("Features for full_value"),
      full_value_users_per_feature: z.number().int().min(1).max(10_000).default(2).describe("Users per feature for full_value"),
      limit: z.number().int().min(1).max(15).default(15).describe("Portfolio: page size"),
      offset: z.number().int().min(0).max(1_000_000).default(0).describe("Portfolio: rows to skip"),
    })
    .superRefine((v, ctx) => {
      if (v.milestone_framework === "custom" && v.custom_milestones.length === 0) {
        ctx.addIssue({ code: "custom", path: ["custom_milestones"], message: "must list at least one milestone when milestone_framework is 'custom'" });
      }
      const reserved = new Set<string>(v.milestone_framework === "default" ? DEFAULT_MILESTONES : []);
      const seen = new Set<string>();
      v.custom_milestones.forEach((m, i) => {
        if (reserved.has(m.name)) ctx.addIssue({ code: "custom", path: ["custom_milestones", i, "name"], message: `'${m.name}' is a default milestone; choose another name or use milestone_framework 'custom'` });
        else if (seen.has(m.name)) ctx.addIssue({ code: "custom", path: ["custom_milestones", i, "name"], message: `'${m.name}' is listed twice` });
        seen.add(m.name);
      });
      if (v.milestone_framework === "custom" && v.key_features) ctx.addIssue({ code: "custom", path: ["key_features"], message: "applies to the default framework only" });
    }),
  output: z.object({
    mode: z.enum(["account", "portfolio"]),
    milestone_framework: z.enum(["default", "custom"]),
    as_of: z.string(),
    as_of_date: z.string(),
    framework: z.array(z.object({ name: z.string(), source: z.enum(["default", "custom"]), definition: z.string(), target_days: z.number().int(), target_source: z.string() })),
    definitions: z.record(z.string(), z.string()),
    accounts: z.array(
      z.object({
        client_id: z.string(),
        company_name: z.string(),
        customer_since: z.string(),
        age_days: z.number().int(),
        before_usage_history: z.boolean(),
        usage_events: z.number().int(),
        active_users: z.number().int(),
        last_event_at: z.string().nullable(),
        reached: z.number().int(),
        overdue: z.array(z.string()),
        milestones: z.array(
          z.object({
            name: z.string(),
            reached_at: z.string().nullable(),
            days_to_reach: z.number().int().nullable(),
            target_days: z.number().int(),
            status,
            days_past_target: z.number().int().nullable(),
          }),
        ),
      }),
    ),
    summary: z
      .object({
        accounts: z.number().int(),
        accounts_with_usage: z.number().int(),
        accounts_with_overdue: z.number().int(),
        accounts_reached_all: z.number().int(),
        milestones: z.array(
          z.object({
            name: z.string(),
            target_days: z.number().int(),
            reached: z.number().int(),
            reach_rate: z.number().nullable(),
            median_days: z.number().nullable(),
            on_time: z.number().int(),
            late: z.number().int(),
            overdue: z.number().int(),
            unknown: z.number().int(),
          }),
        ),
      })
      .nullable(),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
    next_offset: z.number().int().nullable(),
    missing_data: missingData,
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false, idempotentHint: true },
  async handler(args, { services }) {
    const d = await services.milestones.track(args);
    const miss = d.missing_data.length ? ` Missing: ${d.missing_data.map((m) => `${m.what} — ${m.how_to_supply}`).join("; ")}.` : "";
    let text: string;
    if (d.mode === "account") {
      const a = d.accounts[0]!;
      const list = a.milestones.map((m) => `${m.name} ${m.reached_at ? `day ${m.days_to_reach} (${m.status.replace("_", " ")})` : m.status}`).join(", ");
      text = `${a.company_name} (${a.client_id}), day ${a.age_days}: ${a.reached}/${a.milestones.length} milestones reached — ${list}.${miss}`;
    } else {
      const s = d.summary!;
      const list = s.milestones.map((m) => `${m.name} ${m.reach_rate === null ? "n/a" : `${Math.round(m.reach_rate * 1000) / 10}%`}${m.median_days === null ? "" : ` (median ${m.median_days} d)`}`).join(", ");
      text = `${s.accounts} active accounts, ${s.accounts_with_overdue} with an overdue milestone, ${s.accounts_reached_all} reached all: ${list}.${d.next_offset !== null ? ` More accounts: offset ${d.next_offset}.` : ""}${miss}`;
    }
    return { data: d, text };
  },
});
