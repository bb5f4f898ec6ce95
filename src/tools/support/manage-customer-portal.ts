import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { clientId, text } from "../../security/validation.ts";
import { PORTAL_ACTIONS, PORTAL_FEATURE_NAMES, RESOURCE_TYPES } from "../../services/support/portal.ts";

const hexColor = () => z.string().trim().regex(/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/, "must be a hex colour like #1a73e8 or #fff").transform((s) => s.toLowerCase());
const httpsUrl = () =>
  z
    .string()
    .trim()
    .max(2000, "must be at most 2000 characters")
    .refine((s) => {
      try {
        const u = new URL(s);
        return u.protocol === "https:" && !!u.hostname && !u.username && !u.password;
      } catch {
        return false;
      }
    }, "must be an https:// URL (no credentials in it)");

const resourceSchema = z.object({ resource_id: z.string(), title: z.string(), url: z.string(), type: z.string(), added_at: z.string() });

export const manageCustomerPortal = defineTool({
  name: "manage_customer_portal",
  toolset: "support",
  title: "Customer portal settings",
  description:
    "An account's self-service portal: get_status, enable_feature, disable_feature, customize_branding, " +
    "list_resources, add_resource (https, no duplicates), remove_resource; changes are audited. Example: " +
    "{client_id: 'cs_1700000000_acme_corp', action: 'enable_feature', feature: 'knowledge_base'}.",
  input: z.strictObject({
    client_id: clientId().describe("The account"),
    action: z.enum(PORTAL_ACTIONS, { error: `must be one of ${PORTAL_ACTIONS.join(", ")}` }),
    feature: z.enum(PORTAL_FEATURE_NAMES as [string, ...string[]], { error: `must be one of ${PORTAL_FEATURE_NAMES.join(", ")}` }).optional().describe("enable/disable_feature"),
    primary_color: hexColor().optional().describe("Hex #rrggbb"),
    secondary_color: hexColor().optional().describe("Hex #rrggbb"),
    logo_url: httpsUrl().optional().describe("https URL"),
    portal_title: text(120).optional().describe("customize_branding"),
    custom_domain: z
      .string()
      .trim()
      .toLowerCase()
      .max(253, "must be at most 253 characters")
      .regex(/^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "must be a host name like support.acme.com")
      .optional()
      .describe("Host name"),
    resource_title: text(200).optional().describe("add_resource"),
    resource_url: httpsUrl().optional().describe("add_resource: https"),
    resource_type: z.enum(RESOURCE_TYPES, { error: `must be one of ${RESOURCE_TYPES.join(", ")}` }).optional().describe("add_resource; list filter"),
    resource_id: z.uuid({ error: "must be a resource_id (a UUID) from list_resources" }).optional().describe("remove_resource"),
  }),
  output: z.object({
    action: z.enum(PORTAL_ACTIONS),
    portal: z.object({
      client_id: z.string(),
      set_up: z.boolean(),
      enabled: z.boolean(),
      enabled_features: z.array(z.string()),
      disabled_features: z.array(z.string()),
      branding: z.record(z.string(), z.string()),
      resource_count: z.number().int(),
      updated_at: z.string().nullable(),
    }),
    features_available: z.record(z.string(), z.string()),
    changed: z.array(z.string()),
    resource: resourceSchema.optional(),
    resources: z.array(resourceSchema).optional(),
    missing_data: z.array(z.string()),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false, idempotentHint: true },
  async handler(args, { services }) {
    const data = await services.support.portal.handle(args as Parameters<typeof services.support.portal.handle>[0]);
    const p = data.portal;
    const state = p.set_up ? `features on: ${p.enabled_features.length ? p.enabled_features.join(", ") : "none"}; ${p.resource_count} resources${Object.keys(p.branding).length ? `; branding: ${Object.entries(p.branding).map(([k, v]) => `${k} ${v}`).join(", ")}` : ""}` : "not set up yet";
    const what = data.action === "get_status" || data.action === "list_resources" ? "" : data.changed.length ? `Changed ${data.changed.join(", ")}. ` : "Nothing to change. ";
    const list = data.action === "list_resources" && data.resources?.length ? `\n${data.resources.map((r) => `- ${r.title} (${r.type}) ${r.url} [${r.resource_id}]`).join("\n")}` : "";
    return { data, text: `${what}Portal of ${p.client_id}: ${state}.${list}` };
  },
});

