// Queuing the rendered emails of a campaign or newsletter issue through the outbox, inside the caller's
// transaction, and recording one email_sends row per recipient with the outbox row that carries it.
//
// Design (why substitutions): every recipient's subject, HTML and text are rendered here, fully, by
// Handlebars (escaping, {{#if}} blocks). A `sendgrid.send_batch` row carries up to 1,000 recipients; the
// message's subject and content are the placeholders {{subject_line}} / {{html_body}} / {{text_body}},
// and each recipient's personalization substitutes its own rendered parts. SendGrid refuses more than
// 10,000 bytes of substitutions in one personalization, so a recipient whose rendered parts exceed that
// goes out as a single `sendgrid.send` row with the rendered mail itself. Either way each recipient's
// custom_args carry its email_sends id, which SendGrid echoes in every event (open, click, bounce…).
import { createHash } from "node:crypto";
import type { Prisma as P } from "../../generated/prisma/client.ts";
import type { Config } from "../../config/load.ts";
import { enqueue, type DeliveryReport } from "../../integrations/outbox.ts";
import { MAX_PERSONALIZATIONS, type BatchMailInput, type MailInput, type Recipient } from "../../integrations/sendgrid/client.ts";
import type { EmailCampaignRepository, SendToInsert } from "../../repositories/communication-email.ts";

/** SendGrid: "the total collective size of your substitutions may not exceed 10,000 bytes per personalization". */
export const MAX_SUBSTITUTION_BYTES = 10_000;
export const PLACEHOLDERS = { subject: "subject_line", html: "html_body", text: "text_body" } as const;

export interface RenderedRecipient {
  account_id: string;
  contact_id: string | null;
  email: string;
  name: string | null;
  subject: string;
  html?: string | undefined;
  text?: string | undefined;
}

export interface QueueRequest {
  campaign_id: string;
  newsletter_id: string | null;
  /** Prefix of the outbox idempotency keys: "email_campaign" → email_campaign:<id>:batch:<n>. */
  key_prefix: string;
  recipients: RenderedRecipient[];
  has_html: boolean;
  has_text: boolean;
  from?: Recipient | undefined;
  categories: string[];
  /** Open/click tracking asked for by the campaign (SendGrid tracking_settings). */
  tracking?: { opens: boolean; clicks: boolean } | undefined;
  not_before?: Date | undefined;
  /** email_sends.sent_at: the moment the send was queued, or its scheduled time. */
  sent_at: Date;
  /** Called with the recipients queued so far after each batch (and every SINGLE_PROGRESS single sends); may throw to stop. */
  onQueued?: ((queued: number) => Promise<void>) | undefined;
}

/** Single sends (one outbox row each) between two onQueued reports. */
const SINGLE_PROGRESS = 100;

export interface QueueResult {
  status: "queued" | "not_configured";
  missing_variables: string[];
  batches: Array<{ batch: number; recipients: number; delivery: DeliveryReport }>;
  single_sends: number;
  single_deliveries: DeliveryReport[];
  outbox_rows: number;
  sends_recorded: number;
}

/** Bytes of one personalization's substitutions as SendGrid counts them (keys with their {{ }} wrappers). */
export function substitutionBytes(subs: Record<string, string>): number {
  let n = 0;
  for (const [k, v] of Object.entries(subs)) n += Buffer.byteLength(`{{${k}}}`) + Buffer.byteLength(v);
  return n;
}

function substitutions(r: RenderedRecipient, hasHtml: boolean, hasText: boolean): Record<string, string> {
  return {
    [PLACEHOLDERS.subject]: r.subject,
    ...(hasHtml ? { [PLACEHOLDERS.html]: r.html ?? "" } : {}),
    ...(hasText ? { [PLACEHOLDERS.text]: r.text ?? "" } : {}),
  };
}

/** A stable short hash for derived idempotency keys. */
export function fingerprint(value: unknown): string {
  const canonical = JSON.stringify(value, (_k, v) => (v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v));
  return createHash("sha256").update(canonical).digest("hex").slice(0, 32);
}

export async function queueEmails(tx: P.TransactionClient, config: Config, repo: EmailCampaignRepository, req: QueueRequest): Promise<QueueResult> {
  const ms = req.sent_at.getTime();
  const withIds = req.recipients.map((r) => ({ ...r, send_id: repo.newId(ms) }));
  const batched: typeof withIds = [];
  const single: typeof withIds = [];
  for (const r of withIds) (substitutionBytes(substitutions(r, req.has_html, req.has_text)) <= MAX_SUBSTITUTION_BYTES ? batched : single).push(r);

  const outboxOf = new Map<string, string | null>();
  const batches: QueueResult["batches"] = [];
  const singleDeliveries: DeliveryReport[] = [];
  let missing: string[] = [];
  let configured = true;
  const envelope = { ...(req.from ? { from: req.from } : {}), ...(req.tracking ? { tracking: req.tracking } : {}), categories: req.categories, custom_args: { campaign_id: req.campaign_id, ...(req.newsletter_id ? { newsletter_id: req.newsletter_id } : {}) } };

  for (let i = 0; i < batched.length; i += MAX_PERSONALIZATIONS) {
    const part = batched.slice(i, i + MAX_PERSONALIZATIONS);
    const n = i / MAX_PERSONALIZATIONS + 1;
    const payload = {
      ...envelope,
      subject: `{{${PLACEHOLDERS.subject}}}`,
      ...(req.has_html ? { html: `{{${PLACEHOLDERS.html}}}` } : {}),
      ...(req.has_text ? { text: `{{${PLACEHOLDERS.text}}}` } : {}),
      recipients: part.map((r) => ({
        email: r.email,
        ...(r.name ? { name: r.name } : {}),
        substitutions: substitutions(r, req.has_html, req.has_text),
        custom_args: { email_send_id: r.send_id },
      })),
    } satisfies BatchMailInput;
    const delivery = await enqueue(tx, config, {
      integration: "sendgrid",
      operation: "sendgrid.send_batch",
      idempotency_key: `${req.key_prefix}:${req.campaign_id}:batch:${n}`,
      payload: payload as unknown as Record<string, unknown>,
      account_id: null, // a batch spans accounts; each send row names its account
      ...(req.not_before ? { not_before: req.not_before } : {}),
    });
    if (delivery.status === "not_configured") {
      configured = false;
      missing = delivery.missing_variables;
    }
    batches.push({ batch: n, recipients: part.length, delivery });
    for (const r of part) outboxOf.set(r.send_id, delivery.status === "queued" ? delivery.outbox_id : null);
    await req.onQueued?.(i + part.length);
  }
  for (const r of single) {
    const payload = {
      ...envelope,
      custom_args: { ...envelope.custom_args, email_send_id: r.send_id },
      to: [{ email: r.email, ...(r.name ? { name: r.name } : {}) }],
      subject: r.subject,
      ...(r.html !== undefined ? { html: r.html } : {}),
      ...(r.text !== undefined ? { text: r.text } : {}),
    } satisfies MailInput;
    const delivery = await enqueue(tx, config, {
      integration: "sendgrid",
      operation: "sendgrid.send",
      idempotency_key: `${req.key_prefix}:${req.campaign_id}:send:${r.send_id}`,
      payload: payload as unknown as Record<string, unknown>,
      account_id: r.account_id,
      ...(req.not_before ? { not_before: req.not_before } : {}),
    });
    if (delivery.status === "not_configured") {
      configured = false;
      missing = delivery.missing_variables;
    }
    singleDeliveries.push(delivery);
    outboxOf.set(r.send_id, delivery.status === "queued" ? delivery.outbox_id : null);
    if (singleDeliveries.length % SINGLE_PROGRESS === 0) await req.onQueued?.(batched.length + singleDeliveries.length);
  }

  const sends: SendToInsert[] = withIds.map((r) => {
    const outbox = outboxOf.get(r.send_id) ?? null;
    return { id: r.send_id, account_id: r.account_id, contact_id: r.contact_id, email: r.email, subject: r.subject, status: outbox ? "queued" : "not_sent", outbox_id: outbox };
  });
  await repo.insertSends(tx, req.campaign_id, req.newsletter_id, req.sent_at, sends);
  return {
    status: configured ? "queued" : "not_configured",
    missing_variables: missing,
    batches,
    single_sends: single.length,
    single_deliveries: singleDeliveries,
    outbox_rows: configured ? batches.length + single.length : 0,
    sends_recorded: sends.length,
  };
}
