import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { clientId, isoDateOrDateTime } from "../../security/validation.ts";
import { TIMELINE_EVENT_TYPES } from "../../repositories/timeline.ts";

export const getClientTimeline = defineTool({
  name: "get_client_timeline",
  toolset: "core",
  title: "Client timeline",
  description:
    "One account's dated history, newest first, from every stored table (tickets, surveys, health, churn," +
    " milestones, emails, reviews, campaigns, invoices…), filtered by dates and event types, paged by " +
    "next_cursor. Current state: get_client_overview. Example: {client_id: 'cs_1700000000_acme_corp', " +
    "event_types: ['ticket_opened']}.",
  input: z.strictObject({
    client_id: clientId(),
    start_date: isoDateOrDateTime().optional().describe("Earliest event (date = start of day UTC)"),
    end_date: isoDateOrDateTime().optional().describe("Latest event (date = end of day UTC)"),
    event_types: z
      .array(z.enum(TIMELINE_EVENT_TYPES, { error: `must be one of ${TIMELINE_EVENT_TYPES.join(", ")}` }))
      .max(TIMELINE_EVENT_TYPES.length)
      .optional()
      .describe("Only these event types"),
    limit: z.number().int().min(1).max(100).default(50),
    cursor: z.string().max(1000).optional(),
  }),
  output: z.object({
    client_id: z.string(),
    order: z.literal("newest_first"),
    events: z.array(
      z.object({
        occurred_at: z.string(),
        event_type: z.string(),
        summary: z.string(),
        source: z.string(),
        source_id: z.string(),
        data: z.record(z.string(), z.unknown()),
      }),
    ),
    total: z.number().int(),
    returned: z.number().int(),
    truncated: z.boolean().describe("true when older events follow: pass next_cursor as cursor"),
    next_cursor: z.string().nullable(),
    period: z.object({ start: z.string().nullable(), end: z.string().nullable() }),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false, idempotentHint: true },
  async handler({ client_id, ...rest }, { services }) {
    const data = await services.clients.timelineOf(client_id, rest);
    const newest = data.events[0];
    const oldest = data.events[data.events.length - 1];
    return {
      data,
      text:
        data.returned === 0
          ? `No events for ${client_id} in that range.`
          : `${data.returned} of ${data.total} events for ${client_id}, newest first: ${newest?.occurred_at.slice(0, 10)} back to ${oldest?.occurred_at.slice(0, 10)}${data.next_cursor ? ". Older events: pass next_cursor as cursor" : ""}.`,
    };
  },
});
