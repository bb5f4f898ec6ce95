// The MCP resources: fixed documents (the portfolio summary, the formulas) and one template,
// cs://clients/{client_id}, whose instances (one per account) are listed after the fixed ones,
// page by page. Other parts add fixed resources with the same shape (McpResource).
import { UriTemplate } from "@modelcontextprotocol/sdk/shared/uriTemplate.js";
import { ErrorCode, McpError, type Resource, type ResourceTemplate } from "@modelcontextprotocol/sdk/types.js";
import type { ServiceKey, Services } from "../../services/container.ts";
import { FORMULAS_MD } from "./formulas.ts";

/** The services the resources below read (loaded with the first resources/list or resources/read). */
export const RESOURCE_SERVICES: readonly ServiceKey[] = ["portfolioSummary", "clientDirectory", "clients"];

export interface ResourceContext {
  services: Services;
}

export interface McpResource {
  uri: string;
  name: string;
  title?: string;
  description?: string;
  mimeType: string;
  _meta?: Record<string, unknown>;
  read(ctx: ResourceContext): Promise<string>;
}

/** MCP's "resource not found" error code. */
const RESOURCE_NOT_FOUND = -32002 as ErrorCode;

/** resources/list page size (the client follows nextCursor for more). */
export const RESOURCE_PAGE_SIZE = 50;

const json = (value: unknown) => JSON.stringify(value, null, 2);

export const FIXED_RESOURCES: McpResource[] = [
  {
    uri: "cs://portfolio/summary",
    name: "portfolio-summary",
    title: "Portfolio summary",
    description: "Accounts, ARR, health bands, churn levels and renewals in the next 90 days, from stored data.",
    mimeType: "application/json",
    read: async ({ services }) => json(await services.portfolioSummary.summary()),
  },
  {
    uri: "cs://docs/formulas",
    name: "formulas",
    title: "Formulas",
    description: "How health, churn, SLA, GRR/NRR, NPS/CSAT/CES, renewal forecasts and CLV are computed.",
    mimeType: "text/markdown",
    read: async () => FORMULAS_MD,
  },
];

const clientTemplate = new UriTemplate("cs://clients/{client_id}");
export const CLIENT_TEMPLATE: ResourceTemplate = {
  uriTemplate: clientTemplate.toString(),
  name: "client",
  title: "Client overview",
  description: "One account's overview (profile, contract, health, support, risks, satisfaction) as JSON; client_id completes.",
  mimeType: "application/json",
};

const clientUri = (id: string) => `cs://clients/${encodeURIComponent(id)}`;

/** The client_id of a cs://clients/… URI, or null. */
export function clientIdOf(uri: string): string | null {
  const vars = clientTemplate.match(uri);
  const id = vars?.client_id;
  return typeof id === "string" && id !== "" ? decodeURIComponent(id) : null;
}

/** Opaque to the client: the offset of the next item. */
const encodeCursor = (offset: number) => Buffer.from(`o:${offset}`).toString("base64url");
function decodeCursor(cursor: string): number {
  const m = /^o:(\d{1,9})$/.exec(Buffer.from(cursor, "base64url").toString());
  if (!m) throw new McpError(ErrorCode.InvalidParams, "cursor: not a cursor this server gave; start again without one");
  return Number(m[1]);
}

export class ResourceRegistry {
  constructor(
    private readonly fixed: readonly McpResource[] = FIXED_RESOURCES,
    private readonly pageSize = RESOURCE_PAGE_SIZE,
  ) {}

  /** One page: the fixed resources, then one cs://clients/… per account in id order. */
  async list(ctx: ResourceContext, cursor: string | undefined): Promise<{ resources: Resource[]; nextCursor?: string }> {
    const offset = cursor === undefined ? 0 : decodeCursor(cursor);
    const end = offset + this.pageSize;
    const resources: Resource[] = this.fixed.slice(offset, end).map(({ read: _read, ...r }) => r);
    const clientsFrom = Math.max(0, offset - this.fixed.length);
    const room = end - Math.max(offset, this.fixed.length);
    const [accounts, total] = await Promise.all([ctx.services.clientDirectory.page(clientsFrom, Math.max(0, room)), ctx.services.clientDirectory.count()]);
    for (const a of accounts) resources.push({ uri: clientUri(a.id), name: a.id, title: a.company_name, mimeType: "application/json" });
    return end < this.fixed.length + total ? { resources, nextCursor: encodeCursor(end) } : { resources };
  }

  async read(ctx: ResourceContext, uri: string): Promise<{ uri: string; mimeType: string; text: string; _meta?: Record<string, unknown> }> {
    const fixed = this.fixed.find((r) => r.uri === uri);
    // The content carries the resource's _meta too (an MCP App's CSP): hosts read it from either place.
    if (fixed) return { uri, mimeType: fixed.mimeType, text: await fixed.read(ctx), ...(fixed._meta ? { _meta: fixed._meta } : {}) };
    const id = clientIdOf(uri);
    if (id === null) throw new McpError(RESOURCE_NOT_FOUND, `Resource not found: ${uri}`);
    try {
      return { uri, mimeType: "application/json", text: json(await ctx.services.clients.overview(id)) };
    } catch (err) {
      if (err instanceof Error && "code" in err && err.code === "not_found") throw new McpError(RESOURCE_NOT_FOUND, `Resource not found: ${uri} (no client ${id}; list_clients or completion finds ids)`);
      throw err;
    }
  }
}
