import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { clientId, email, isoDate, money, text, tier } from "../../security/validation.ts";

const changeValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const updateClientInfo = defineTool({
  name: "update_client_info",
  toolset: "core",
  title: "Update client information",
  description:
    "Change editable fields of an account or its current contract; unknown fields are refused and nothing" +
    " changes. Changes go to the timeline and audit log. Stage moves: manage_lifecycle_stages. Example: " +
    "{client_id: 'cs_1700000000_acme_corp', updates: {tier: 'enterprise', contract_value: 96000}, reason:" +
    " 'upgraded at QBR'}.",
  input: z.strictObject({
    client_id: clientId(),
    updates: z
      .strictObject({
        client_name: text(200).optional().describe("Account name"),
        company_name: text(200).optional().describe("Company name"),
        industry: text(100).nullable().optional().describe("null clears"),
        tier: tier().optional().describe("Service tier"),
        primary_contact_email: email().optional().describe("New primary contact email"),
        primary_contact_name: text(200).nullable().optional().describe("Primary contact name"),
        csm_name: text(200).nullable().optional().describe("Customer success manager"),
        csm_email: email().nullable().optional().describe("Customer success manager's email"),
        seats: z.number().int().min(1).max(10_000_000).nullable().optional().describe("Licensed seats"),
        external_id: text(200).nullable().optional().describe("CRM id"),
        contract_value: money().optional().describe("Annual contract value of the current contract (updates ARR)"),
        contract_start_date: isoDate().optional().describe("Current contract start, YYYY-MM-DD"),
        contract_end_date: isoDate().optional().describe("Current contract end, YYYY-MM-DD"),
        renewal_date: isoDate().optional().describe("Renewal date, YYYY-MM-DD"),
        billing_frequency: z.enum(["monthly", "quarterly", "annual"]).optional().describe("Billing frequency"),
        auto_renew: z.boolean().optional().describe("Automatic renewal"),
      })
      .describe("Fields to change; at least one"),
    reason: text(500).optional().describe("Stored on the timeline"),
  }),
  output: z.object({
    client_id: z.string(),
    changed: z.array(z.object({ field: z.string(), from: changeValue, to: changeValue })),
    unchanged: z.array(z.string()),
    updated_at: z.string(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false, idempotentHint: true },
  async handler({ client_id, updates, reason }, { services }) {
    const clean = Object.fromEntries(Object.entries(updates).filter(([, v]) => v !== undefined));
    const data = await services.clients.update(client_id, clean, reason);
    return {
      data,
      text: data.changed.length
        ? `Updated ${client_id}: ${data.changed.map((c) => c.field).join(", ")}${data.unchanged.length ? `; unchanged: ${data.unchanged.join(", ")}` : ""}.`
        : `Nothing changed on ${client_id}: ${data.unchanged.join(", ")} already had those values.`,
    };
  },
});
