// SendGrid Event Webhook events → email_events, email_sends counters, unsubscribes. One normalisation for
// both entry points: `cs-mcp import email_events <file>` (src/import/kinds/email-events.ts) and
// EmailEventService.ingest, which other code (a webhook receiver, a tool) can call with the JSON array
// SendGrid posts.
//
// An event belongs to a send through the `email_send_id` custom arg every send carries (SendGrid echoes
// custom args as top-level fields of each event), or else through sg_message_id + address. Events without
// an sg_event_id get a stable one derived from their content, so a re-imported file is still a no-op.
import { createHash } from "node:crypto";
import { z } from "zod";
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { EMAIL_EVENT_TYPES, ingestEmailEvents, type IngestResult, type NormalizedEvent } from "../../repositories/communication-email-events.ts";
import { writeAudit } from "../../repositories/audit.ts";
import { validationError } from "../../server/errors.ts";

/** The fields an event must or may carry; everything else SendGrid sends is kept in email_events.data. */
export const EVENT_COLUMNS = ["event", "email", "timestamp", "sg_event_id", "sg_message_id", "email_send_id"] as const;
const MAX_EVENTS_PER_CALL = 50_000;

const timestamp = z.union([z.number(), z.string().trim()]).transform((v, ctx) => {
  // SendGrid sends UNIX seconds; ISO 8601 is accepted too (hand-made files).
  const n = typeof v === "number" ? v : /^\d+(\.\d+)?$/.test(v) ? Number(v) : NaN;
  const d = Number.isFinite(n) ? new Date(Math.round(n * 1000)) : new Date(String(v));
  const y = d.getUTCFullYear();
  if (Number.isNaN(d.getTime()) || y < 2000 || y > 2200) {
    ctx.addIssue({ code: "custom", message: "must be a UNIX time in seconds (as SendGrid sends it) or an ISO 8601 date-time" });
    return z.NEVER;
  }
  return d;
});

export const eventSchema = z.looseObject({
  event: z.enum(EMAIL_EVENT_TYPES, { error: `must be one of ${EMAIL_EVENT_TYPES.join(", ")}` }),
  email: z.string().trim().max(254, "must be at most 254 characters").pipe(z.email({ error: "must be an email address" })).transform((s) => s.toLowerCase()),
  timestamp,
  sg_event_id: z.string().trim().min(1).max(200, "must be at most 200 characters").optional(),
  sg_message_id: z.string().trim().min(1).max(500, "must be at most 500 characters").optional(),
  email_send_id: z.string().trim().max(100, "must be at most 100 characters").optional(),
});
export type RawEvent = z.output<typeof eventSchema>;

export function normalizeEvent(e: RawEvent): NormalizedEvent {
  const { event, email, timestamp: at, sg_event_id, sg_message_id, email_send_id, ...rest } = e;
  const data: Record<string, unknown> = { ...rest };
  if (sg_message_id) data.sg_message_id = sg_message_id;
  const id = sg_event_id ?? `derived:${createHash("sha256").update(JSON.stringify([event, email, at.toISOString(), sg_message_id ?? null, email_send_id ?? null, rest.url ?? null])).digest("hex").slice(0, 40)}`;
  return { sg_event_id: id, event, email, occurred_at: at, email_send_id: email_send_id || null, sg_message_id: sg_message_id ?? null, data };
}

export class EmailEventService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Ingests SendGrid events (the JSON array the Event Webhook posts, already parsed). Invalid events are
   * refused as a whole call, naming the index and field; nothing is written then.
   */
  async ingest(events: unknown[]): Promise<IngestResult> {
    if (!Array.isArray(events)) throw validationError("events: must be the JSON array SendGrid's Event Webhook posts");
    if (events.length > MAX_EVENTS_PER_CALL) throw validationError(`events: at most ${MAX_EVENTS_PER_CALL} per call (got ${events.length}); split the payload`);
    const normalized: NormalizedEvent[] = [];
    const problems: string[] = [];
    const seen = new Set<string>();
    events.forEach((raw, i) => {
      const parsed = eventSchema.safeParse(raw);
      if (!parsed.success) {
        for (const issue of parsed.error.issues.slice(0, 3)) problems.push(`events[${i}].${issue.path.join(".") || "(event)"}: ${issue.message}`);
        return;
      }
      const n = normalizeEvent(parsed.data);
      if (seen.has(n.sg_event_id)) return; // the same event twice in one payload
      seen.add(n.sg_event_id);
      normalized.push(n);
    });
    if (problems.length) throw validationError(problems.slice(0, 20).join("; "), "fix or drop the named events; nothing was stored");
    return this.prisma.$transaction(
      async (tx) => {
        const r = await ingestEmailEvents((sql, params) => tx.$queryRawUnsafe(sql, ...params), normalized, this.now().getTime());
        r.duplicates += events.length - normalized.length;
        r.received = events.length;
        if (r.stored || r.contacts_unsubscribed || r.subscriptions_unsubscribed) {
          await writeAudit(tx, { action: "ingest_email_events", entity_type: "email_event", entity_id: null, changes: { received: r.received, stored: r.stored, by_type: r.by_type, contacts_unsubscribed: r.contacts_unsubscribed } });
        }
        return r;
      },
      { timeout: 120_000, maxWait: 10_000 },
    );
  }
}
