// Intercom (API 2.14) on the official intercom-client package: `new IntercomClient({ token, baseUrl,
// maxRetries })`. The package takes an `abortSignal` per request, so every call passes ours; its own
// retries are switched off (maxRetries 0) because the resilience wrapper owns retrying and backoff.
// Its errors carry the HTTP status and the raw response headers, from which Retry-After is read.
import type { IntercomClient } from "intercom-client";
import type { Config } from "../../config/load.ts";
import { httpError, networkError, throwIfAborted } from "../vendor-http.ts";
import { VendorError } from "../types.ts";

const DEFAULT_BASE_URL = "https://api.intercom.io";

export interface IntercomContact {
  id: string;
  email?: string | null;
  role?: string;
  [key: string]: unknown;
}

export interface SendMessageInput {
  contact_id: string;
  body: string;
  /** "inapp" (default) or "email" (which needs a subject). */
  message_type?: "inapp" | "email";
  subject?: string;
  /** The sending admin; default: the admin that owns the access token (GET /me, cached). */
  admin_id?: string | number;
  /** "user" (default) or "lead". */
  contact_role?: "user" | "lead";
}

export interface TrackEventInput {
  event_name: string;
  /** Unix seconds. Pass the time of the original action so that a redelivery describes the same event. */
  created_at: number;
  email?: string;
  user_id?: string;
  contact_id?: string;
  metadata?: Record<string, string | number | boolean>;
}

/** What the services call. Every method takes the call's AbortSignal. */
export interface IntercomApi {
  findOrCreateContact(email: string, signal: AbortSignal, attrs?: { name?: string; external_id?: string }): Promise<{ contact: IntercomContact; created: boolean }>;
  sendMessage(input: SendMessageInput, signal: AbortSignal): Promise<{ id: string; [k: string]: unknown }>;
  addNote(input: { contact_id: string; body: string; admin_id?: string | number }, signal: AbortSignal): Promise<{ id: string; [k: string]: unknown }>;
  tagContact(contactId: string, tagName: string, signal: AbortSignal): Promise<{ id: string; name: string }>;
  untagContact(contactId: string, tagName: string, signal: AbortSignal): Promise<{ id: string; name: string }>;
  trackEvent(input: TrackEventInput, signal: AbortSignal): Promise<void>;
}

/** Returns null when Intercom is not configured (integrationStatus names the missing variables). */
export function createIntercomClient(config: Config): IntercomApi | null {
  if (!config.INTERCOM_ACCESS_TOKEN) return null;
  return new IntercomApiClient(config.INTERCOM_ACCESS_TOKEN, (config.INTERCOM_BASE_URL ?? DEFAULT_BASE_URL).replace(/\/+$/, ""));
}

class IntercomApiClient implements IntercomApi {
  // intercom-client is ~850 ES modules: loaded on the first delivery, not at every start of the server.
  private sdk: Promise<{ client: IntercomClient; IntercomError: typeof import("intercom-client").IntercomError }> | null = null;
  private adminId: Promise<string> | null = null;

  constructor(
    private readonly token: string,
    private readonly baseUrl: string,
  ) {}

  private async call<T>(signal: AbortSignal, fn: (client: IntercomClient, opts: { abortSignal: AbortSignal; maxRetries: number }) => Promise<T>): Promise<T> {
    throwIfAborted(signal);
    this.sdk ??= import("intercom-client").then((m) => ({
      client: new m.IntercomClient({ token: this.token, baseUrl: this.baseUrl, maxRetries: 0, version: "2.14" }),
      IntercomError: m.IntercomError,
    }));
    const { client, IntercomError } = await this.sdk;
    try {
      return await fn(client, { abortSignal: signal, maxRetries: 0 });
    } catch (err) {
      if (err instanceof IntercomError && typeof err.statusCode === "number" && err.statusCode > 0) {
        const headers = err.rawResponse?.headers;
        throw httpError("intercom", { status: err.statusCode, retryAfter: headers?.get?.("retry-after") ?? null, body: err.body }, [this.token]);
      }
      throw networkError("intercom", err, signal);
    }
  }

  private async defaultAdmin(signal: AbortSignal): Promise<string> {
    this.adminId ??= this.call(signal, (c, o) => c.admins.identify(o)).then((me) => {
      if (!me?.id) throw new TypeError("Intercom GET /me returned no admin id: pass admin_id");
      return String(me.id);
    });
    try {
      return await this.adminId;
    } catch (err) {
      this.adminId = null;
      throw err;
    }
  }

  /** Lookups in flight per address: two deliveries to a new contact side by side create it once. */
  private readonly contactLookups = new Map<string, Promise<{ contact: IntercomContact; created: boolean }>>();

  async findOrCreateContact(email: string, signal: AbortSignal, attrs: { name?: string; external_id?: string } = {}) {
    const key = email.toLowerCase();
    const inFlight = this.contactLookups.get(key);
    if (inFlight) return inFlight.then((r) => ({ contact: r.contact, created: false }));
    const lookup = this.lookupOrCreate(email, signal, attrs).finally(() => this.contactLookups.delete(key));
    this.contactLookups.set(key, lookup);
    return lookup;
  }

  private async lookupOrCreate(email: string, signal: AbortSignal, attrs: { name?: string; external_id?: string }) {
    const search = async () =>
      (await this.call(signal, (c, o) => c.contacts.search({ query: { field: "email", operator: "=", value: email }, pagination: { per_page: 1 } }, o))).data[0] as IntercomContact | undefined;
    const found = await search();
    if (found) return { contact: found, created: false };
    try {
      const created = (await this.call(signal, (c, o) =>
        c.contacts.create({ email, role: "user", ...(attrs.name ? { name: attrs.name } : {}), ...(attrs.external_id ? { external_id: attrs.external_id } : {}) } as never, o),
      )) as unknown as IntercomContact;
      return { contact: created, created: true };
    } catch (err) {
      // Another process created it between our search and create (Intercom answers 409): use that one.
      if (err instanceof VendorError && err.status === 409) {
        const existing = await search();
        if (existing) return { contact: existing, created: false };
      }
      throw err;
    }
  }

  async sendMessage(input: SendMessageInput, signal: AbortSignal) {
    const adminId = input.admin_id !== undefined ? String(input.admin_id) : await this.defaultAdmin(signal);
    const type = input.message_type ?? "inapp";
    if (type === "email" && !input.subject) throw new TypeError("an Intercom email message needs a subject");
    // The 2.14 description enumerates message_type as "in_app" | "email"; intercom-client's type says
    // "inapp". The published description is followed (hence the cast below).
    const request = {
      message_type: type === "inapp" ? "in_app" : "email",
      ...(input.subject ? { subject: input.subject } : {}),
      body: input.body,
      ...(type === "email" ? { template: "plain" } : {}),
      from: { type: "admin", id: Number(adminId) },
      to: { type: input.contact_role ?? "user", id: input.contact_id },
    };
    const msg = await this.call(signal, (c, o) => c.messages.create(request as never, o));
    return { ...(msg as unknown as Record<string, unknown>), id: String((msg as { id?: unknown }).id ?? "") };
  }

  async addNote(input: { contact_id: string; body: string; admin_id?: string | number }, signal: AbortSignal) {
    const adminId = input.admin_id !== undefined ? String(input.admin_id) : await this.defaultAdmin(signal);
    const note = await this.call(signal, (c, o) => c.notes.create({ contact_id: input.contact_id, body: input.body, admin_id: adminId }, o));
    return { ...(note as unknown as Record<string, unknown>), id: String(note.id) };
  }

  /** POST /tags creates the tag or returns the existing one of that name; its id is what tagging needs. */
  private async tagId(name: string, signal: AbortSignal): Promise<string> {
    const tag = await this.call(signal, (c, o) => c.tags.create({ name } as never, o));
    return String(tag.id);
  }

  async tagContact(contactId: string, tagName: string, signal: AbortSignal) {
    const id = await this.tagId(tagName, signal);
    const tag = await this.call(signal, (c, o) => c.tags.tagContact({ contact_id: contactId, id }, o));
    return { id: String(tag.id), name: String(tag.name) };
  }

  async untagContact(contactId: string, tagName: string, signal: AbortSignal) {
    const id = await this.tagId(tagName, signal);
    const tag = await this.call(signal, (c, o) => c.tags.untagContact({ contact_id: contactId, tag_id: id }, o));
    return { id: String(tag.id), name: String(tag.name) };
  }

  async trackEvent(input: TrackEventInput, signal: AbortSignal): Promise<void> {
    if (!input.email && !input.user_id && !input.contact_id) throw new TypeError("an Intercom event needs email, user_id or contact_id");
    const request = {
      event_name: input.event_name,
      created_at: input.created_at,
      ...(input.contact_id ? { id: input.contact_id } : input.user_id ? { user_id: input.user_id } : { email: input.email }),
      // The 2.14 description types every metadata value as a string (its prose allows numbers and links);
      // strings are accepted by both, so values are sent as strings.
      ...(input.metadata ? { metadata: Object.fromEntries(Object.entries(input.metadata).map(([k, v]) => [k, String(v)])) } : {}),
    };
    await this.call(signal, (c, o) => c.events.create(request as never, o));
  }
}
