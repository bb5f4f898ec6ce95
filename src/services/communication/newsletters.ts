// automate_newsletters: a newsletter is a stored subject + content (Handlebars templates, like
// send_personalized_email) with its own subscriber list. Each schedule_newsletter sends one issue: an
// email_campaigns row linked to the newsletter, one email_sends row per subscribed address, the SendGrid
// deliveries queued through the outbox in batches of at most 1,000 (not before the scheduled time).
// Unsubscribes are honoured twice: only `subscribed` addresses are sent to, and an address unsubscribed as
// a contact (contacts.unsubscribed_at, set by SendGrid unsubscribe/spamreport events) is skipped too.
// track_performance reads the stored sends and SendGrid events of every issue.
import { checkActionFields } from "../shared/action-fields.ts";
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { Config } from "../../config/load.ts";
import { integrationStatus } from "../../integrations/status.ts";
import { EmailCampaignRepository, rates } from "../../repositories/communication-email.ts";
import { NewsletterRepository, type SubscriberCounts } from "../../repositories/communication-newsletters.ts";
import { writeAudit } from "../../repositories/audit.ts";
import { conflict, notFound, validationError } from "../../server/errors.ts";
import { compileTemplates, type TemplatePart } from "./render.ts";
import { fingerprint, queueEmails } from "./email-dispatch.ts";
import { renderRecipients } from "./email-campaigns.ts";
import { noProgress, type Progress } from "../shared/progress.ts";
import { abortableTransaction } from "../../db/abortable-transaction.ts";

export const NEWSLETTER_ACTIONS = ["create_newsletter", "schedule_newsletter", "get_newsletter", "track_performance", "list_newsletters", "manage_subscriptions"] as const;
export type NewsletterAction = (typeof NEWSLETTER_ACTIONS)[number];
export const SUBSCRIPTION_ACTIONS = ["subscribe", "unsubscribe", "list"] as const;

export interface NewsletterInput {
  action: NewsletterAction;
  newsletter_id?: string | undefined;
  name?: string | undefined;
  subject?: string | undefined;
  content?: string | undefined;
  content_text?: string | undefined;
  scheduled_time?: string | undefined;
  idempotency_key?: string | undefined;
  subscription_action?: (typeof SUBSCRIPTION_ACTIONS)[number] | undefined;
  emails?: string[] | undefined;
  client_ids?: string[] | undefined;
  recipient_scope?: "primary" | "all" | undefined;
  sender_email?: string | undefined;
  sender_name?: string | undefined;
  limit: number;
  offset: number;
}

type Field = "newsletter_id" | "name" | "subject" | "content" | "content_text" | "scheduled_time" | "idempotency_key" | "subscription_action" | "emails" | "client_ids" | "recipient_scope" | "sender_email" | "sender_name";
const FIELDS: Field[] = ["newsletter_id", "name", "subject", "content", "content_text", "scheduled_time", "idempotency_key", "subscription_action", "emails", "client_ids", "recipient_scope", "sender_email", "sender_name"];
const RULES: Record<NewsletterAction, { required: Field[]; allowed: Field[] }> = {
  create_newsletter: { required: ["name", "subject", "content"], allowed: ["name", "subject", "content", "content_text"] },
  schedule_newsletter: { required: ["newsletter_id"], allowed: ["newsletter_id", "subject", "content", "content_text", "scheduled_time", "idempotency_key", "sender_email", "sender_name"] },
  get_newsletter: { required: ["newsletter_id"], allowed: ["newsletter_id"] },
  track_performance: { required: ["newsletter_id"], allowed: ["newsletter_id"] },
  list_newsletters: { required: [], allowed: [] },
  manage_subscriptions: { required: ["newsletter_id", "subscription_action"], allowed: ["newsletter_id", "subscription_action", "emails", "client_ids", "recipient_scope"] },
};
const ISSUES_SHOWN = 20;
const SAMPLE = 50;

function templates(n: { subject: string; content: string; content_text: string | null }, fields = { subject: "subject", content: "content", content_text: "content_text" }) {
  const parts: TemplatePart[] = [
    { field: fields.subject, kind: "subject", source: n.subject },
    { field: fields.content, kind: "html", source: n.content },
  ];
  if (n.content_text) parts.push({ field: fields.content_text, kind: "text", source: n.content_text });
  return compileTemplates(parts, {});
}

export class NewsletterService {
  private readonly repo: NewsletterRepository;
  private readonly emails: EmailCampaignRepository;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly config: Config,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.repo = new NewsletterRepository(prisma);
    this.emails = new EmailCampaignRepository(prisma);
  }

  checkFields(input: NewsletterInput): void {
    const extra: string[] = [];
    if (input.action === "manage_subscriptions" && input.subscription_action && input.subscription_action !== "list" && input.emails === undefined && input.client_ids === undefined) {
      extra.push(`subscription_action '${input.subscription_action}' needs emails and/or client_ids`);
    }
    if (input.action === "manage_subscriptions" && input.subscription_action === "list" && (input.emails !== undefined || input.client_ids !== undefined || input.recipient_scope !== undefined)) {
      extra.push("subscription_action 'list' does not use emails, client_ids or recipient_scope");
    }
    checkActionFields(input.action, input, FIELDS, RULES, extra);
  }

  /** `progress` counts an issue's recipients queued (a send to thousands runs in batches); `signal` rolls the whole issue back. */
  async handle(input: NewsletterInput, progress: Progress = noProgress, signal?: AbortSignal) {
    this.checkFields(input);
    switch (input.action) {
      case "create_newsletter":
        return this.create(input);
      case "schedule_newsletter":
        return this.schedule(input, progress, signal);
      case "get_newsletter":
        return this.get(input.newsletter_id!);
      case "track_performance":
        return this.performance(input.newsletter_id!);
      case "list_newsletters":
        return this.list(input);
      case "manage_subscriptions":
        return this.subscriptions(input);
    }
  }

  private async find(id: string) {
    const n = await this.prisma.newsletter.findUnique({ where: { id } });
    if (!n) throw notFound("newsletter", id, "use automate_newsletters with action 'list_newsletters' to find the newsletter_id");
    return n;
  }

  private view(n: { id: string; name: string; subject: string; content: string; content_text: string | null; status: string; scheduled_at: Date | null; sent_at: Date | null; created_at: Date }, counts?: SubscriberCounts) {
    return {
      newsletter_id: n.id,
      name: n.name,
      subject: n.subject,
      content: n.content,
      content_text: n.content_text,
      status: n.status,
      scheduled_at: n.scheduled_at?.toISOString() ?? null,
      sent_at: n.sent_at?.toISOString() ?? null,
      created_at: n.created_at.toISOString(),
      subscribers: counts ?? { subscribed: 0, unsubscribed: 0, suppressed: 0 },
    };
  }

  private async create(input: NewsletterInput) {
    const t = templates({ subject: input.subject!, content: input.content!, content_text: input.content_text ?? null });
    const now = this.now();
    return this.prisma.$transaction(async (tx) => {
      const n = await tx.newsletter.create({ data: { name: input.name!, subject: input.subject!, content: input.content!, content_text: input.content_text ?? null, status: "draft", created_at: now } });
      await writeAudit(tx, { action: "create_newsletter", entity_type: "newsletter", entity_id: n.id, changes: { name: n.name } });
      return { action: "create_newsletter" as const, newsletter: this.view(n), tokens_used: t.used };
    });
  }

  private async schedule(input: NewsletterInput, progress: Progress, signal: AbortSignal | undefined) {
    const now = this.now();
    const stored = await this.find(input.newsletter_id!);
    // This issue's content: what the call gives, else the newsletter's current content. New content becomes the
    // newsletter's current content when the issue is recorded.
    const n = {
      ...stored,
      subject: input.subject ?? stored.subject,
      content: input.content ?? stored.content,
      content_text: input.content_text !== undefined ? input.content_text : stored.content_text,
    };
    const newContent = n.subject !== stored.subject || n.content !== stored.content || n.content_text !== stored.content_text;
    const t = templates(n);
    let notBefore: Date | undefined;
    if (input.scheduled_time !== undefined) {
      notBefore = new Date(input.scheduled_time);
      if (!(notBefore.getTime() > now.getTime())) throw validationError(`scheduled_time: must be in the future (now is ${now.toISOString()})`, "omit it to send now");
      if (notBefore.getTime() > now.getTime() + 366 * 86_400_000) throw validationError("scheduled_time: must be within one year");
    }
    const key = input.idempotency_key !== undefined ? `key:newsletter:${input.idempotency_key}` : `derived:newsletter:${n.id}:${fingerprint({ subject: n.subject, content: n.content, content_text: n.content_text, at: notBefore?.toISOString() ?? null })}`;
    const existing = await this.prisma.emailCampaign.findUnique({ where: { idempotency_key: key }, select: { id: true, newsletter_id: true, subject: true, body_html: true, body_text: true } });
    if (existing) {
      if (input.idempotency_key !== undefined && (existing.newsletter_id !== n.id || existing.subject !== n.subject || existing.body_html !== n.content || existing.body_text !== n.content_text)) {
        throw conflict(
          `idempotency_key: '${input.idempotency_key}' was already used for issue ${existing.id}${existing.newsletter_id !== n.id ? ` of newsletter ${existing.newsletter_id}` : ""} with other content; a key names one issue`,
          "pass a new idempotency_key for a new issue; nothing was queued",
          { issue_id: existing.id },
        );
      }
      return this.issueReplay(n.id, existing.id, key, input.idempotency_key, notBefore);
    }

    const rows = await this.repo.subscribedRecipients(n.id, now.toISOString().slice(0, 10));
    const res = renderRecipients(rows, t, 0);
    const resolution = { subscribed: rows.length, recipients: res.recipients.length, skipped: { unsubscribed: res.skipped.unsubscribed, duplicate_email: res.skipped.duplicate_email } };
    if (!res.recipients.length) {
      throw validationError(
        `newsletter_id: newsletter ${n.id} has no subscribed address to send to (${rows.length} subscribed, ${res.skipped.unsubscribed} of them unsubscribed as contacts)`,
        "add subscribers with action 'manage_subscriptions' (subscription_action 'subscribe'); nothing was recorded",
      );
    }
    const from = input.sender_email ? { email: input.sender_email, ...(input.sender_name ? { name: input.sender_name } : {}) } : undefined;
    const configured = integrationStatus(this.config).find((s) => s.integration === "sendgrid")!.state === "configured";
    const total = res.recipients.length;
    await progress(0, total, `${total} recipients: recording the issue`);
    // One transaction the signal rolls back: a cancel between batches leaves no issue, send or outbox row.
    const out = await abortableTransaction(
      this.prisma,
      signal,
      async (tx, checkpoint) => {
        const issue = await tx.emailCampaign.create({
          data: {
            name: n.name,
            template_type: "newsletter",
            subject: n.subject,
            body_html: n.content,
            body_text: n.content_text,
            sender_email: input.sender_email ?? null,
            target: { mode: "newsletter", newsletter_id: n.id, resolution } as object,
            status: configured ? (notBefore ? "scheduled" : "sending") : "not_sent",
            scheduled_at: notBefore ?? null,
            idempotency_key: key,
            newsletter_id: n.id,
            created_at: now,
          },
          select: { id: true },
        });
        const result = await queueEmails(tx, this.config, this.emails, {
          campaign_id: issue.id,
          newsletter_id: n.id,
          key_prefix: "newsletter_issue",
          recipients: res.recipients,
          has_html: true,
          has_text: n.content_text !== null,
          from,
          categories: ["newsletter"],
          not_before: notBefore,
          sent_at: notBefore ?? now,
          onQueued: async (queued) => {
            await progress(queued, total, `${queued} of ${total} recipients queued`);
            checkpoint();
          },
        });
        if (result.status === "queued") await tx.newsletter.update({ where: { id: n.id }, data: { status: "scheduled", scheduled_at: notBefore ?? now } });
        if (newContent) await tx.newsletter.update({ where: { id: n.id }, data: { subject: n.subject, content: n.content, content_text: n.content_text } });
        await writeAudit(tx, { action: "schedule_newsletter", entity_type: "newsletter", entity_id: n.id, changes: { issue_id: issue.id, recipients: res.recipients.length, skipped: resolution.skipped, delivery: result.status, scheduled_time: notBefore?.toISOString() ?? null, new_content: newContent } });
        return { issue_id: issue.id, result };
      },
    );
    const r = out.result;
    await progress(total, total, `${r.sends_recorded} sends recorded`);
    return {
      action: "schedule_newsletter" as const,
      newsletter_id: n.id,
      issue_id: out.issue_id,
      status: r.status === "queued" ? (notBefore ? "scheduled" : "sending") : "not_sent",
      replayed: false,
      idempotency_key: key,
      resolution,
      skipped_sample: res.skipped_sample.slice(0, SAMPLE),
      sends_recorded: r.sends_recorded,
      delivery: { integration: "sendgrid", status: r.status, outbox_rows: r.outbox_rows, missing_variables: r.missing_variables, batches: r.batches, single_sends: r.single_sends, single_deliveries: r.single_deliveries.slice(0, SAMPLE) },
      scheduled_time: notBefore?.toISOString() ?? null,
    };
  }

  /** The stored issue this call repeats, naming the values that made it a replay. */
  private async issueReplay(newsletterId: string, issueId: string, key: string, givenKey: string | undefined, notBefore: Date | undefined) {
    const c = await this.prisma.emailCampaign.findUniqueOrThrow({ where: { id: issueId } });
    const [row] = await this.prisma.$queryRawUnsafe<Array<{ sends: number; outbox_rows: number }>>(
      `SELECT count(*)::int AS sends, count(DISTINCT outbox_id)::int AS outbox_rows FROM email_sends WHERE campaign_id = $1`,
      issueId,
    );
    const target = c.target as { resolution: { subscribed: number; recipients: number; skipped: { unsubscribed: number; duplicate_email: number } } };
    return {
      action: "schedule_newsletter" as const,
      newsletter_id: newsletterId,
      issue_id: issueId,
      status: c.status,
      replayed: true,
      idempotency_key: key,
      resolution: target.resolution,
      skipped_sample: [],
      sends_recorded: row?.sends ?? 0,
      delivery: { integration: "sendgrid", status: (row?.outbox_rows ? "queued" : "not_configured") as "queued" | "not_configured", outbox_rows: row?.outbox_rows ?? 0, missing_variables: [], batches: [], single_sends: 0, single_deliveries: [] },
      scheduled_time: c.scheduled_at?.toISOString() ?? null,
      replay_of: { issue_id: issueId, matched_on: givenKey !== undefined ? ["idempotency_key"] : ["newsletter_id", "subject", "content", "content_text", "scheduled_time"] },
      note:
        `replay of issue ${issueId}, recorded on ${c.created_at.toISOString()}: ` +
        (givenKey !== undefined
          ? `the same idempotency_key ('${givenKey}')`
          : `the same newsletter_id, subject, content, content_text and scheduled_time (${notBefore?.toISOString() ?? "none: send now"})`) +
        "; nothing new was queued. To send another issue, give new subject/content/content_text, or a new idempotency_key.",
    };
  }

  private async issues(newsletterId: string) {
    return this.prisma.emailCampaign.findMany({
      where: { newsletter_id: newsletterId },
      orderBy: [{ created_at: "desc" }, { id: "desc" }],
      take: ISSUES_SHOWN,
      select: { id: true, status: true, subject: true, scheduled_at: true, sent_at: true, created_at: true, _count: { select: { sends: true } } },
    });
  }

  private async get(id: string) {
    const n = await this.find(id);
    const counts = (await this.repo.counts([id])).get(id);
    const issues = await this.issues(id);
    return {
      action: "get_newsletter" as const,
      newsletter: this.view(n, counts),
      issues: issues.map((i) => ({ issue_id: i.id, status: i.status, scheduled_at: i.scheduled_at?.toISOString() ?? null, sent_at: i.sent_at?.toISOString() ?? null, created_at: i.created_at.toISOString(), recipients: i._count.sends })),
    };
  }

  private async performance(id: string) {
    const n = await this.find(id);
    const counts = (await this.repo.counts([id])).get(id) ?? { subscribed: 0, unsubscribed: 0, suppressed: 0 };
    const total = await this.emails.performance({ newsletter_id: id });
    const issues = await this.issues(id);
    const perIssue = [];
    for (const i of issues) {
      const p = await this.emails.performance({ campaign_id: i.id });
      perIssue.push({ issue_id: i.id, status: i.status, scheduled_at: i.scheduled_at?.toISOString() ?? null, sent_at: i.sent_at?.toISOString() ?? null, performance: { ...p, last_event_at: p.last_event_at ? new Date(p.last_event_at).toISOString() : null }, rates: rates(p) });
    }
    const notes: string[] = [];
    if (!issues.length) notes.push("no issue has been sent yet: use action 'schedule_newsletter'");
    else if (total.events === 0 && total.sent > 0) notes.push("no SendGrid events stored yet: import the Event Webhook payloads with `cs-mcp import email_events <file.json>`; delivered/open/click figures stay 0 until then");
    if (total.not_sent > 0) notes.push(`${total.not_sent} sends were recorded without sending because SendGrid was not configured (set SENDGRID_API_KEY and SENDGRID_FROM_EMAIL)`);
    return {
      action: "track_performance" as const,
      newsletter_id: n.id,
      name: n.name,
      subscribers: counts,
      issues_sent: await this.prisma.emailCampaign.count({ where: { newsletter_id: id } }),
      performance: { ...total, last_event_at: total.last_event_at ? new Date(total.last_event_at).toISOString() : null },
      rates: rates(total),
      per_issue: perIssue,
      notes,
    };
  }

  private async list(input: NewsletterInput) {
    const [total, rows] = await Promise.all([
      this.prisma.newsletter.count(),
      this.prisma.newsletter.findMany({ orderBy: [{ created_at: "desc" }, { id: "desc" }], take: input.limit, skip: input.offset }),
    ]);
    const counts = await this.repo.counts(rows.map((r) => r.id));
    return {
      action: "list_newsletters" as const,
      newsletters: rows.map((r) => this.view(r, counts.get(r.id))),
      total,
      count: rows.length,
      next_offset: input.offset + rows.length < total ? input.offset + rows.length : null,
    };
  }

  private async subscriptions(input: NewsletterInput) {
    const n = await this.find(input.newsletter_id!);
    const now = this.now();
    if (input.subscription_action === "list") {
      const [total, rows] = await Promise.all([
        this.prisma.newsletterSubscription.count({ where: { newsletter_id: n.id } }),
        this.prisma.newsletterSubscription.findMany({ where: { newsletter_id: n.id }, orderBy: [{ email: "asc" }], take: input.limit, skip: input.offset }),
      ]);
      return {
        action: "manage_subscriptions" as const,
        subscription_action: "list" as const,
        newsletter_id: n.id,
        subscriptions: rows.map((s) => ({ email: s.email, client_id: s.account_id, status: s.status, subscribed_at: s.subscribed_at.toISOString(), unsubscribed_at: s.unsubscribed_at?.toISOString() ?? null })),
        total,
        count: rows.length,
        next_offset: input.offset + rows.length < total ? input.offset + rows.length : null,
      };
    }

    // Resolve the addresses: given emails must be stored contacts; client_ids bring their contacts.
    const emails = [...new Set((input.emails ?? []).map((e) => e.toLowerCase()))];
    const refs = emails.length ? await this.repo.contactsByEmail(n.id, emails) : [];
    const known = new Set(refs.map((r) => r.email));
    const unknown = emails.filter((e) => !known.has(e));
    if (unknown.length && input.subscription_action === "subscribe") {
      throw validationError(`emails: ${unknown.join(", ")} ${unknown.length > 1 ? "are not stored contacts" : "is not a stored contact"}; subscribers are contacts of accounts`, "add the contact to its account first (register_client / update_client_info / import accounts), or subscribe by client_ids; nothing was changed");
    }
    if (input.client_ids?.length) {
      const ids = [...new Set(input.client_ids)];
      const found = new Set((await this.prisma.account.findMany({ where: { id: { in: ids } }, select: { id: true } })).map((a) => a.id));
      const missing = ids.filter((i) => !found.has(i));
      if (missing.length) throw notFound("client", missing.join(", "), "client_ids: use list_clients to find the client_ids");
      for (const r of await this.repo.contactsOfAccounts(n.id, ids, input.recipient_scope ?? "primary")) if (!known.has(r.email)) (known.add(r.email), refs.push(r));
    }

    if (input.subscription_action === "unsubscribe") {
      const targets = [...new Set([...refs.map((r) => r.email), ...unknown])];
      const changed = await this.prisma.$transaction(async (tx) => {
        const count = await this.repo.unsubscribe(tx, n.id, targets, now);
        if (count) await writeAudit(tx, { action: "newsletter_unsubscribe", entity_type: "newsletter", entity_id: n.id, changes: { unsubscribed: count } });
        return count;
      });
      return { action: "manage_subscriptions" as const, subscription_action: "unsubscribe" as const, newsletter_id: n.id, requested: targets.length, changed, unchanged: targets.length - changed, skipped: [] as Array<{ email: string; reason: string }> };
    }

    const skipped: Array<{ email: string; reason: string }> = [];
    const toAdd: Array<{ account_id: string; email: string }> = [];
    for (const r of refs) {
      if (r.unsubscribed) skipped.push({ email: r.email, reason: "unsubscribed: the address unsubscribed (contacts.unsubscribed_at); an unsubscribe is not overridden" });
      else if (r.subscription_status === "unsubscribed") skipped.push({ email: r.email, reason: "unsubscribed from this newsletter; an unsubscribe is not overridden" });
      else if (r.subscription_status === "subscribed") skipped.push({ email: r.email, reason: "already subscribed" });
      else toAdd.push({ account_id: r.account_id, email: r.email });
    }
    const changed = await this.prisma.$transaction(async (tx) => {
      const count = await this.repo.subscribe(tx, n.id, toAdd, now);
      if (count) await writeAudit(tx, { action: "newsletter_subscribe", entity_type: "newsletter", entity_id: n.id, changes: { subscribed: count, skipped: skipped.length } });
      return count;
    });
    return {
      action: "manage_subscriptions" as const,
      subscription_action: "subscribe" as const,
      newsletter_id: n.id,
      requested: refs.length,
      changed,
      unchanged: refs.length - changed,
      skipped: skipped.slice(0, SAMPLE),
    };
  }
}
