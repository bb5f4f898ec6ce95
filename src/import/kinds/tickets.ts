// tickets: account*, external_id*, subject*, priority, category, status, created_at*, first_response_at,
// resolved_at, satisfaction_rating. Upserted on (account_id, external_id). The SLA due dates come from
// the configuration through slaDueDates (src/services/support/sla.ts, the one place of the SLA rule):
// created_at + SLA_FIRST_RESPONSE_MINUTES and + SLA_RESOLUTION_P<n>_MINUTES.
import { z } from "zod";
import { slaDueDates } from "../../services/support/sla.ts";
import { accountRef, int, oneOf, required, text, timestamp } from "../fields.ts";
import { columnLiterals, uuid7 } from "../sql.ts";
import type { KindSpec } from "./types.ts";
import { runUpsert, upsertSql } from "./upsert.ts";

const PRIORITIES = ["P1", "P2", "P3", "P4"] as const;
const STATUSES = ["open", "pending", "in_progress", "resolved", "closed"] as const;

const schema = z
  .object({
    account: required(accountRef()),
    external_id: required(text(200)),
    subject: required(text(500)),
    priority: oneOf(PRIORITIES, { urgent: "P1", high: "P2", normal: "P3", medium: "P3", low: "P4" }).optional(),
    category: text(100).optional(),
    status: oneOf(STATUSES, { "in progress": "in_progress", solved: "resolved", new: "open", hold: "pending", on_hold: "pending" }).optional(),
    created_at: required(timestamp()),
    first_response_at: timestamp().optional(),
    resolved_at: timestamp().optional(),
    satisfaction_rating: int(1, 5).optional(),
  })
  .superRefine((r, ctx) => {
    for (const col of ["first_response_at", "resolved_at"] as const) {
      const v = r[col];
      if (v !== undefined && v < r.created_at) ctx.addIssue({ code: "custom", path: [col], message: "must not be before created_at" });
    }
  });
export type TicketRow = z.output<typeof schema>;

const SQL = upsertSql({
  table: "support_tickets",
  columns: [
    ["id", "text"], ["account_id", "text"], ["external_id", "text"], ["subject", "text"], ["priority", '"TicketPriority"'],
    ["category", "text"], ["status", '"TicketStatus"'], ["created_at", "timestamptz"], ["first_response_at", "timestamptz"],
    ["resolved_at", "timestamptz"], ["satisfaction_rating", "int"], ["first_response_due_at", "timestamptz"], ["resolution_due_at", "timestamptz"],
  ],
  conflict: ["account_id", "external_id"],
  update: ["subject", "priority", "category", "status", "created_at", "first_response_at", "resolved_at", "satisfaction_rating", "first_response_due_at", "resolution_due_at"],
  touch: "updated_at = now()",
});

const dueDates = (r: { row: TicketRow }, config: Parameters<typeof slaDueDates>[0]) => slaDueDates(config, r.row.priority ?? "P3", new Date(r.row.created_at));

export const tickets: KindSpec<TicketRow> = {
  kind: "tickets",
  columns: ["account", "external_id", "subject", "priority", "category", "status", "created_at", "first_response_at", "resolved_at", "satisfaction_rating"],
  required: ["account", "external_id", "subject", "created_at"],
  resolvesAccount: true,
  schema,
  batchSize: 5_000,
  key: (r) => `${r.account_id}\u0000${r.row.external_id}`,
  async open({ session, config, now }) {
    return {
      async write(rows) {
        const params = columnLiterals(rows, [
          () => uuid7(now.getTime()),
          (r) => r.account_id,
          (r) => r.row.external_id,
          (r) => r.row.subject,
          (r) => r.row.priority ?? "P3",
          (r) => r.row.category,
          (r) => r.row.status ?? (r.row.resolved_at ? "resolved" : "open"),
          (r) => r.row.created_at,
          (r) => r.row.first_response_at,
          (r) => r.row.resolved_at,
          (r) => r.row.satisfaction_rating,
          (r) => dueDates(r, config).first_response_due_at.toISOString(),
          (r) => dueDates(r, config).resolution_due_at.toISOString(),
        ]);
        return { ...(await runUpsert(session, SQL, params)), errors: [] };
      },
    };
  },
};
