// send_personalized_email: resolve recipients from stored contacts (client ids, a segment or a tier), skip
// unsubscribed addresses and duplicates, render every recipient's email (render.ts), record the campaign
// and one email_sends row per recipient, and queue the SendGrid deliveries in batches of at most 1,000 —
// all in one transaction. A retried call (same idempotency key, or the same arguments) returns the
// campaign it already recorded and queues nothing. With campaign_id alone it reports the campaign's
// delivery and engagement from the stored sends and SendGrid events.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { Config } from "../../config/load.ts";
import { integrationStatus } from "../../integrations/status.ts";
import { EmailCampaignRepository, rates, type RecipientRow, type Targeting } from "../../repositories/communication-email.ts";
import { writeAudit } from "../../repositories/audit.ts";
import { notFound, validationError } from "../../server/errors.ts";
import { checkCustomTokens, compileTemplates, tokenValues, type CompiledTemplates, type TemplatePart } from "./render.ts";
import { fingerprint, queueEmails, type QueueResult, type RenderedRecipient } from "./email-dispatch.ts";
import { clipText } from "../shared/clip-text.ts";
import { noProgress, type Progress } from "../shared/progress.ts";
import { abortableTransaction } from "../../db/abortable-transaction.ts";

/** Characters of each rendered body a preview shows. */
const PREVIEW_BODY_CHARS = 1_500;

export const RECIPIENT_SCOPES = ["primary", "all"] as const;
export type RecipientScope = (typeof RECIPIENT_SCOPES)[number];
const SKIP_SAMPLE = 50;

export interface SendEmailInput {
  campaign_id?: string | undefined;
  campaign_name?: string | undefined;
  template_type?: string | undefined;
  subject_line?: string | undefined;
  body_text?: string | undefined;
  body_html?: string | undefined;
  sender_email?: string | undefined;
  sender_name?: string | undefined;
  target_client_ids?: string[] | undefined;
  target_segment?: string | undefined;
  target_tier?: string | undefined;
  recipient_scope?: RecipientScope | undefined;
  include_churned?: boolean | undefined;
  personalization_tokens?: Record<string, string | number | boolean> | undefined;
  send_immediately?: boolean | undefined;
  scheduled_send_time?: string | undefined;
  track_opens?: boolean | undefined;
  track_clicks?: boolean | undefined;
  idempotency_key?: string | undefined;
  preview?: boolean | undefined;
}

const SEND_FIELDS = [
  "campaign_name",
  "template_type",
  "subject_line",
  "body_text",
  "body_html",
  "sender_email",
  "sender_name",
  "target_client_ids",
  "target_segment",
  "target_tier",
  "recipient_scope",
  "include_churned",
  "personalization_tokens",
  "send_immediately",
  "scheduled_send_time",
  "track_opens",
  "track_clicks",
  "idempotency_key",
  "preview",
] as const;

export interface SkippedRecipient {
  client_id: string;
  email: string | null;
  reason: "unsubscribed" | "duplicate_email" | "no_contact";
}

export interface Resolution {
  accounts: number;
  contacts_matched: number;
  recipients: RenderedRecipient[];
  skipped: { unsubscribed: number; duplicate_email: number; no_contact: number; churned_accounts_excluded: number };
  skipped_sample: SkippedRecipient[];
  missing_values: Array<{ token: string; recipients: number }>;
}

const TRACKING_NOTE =
  "track_opens / track_clicks are sent to SendGrid as the mail's tracking_settings; opens and clicks are counted from the Event Webhook events you import (cs-mcp import email_events)";

/** Recipients of resolved rows: unsubscribed and duplicate addresses skipped (first occurrence wins), each rendered. */
export function renderRecipients(rows: RecipientRow[], templates: CompiledTemplates, churnedExcluded: number): Resolution {
  const seen = new Set<string>();
  const accounts = new Set<string>();
  const skipped = { unsubscribed: 0, duplicate_email: 0, no_contact: 0, churned_accounts_excluded: churnedExcluded };
  const sample: SkippedRecipient[] = [];
  const missing = new Map<string, number>();
  const recipients: RenderedRecipient[] = [];
  let contacts = 0;
  const skip = (s: SkippedRecipient) => {
    skipped[s.reason]++;
    if (sample.length < SKIP_SAMPLE) sample.push(s);
  };
  for (const r of rows) {
    accounts.add(r.account_id);
    if (!r.email) {
      skip({ client_id: r.account_id, email: null, reason: "no_contact" });
      continue;
    }
    contacts++;
    if (r.unsubscribed) {
      skip({ client_id: r.account_id, email: r.email, reason: "unsubscribed" });
      continue;
    }
    if (seen.has(r.email)) {
      skip({ client_id: r.account_id, email: r.email, reason: "duplicate_email" });
      continue;
    }
    seen.add(r.email);
    const values = tokenValues({ ...r, contact_email: r.email });
    for (const t of templates.used) if (t in values && values[t] === null) missing.set(t, (missing.get(t) ?? 0) + 1);
    const rendered = templates.render(values);
    recipients.push({ account_id: r.account_id, contact_id: r.contact_id, email: r.email, name: r.contact_name, ...rendered });
  }
  return {
    accounts: accounts.size,
    contacts_matched: contacts,
    recipients,
    skipped,
    skipped_sample: sample,
    missing_values: [...missing].map(([token, recipients]) => ({ token, recipients })).sort((a, b) => a.token.localeCompare(b.token)),
  };
}

export class EmailCampaignService {
  readonly repo: EmailCampaignRepository;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly config: Config,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.repo = new EmailCampaignRepository(prisma);
  }

  /** `progress` counts recipients recorded (a send to thousands runs in batches); `signal` rolls the whole send back. */
  async handle(input: SendEmailInput, progress: Progress = noProgress, signal?: AbortSignal) {
    if (input.campaign_id !== undefined) {
      const extra = SEND_FIELDS.filter((f) => input[f] !== undefined);
      if (extra.length) throw validationError(`campaign_id: reports an existing campaign and takes no other field (given: ${extra.join(", ")})`, "call with campaign_id alone for the report, or without it to send a new campaign");
      return this.report(input.campaign_id);
    }
    return this.send(input, progress, signal);
  }

  /** Delivery and engagement of one campaign, from its stored sends and events. */
  async report(campaignId: string) {
    const c = await this.prisma.emailCampaign.findUnique({ where: { id: campaignId } });
    if (!c) throw notFound("email campaign", campaignId, "the campaign_id is returned by send_personalized_email");
    const perf = await this.repo.performance({ campaign_id: campaignId });
    const notes: string[] = [];
    if (perf.events === 0 && perf.sent > 0) notes.push("no SendGrid events stored for this campaign yet: point SendGrid's Event Webhook at your collector and import the payloads with `cs-mcp import email_events <file.json>`; delivered/open/click figures stay 0 until then");
    if (perf.not_sent > 0) notes.push(`${perf.not_sent} sends were recorded without sending because SendGrid was not configured (set SENDGRID_API_KEY and SENDGRID_FROM_EMAIL)`);
    return {
      mode: "report" as const,
      campaign_id: c.id,
      campaign_name: c.name,
      status: c.status,
      created_at: c.created_at.toISOString(),
      scheduled_at: c.scheduled_at?.toISOString() ?? null,
      sent_at: c.sent_at?.toISOString() ?? null,
      performance: { ...perf, last_event_at: perf.last_event_at ? new Date(perf.last_event_at).toISOString() : null },
      rates: rates(perf),
      notes,
    };
  }

  private targeting(input: SendEmailInput): { field: string; value: string | string[]; mode: "client_ids" | "segment" | "tier" } {
    const given = (["target_client_ids", "target_segment", "target_tier"] as const).filter((f) => input[f] !== undefined);
    if (given.length !== 1) {
      throw validationError(
        given.length ? `targeting: give exactly one of target_client_ids, target_segment, target_tier (given: ${given.join(", ")})` : "targeting: one of target_client_ids, target_segment, target_tier is required",
        "target_client_ids: accounts by client_id; target_segment: a segment id or name from segment_customers; target_tier: starter|standard|professional|enterprise",
      );
    }
    const f = given[0]!;
    return { field: f, value: input[f]!, mode: f === "target_client_ids" ? "client_ids" : f === "target_segment" ? "segment" : "tier" };
  }

  private async send(input: SendEmailInput, progress: Progress, signal: AbortSignal | undefined) {
    const now = this.now();
    // 1. Everything that can be checked without the database, before anything is read or written.
    const missing = (["campaign_name", "subject_line"] as const).filter((f) => input[f] === undefined);
    if (missing.length) throw validationError(`${missing.join(", ")}: required to send a campaign (missing)`, "give campaign_name, subject_line, body_text and/or body_html, and one targeting field; or campaign_id alone for a report");
    if (input.body_text === undefined && input.body_html === undefined) throw validationError("body_text, body_html: give at least one body (body_html for the HTML part, body_text for the plain-text part)");
    const target = this.targeting(input);
    if (input.include_churned !== undefined && target.mode === "client_ids") throw validationError("include_churned: applies to target_segment and target_tier only (explicit target_client_ids are always used as given)");
    let notBefore: Date | undefined;
    if (input.scheduled_send_time !== undefined) {
      if (input.send_immediately === true) throw validationError("send_immediately: true conflicts with scheduled_send_time; give one or the other");
      notBefore = new Date(input.scheduled_send_time);
      if (!(notBefore.getTime() > now.getTime())) throw validationError(`scheduled_send_time: must be in the future (now is ${now.toISOString()})`, "omit it, or set send_immediately true, to send now");
      if (notBefore.getTime() > now.getTime() + 366 * 86_400_000) throw validationError("scheduled_send_time: must be within one year");
    } else if (input.send_immediately === false) {
      throw validationError("scheduled_send_time: is required when send_immediately is false");
    }
    const custom = checkCustomTokens(input.personalization_tokens);
    const parts: TemplatePart[] = [{ field: "subject_line", kind: "subject", source: input.subject_line! }];
    if (input.body_html !== undefined) parts.push({ field: "body_html", kind: "html", source: input.body_html });
    if (input.body_text !== undefined) parts.push({ field: "body_text", kind: "text", source: input.body_text });
    const templates = compileTemplates(parts, custom);
    const scope: RecipientScope = input.recipient_scope ?? "primary";
    const includeChurned = input.include_churned ?? false;

    // 2. The targeting must name things that exist.
    let targeting: Targeting;
    let segment: { id: string; name: string } | null = null;
    if (target.mode === "client_ids") {
      const ids = [...new Set(input.target_client_ids!)];
      const found = new Set((await this.prisma.account.findMany({ where: { id: { in: ids } }, select: { id: true } })).map((a) => a.id));
      const unknown = ids.filter((id) => !found.has(id));
      if (unknown.length) throw notFound("client", unknown.join(", "), "target_client_ids: use list_clients to find the client_ids");
      targeting = { mode: "client_ids", client_ids: ids };
    } else if (target.mode === "segment") {
      const s = await this.repo.findSegment(input.target_segment!);
      if (!s) throw notFound("segment", input.target_segment!, "target_segment: give a segment id or name stored by segment_customers (run it first to build segments)");
      segment = { id: s.id, name: s.name };
      targeting = { mode: "segment", segment_id: s.id };
    } else {
      targeting = { mode: "tier", tier: input.target_tier! };
    }

    const from = input.sender_email ? { email: input.sender_email, ...(input.sender_name ? { name: input.sender_name } : {}) } : undefined;
    const request = {
      campaign_name: input.campaign_name,
      template_type: input.template_type ?? null,
      subject_line: input.subject_line,
      body_text: input.body_text ?? null,
      body_html: input.body_html ?? null,
      from: from ?? null,
      targeting,
      scope,
      include_churned: includeChurned,
      tokens: custom,
      scheduled: notBefore?.toISOString() ?? null,
    };
    const key = input.idempotency_key !== undefined ? `key:${input.idempotency_key}` : `derived:${fingerprint(request)}`;
    const targetView = { mode: target.mode, value: target.value, segment, recipient_scope: scope, include_churned: target.mode === "client_ids" ? true : includeChurned };

    // 3. A retry finds what the first call recorded.
    if (!input.preview) {
      const existing = await this.prisma.emailCampaign.findUnique({ where: { idempotency_key: key }, select: { id: true } });
      if (existing) return this.replay(existing.id, key);
    }

    const today = now.toISOString().slice(0, 10);
    const rows = await this.repo.recipients(targeting, scope, includeChurned, today);
    const churned = await this.repo.churnedExcluded(targeting, includeChurned);
    const res = renderRecipients(rows, templates, churned);
    const resolution = { accounts: res.accounts, contacts_matched: res.contacts_matched, recipients: res.recipients.length, skipped: res.skipped };

    if (input.preview) {
      return {
        mode: "preview" as const,
        campaign_name: input.campaign_name!,
        targeting: targetView,
        resolution,
        skipped_sample: res.skipped_sample,
        tokens_used: templates.used,
        tokens_missing_values: res.missing_values,
        // Bodies may be 500,000 characters: the sample shows how each begins, rendered for its recipient.
        sample: res.recipients.slice(0, 3).map((r) => ({
          client_id: r.account_id,
          email: r.email,
          subject: r.subject,
          ...(r.html !== undefined ? { html: clipText(r.html, PREVIEW_BODY_CHARS) } : {}),
          ...(r.text !== undefined ? { text: clipText(r.text, PREVIEW_BODY_CHARS) } : {}),
        })),
        integration: integrationStatus(this.config).find((s) => s.integration === "sendgrid")!.state,
      };
    }
    if (!res.recipients.length) {
      const why = Object.entries(res.skipped).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k.replace(/_/g, " ")}`);
      throw validationError(`${target.field}: no recipient to send to — ${res.accounts} account(s) matched${why.length ? `; skipped: ${why.join(", ")}` : ""}`, "add contacts to the accounts (register_client / update_client_info / import accounts), choose recipient_scope 'all', or target other accounts; nothing was recorded");
    }

    let result: QueueResult;
    let campaignId: string;
    const total = res.recipients.length;
    await progress(0, total, `${total} recipients: recording the campaign`);
    try {
      // One transaction the signal rolls back: a cancel between batches leaves no campaign, send or outbox row.
      ({ campaignId, result } = await abortableTransaction(this.prisma, signal, async (tx, checkpoint) => {
        const status = integrationStatus(this.config).find((s) => s.integration === "sendgrid")!.state === "configured" ? (notBefore ? "scheduled" : "sending") : "not_sent";
        const campaign = await tx.emailCampaign.create({
          data: {
            name: input.campaign_name!,
            template_type: input.template_type ?? null,
            subject: input.subject_line!,
            body_text: input.body_text ?? null,
            body_html: input.body_html ?? null,
            sender_email: input.sender_email ?? null,
            target: { ...targetView, personalization_tokens: custom, resolution } as object,
            status,
            track_opens: input.track_opens ?? true,
            track_clicks: input.track_clicks ?? true,
            scheduled_at: notBefore ?? null,
            idempotency_key: key,
            created_at: now,
          },
          select: { id: true },
        });
        const result = await queueEmails(tx, this.config, this.repo, {
          campaign_id: campaign.id,
          newsletter_id: null,
          key_prefix: "email_campaign",
          recipients: res.recipients,
          has_html: input.body_html !== undefined,
          has_text: input.body_text !== undefined,
          from,
          categories: ["email_campaign", ...(input.template_type ? [input.template_type] : [])],
          tracking: { opens: input.track_opens ?? true, clicks: input.track_clicks ?? true },
          not_before: notBefore,
          sent_at: notBefore ?? now,
          onQueued: async (queued) => {
            await progress(queued, total, `${queued} of ${total} recipients queued`);
            checkpoint();
          },
        });
        // The sends appear on each account's timeline from email_sends itself (repositories/timeline.ts).
        await writeAudit(tx, {
          action: "send_personalized_email",
          entity_type: "email_campaign",
          entity_id: campaign.id,
          changes: { campaign_name: input.campaign_name, targeting: { mode: target.mode, value: target.value }, recipients: res.recipients.length, skipped: res.skipped, delivery: result.status, outbox_rows: result.outbox_rows, scheduled_send_time: notBefore?.toISOString() ?? null },
        });
        return { campaignId: campaign.id, result };
      }));
    } catch (err) {
      // The same request committed meanwhile by a concurrent call: report that one.
      const e = err as { code?: string; message?: string };
      if (e?.code === "P2002" || /\b23505\b|idempotency_key/.test(String(e?.message ?? ""))) {
        const existing = await this.prisma.emailCampaign.findUnique({ where: { idempotency_key: key }, select: { id: true } });
        if (existing) return this.replay(existing.id, key);
      }
      throw err;
    }
    await progress(total, total, `${result.sends_recorded} sends recorded`);
    return {
      mode: "send" as const,
      campaign_id: campaignId,
      campaign_name: input.campaign_name!,
      status: result.status === "queued" ? (notBefore ? "scheduled" : "sending") : "not_sent",
      replayed: false,
      idempotency_key: key,
      targeting: targetView,
      resolution,
      skipped_sample: res.skipped_sample,
      tokens_used: templates.used,
      tokens_missing_values: res.missing_values,
      sends_recorded: result.sends_recorded,
      delivery: {
        integration: "sendgrid",
        status: result.status,
        outbox_rows: result.outbox_rows,
        missing_variables: result.missing_variables,
        batches: result.batches,
        single_sends: result.single_sends,
        single_deliveries: result.single_deliveries.slice(0, SKIP_SAMPLE),
      },
      scheduled_send_time: notBefore?.toISOString() ?? null,
      tracking: { track_opens: input.track_opens ?? true, track_clicks: input.track_clicks ?? true, note: TRACKING_NOTE },
    };
  }

  /** What an earlier call with the same key recorded, without writing anything. */
  private async replay(campaignId: string, key: string) {
    const c = await this.prisma.emailCampaign.findUniqueOrThrow({ where: { id: campaignId } });
    const rows = await this.prisma.$queryRawUnsafe<Array<{ outbox_id: string | null; operation: string | null; idempotency_key: string | null; next_attempt_at: Date | null; n: number }>>(
      `SELECT s.outbox_id, o.operation, o.idempotency_key, o.next_attempt_at, count(*)::int AS n
         FROM email_sends s LEFT JOIN outbox_messages o ON o.id = s.outbox_id
        WHERE s.campaign_id = $1 GROUP BY s.outbox_id, o.operation, o.idempotency_key, o.next_attempt_at ORDER BY o.idempotency_key NULLS LAST`,
      campaignId,
    );
    const target = c.target as { mode: string; value: string | string[]; segment: { id: string; name: string } | null; recipient_scope: string; include_churned: boolean; resolution: { accounts: number; contacts_matched: number; recipients: number; skipped: Resolution["skipped"] } };
    const queuedRows = rows.filter((r) => r.outbox_id);
    const batches = queuedRows
      .filter((r) => r.operation === "sendgrid.send_batch")
      .map((r) => ({ batch: Number(/:batch:(\d+)$/.exec(r.idempotency_key ?? "")?.[1] ?? 0), recipients: r.n, delivery: { integration: "sendgrid", status: "queued" as const, outbox_id: r.outbox_id!, idempotency_key: r.idempotency_key!, ...(c.scheduled_at ? { deliver_after: c.scheduled_at.toISOString() } : {}) } }))
      .sort((a, b) => a.batch - b.batch);
    const singles = queuedRows.filter((r) => r.operation === "sendgrid.send");
    const sends = rows.reduce((s, r) => s + r.n, 0);
    return {
      mode: "send" as const,
      campaign_id: c.id,
      campaign_name: c.name,
      status: c.status,
      replayed: true,
      idempotency_key: key,
      targeting: { mode: target.mode, value: target.value, segment: target.segment, recipient_scope: target.recipient_scope, include_churned: target.include_churned },
      resolution: target.resolution,
      skipped_sample: [],
      tokens_used: [],
      tokens_missing_values: [],
      sends_recorded: sends,
      delivery: {
        integration: "sendgrid",
        status: queuedRows.length ? ("queued" as const) : ("not_configured" as const),
        outbox_rows: queuedRows.length,
        missing_variables: queuedRows.length ? [] : integrationStatus(this.config).find((s) => s.integration === "sendgrid")!.missing_variables,
        batches,
        single_sends: singles.length,
        single_deliveries: singles.slice(0, SKIP_SAMPLE).map((r) => ({ integration: "sendgrid", status: "queued" as const, outbox_id: r.outbox_id!, idempotency_key: r.idempotency_key! })),
      },
      scheduled_send_time: c.scheduled_at?.toISOString() ?? null,
      tracking: { track_opens: c.track_opens, track_clicks: c.track_clicks, note: TRACKING_NOTE },
      note:
        `this campaign was already recorded on ${c.created_at.toISOString()} by a call with the same ${key.startsWith("key:") ? "idempotency_key" : "arguments"}; nothing new was queued. ` +
        (queuedRows.length ? "To send the same email again, pass a new idempotency_key." : "It was recorded without sending (SendGrid was not configured then); once SENDGRID_API_KEY and SENDGRID_FROM_EMAIL are set, call again with a new idempotency_key to send it."),
    };
  }
}
