// SendGrid Mail Send v3 on the official @sendgrid/mail + @sendgrid/client packages.
//
// The package's client has no per-request AbortSignal option, but it merges its `defaultRequest` into the
// axios request it makes (axios honours `signal`). The package's exported singletons are shared mutable
// state, so each call builds its own small Client (no I/O: a few objects) with the base URL, the API key
// and that call's signal, and its own MailService on top (`setClient`). Concurrent calls therefore never
// see each other's signal.
//
// SendGrid has no idempotency key on mail send. The outbox key travels as `custom_args.idempotency_key`
// (echoed in every event webhook for the message, so a redelivery is recognisable) and as an
// `X-Idempotency-Key` mail header (which @sendgrid/mail also sends as an HTTP request header).
// The custom_args go on each personalization, not on the message: the published description
// (tsg_mail_v3.yaml) types the message-level `custom_args` as a string while the API and @sendgrid/mail
// want an object; the personalization-level `custom_args` is an object in both.
import { createRequire } from "node:module";
import type { Client } from "@sendgrid/client";
import type { MailService } from "@sendgrid/mail";
import type { Config } from "../../config/load.ts";
import { httpError, networkError, throwIfAborted } from "../vendor-http.ts";

export const MAX_PERSONALIZATIONS = 1000;
const DEFAULT_BASE_URL = "https://api.sendgrid.com";

export interface Recipient {
  email: string;
  name?: string;
}

/** What every kind of send carries besides its content. */
export interface MailEnvelope {
  from?: Recipient;
  reply_to?: Recipient;
  categories?: string[];
  custom_args?: Record<string, string>;
  /** Open and click tracking for this mail; absent: the SendGrid account's own tracking settings apply. */
  tracking?: { opens?: boolean; clicks?: boolean };
}

export interface MailInput extends MailEnvelope {
  to: Recipient | Recipient[];
  subject: string;
  text?: string;
  html?: string;
}

export interface TemplateMailInput extends MailEnvelope {
  to: Recipient | Recipient[];
  template_id: string;
  dynamic_template_data?: Record<string, unknown>;
}

export interface BatchRecipient extends Recipient {
  /** Per-recipient template data (template batches) or substitutions (plain batches; @sendgrid/mail wraps
   * each key as {{key}}, so write {{first_name}} in the subject and content). */
  dynamic_template_data?: Record<string, unknown>;
  substitutions?: Record<string, string>;
  custom_args?: Record<string, string>;
}

export interface BatchMailInput extends MailEnvelope {
  recipients: BatchRecipient[];
  /** Either a dynamic template… */
  template_id?: string;
  /** …or subject and content. */
  subject?: string;
  text?: string;
  html?: string;
}

export interface SendResult {
  /** SendGrid's X-Message-Id of the accepted request. */
  message_id: string | null;
  status: number;
}

export interface BatchResult {
  requests: number;
  recipients: number;
  message_ids: Array<string | null>;
}

export interface SendGridContext {
  idempotencyKey: string;
  signal: AbortSignal;
}

/** What the services call. */
export interface SendGridApi {
  send(mail: MailInput, ctx: SendGridContext): Promise<SendResult>;
  sendTemplate(mail: TemplateMailInput, ctx: SendGridContext): Promise<SendResult>;
  /** One personalization per recipient, split into requests of at most 1,000 personalizations. */
  sendBatch(mail: BatchMailInput, ctx: SendGridContext): Promise<BatchResult>;
}

/** Returns null when SendGrid is not configured (integrationStatus names the missing variables). */
export function createSendGridClient(config: Config): SendGridApi | null {
  if (!config.SENDGRID_API_KEY || !config.SENDGRID_FROM_EMAIL) return null;
  const from: Recipient = { email: config.SENDGRID_FROM_EMAIL, ...(config.SENDGRID_FROM_NAME ? { name: config.SENDGRID_FROM_NAME } : {}) };
  return new SendGridClient(config.SENDGRID_API_KEY, (config.SENDGRID_BASE_URL ?? DEFAULT_BASE_URL).replace(/\/+$/, ""), from);
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const list = (to: Recipient | Recipient[]) => (Array.isArray(to) ? to : [to]);

class SendGridClient implements SendGridApi {
  constructor(
    private readonly apiKey: string,
    private readonly baseUrl: string,
    private readonly defaultFrom: Recipient,
  ) {}

  // @sendgrid/client pulls in axios and form-data: loaded on the first delivery, not at every start of the server.
  private sdk: { Client: typeof Client; MailService: typeof MailService } | null = null;

  private mailer(signal: AbortSignal): MailService {
    const require = createRequire(import.meta.url);
    this.sdk ??= {
      Client: (require("@sendgrid/client") as { Client: typeof Client }).Client,
      MailService: (require("@sendgrid/mail") as { MailService: typeof MailService }).MailService,
    };
    const client = new this.sdk.Client();
    // Not setApiKey(): it also resets the base URL to the global region and warns on stderr about keys
    // without the "SG." prefix. The Authorization header is all it would set.
    client.setDefaultHeader("Authorization", `Bearer ${this.apiKey}`);
    client.setDefaultRequest("baseUrl", `${this.baseUrl}/`);
    // `signal` is not in the package's ClientRequest type, but the request options are passed to axios as they are.
    client.setDefaultRequest({ signal } as never);
    const mail = new this.sdk.MailService();
    mail.setClient(client);
    return mail;
  }

  private async post(data: Record<string, unknown>, signal: AbortSignal): Promise<SendResult> {
    throwIfAborted(signal);
    try {
      const [response] = await this.mailer(signal).send(data as never);
      const id = response.headers?.["x-message-id"];
      return { status: response.statusCode, message_id: typeof id === "string" ? id : null };
    } catch (err) {
      const e = err as { code?: unknown; response?: { headers?: Record<string, unknown>; body?: unknown } };
      if (typeof e.code === "number" && e.response) {
        const ra = e.response.headers?.["retry-after"];
        throw httpError("sendgrid", { status: e.code, retryAfter: typeof ra === "string" ? ra : undefined, body: e.response.body }, [this.apiKey]);
      }
      throw networkError("sendgrid", err, signal);
    }
  }

  private envelope(m: Pick<MailEnvelope, "from" | "reply_to" | "categories" | "tracking">, key: string) {
    return {
      from: m.from ?? this.defaultFrom,
      ...(m.reply_to ? { replyTo: m.reply_to } : {}),
      ...(m.categories?.length ? { categories: m.categories } : {}),
      ...(m.tracking
        ? {
            trackingSettings: {
              openTracking: { enable: m.tracking.opens !== false },
              clickTracking: { enable: m.tracking.clicks !== false, enableText: m.tracking.clicks !== false },
            },
          }
        : {}),
      headers: { "X-Idempotency-Key": key },
    };
  }

  private args(m: { custom_args?: Record<string, string> }, key: string, extra: Record<string, string> = {}, own?: Record<string, string>) {
    return { ...m.custom_args, ...own, idempotency_key: key, ...extra };
  }

  private content(m: { text?: string; html?: string }) {
    const content: Array<{ type: string; value: string }> = [];
    if (m.text) content.push({ type: "text/plain", value: m.text });
    if (m.html) content.push({ type: "text/html", value: m.html });
    if (!content.length) throw new TypeError("a mail needs text or html content");
    return content;
  }

  async send(mail: MailInput, ctx: SendGridContext): Promise<SendResult> {
    return this.post(
      {
        ...this.envelope(mail, ctx.idempotencyKey),
        personalizations: [{ to: list(mail.to), customArgs: this.args(mail, ctx.idempotencyKey) }],
        subject: mail.subject,
        content: this.content(mail),
      },
      ctx.signal,
    );
  }

  async sendTemplate(mail: TemplateMailInput, ctx: SendGridContext): Promise<SendResult> {
    return this.post(
      {
        ...this.envelope(mail, ctx.idempotencyKey),
        templateId: mail.template_id,
        personalizations: [{ to: list(mail.to), dynamicTemplateData: mail.dynamic_template_data ?? {}, customArgs: this.args(mail, ctx.idempotencyKey) }],
      },
      ctx.signal,
    );
  }

  async sendBatch(mail: BatchMailInput, ctx: SendGridContext): Promise<BatchResult> {
    if (!mail.template_id && !mail.subject) throw new TypeError("a batch needs a template_id or a subject");
    const parts = chunk(mail.recipients, MAX_PERSONALIZATIONS);
    const message_ids: Array<string | null> = [];
    // Sequential, not parallel: a failure stops the batch, and the redelivery re-sends every part. Each
    // request carries `batch_part` next to the idempotency key so that duplicates of parts already
    // accepted are recognisable in the event webhook.
    for (const [i, part] of parts.entries()) {
      const personalizations = part.map((r) => ({
        to: [{ email: r.email, ...(r.name ? { name: r.name } : {}) }],
        ...(mail.template_id ? { dynamicTemplateData: r.dynamic_template_data ?? {} } : r.substitutions ? { substitutions: r.substitutions } : {}),
        customArgs: this.args(mail, ctx.idempotencyKey, { batch_part: `${i + 1}/${parts.length}` }, r.custom_args),
      }));
      const data: Record<string, unknown> = {
        ...this.envelope(mail, ctx.idempotencyKey),
        personalizations,
      };
      if (mail.template_id) data.templateId = mail.template_id;
      else {
        data.subject = mail.subject;
        data.content = this.content(mail);
      }
      const r = await this.post(data, ctx.signal);
      message_ids.push(r.message_id);
    }
    return { requests: parts.length, recipients: mail.recipients.length, message_ids };
  }
}
