import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { lifecycleStage, tier } from "../../security/validation.ts";
import { ACCOUNT_SORT_FIELDS } from "../../repositories/accounts.ts";

const LIST_CLIENTS_MAX = 100;

export const listClients = defineTool({
  name: "list_clients",
  toolset: "core",
  title: "List client accounts",
  description:
    "Find accounts: filter by tier, lifecycle stage or health range; sort by company_name, arr, " +
    "health_score, churn_risk or renewal_date; page with offset or next_cursor. One account: " +
    "get_client_overview. Example: {tier_filter: 'enterprise', sort_by: 'arr', sort_order: 'desc', limit:" +
    " 20}.",
  input: z.strictObject({
    tier_filter: tier().optional().describe("Only this tier"),
    lifecycle_stage_filter: lifecycleStage().optional().describe("Only this stage"),
    health_score_min: z.number().int().min(0).max(100).optional().describe("Lowest health score"),
    health_score_max: z.number().int().min(0).max(100).optional().describe("Highest health score"),
    sort_by: z.enum(ACCOUNT_SORT_FIELDS, { error: `must be one of ${ACCOUNT_SORT_FIELDS.join(", ")}` }).default("company_name").describe("Sort field"),
    sort_order: z.enum(["asc", "desc"], { error: "must be asc or desc" }).default("asc").describe("Sort order"),
    limit: z.number().int().min(1).max(LIST_CLIENTS_MAX).default(50),
    offset: z.number().int().min(0).max(1_000_000).default(0).describe("Rows to skip (not with cursor)"),
    cursor: z.string().max(1000).optional(),
  }),
  output: z.object({
    total: z.number().int(),
    count: z.number().int(),
    clients: z.array(
      z.object({
        client_id: z.string(),
        client_name: z.string(),
        company_name: z.string(),
        industry: z.string().nullable(),
        tier: z.string(),
        lifecycle_stage: z.string(),
        status: z.string(),
        arr: z.number(),
        health_score: z.number().int().nullable(),
        health_band: z.string().nullable(),
        churn_probability: z.number().nullable(),
        renewal_date: z.string().nullable(),
        created_at: z.string(),
      }),
    ),
    sort: z.object({ by: z.string(), order: z.string() }),
    filters_applied: z.object({
      tier: z.string().nullable(),
      lifecycle_stage: z.string().nullable(),
      health_score_min: z.number().nullable(),
      health_score_max: z.number().nullable(),
    }),
    note: z.string().optional(),
    limit: z.number().int(),
    offset: z.number().int().nullable(),
    next_cursor: z.string().nullable(),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false, idempotentHint: true },
  async handler(args, { services }) {
    const data = await services.clients.list(args);
    const shown = data.clients.slice(0, 10).map((c) => `${c.company_name} (${c.client_id})`).join("; ");
    return {
      data,
      text: `${data.total} accounts match; showing ${data.count}${shown ? `: ${shown}${data.count > 10 ? "; …" : ""}` : ""}.${data.next_cursor ? " More pages: pass next_cursor as cursor." : ""}`,
    };
  },
});
