// manage_customer_portal: each account's self-service portal settings (portal_settings): which features are
// on (from a documented list), branding (hex colours, https logo, title, custom domain) and the resources
// it links to. The row is created by the first change; until then the account has no portal settings and
// get_status says so.
import { randomUUID } from "node:crypto";
import type { Prisma as P, PrismaClient } from "../../generated/prisma/client.ts";
import { writeAudit, writeTimeline } from "../../repositories/audit.ts";
import { notFound, validationError } from "../../server/errors.ts";
import { checkActionFields, type ActionRule } from "../shared/action-fields.ts";

export const PORTAL_ACTIONS = ["get_status", "enable_feature", "disable_feature", "customize_branding", "list_resources", "add_resource", "remove_resource"] as const;
export type PortalAction = (typeof PORTAL_ACTIONS)[number];

/** The portal features an account can switch on, and what each gives its users. */
export const PORTAL_FEATURES = {
  knowledge_base: "search and read published knowledge-base articles",
  ticket_submission: "open support tickets",
  ticket_history: "see their tickets and replies",
  community: "community forum access",
  training: "training modules and certifications",
  usage_analytics: "their own usage dashboards",
  billing: "invoices and payment details",
  status_page: "service status and incidents",
  live_chat: "chat with support",
  feature_requests: "submit and vote on feature requests",
  downloads: "product downloads and release notes",
} as const;
export type PortalFeature = keyof typeof PORTAL_FEATURES;
export const PORTAL_FEATURE_NAMES = Object.keys(PORTAL_FEATURES) as PortalFeature[];

export const RESOURCE_TYPES = ["documentation", "guide", "video", "faq", "training", "download", "link"] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

export const BRANDING_FIELDS = ["primary_color", "secondary_color", "logo_url", "portal_title", "custom_domain"] as const;
export type BrandingField = (typeof BRANDING_FIELDS)[number];

export interface PortalInput {
  client_id: string;
  action: PortalAction;
  feature?: PortalFeature | undefined;
  primary_color?: string | undefined;
  secondary_color?: string | undefined;
  logo_url?: string | undefined;
  portal_title?: string | undefined;
  custom_domain?: string | undefined;
  resource_title?: string | undefined;
  resource_url?: string | undefined;
  resource_type?: ResourceType | undefined;
  resource_id?: string | undefined;
}

type Field = Exclude<keyof PortalInput, "client_id" | "action">;
const FIELDS: Field[] = ["feature", ...BRANDING_FIELDS, "resource_title", "resource_url", "resource_type", "resource_id"];
const RULES: Record<PortalAction, ActionRule<Field>> = {
  get_status: { required: [], allowed: [] },
  enable_feature: { required: ["feature"], allowed: ["feature"] },
  disable_feature: { required: ["feature"], allowed: ["feature"] },
  customize_branding: { required: [], allowed: [...BRANDING_FIELDS], atLeastOne: [...BRANDING_FIELDS] },
  list_resources: { required: [], allowed: ["resource_type"] },
  add_resource: { required: ["resource_title", "resource_url", "resource_type"], allowed: ["resource_title", "resource_url", "resource_type"] },
  remove_resource: { required: ["resource_id"], allowed: ["resource_id"] },
};

export interface PortalResource {
  resource_id: string;
  title: string;
  url: string;
  type: ResourceType;
  added_at: string;
}

const MAX_RESOURCES = 200;

interface Settings {
  enabled: boolean;
  enabled_features: string[];
  branding: Record<string, string>;
  resources: PortalResource[];
  updated_at: Date | null;
}

function view(clientId: string, s: Settings | null) {
  const st: Settings = s ?? { enabled: false, enabled_features: [], branding: {}, resources: [], updated_at: null };
  return {
    client_id: clientId,
    set_up: s !== null,
    enabled: st.enabled,
    enabled_features: PORTAL_FEATURE_NAMES.filter((f) => st.enabled_features.includes(f)),
    disabled_features: PORTAL_FEATURE_NAMES.filter((f) => !st.enabled_features.includes(f)),
    branding: st.branding,
    resource_count: st.resources.length,
    updated_at: st.updated_at ? st.updated_at.toISOString() : null,
  };
}

export class PortalService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private async load(tx: P.TransactionClient | PrismaClient, clientId: string): Promise<Settings | null> {
    const account = await tx.account.findUnique({ where: { id: clientId }, select: { id: true } });
    if (!account) throw notFound("client", clientId, "use list_clients to find the client_id");
    const row = await tx.portalSettings.findUnique({ where: { account_id: clientId } });
    if (!row) return null;
    return { enabled: row.enabled, enabled_features: row.enabled_features, branding: (row.branding ?? {}) as Record<string, string>, resources: (row.resources ?? []) as unknown as PortalResource[], updated_at: row.updated_at };
  }

  async handle(input: PortalInput) {
    checkActionFields(input.action, input, FIELDS, RULES);
    if (input.action === "get_status" || input.action === "list_resources") {
      const s = await this.load(this.prisma, input.client_id);
      const base = { action: input.action, portal: view(input.client_id, s), features_available: PORTAL_FEATURES };
      const missing = s ? [] : ["no portal settings are stored for this account yet: enable_feature, customize_branding or add_resource sets the portal up"];
      if (input.action === "get_status") return { ...base, changed: [] as string[], missing_data: missing };
      const resources = (s?.resources ?? []).filter((r) => !input.resource_type || r.type === input.resource_type);
      return { ...base, resources, changed: [] as string[], missing_data: missing };
    }
    const now = this.now();
    return this.prisma.$transaction(async (tx) => {
      await tx.$queryRawUnsafe(`SELECT account_id FROM portal_settings WHERE account_id = $1 FOR UPDATE`, input.client_id);
      const before = await this.load(tx, input.client_id);
      const next: Settings = before
        ? { ...before, enabled_features: [...before.enabled_features], branding: { ...before.branding }, resources: [...before.resources] }
        : { enabled: true, enabled_features: [], branding: {}, resources: [], updated_at: null };
      const changed: string[] = [];
      let resource: PortalResource | undefined;
      switch (input.action) {
        case "enable_feature":
          if (!next.enabled_features.includes(input.feature!)) (next.enabled_features = [...next.enabled_features, input.feature!]), changed.push(`feature:${input.feature}`);
          break;
        case "disable_feature":
          if (next.enabled_features.includes(input.feature!)) (next.enabled_features = next.enabled_features.filter((f) => f !== input.feature)), changed.push(`feature:${input.feature}`);
          break;
        case "customize_branding":
          for (const f of BRANDING_FIELDS) {
            const v = input[f];
            if (v !== undefined && next.branding[f] !== v) (next.branding[f] = v), changed.push(f);
          }
          break;
        case "add_resource": {
          const dup = next.resources.find((r) => r.url === input.resource_url);
          if (dup) {
            resource = dup;
            break;
          }
          if (next.resources.length >= MAX_RESOURCES) throw validationError(`resource_url: the portal already lists ${MAX_RESOURCES} resources (the most it keeps)`, "remove_resource some first");
          resource = { resource_id: randomUUID(), title: input.resource_title!, url: input.resource_url!, type: input.resource_type!, added_at: now.toISOString() };
          next.resources.push(resource);
          changed.push("resources");
          break;
        }
        case "remove_resource": {
          resource = next.resources.find((r) => r.resource_id === input.resource_id);
          if (!resource) throw notFound("portal resource", input.resource_id!, "use action 'list_resources' to find the resource_id");
          next.resources = next.resources.filter((r) => r.resource_id !== input.resource_id);
          changed.push("resources");
          break;
        }
      }
      if (changed.length) {
        const data = { enabled: next.enabled, enabled_features: next.enabled_features, branding: next.branding as P.InputJsonValue, resources: next.resources as unknown as P.InputJsonValue, updated_at: now };
        await tx.portalSettings.upsert({ where: { account_id: input.client_id }, create: { account_id: input.client_id, ...data }, update: data });
        next.updated_at = now;
        await writeTimeline(tx, { account_id: input.client_id, event_type: "note", summary: `Customer portal: ${input.action.replace(/_/g, " ")}${input.feature ? ` ${input.feature}` : ""}`, data: { changed }, occurred_at: now });
        await writeAudit(tx, { action: `portal_${input.action}`, entity_type: "portal_settings", entity_id: input.client_id, changes: { changed, ...(resource ? { resource_id: resource.resource_id } : {}) } });
      }
      return {
        action: input.action,
        portal: view(input.client_id, changed.length || before ? next : null),
        features_available: PORTAL_FEATURES,
        changed,
        ...(resource ? { resource } : {}),
        ...(input.action === "add_resource" || input.action === "remove_resource" ? { resources: next.resources } : {}),
        missing_data: [] as string[],
      };
    });
  }
}
