import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { email, isoDate, money, text, tier } from "../../security/validation.ts";
import { contractView } from "./schemas.ts";

export const registerClient = defineTool({
  name: "register_client",
  toolset: "core",
  title: "Register a client account",
  description:
    "Create an account (with its contract when a value or dates are given) in stage onboarding and issue " +
    "its client_id; the same company and contact email again is a conflict naming the existing id. " +
    "Changes: update_client_info. Example: {client_name: 'Jane Doe', company_name: 'Acme Corp', " +
    "primary_contact_email: 'jane@acme.com', contract_value: 48000}.",
  input: z.strictObject({
    client_name: text(200).describe("Account name as the CS team calls it"),
    company_name: text(200).describe("Customer company name"),
    primary_contact_email: email().describe("With company_name, identifies the account"),
    primary_contact_name: text(200).optional().describe("Contact's full name"),
    industry: text(100).optional().describe("e.g. SaaS"),
    tier: tier().default("standard").describe("Service tier"),
    contract_value: money().optional().describe("Annual value; becomes ARR"),
    contract_start_date: isoDate().optional().describe("Contract start"),
    contract_end_date: isoDate().optional().describe("Contract end"),
    renewal_date: isoDate().optional().describe("Default: contract end"),
    billing_frequency: z.enum(["monthly", "quarterly", "annual"]).optional().describe("Default annual"),
    auto_renew: z.boolean().optional().describe("Default false"),
    seats: z.number().int().min(1).max(10_000_000).optional().describe("Licensed seats"),
    external_id: text(200).optional().describe("Id in your CRM"),
    csm_name: text(200).optional().describe("Owning CSM"),
    csm_email: email().optional().describe("CSM email"),
  }),
  output: z.object({
    client_id: z.string(),
    client_name: z.string(),
    company_name: z.string(),
    tier: z.string(),
    lifecycle_stage: z.string(),
    arr: z.number(),
    created_at: z.string(),
    contract: contractView.nullable(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false, idempotentHint: false },
  async handler(args, { services }) {
    const data = await services.clients.register(args);
    return {
      data,
      text: `Registered ${data.company_name} as ${data.client_id} (${data.tier}, stage ${data.lifecycle_stage}${data.contract ? `, contract ${data.contract.contract_value} ${data.contract.currency}` : ", no contract yet"}).`,
    };
  },
});
