// GDPR requests for a data subject — a client (account) or a contact (an email address):
//   export (Art. 15 access / Art. 20 portability): every stored row about the subject, table by table;
//   erasure (Art. 17): the subject's rows deleted, or pseudonymised where the row is also a business record
//   other figures depend on (a ticket, a survey answer, a send), in one transaction.
// Both are written to the audit log under a hash of the subject, never the email or id itself.
import { createHash, randomBytes } from "node:crypto";
import type { PrismaClient, Prisma as P } from "../generated/prisma/client.ts";
import { writeAudit } from "../repositories/audit.ts";
import { clientScope, contactScope, ident, isEmailColumn, tableColumns, type ColumnInfo, type ScopedTable } from "../repositories/gdpr-scope.ts";
import { notFound, validationError } from "../server/errors.ts";
import { EXPORT_PAGE_CHARS, clipRow, decodeExportCursor, encodeExportCursor, type ExportCursor } from "./gdpr-export-page.ts";

export type Subject = { kind: "client"; client_id: string } | { kind: "contact"; email: string };

export interface ExportedTable {
  table: string;
  via: string;
  total_rows: number;
  /** Index of the first row returned (null: no rows of this table in this answer). */
  offset: number | null;
  rows: Record<string, unknown>[];
  /** Not every row of the table is in this answer. */
  truncated: boolean;
}

export interface ErasedTable {
  table: string;
  rows: number;
  action: "deleted" | "pseudonymised" | "text_erased" | "scrubbed";
}

/** Rows that ARE the person: erased by deleting them (their children cascade). */
const PERSON_TABLES = new Set(["contacts", "community_members", "advocates", "newsletter_subscriptions", "certifications"]);
/** Text the person wrote, kept as a record only with the text removed. Column lists are checked against the catalogue. */
const WRITTEN_TEXT: Record<string, { match: string; text: string[] }> = {
  feedback: { match: "submitter_email", text: ["title", "content"] },
  support_tickets: { match: "requester_email", text: ["description"] },
  survey_responses: { match: "respondent_email", text: ["reason"] },
  ticket_comments: { match: "author", text: ["body"] },
};
const ERASED_TEXT = "[erased at the data subject's request]";

const subjectValue = (s: Subject): string => (s.kind === "client" ? s.client_id : s.email.toLowerCase());

/** How the audit log names a subject: a hash, so the record of an erasure does not keep what it erased. */
export function subjectHash(s: Subject): string {
  return createHash("sha256").update(`${s.kind}:${subjectValue(s)}`).digest("hex").slice(0, 24);
}

/** The statement's parameters: `$1` the subject, `$2` the LIKE pattern; a clause using only `$2` is renumbered. */
function bind(where: string, v: string, pattern: string): { where: string; params: string[] } {
  const one = where.includes("$1");
  const two = where.includes("$2");
  if (one && two) return { where, params: [v, pattern] };
  if (two) return { where: where.replaceAll("$2", "$1"), params: [pattern] };
  return { where, params: [v] };
}

/**
 * LIKE pattern matching the subject as a whole JSON string value (`"bob@x.test"`, not `"jimbob@x.test"`),
 * with LIKE's wildcards escaped.
 */
const containsPattern = (v: string): string => `%${JSON.stringify(v).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
/** The same whole-value match as a regular expression (for regexp_replace, flags 'gi'). */
const valueRegex = (v: string): string => JSON.stringify(v).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export class GdprService {
  constructor(private readonly prisma: PrismaClient) {}

  private async checkSubject(s: Subject): Promise<void> {
    if (s.kind === "client" && !(await this.prisma.account.findUnique({ where: { id: s.client_id }, select: { id: true } }))) {
      throw notFound("client", s.client_id, "use list_clients to find the client_id; nothing was exported or erased");
    }
  }

  /** The subject's tables, plus the outbox rows and audit entries that mention it. */
  private async scope(tx: P.TransactionClient, s: Subject): Promise<ScopedTable[]> {
    const tables = s.kind === "client" ? await clientScope(tx) : await contactScope(tx);
    if (s.kind === "contact") {
      // Queued or sent messages carry the address in their payload; comments name their author.
      tables.push({ table: "outbox_messages", where: `payload::text ILIKE $2`, via: "payload mentions the email", email_columns: [] });
      if (!tables.some((t) => t.table === "ticket_comments")) tables.push({ table: "ticket_comments", where: `lower("author") = lower($1)`, via: "comment author", email_columns: [] });
    }
    tables.push({
      table: "audit_log",
      where: s.kind === "client" ? `("entity_id" = $1 OR changes::text LIKE $2)` : `changes::text ILIKE $2`,
      via: "audit entries about the subject",
      email_columns: [],
    });
    return tables;
  }

  /**
   * Every table's row count, and rows table by table from `cursor` (or the start) until maxRowsPerTable rows of a
   * table or EXPORT_PAGE_CHARS of row JSON are reached; next_cursor continues there (null: all handed over).
   */
  async export(s: Subject, maxRowsPerTable: number, cursor?: string): Promise<{ subject_hash: string; tables: ExportedTable[]; total_rows: number; next_cursor: string | null; values_cut: number }> {
    await this.checkSubject(s);
    const v = subjectValue(s);
    const hash = subjectHash(s);
    const from = cursor ? decodeExportCursor(cursor, hash) : null;
    return this.prisma.$transaction(async (tx) => {
      const scope = await this.scope(tx, s);
      if (from && !scope.some((t) => t.table === from.table)) throw validationError("cursor: names a table outside this export", "pass next_cursor from the previous answer unchanged");
      const out: ExportedTable[] = [];
      let budget = EXPORT_PAGE_CHARS;
      let next: ExportCursor | null = null;
      let valuesCut = 0;
      // Tables before the cursor's were handed over by earlier answers; rows resume at the cursor's table.
      let filling = from === null;
      for (const t of scope) {
        const { where, params } = bind(t.where, v, containsPattern(v));
        const n = (await tx.$queryRawUnsafe<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM ${ident(t.table)} WHERE ${where}`, ...params))[0]?.n ?? 0;
        if (!n) continue;
        if (!filling && from?.table === t.table) filling = true;
        const offset = from?.table === t.table ? from.offset : 0;
        const rows: Record<string, unknown>[] = [];
        if (filling && next === null && offset < n) {
          // Ordered by the whole row, so offsets name the same rows from one call to the next.
          const fetched = await tx.$queryRawUnsafe<Array<{ r: string }>>(
            `SELECT row_to_json(x)::text AS r FROM ${ident(t.table)} x WHERE ${where} ORDER BY x::text LIMIT ${maxRowsPerTable} OFFSET ${offset}`,
            ...params,
          );
          for (const f of fetched) {
            const parsed = JSON.parse(f.r) as Record<string, unknown>;
            // A batch names other people too: only the subject's own entry is theirs to receive.
            const own = s.kind === "contact" && t.table === "outbox_messages" ? { ...parsed, payload: ownPart(parsed.payload as Payload, v) } : parsed;
            const { row, cut } = clipRow(own);
            const size = JSON.stringify(row).length;
            if (rows.length > 0 && size > budget) break;
            rows.push(row);
            valuesCut += cut;
            budget -= size;
          }
          if (offset + rows.length < n) next = { table: t.table, offset: offset + rows.length };
        }
        out.push({ table: t.table, via: t.via, total_rows: n, offset: rows.length ? offset : null, rows, truncated: rows.length < n });
      }
      const total = out.reduce((a, t) => a + t.total_rows, 0);
      await writeAudit(tx, { action: "gdpr_export", entity_type: "data_subject", entity_id: hash, changes: { kind: s.kind, tables: Object.fromEntries(out.map((t) => [t.table, t.total_rows])) } });
      return { subject_hash: hash, tables: out, total_rows: total, next_cursor: next ? encodeExportCursor(hash, next) : null, values_cut: valuesCut };
    });
  }

  /** Erases the subject (or, with dryRun, counts what would be erased and changes nothing). */
  async erase(s: Subject, confirm: string, dryRun: boolean): Promise<{ subject_hash: string; dry_run: boolean; tables: ErasedTable[]; pseudonym?: string }> {
    if (confirm.trim().toLowerCase() !== subjectValue(s).toLowerCase()) {
      throw validationError(`confirm: must repeat the ${s.kind === "client" ? "client_id" : "email"} being erased exactly; nothing was erased`);
    }
    await this.checkSubject(s);
    const v = subjectValue(s);
    const pattern = containsPattern(v);
    const pseudonym = `erased-${randomBytes(8).toString("hex")}@erased.invalid`;
    try {
      return await this.prisma.$transaction(async (tx) => {
        const scope = await this.scope(tx, s);
        const cols = await tableColumns(tx);
        const result = s.kind === "client" ? await this.eraseClient(tx, scope, v, pattern) : await this.eraseContact(tx, scope, cols, v, pattern, pseudonym);
        // A dry run makes the real changes and rolls them back, so its counts are exactly what erasure would do.
        if (dryRun) throw new DryRun(result);
        await writeAudit(tx, {
          action: "gdpr_erasure",
          entity_type: "data_subject",
          entity_id: subjectHash(s),
          changes: { kind: s.kind, tables: Object.fromEntries(result.map((t) => [t.table, { rows: t.rows, action: t.action }])) },
        });
        return { subject_hash: subjectHash(s), dry_run: false, tables: result, ...(s.kind === "contact" ? { pseudonym } : {}) };
      });
    } catch (e) {
      if (e instanceof DryRun) return { subject_hash: subjectHash(s), dry_run: true, tables: e.tables };
      throw e;
    }
  }

  private async eraseClient(tx: P.TransactionClient, scope: ScopedTable[], v: string, pattern: string): Promise<ErasedTable[]> {
    const out: ErasedTable[] = [];
    // Children before parents (reverse discovery order), so each count is the table's own rows.
    const deletable = scope.filter((t) => t.table !== "audit_log");
    for (const t of [...deletable].reverse()) {
      const n = await tx.$executeRawUnsafe(`DELETE FROM ${ident(t.table)} WHERE ${t.where}`, v);
      if (n) out.push({ table: t.table, rows: n, action: "deleted" });
    }
    const audit = await tx.$executeRawUnsafe(`UPDATE audit_log SET changes = '{"erased": true}'::jsonb WHERE ("entity_id" = $1 OR changes::text LIKE $2)`, v, pattern);
    if (audit) out.push({ table: "audit_log", rows: audit, action: "scrubbed" });
    out.push(...(await scrubMentions(tx, await tableColumns(tx), v, "[erased client]")));
    return out;
  }

  private async eraseContact(
    tx: P.TransactionClient,
    scope: ScopedTable[],
    cols: Map<string, ColumnInfo[]>,
    email: string,
    pattern: string,
    pseudonym: string,
  ): Promise<ErasedTable[]> {
    const out: ErasedTable[] = [];
    const has = (table: string, col: string) => (cols.get(table) ?? []).some((c) => c.name === col);
    // 1. What the person wrote: the text goes, the record (and the figures built on it) stays.
    for (const [table, spec] of Object.entries(WRITTEN_TEXT)) {
      if (!has(table, spec.match)) continue;
      const textCols = spec.text.filter((c) => has(table, c));
      if (!textCols.length) continue;
      const set = textCols.map((c) => {
        const col = cols.get(table)!.find((x) => x.name === c)!;
        return `${ident(c)} = ${col.nullable ? "NULL" : `'${ERASED_TEXT.replace(/'/g, "''")}'`}`;
      });
      const n = await tx.$executeRawUnsafe(`UPDATE ${ident(table)} SET ${set.join(", ")} WHERE lower(${ident(spec.match)}) = lower($1)`, email);
      if (n) out.push({ table, rows: n, action: "text_erased" });
    }
    // 2. Rows that are the person: deleted (children such as posts and contributions cascade: counted first).
    for (const t of scope) {
      if (!t.parent || !PERSON_TABLES.has(t.parent)) continue;
      const n = (await tx.$queryRawUnsafe<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM ${ident(t.table)} WHERE ${t.where}`, email))[0]?.n ?? 0;
      if (n) out.push({ table: t.table, rows: n, action: "deleted" });
    }
    for (const t of scope) {
      if (!PERSON_TABLES.has(t.table) || !t.email_columns.length) continue;
      const n = await tx.$executeRawUnsafe(`DELETE FROM ${ident(t.table)} WHERE ${t.where}`, email);
      if (n) out.push({ table: t.table, rows: n, action: "deleted" });
    }
    // 3. Records that name the person: the address becomes a pseudonym, the name beside it is cleared.
    for (const t of scope) {
      if (PERSON_TABLES.has(t.table) || !t.email_columns.length) continue;
      let rows = 0;
      for (const c of t.email_columns) {
        const nameCol = c === "email" ? "name" : `${c.slice(0, -"_email".length)}_name`;
        const name = (cols.get(t.table) ?? []).find((x) => x.name === nameCol && x.nullable && !isEmailColumn(x.name));
        const n = await tx.$executeRawUnsafe(
          `UPDATE ${ident(t.table)} SET ${ident(c)} = $2${name ? `, ${ident(name.name)} = NULL` : ""} WHERE lower(${ident(c)}) = lower($1)`,
          email,
          pseudonym,
        );
        rows += n;
      }
      if (rows) out.push({ table: t.table, rows, action: "pseudonymised" });
    }
    if (has("ticket_comments", "author")) {
      const n = await tx.$executeRawUnsafe(`UPDATE ticket_comments SET author = $2 WHERE lower(author) = lower($1)`, email, pseudonym);
      if (n) out.push({ table: "ticket_comments", rows: n, action: "pseudonymised" });
    }
    // 4. Messages not yet sent: the person is taken off them (a message only to them is withdrawn; a batch
    //    goes to the others; a vendor record such as a Zendesk ticket keeps a pseudonym). Sent ones keep their
    //    row without the content.
    const queued = await tx.$queryRawUnsafe<Array<{ id: string; operation: string; payload: Payload }>>(
      `SELECT id, operation, payload FROM outbox_messages WHERE status IN ('pending', 'failed') AND payload::text ILIKE $1`,
      pattern,
    );
    let withdrawn = 0;
    let reduced = 0;
    for (const row of queued) {
      const next = withoutSubject(row.operation, row.payload, email, pseudonym);
      if (next === null) {
        withdrawn += await tx.$executeRawUnsafe(`DELETE FROM outbox_messages WHERE id = $1`, row.id);
      } else {
        reduced += await tx.$executeRawUnsafe(`UPDATE outbox_messages SET payload = $2::jsonb WHERE id = $1`, row.id, JSON.stringify(next));
      }
    }
    if (withdrawn) out.push({ table: "outbox_messages", rows: withdrawn, action: "deleted" });
    if (reduced) out.push({ table: "outbox_messages", rows: reduced, action: "pseudonymised" });
    const sent = await tx.$executeRawUnsafe(
      `UPDATE outbox_messages SET payload = '{"erased": true}'::jsonb, result = NULL WHERE status IN ('delivered', 'in_flight') AND payload::text ILIKE $1`,
      pattern,
    );
    if (sent) out.push({ table: "outbox_messages", rows: sent, action: "scrubbed" });
    // 5. Anywhere else the address is repeated (a vendor event's payload, a report, an attendee list).
    out.push(...(await scrubMentions(tx, cols, email, pseudonym)));
    const audit = await tx.$executeRawUnsafe(`UPDATE audit_log SET changes = '{"erased": true}'::jsonb WHERE changes::text ILIKE $1`, pattern);
    if (audit) out.push({ table: "audit_log", rows: audit, action: "scrubbed" });
    return out;
  }
}

/**
 * Replaces the subject wherever it is repeated inside JSON documents and text arrays of any table (reports,
 * vendor event payloads, id and attendee lists), case-insensitively. Tables are read from the catalogue.
 */
async function scrubMentions(tx: P.TransactionClient, cols: Map<string, ColumnInfo[]>, subject: string, replacement: string): Promise<ErasedTable[]> {
  const out: ErasedTable[] = [];
  const regex = valueRegex(subject);
  const quoted = JSON.stringify(replacement);
  for (const [table, list] of cols) {
    if (table === "outbox_messages") continue; // handled on its own: unsent rows are withdrawn, sent ones emptied
    let rows = 0;
    for (const c of list) {
      if (c.type === "jsonb" || c.type === "json") {
        rows += await tx.$executeRawUnsafe(
          `UPDATE ${ident(table)} SET ${ident(c.name)} = regexp_replace(${ident(c.name)}::text, $1, $2, 'gi')::${c.type} WHERE ${ident(c.name)}::text ILIKE $3`,
          regex,
          quoted,
          containsPattern(subject),
        );
      } else if (c.type === "_text") {
        rows += await tx.$executeRawUnsafe(
          `UPDATE ${ident(table)} SET ${ident(c.name)} = ARRAY(SELECT CASE WHEN lower(x) = lower($1) THEN $2 ELSE x END FROM unnest(${ident(c.name)}) AS x)
            WHERE EXISTS (SELECT 1 FROM unnest(${ident(c.name)}) AS x WHERE lower(x) = lower($1))`,
          subject,
          replacement,
        );
      }
    }
    if (rows) out.push({ table, rows, action: "scrubbed" });
  }
  return out;
}

type Payload = Record<string, unknown>;
const isSubject = (v: unknown, email: string): boolean => typeof v === "string" && v.toLowerCase() === email.toLowerCase();
const recipientIs = (r: unknown, email: string): boolean => isSubject(r, email) || (!!r && typeof r === "object" && isSubject((r as Payload).email, email));
/** Recipient lists of the outbox operations that send to people: SendGrid's `to` and batch `recipients`. */
const RECIPIENT_LISTS = ["to", "recipients"] as const;

/** The part of a queued payload that is the subject's own: their entries of the recipient lists. */
function ownPart(payload: Payload, email: string): Payload {
  const out: Payload = { ...payload };
  for (const k of RECIPIENT_LISTS) if (Array.isArray(out[k])) out[k] = (out[k] as unknown[]).filter((r) => recipientIs(r, email));
  return out;
}

/**
 * A queued payload without the subject: null when the message was for them alone (withdraw it), else the
 * payload with their recipient entries removed and any other mention replaced by the pseudonym.
 */
function withoutSubject(operation: string, payload: Payload, email: string, pseudonym: string): Payload | null {
  let next: Payload = { ...payload };
  let wasRecipient = false;
  for (const k of RECIPIENT_LISTS) {
    if (!Array.isArray(next[k])) continue;
    const list = next[k] as unknown[];
    const kept = list.filter((r) => !recipientIs(r, email));
    if (kept.length !== list.length) wasRecipient = true;
    if (wasRecipient && kept.length === 0) return null;
    next[k] = kept;
  }
  // A message addressed by email (Intercom finds the contact by it) is theirs alone.
  if (operation.startsWith("intercom.") && isSubject(next.email, email)) return null;
  if (operation.startsWith("sendgrid.") && isSubject(next.to, email)) return null;
  const text = JSON.stringify(next);
  next = JSON.parse(text.replace(new RegExp(valueRegex(email), "gi"), JSON.stringify(pseudonym))) as Payload;
  return next;
}

class DryRun extends Error {
  constructor(readonly tables: ErasedTable[]) {
    super("dry run");
  }
}
