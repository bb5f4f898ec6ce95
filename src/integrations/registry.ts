// The outbox operations: each name maps to the integration it belongs to and a handler that turns the
// stored payload into one client call, made through the resilience wrapper (retries, breaker, deadline),
// and returns what the vendor gave back. The dispatcher (elsewhere) looks operations up here.
//
// Payloads are what the tools stored when they enqueued the side effect. A payload that cannot be
// delivered as it is (a required field missing) is a permanent failure: it is reported as a
// non-retryable VendorError with status 422, so the dispatcher does not retry it.
import { createHash } from "node:crypto";
import type { Config } from "../config/load.ts";
import { secretsGeneration } from "../config/secret-sources.ts";
import type { Logger } from "../observability/logger.ts";
import { integrationStatus, type Integration } from "./status.ts";
import { VendorError, type DeliveryContext, type DeliveryResult, type OperationEntry, type OperationRegistry } from "./types.ts";
import { createZendeskClient, type ZendeskApi } from "./zendesk/client.ts";
import { createIntercomClient, type IntercomApi } from "./intercom/client.ts";
import { createMixpanelClient, type MixpanelApi } from "./mixpanel/client.ts";
import { createSendGridClient, type BatchRecipient, type Recipient, type SendGridApi } from "./sendgrid/client.ts";

export interface Resilience {
  call<T>(integration: Integration, fn: (signal: AbortSignal) => Promise<T>): Promise<T>;
}

export interface VendorClients {
  zendesk: ZendeskApi | null;
  intercom: IntercomApi | null;
  mixpanel: MixpanelApi | null;
  sendgrid: SendGridApi | null;
}

export function createVendorClients(config: Config): VendorClients {
  return {
    zendesk: createZendeskClient(config),
    intercom: createIntercomClient(config),
    mixpanel: createMixpanelClient(config),
    sendgrid: createSendGridClient(config),
  };
}

/**
 * Clients that follow the configuration: when a secret refresh changes a credential (secretsGeneration),
 * the next call gets a client built with the new value.
 */
export function liveVendorClients(config: Config): VendorClients {
  let generation = -1;
  let current: VendorClients | null = null;
  const get = (): VendorClients => {
    const g = secretsGeneration(config);
    if (!current || g !== generation) {
      current = createVendorClients(config);
      generation = g;
    }
    return current;
  };
  return {
    get zendesk() {
      return get().zendesk;
    },
    get intercom() {
      return get().intercom;
    },
    get mixpanel() {
      return get().mixpanel;
    },
    get sendgrid() {
      return get().sendgrid;
    },
  };
}

type Payload = Record<string, unknown>;

function invalid(integration: Integration, operation: string, what: string): VendorError {
  return new VendorError(integration, 422, `invalid ${operation} payload: ${what}`);
}

const str = (p: Payload, k: string): string | undefined => (typeof p[k] === "string" && (p[k] as string) !== "" ? (p[k] as string) : undefined);
const num = (p: Payload, k: string): number | undefined => {
  const v = p[k];
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && /^\d+$/.test(v)) return Number(v);
  return undefined;
};
const obj = (p: Payload, k: string): Record<string, unknown> | undefined =>
  p[k] && typeof p[k] === "object" && !Array.isArray(p[k]) ? (p[k] as Record<string, unknown>) : undefined;
const strings = (p: Payload, k: string): string[] | undefined => (Array.isArray(p[k]) ? (p[k] as unknown[]).filter((x): x is string => typeof x === "string") : undefined);

function recipients(v: unknown): Recipient[] {
  const arr = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  return arr
    .map((r) => (typeof r === "string" ? { email: r } : r && typeof r === "object" ? (r as Recipient) : null))
    .filter((r): r is Recipient => !!r && typeof r.email === "string" && r.email !== "");
}

/** Mixpanel's $insert_id: at most 36 characters of [A-Za-z0-9-]. Longer or other keys are hashed (stable). */
export function mixpanelInsertId(key: string): string {
  return /^[A-Za-z0-9-]{1,36}$/.test(key) ? key : createHash("sha256").update(key).digest("hex").slice(0, 32);
}

export function createOperationRegistry(config: Config, resilience: Resilience, logger: Logger, clients: VendorClients = liveVendorClients(config)): OperationRegistry {
  const status = new Map(integrationStatus(config).map((s) => [s.integration, s]));

  function need<K extends keyof VendorClients>(integration: K): NonNullable<VendorClients[K]> {
    const c = clients[integration];
    if (!c) {
      const missing = status.get(integration)?.missing_variables ?? [];
      // Retryable on purpose: the row waits until the integration is configured (or its attempts run out).
      throw new VendorError(integration, 503, `${integration} is not configured${missing.length ? ` (set ${missing.join(", ")})` : ""}`);
    }
    return c as NonNullable<VendorClients[K]>;
  }

  function op(integration: Integration, name: string, run: (p: Payload, ctx: DeliveryContext) => Promise<DeliveryResult>, idempotent = false): OperationEntry {
    return {
      integration,
      idempotent,
      handler: async (payload: Payload, ctx: DeliveryContext): Promise<DeliveryResult> => {
        const result = await run(payload ?? {}, ctx);
        logger.debug({ operation: name, external_id: result.external_id }, "vendor operation delivered");
        return result;
      },
    };
  }

  /**
   * One vendor request. Under the dispatcher (policyApplied) the delivery as a whole is already inside the
   * wrapper, so the request runs directly with the delivery's signal: wrapping it again would retry inside one
   * outbox attempt and count one failure twice in the breaker. Otherwise: through the wrapper, aborted by the
   * wrapper's deadline or the caller's signal, whichever comes first.
   */
  function call<T>(integration: Integration, ctx: DeliveryContext, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (ctx.policyApplied) return fn(ctx.signal);
    return resilience.call(integration, (signal) => fn(AbortSignal.any([signal, ctx.signal])));
  }

  // Not idempotent (a second request makes a second object): SendGrid mail send has no idempotency key,
  // Intercom's messages, notes and events have none, a Zendesk comment or update may add a comment twice.
  return {
    "zendesk.create_ticket": op("zendesk", "zendesk.create_ticket", async (p, ctx) => {
      const subject = str(p, "subject");
      const body = str(p, "body") ?? str(p, "description");
      if (!subject || !body) throw invalid("zendesk", "zendesk.create_ticket", "subject and body are required");
      const zd = need("zendesk");
      const priority = str(p, "priority") as "urgent" | "high" | "normal" | "low" | undefined;
      const type = str(p, "type") as "problem" | "incident" | "question" | "task" | undefined;
      const ticket = await call("zendesk", ctx, (signal) =>
        zd.createTicket(
          {
            subject,
            body,
            requester_id: num(p, "requester_id"),
            requester_email: str(p, "requester_email"),
            requester_name: str(p, "requester_name"),
            priority,
            type,
            tags: strings(p, "tags"),
            external_id: str(p, "external_id"),
            public: typeof p.public === "boolean" ? p.public : undefined,
          },
          { idempotencyKey: ctx.idempotencyKey, signal },
        ),
      );
      return { external_id: String(ticket.id), result: { ticket_id: ticket.id, status: ticket.status, url: ticket.url } };
    }, true), // Zendesk keeps the Idempotency-Key: a second create returns the first ticket

    "zendesk.update_ticket": op("zendesk", "zendesk.update_ticket", async (p, ctx) => {
      const id = num(p, "ticket_id");
      if (id === undefined) throw invalid("zendesk", "zendesk.update_ticket", "ticket_id is required");
      const zd = need("zendesk");
      const comment = obj(p, "comment");
      const ticket = await call("zendesk", ctx, (signal) =>
        zd.updateTicket(
          id,
          {
            status: str(p, "status") as never,
            priority: str(p, "priority") as never,
            subject: str(p, "subject"),
            tags: strings(p, "tags"),
            assignee_id: num(p, "assignee_id"),
            comment: comment && typeof comment.body === "string" ? { body: comment.body, public: comment.public === true } : undefined,
          },
          signal,
        ),
      );
      return { external_id: String(ticket.id), result: { ticket_id: ticket.id, status: ticket.status } };
    }),

    "zendesk.add_comment": op("zendesk", "zendesk.add_comment", async (p, ctx) => {
      const id = num(p, "ticket_id");
      const body = str(p, "body");
      if (id === undefined || !body) throw invalid("zendesk", "zendesk.add_comment", "ticket_id and body are required");
      const zd = need("zendesk");
      const ticket = await call("zendesk", ctx, (signal) => zd.addComment(id, { body, public: p.public === true, author_id: num(p, "author_id") }, signal));
      return { external_id: String(ticket.id), result: { ticket_id: ticket.id } };
    }),

    "intercom.send_message": op("intercom", "intercom.send_message", async (p, ctx) => {
      const body = str(p, "body");
      if (!body || (!str(p, "contact_id") && !str(p, "email"))) throw invalid("intercom", "intercom.send_message", "body and contact_id or email are required");
      const ic = need("intercom");
      const contactId = str(p, "contact_id") ?? (await call("intercom", ctx, (signal) => ic.findOrCreateContact(str(p, "email")!, signal))).contact.id;
      const msg = await call("intercom", ctx, (signal) =>
        ic.sendMessage(
          {
            contact_id: contactId,
            body,
            subject: str(p, "subject"),
            message_type: str(p, "message_type") === "email" ? "email" : "inapp",
            admin_id: str(p, "admin_id") ?? num(p, "admin_id"),
          },
          signal,
        ),
      );
      return { external_id: msg.id, result: { message_id: msg.id, contact_id: contactId } };
    }),

    "intercom.add_note": op("intercom", "intercom.add_note", async (p, ctx) => {
      const body = str(p, "body");
      if (!body || (!str(p, "contact_id") && !str(p, "email"))) throw invalid("intercom", "intercom.add_note", "body and contact_id or email are required");
      const ic = need("intercom");
      const contactId = str(p, "contact_id") ?? (await call("intercom", ctx, (signal) => ic.findOrCreateContact(str(p, "email")!, signal))).contact.id;
      const note = await call("intercom", ctx, (signal) => ic.addNote({ contact_id: contactId, body, admin_id: str(p, "admin_id") ?? num(p, "admin_id") }, signal));
      return { external_id: note.id, result: { note_id: note.id, contact_id: contactId } };
    }),

    "intercom.track_event": op("intercom", "intercom.track_event", async (p, ctx) => {
      const event_name = str(p, "event_name");
      if (!event_name || (!str(p, "email") && !str(p, "user_id") && !str(p, "contact_id"))) {
        throw invalid("intercom", "intercom.track_event", "event_name and email, user_id or contact_id are required");
      }
      const ic = need("intercom");
      const created_at = num(p, "created_at") ?? Math.floor(Date.now() / 1000);
      await call("intercom", ctx, (signal) =>
        ic.trackEvent({ event_name, created_at, email: str(p, "email"), user_id: str(p, "user_id"), contact_id: str(p, "contact_id"), metadata: obj(p, "metadata") as never }, signal),
      );
      return { result: { event_name, created_at } };
    }),

    "mixpanel.track": op("mixpanel", "mixpanel.track", async (p, ctx) => {
      const event = str(p, "event");
      const distinctId = str(p, "distinct_id");
      if (!event || !distinctId) throw invalid("mixpanel", "mixpanel.track", "event and distinct_id are required");
      const mp = need("mixpanel");
      const insertId = mixpanelInsertId(ctx.idempotencyKey);
      await call("mixpanel", ctx, (signal) => mp.track(event, distinctId, obj(p, "properties") ?? {}, { insertId, time: num(p, "time"), signal }));
      return { external_id: insertId, result: { event, distinct_id: distinctId } };
    }, true), // Mixpanel drops an event whose $insert_id it has seen

    "mixpanel.set_profile": op("mixpanel", "mixpanel.set_profile", async (p, ctx) => {
      const distinctId = str(p, "distinct_id");
      const properties = obj(p, "properties");
      if (!distinctId || !properties) throw invalid("mixpanel", "mixpanel.set_profile", "distinct_id and properties are required");
      const mp = need("mixpanel");
      await call("mixpanel", ctx, (signal) => mp.setProfile(distinctId, properties, signal));
      return { result: { distinct_id: distinctId } };
    }, true), // $set overwrites: a second request leaves the same profile

    "sendgrid.send": op("sendgrid", "sendgrid.send", async (p, ctx) => {
      const to = recipients(p.to);
      const subject = str(p, "subject");
      if (!to.length || !subject || (!str(p, "text") && !str(p, "html"))) throw invalid("sendgrid", "sendgrid.send", "to, subject and text or html are required");
      const sg = need("sendgrid");
      const r = await call("sendgrid", ctx, (signal) =>
        sg.send(
          { to, subject, text: str(p, "text"), html: str(p, "html"), from: obj(p, "from") as never, reply_to: obj(p, "reply_to") as never, categories: strings(p, "categories"), custom_args: obj(p, "custom_args") as never, tracking: obj(p, "tracking") as never },
          { idempotencyKey: ctx.idempotencyKey, signal },
        ),
      );
      return { external_id: r.message_id ?? undefined, result: { message_id: r.message_id, recipients: to.length } };
    }),

    "sendgrid.send_template": op("sendgrid", "sendgrid.send_template", async (p, ctx) => {
      const to = recipients(p.to);
      const template_id = str(p, "template_id");
      if (!to.length || !template_id) throw invalid("sendgrid", "sendgrid.send_template", "to and template_id are required");
      const sg = need("sendgrid");
      const r = await call("sendgrid", ctx, (signal) =>
        sg.sendTemplate(
          { to, template_id, dynamic_template_data: obj(p, "dynamic_template_data"), from: obj(p, "from") as never, reply_to: obj(p, "reply_to") as never, categories: strings(p, "categories"), custom_args: obj(p, "custom_args") as never, tracking: obj(p, "tracking") as never },
          { idempotencyKey: ctx.idempotencyKey, signal },
        ),
      );
      return { external_id: r.message_id ?? undefined, result: { message_id: r.message_id, recipients: to.length } };
    }),

    "sendgrid.send_batch": op("sendgrid", "sendgrid.send_batch", async (p, ctx) => {
      const list = (Array.isArray(p.recipients) ? p.recipients : []).filter((r): r is BatchRecipient => !!r && typeof r === "object" && typeof (r as BatchRecipient).email === "string");
      const template_id = str(p, "template_id");
      const subject = str(p, "subject");
      if (!list.length || (!template_id && !(subject && (str(p, "text") || str(p, "html"))))) {
        throw invalid("sendgrid", "sendgrid.send_batch", "recipients and template_id (or subject and text/html) are required");
      }
      const sg = need("sendgrid");
      // One call through the wrapper per batch: a failure retries the whole batch (see the client's note on batch_part).
      const r = await call("sendgrid", ctx, (signal) =>
        sg.sendBatch(
          { recipients: list, template_id, subject, text: str(p, "text"), html: str(p, "html"), from: obj(p, "from") as never, reply_to: obj(p, "reply_to") as never, categories: strings(p, "categories"), custom_args: obj(p, "custom_args") as never, tracking: obj(p, "tracking") as never },
          { idempotencyKey: ctx.idempotencyKey, signal },
        ),
      );
      return { external_id: r.message_ids.find((x) => x) ?? undefined, result: { requests: r.requests, recipients: r.recipients, message_ids: r.message_ids } };
    }),
  };
}
