import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { email, isoDate, money, text, tier } from "../../security/validation.ts";
import { contractView } from "./schemas.ts";

export const registerClient = defineTool({
  name: "register_client",
  toolset: "core",
  title: "Register a client account",
  description:
    "Create a new customer account (and its contract when a value or dates are given) in lifecycle stage " +
    "'onboarding', and issue its client_id (cs_<digits>_<slug>), which every other tool takes. Registering the " +
    "same company with the same primary contact email again is refused as a conflict that names the existing " +
    "client_id. To change an existing account use update_client_info. Example: {client_name: 'Jane Doe', " +
    "company_name: 'Acme Corp', primary_contact_email: 'jane@acme.com', tier: 'professional', contract_value: 48000, " +
    "contract_start_date: '2025-01-01', contract_end_date: '2025-12-31'}.",
  input: z.strictObject({
    client_name: text(200).describe("Name of the account as the CS team calls it (often the main contact or the program)"),
    company_name: text(200).describe("Legal or trading name of the customer company"),
    primary_contact_email: email().describe("Email of the primary contact; with company_name it identifies the account"),
    primary_contact_name: text(200).optional().describe("Full name of the primary contact"),
    industry: text(100).optional().describe("Industry, e.g. 'SaaS', 'Healthcare', 'Retail'"),
    tier: tier().default("standard").describe("Service tier: starter, standard, professional or enterprise (default standard)"),
    contract_value: money().optional().describe("Annual contract value in the contract currency (becomes the account's ARR), at most 2 decimals"),
    contract_start_date: isoDate().optional().describe("Contract start date, YYYY-MM-DD"),
    contract_end_date: isoDate().optional().describe("Contract end date, YYYY-MM-DD (on or after the start date)"),
    renewal_date: isoDate().optional().describe("Renewal date, YYYY-MM-DD (defaults to the end date)"),
    billing_frequency: z.enum(["monthly", "quarterly", "annual"]).optional().describe("How the contract is billed (default annual)"),
    auto_renew: z.boolean().optional().describe("Whether the contract renews automatically (default false)"),
    seats: z.number().int().min(1).max(10_000_000).optional().describe("Licensed seats"),
    external_id: text(200).optional().describe("The account's id in your CRM, for imports and lookups"),
    csm_name: text(200).optional().describe("Customer success manager who owns the account"),
    csm_email: email().optional().describe("Email of the customer success manager"),
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
