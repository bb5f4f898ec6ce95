// Zendesk Support on the official node-zendesk package (default import only; endpointUri ends in /api/v2).
//
// node-zendesk builds URLs, bodies, auth and response unwrapping, but its own transport has no way to pass an
// AbortSignal or a per-request header, and it classifies errors loosely (statuses outside its table, e.g.
// 502 or 504, come back as results; Retry-After is not exposed). So we hand it our own `transportFn` (a
// documented option of the package): global fetch with the signal and extra headers of the current call,
// taken from an AsyncLocalStorage scope, and every non-2xx answer thrown as a VendorError before
// node-zendesk looks at it. That is how ticket creation carries Zendesk's `Idempotency-Key` header while
// still going through the package (no plain-fetch side path is needed).
import { AsyncLocalStorage } from "node:async_hooks";
import zendesk from "node-zendesk";
import type { Config } from "../../config/load.ts";
import { httpError, networkError, throwIfAborted } from "../vendor-http.ts";

export interface ZendeskTicket {
  id: number;
  subject?: string | null;
  status?: string;
  priority?: string | null;
  requester_id?: number;
  tags?: string[];
  url?: string;
  [key: string]: unknown;
}

export interface ZendeskUser {
  id: number;
  email?: string | null;
  name?: string;
  [key: string]: unknown;
}

export interface CreateTicketInput {
  subject: string;
  body: string;
  /** An existing requester by id, or by email (Zendesk creates the user when unknown). */
  requester_id?: number;
  requester_email?: string;
  requester_name?: string;
  priority?: "urgent" | "high" | "normal" | "low";
  type?: "problem" | "incident" | "question" | "task";
  tags?: string[];
  external_id?: string;
  /** Public comment (visible to the requester) or an internal note. Default public. */
  public?: boolean;
}

export interface UpdateTicketInput {
  status?: "new" | "open" | "pending" | "hold" | "solved" | "closed";
  priority?: "urgent" | "high" | "normal" | "low";
  subject?: string;
  tags?: string[];
  assignee_id?: number;
  comment?: { body: string; public?: boolean };
}

export interface ZendeskSearchResult {
  results: Array<Record<string, unknown>>;
}

/** What the services call. Every method takes the call's AbortSignal. */
export interface ZendeskApi {
  createTicket(input: CreateTicketInput, ctx: { idempotencyKey: string; signal: AbortSignal }): Promise<ZendeskTicket>;
  showTicket(id: number, signal: AbortSignal): Promise<ZendeskTicket>;
  updateTicket(id: number, input: UpdateTicketInput, signal: AbortSignal): Promise<ZendeskTicket>;
  addComment(id: number, comment: { body: string; public?: boolean; author_id?: number }, signal: AbortSignal): Promise<ZendeskTicket>;
  findUserByEmail(email: string, signal: AbortSignal): Promise<ZendeskUser | null>;
  search(query: string, signal: AbortSignal): Promise<ZendeskSearchResult>;
}

interface CallScope {
  signal: AbortSignal;
  headers?: Record<string, string>;
}

/** The endpoint node-zendesk needs: https://<subdomain>.zendesk.com/api/v2, or the override, ending in /api/v2. */
export function zendeskEndpoint(config: Pick<Config, "ZENDESK_BASE_URL" | "ZENDESK_SUBDOMAIN">): string | null {
  const base = config.ZENDESK_BASE_URL ?? (config.ZENDESK_SUBDOMAIN ? `https://${config.ZENDESK_SUBDOMAIN}.zendesk.com` : undefined);
  if (!base) return null;
  const trimmed = base.replace(/\/+$/, "");
  return trimmed.endsWith("/api/v2") ? trimmed : `${trimmed}/api/v2`;
}

/** Returns null when Zendesk is not configured (integrationStatus names the missing variables). */
export function createZendeskClient(config: Config): ZendeskApi | null {
  const endpointUri = zendeskEndpoint(config);
  const email = config.ZENDESK_EMAIL;
  const token = config.ZENDESK_API_TOKEN;
  if (!endpointUri || !email || !token) return null;
  return new ZendeskClient(endpointUri, email, token);
}

type NodeZendeskClient = ReturnType<typeof zendesk.createClient>;
type ApiResponse<T> = { response: unknown; result: T };

class ZendeskClient implements ZendeskApi {
  private readonly scope = new AsyncLocalStorage<CallScope>();
  private readonly client: NodeZendeskClient;
  private readonly secrets: string[];

  constructor(endpointUri: string, email: string, token: string) {
    this.secrets = [token];
    const scope = this.scope;
    const secrets = this.secrets;
    this.client = zendesk.createClient({
      username: email,
      token,
      endpointUri,
      // Errors we throw from the transport reach the caller as they are, not re-wrapped into a plain Error.
      throwOriginalException: true,
      transportConfig: {
        async transportFn(uri: string, options: { method: string; headers: Record<string, string>; body?: string }) {
          const call = scope.getStore();
          const signal = call?.signal;
          throwIfAborted(signal);
          let res: Response;
          try {
            res = await fetch(uri, {
              method: options.method,
              headers: { ...options.headers, ...call?.headers },
              body: options.body,
              signal,
            });
          } catch (err) {
            throw networkError("zendesk", err, signal);
          }
          if (res.status < 200 || res.status >= 300) {
            let body: string | undefined;
            try {
              body = await res.text();
            } catch {
              body = undefined;
            }
            throw httpError("zendesk", { status: res.status, retryAfter: res.headers.get("retry-after"), body }, secrets);
          }
          return res;
        },
        responseAdapter(res: Response) {
          return {
            json: () => res.json(),
            status: res.status,
            headers: { get: (name: string) => res.headers.get(name) },
            statusText: res.statusText,
          };
        },
      },
    });
  }

  private async run<T>(signal: AbortSignal, fn: () => Promise<unknown>, headers?: Record<string, string>): Promise<T> {
    throwIfAborted(signal);
    try {
      const out = (await this.scope.run({ signal, headers }, fn)) as ApiResponse<T>;
      return out.result;
    } catch (err) {
      // Anything not already classified (a JSON parse failure of a 2xx body, a package error) is a
      // vendor-side failure without a usable status: report it as a network-level failure.
      throw networkError("zendesk", err, signal);
    }
  }

  async createTicket(input: CreateTicketInput, ctx: { idempotencyKey: string; signal: AbortSignal }): Promise<ZendeskTicket> {
    const ticket: Record<string, unknown> = {
      subject: input.subject,
      comment: { body: input.body, public: input.public ?? true },
    };
    if (input.requester_id !== undefined) ticket.requester_id = input.requester_id;
    else if (input.requester_email) ticket.requester = { email: input.requester_email, ...(input.requester_name ? { name: input.requester_name } : {}) };
    if (input.priority) ticket.priority = input.priority;
    if (input.type) ticket.type = input.type;
    if (input.tags?.length) ticket.tags = input.tags;
    if (input.external_id) ticket.external_id = input.external_id;
    // Zendesk keeps an Idempotency-Key for 2 hours: a second POST with the same key and body returns the
    // ticket created the first time (x-idempotency-lookup: hit) instead of a duplicate.
    return this.run(ctx.signal, () => this.client.tickets.create({ ticket }), { "Idempotency-Key": ctx.idempotencyKey });
  }

  async showTicket(id: number, signal: AbortSignal): Promise<ZendeskTicket> {
    return this.run(signal, () => this.client.tickets.show(id));
  }

  async updateTicket(id: number, input: UpdateTicketInput, signal: AbortSignal): Promise<ZendeskTicket> {
    const ticket: Record<string, unknown> = {};
    for (const k of ["status", "priority", "subject", "tags", "assignee_id"] as const) {
      if (input[k] !== undefined) ticket[k] = input[k];
    }
    if (input.comment) ticket.comment = { body: input.comment.body, public: input.comment.public ?? false };
    return this.run(signal, () => this.client.tickets.update(id, { ticket }));
  }

  async addComment(id: number, comment: { body: string; public?: boolean; author_id?: number }, signal: AbortSignal): Promise<ZendeskTicket> {
    // Zendesk has no "create comment" endpoint: a comment is added by updating the ticket with one.
    const c: Record<string, unknown> = { body: comment.body, public: comment.public ?? false };
    if (comment.author_id !== undefined) c.author_id = comment.author_id;
    return this.run(signal, () => this.client.tickets.update(id, { ticket: { comment: c } }));
  }

  async findUserByEmail(email: string, signal: AbortSignal): Promise<ZendeskUser | null> {
    const users = await this.run<ZendeskUser[] | undefined>(signal, () => this.client.users.get(["users", "search", { query: `email:${email}` }]));
    const list = Array.isArray(users) ? users : [];
    const wanted = email.toLowerCase();
    return list.find((u) => typeof u.email === "string" && u.email.toLowerCase() === wanted) ?? list[0] ?? null;
  }

  async search(query: string, signal: AbortSignal): Promise<ZendeskSearchResult> {
    // node-zendesk unwraps the body to its `results` array (first page, up to 100 results).
    const results = await this.run<Array<Record<string, unknown>> | undefined>(signal, () => this.client.search.query(query));
    return { results: Array.isArray(results) ? results : [] };
  }
}
