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
    "List accounts with optional filters on tier, lifecycle stage and health score range, sorted by company_name " +
    "(default), arr, health_score, churn_risk (latest stored churn probability) or renewal_date (active contract), asc " +
    "or desc; ties by client_id, accounts without the value last. Returns the total matching count, one page (limit ≤ " +
    "100, default 50) and the filters applied. Page with offset, or with next_cursor passed back as cursor (stable " +
    "while accounts are added). Accounts without a health score are left out when a health filter is given. For one " +
    "account's details use get_client_overview. Example: {tier_filter: 'enterprise', sort_by: 'arr', sort_order: 'desc', limit: 20}.",
  input: z.strictObject({
    tier_filter: tier().optional().describe("Only accounts of this tier"),
    lifecycle_stage_filter: lifecycleStage().optional().describe("Only accounts in this lifecycle stage"),
    health_score_min: z.number().int().min(0).max(100).optional().describe("Lowest health score to include (0–100)"),
    health_score_max: z.number().int().min(0).max(100).optional().describe("Highest health score to include (0–100)"),
    sort_by: z.enum(ACCOUNT_SORT_FIELDS, { error: `must be one of ${ACCOUNT_SORT_FIELDS.join(", ")}` }).default("company_name").describe("Sort field (default company_name)"),
    sort_order: z.enum(["asc", "desc"], { error: "must be asc or desc" }).default("asc").describe("asc (default) or desc"),
    limit: z.number().int().min(1).max(LIST_CLIENTS_MAX).default(50).describe(`Page size, 1–${LIST_CLIENTS_MAX} (default 50)`),
    offset: z.number().int().min(0).max(1_000_000).default(0).describe("Rows to skip (not with cursor)"),
    cursor: z.string().max(1000).optional().describe("next_cursor from the previous page"),
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
