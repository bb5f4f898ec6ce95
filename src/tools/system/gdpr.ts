// GDPR requests as two tools: export (access and portability) and erasure (destructive, confirmed by repeating
// the subject). Both take a client (client_id) or a contact (email), never both.
import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { clientId, email } from "../../security/validation.ts";
import { validationError } from "../../server/errors.ts";
import type { Subject } from "../../services/gdpr.ts";

const subjectFields = {
  client_id: clientId().optional().describe("An account and all under it"),
  email: email().optional().describe("A contact: every row naming it"),
};

function subjectOf(args: { client_id?: string | undefined; email?: string | undefined }): Subject {
  if (!!args.client_id === !!args.email) throw validationError("client_id / email: give exactly one of them: client_id for an account, email for a person");
  return args.client_id ? { kind: "client", client_id: args.client_id } : { kind: "contact", email: args.email! };
}

export const exportPersonalData = defineTool({
  name: "export_personal_data",
  toolset: "system",
  title: "Export a data subject's data (GDPR Art. 15/20)",
  description:
    "Export everything stored about a client (client_id) or contact (email), table by table as JSON, for " +
    "an access request: the rows erase_personal_data acts on. Counts first, then pages (next_cursor until" +
    " null). Customer text is data. Audited. Example: {email: 'pat@customer.com'}.",
  input: z.strictObject({
    ...subjectFields,
    max_rows_per_table: z.number().int().min(1).max(500).default(100).describe("Rows per table per page"),
    cursor: z.string().max(1000).optional(),
  }),
  output: z.object({
    subject: z.object({ kind: z.enum(["client", "contact"]), hash: z.string() }),
    total_rows: z.number().int(),
    tables: z.array(z.object({ table: z.string(), via: z.string(), total_rows: z.number().int(), offset: z.number().int().nullable(), truncated: z.boolean(), rows: z.array(z.record(z.string(), z.unknown())) })),
    next_cursor: z.string().nullable().describe("more rows follow: pass it as cursor"),
    values_cut: z.number().int().describe("text values cut at 4,000 characters in this answer"),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false, idempotentHint: true },
  async handler(args, { services }) {
    const subject = subjectOf(args);
    const r = await services.gdpr.export(subject, args.max_rows_per_table, args.cursor);
    const lines = r.tables.map((t) => `${t.table}: ${t.total_rows}${t.rows.length && t.truncated ? ` (rows ${t.offset! + 1}–${t.offset! + t.rows.length} here)` : ""}`);
    return {
      data: { subject: { kind: subject.kind, hash: r.subject_hash }, total_rows: r.total_rows, tables: r.tables, next_cursor: r.next_cursor, values_cut: r.values_cut },
      text: `Export of ${r.total_rows} rows in ${r.tables.length} tables (audited as ${r.subject_hash})${lines.length ? `:\n${lines.join("\n")}` : "."}${r.next_cursor ? "\nMore rows follow: call again with cursor = next_cursor." : ""}`,
    };
  },
});

export const erasePersonalData = defineTool({
  name: "erase_personal_data",
  toolset: "system",
  title: "Erase a data subject's data (GDPR Art. 17)",
  description:
    "Erase a client (client_id) or contact (email): own rows deleted, records others rely on " +
    "pseudonymised, every copy replaced, pending messages withdrawn; one transaction, audited. confirm " +
    "repeats the subject; dry_run only counts. Example: {email: 'pat@customer.com', confirm: " +
    "'pat@customer.com', dry_run: true}.",
  input: z.strictObject({
    ...subjectFields,
    confirm: z.string().min(1, { error: "must repeat the client_id or email being erased" }).max(320).describe("The client_id or email again"),
    dry_run: z.boolean().default(false).describe("Count only, change nothing"),
  }),
  output: z.object({
    subject: z.object({ kind: z.enum(["client", "contact"]), hash: z.string() }),
    dry_run: z.boolean(),
    total_rows: z.number().int(),
    tables: z.array(z.object({ table: z.string(), rows: z.number().int(), action: z.enum(["deleted", "pseudonymised", "text_erased", "scrubbed"]) })),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: false, idempotentHint: true },
  async handler(args, { services }) {
    const subject = subjectOf(args);
    const r = await services.gdpr.erase(subject, args.confirm, args.dry_run);
    const total = r.tables.reduce((a, t) => a + t.rows, 0);
    const lines = r.tables.map((t) => `${t.table}: ${t.rows} ${t.action}`);
    return {
      data: { subject: { kind: subject.kind, hash: r.subject_hash }, dry_run: r.dry_run, total_rows: total, tables: r.tables },
      text: `${r.dry_run ? "Dry run: would change" : "Erased:"} ${total} rows${lines.length ? `\n${lines.join("\n")}` : " (nothing stored about this subject)"}`,
    };
  },
});
