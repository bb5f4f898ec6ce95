// GDPR requests for a data subject — a client (account) or a contact (an email address):
//   export (Art. 15 access / Art. 20 portability): every stored row about the subject, table by table;
//   erasure (Art. 17): the subject's rows deleted, or pseudonymised where the row is also a business record
//   other figures depend on (a ticket, a survey answer, a send), and every copy of their address or name in
//   free text, JSON and text arrays replaced, in one transaction.
// Both act on one scope (repositories/gdpr-subject.ts): export returns exactly the rows erasure acts on.
// Both are written to the audit log under a hash of the subject, never the email or id itself.
import { createHash, randomBytes } from "node:crypto";
import type { PrismaClient, Prisma as P } from "../generated/prisma/client.ts";
import { writeAudit } from "../repositories/audit.ts";
import { ident, isEmailColumn, nameColumnOf, type ColumnInfo } from "../repositories/gdpr-scope.ts";
import { anyOfEach, either, emailNeedle, literalNeedle, mentionWhere, needleParams, phraseNeedle, scrubText, type Predicate } from "../repositories/gdpr-mentions.ts";
import { subjectScope, type Subject, type SubjectScope } from "../repositories/gdpr-subject.ts";
import { notFound, validationError } from "../server/errors.ts";
import { EXPORT_PAGE_CHARS, clipRow, decodeExportCursor, encodeExportCursor, type ExportCursor } from "./gdpr-export-page.ts";

export type { Subject } from "../repositories/gdpr-subject.ts";

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
  kb_article_votes: { match: "voter_email", text: ["feedback"] },
};
const ERASED_TEXT = "[erased at the data subject's request]";

const subjectValue = (s: Subject): string => (s.kind === "client" ? s.client_id : s.email.toLowerCase());

/** How the audit log names a subject: a hash, so the record of an erasure does not keep what it erased. */
export function subjectHash(s: Subject): string {
  return createHash("sha256").update(`${s.kind}:${subjectValue(s)}`).digest("hex").slice(0, 24);
}

export interface ExportPage {
  tables: ExportedTable[];
  /** Where the next answer continues (null: every row has been handed over). */
  next: ExportCursor | null;
  /** Text values cut to EXPORT_VALUE_CHARS in this answer. */
  valuesCut: number;
}

/**
 * The subject's rows: every table's full count, and rows table by table from `from` (or the start) until
 * maxRowsPerTable rows of a table or EXPORT_PAGE_CHARS of row JSON are reached. Rows are ordered by the whole
 * row, so an offset names the same rows from one call to the next.
 */
export async function collectRows(tx: P.TransactionClient, scope: SubjectScope, maxRowsPerTable: number, from: ExportCursor | null = null): Promise<ExportPage> {
  const out: ExportedTable[] = [];
  const emails = scope.people.map((p) => p.email);
  let budget = EXPORT_PAGE_CHARS;
  let next: ExportCursor | null = null;
  let valuesCut = 0;
  // Tables before the cursor's were handed over by earlier answers; rows resume at the cursor's table.
  let filling = from === null;
  for (const t of scope.rows.values()) {
    const n = (await tx.$queryRawUnsafe<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM ${ident(t.table)} WHERE ${t.where}`, ...t.params))[0]?.n ?? 0;
    if (!n) continue;
    if (!filling && from?.table === t.table) filling = true;
    const offset = from?.table === t.table ? from.offset : 0;
    const rows: Record<string, unknown>[] = [];
    if (filling && next === null && offset < n) {
      const fetched = await tx.$queryRawUnsafe<Array<{ r: string }>>(
        `SELECT row_to_json(x)::text AS r FROM ${ident(t.table)} x WHERE ${t.where} ORDER BY x::text LIMIT ${Number(maxRowsPerTable)} OFFSET ${Number(offset)}`,
        ...t.params,
      );
      for (const f of fetched) {
        const parsed = JSON.parse(f.r) as Record<string, unknown>;
        // A batch names other people too: only the subject's own entries are theirs to receive.
        const own = t.table === "outbox_messages" ? { ...parsed, payload: ownPart(parsed.payload as Payload, emails) } : parsed;
        const { row, cut } = clipRow(own);
        const size = JSON.stringify(row).length;
        if (rows.length > 0 && size > budget) break;
        rows.push(row);
        valuesCut += cut;
        budget -= size;
      }
      if (offset + rows.length < n) next = { table: t.table, offset: offset + rows.length };
    }
    out.push({ table: t.table, via: t.via.join("; "), total_rows: n, offset: rows.length ? offset : null, rows, truncated: rows.length < n });
  }
  return { tables: out, next, valuesCut };
}

/**
 * Per table, the rows about the subject, where a first name is theirs and may be removed: the scope's rows,
 * and the rows this erasure already changed (they hold its marker where a full name or an id was).
 */
function contextOf(cols: Map<string, ColumnInfo[]>, rows: Map<string, Predicate>, marker: string): Map<string, Predicate> {
  const out = new Map<string, Predicate>();
  for (const [table, list] of cols) {
    const touched = mentionWhere(list);
    const parts = [rows.get(table), touched ? { where: touched, params: needleParams(literalNeedle(marker)) } : undefined].filter((p): p is Predicate => !!p);
    if (parts.length) out.set(table, either(parts));
  }
  return out;
}

/** Sums the entries of the same table and action (one table can be scrubbed by several steps). */
function merged(list: ErasedTable[]): ErasedTable[] {
  const out = new Map<string, ErasedTable>();
  for (const e of list) {
    const k = `${e.table}:${e.action}`;
    const prev = out.get(k);
    out.set(k, prev ? { ...prev, rows: prev.rows + e.rows } : { ...e });
  }
  return [...out.values()];
}

export class GdprService {
  constructor(private readonly prisma: PrismaClient) {}

  private async checkSubject(s: Subject): Promise<void> {
    if (s.kind === "client" && !(await this.prisma.account.findUnique({ where: { id: s.client_id }, select: { id: true } }))) {
      throw notFound("client", s.client_id, "use list_clients to find the client_id; nothing was exported or erased");
    }
  }

  /** One page of the export (see collectRows); pass next_cursor back as cursor for the rest. */
  async export(s: Subject, maxRowsPerTable: number, cursor?: string): Promise<{ subject_hash: string; tables: ExportedTable[]; total_rows: number; next_cursor: string | null; values_cut: number }> {
    await this.checkSubject(s);
    const hash = subjectHash(s);
    const from = cursor ? decodeExportCursor(cursor, hash) : null;
    return this.prisma.$transaction(async (tx) => {
      const scope = await subjectScope(tx, s);
      if (from && !scope.rows.has(from.table)) throw validationError("cursor: names a table outside this export", "pass next_cursor from the previous answer unchanged");
      const { tables: out, next, valuesCut } = await collectRows(tx, scope, maxRowsPerTable, from);
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
    // What replaces a name or an id in free text: unique to this erasure, so a unique column stays unique.
    const marker = `[erased ${randomBytes(4).toString("hex")}]`;
    try {
      return await this.prisma.$transaction(async (tx) => {
        const scope = await subjectScope(tx, s);
        const pseudonyms = new Map(scope.people.map((p) => [p.email, newPseudonym()]));
        const result = merged(await eraseSubject(tx, scope, pseudonyms, marker));
        // A dry run makes the real changes and rolls them back, so its counts are exactly what erasure would do.
        if (dryRun) throw new DryRun(result);
        await writeAudit(tx, {
          action: "gdpr_erasure",
          entity_type: "data_subject",
          entity_id: subjectHash(s),
          changes: { kind: s.kind, tables: Object.fromEntries(result.map((t) => [`${t.table}:${t.action}`, t.rows])) },
        });
        const pseudonym = s.kind === "contact" ? pseudonyms.get(s.email.toLowerCase()) : undefined;
        return { subject_hash: subjectHash(s), dry_run: false, tables: result, ...(pseudonym ? { pseudonym } : {}) };
      });
    } catch (e) {
      if (e instanceof DryRun) return { subject_hash: subjectHash(s), dry_run: true, tables: e.tables };
      throw e;
    }
  }
}

const newPseudonym = (): string => `erased-${randomBytes(8).toString("hex")}@erased.invalid`;

const scrubbed = (list: Array<{ table: string; rows: number }>): ErasedTable[] => list.map((r) => ({ ...r, action: "scrubbed" as const }));

/**
 * Erases the subject in this order (each step finds its rows by what the later steps remove):
 *   1. a client's account and everything under it is deleted;
 *   2. audit entries about the subject lose their details (and a client's id);
 *   3. ids and full names are replaced by the marker everywhere, first names only in the rows about them;
 *   4. what the people wrote is removed, their own rows deleted, their address in other records replaced by
 *      their pseudonym with the name beside it cleared, unsent messages to them withdrawn, sent ones emptied;
 *   5. their address is replaced by their pseudonym anywhere else it was copied.
 */
async function eraseSubject(tx: P.TransactionClient, scope: SubjectScope, pseudonyms: Map<string, string>, marker: string): Promise<ErasedTable[]> {
  const out: ErasedTable[] = [];
  const { cols } = scope.cat;
  const emails = scope.people.map((p) => p.email);
  const has = (table: string, col: string) => (cols.get(table) ?? []).some((c) => c.name === col);
  const everywhere = anyOfEach([...emails.map(emailNeedle), ...scope.names]);

  // 1. The account and everything under it, children before parents (reverse discovery order), so each count
  //    is the table's own rows.
  if (scope.subject.kind === "client") {
    for (const t of [...scope.clientTables].reverse()) {
      const n = await tx.$executeRawUnsafe(`DELETE FROM ${ident(t.table)} WHERE ${t.where}`, scope.subject.client_id);
      if (n) out.push({ table: t.table, rows: n, action: "deleted" });
    }
  }
  // 2. Audit entries about the subject.
  const clientId = scope.subject.kind === "client" ? scope.subject.client_id : null;
  let audit = 0;
  for (const group of everywhere) {
    audit += await tx.$executeRawUnsafe(
      `UPDATE audit_log SET changes = '{"erased": true}'::jsonb, entity_id = CASE WHEN entity_id = $3 THEN $4 ELSE entity_id END
        WHERE entity_id = $3 OR CASE WHEN lower(changes::text) LIKE ANY ($2::text[]) THEN changes::text ~* $1 ELSE false END`,
      ...needleParams(group),
      clientId ?? "",
      marker,
    );
  }
  if (audit) out.push({ table: "audit_log", rows: audit, action: "scrubbed" });
  // 3. Ids and full names everywhere, then first names in the rows about the subject (found, among others, by
  //    the addresses still in place).
  out.push(...scrubbed(await scrubText(tx, cols, scope.names.map((n) => [n, marker]))));
  out.push(...scrubbed(await scrubText(tx, cols, scope.words.map((w) => [phraseNeedle(w), marker]), contextOf(cols, scope.rows, marker))));
  if (!emails.length) return out;

  // 4a. What the people wrote: the text goes, the record (and the figures built on it) stays.
  for (const [table, spec] of Object.entries(WRITTEN_TEXT)) {
    if (!has(table, spec.match)) continue;
    const textCols = spec.text.filter((c) => has(table, c));
    if (!textCols.length) continue;
    const set = textCols.map((c) => {
      const col = cols.get(table)!.find((x) => x.name === c)!;
      return `${ident(c)} = ${col.nullable ? "NULL" : `'${ERASED_TEXT.replace(/'/g, "''")}'`}`;
    });
    const n = await tx.$executeRawUnsafe(`UPDATE ${ident(table)} SET ${set.join(", ")} WHERE lower(${ident(spec.match)}) = ANY ($1::text[])`, emails);
    if (n) out.push({ table, rows: n, action: "text_erased" });
  }
  // 4b. Rows that are the person: deleted (children such as posts and contributions cascade: counted first).
  for (const t of scope.personTables) {
    if (!t.parent || !PERSON_TABLES.has(t.parent)) continue;
    const n = (await tx.$queryRawUnsafe<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM ${ident(t.table)} WHERE ${t.where}`, emails))[0]?.n ?? 0;
    if (n) out.push({ table: t.table, rows: n, action: "deleted" });
  }
  for (const t of scope.personTables) {
    if (!PERSON_TABLES.has(t.table) || !t.email_columns.length) continue;
    const n = await tx.$executeRawUnsafe(`DELETE FROM ${ident(t.table)} WHERE ${t.where}`, emails);
    if (n) out.push({ table: t.table, rows: n, action: "deleted" });
  }
  // 4c. Records that name the person: the address becomes their pseudonym, the name beside it is cleared.
  const pseudonymOf = [emails, emails.map((e) => pseudonyms.get(e)!)];
  const pseudonymise = async (table: string, col: string, name?: string): Promise<number> =>
    tx.$executeRawUnsafe(
      `UPDATE ${ident(table)} SET ${ident(col)} = m.p${name ? `, ${ident(name)} = NULL` : ""}
         FROM unnest($1::text[], $2::text[]) AS m(e, p) WHERE lower(${ident(table)}.${ident(col)}) = m.e`,
      ...pseudonymOf,
    );
  for (const t of scope.personTables) {
    if (PERSON_TABLES.has(t.table) || !t.email_columns.length) continue;
    let rows = 0;
    for (const c of t.email_columns) {
      const name = (cols.get(t.table) ?? []).find((x) => x.name === nameColumnOf(c) && x.nullable && !isEmailColumn(x.name));
      rows += await pseudonymise(t.table, c, name?.name);
    }
    if (rows) out.push({ table: t.table, rows, action: "pseudonymised" });
  }
  if (has("ticket_comments", "author")) {
    const n = await pseudonymise("ticket_comments", "author");
    if (n) out.push({ table: "ticket_comments", rows: n, action: "pseudonymised" });
  }
  // 4d. Messages not yet sent: the people are taken off them (a message only to them is withdrawn; a batch
  //     goes to the others; a vendor record such as a Zendesk ticket keeps a pseudonym, step 5). Sent ones
  //     keep their row without the content.
  const groups = anyOfEach(emails.map(emailNeedle));
  const queued = new Map<string, { id: string; operation: string; payload: Payload }>();
  for (const group of groups) {
    const found = await tx.$queryRawUnsafe<Array<{ id: string; operation: string; payload: Payload }>>(
      `SELECT id, operation, payload FROM outbox_messages WHERE status IN ('pending', 'failed') AND CASE WHEN lower(payload::text) LIKE ANY ($2::text[]) THEN payload::text ~* $1 ELSE false END`,
      ...needleParams(group),
    );
    for (const row of found) queued.set(row.id, row);
  }
  let withdrawn = 0;
  let reduced = 0;
  for (const row of queued.values()) {
    const next = withoutSubject(row.operation, row.payload, emails);
    if (next === null) withdrawn += await tx.$executeRawUnsafe(`DELETE FROM outbox_messages WHERE id = $1`, row.id);
    else if (JSON.stringify(next) !== JSON.stringify(row.payload)) reduced += await tx.$executeRawUnsafe(`UPDATE outbox_messages SET payload = $2::jsonb WHERE id = $1`, row.id, JSON.stringify(next));
  }
  if (withdrawn) out.push({ table: "outbox_messages", rows: withdrawn, action: "deleted" });
  if (reduced) out.push({ table: "outbox_messages", rows: reduced, action: "pseudonymised" });
  let sent = 0;
  for (const group of groups) {
    sent += await tx.$executeRawUnsafe(
      `UPDATE outbox_messages SET payload = '{"erased": true}'::jsonb, result = NULL
        WHERE status IN ('delivered', 'in_flight', 'unknown_outcome') AND (payload::text ~* $1 OR result::text ~* $1 OR strpos(payload::text, $2) > 0 OR strpos(result::text, $2) > 0)`,
      group.regex,
      marker,
    );
  }
  if (sent) out.push({ table: "outbox_messages", rows: sent, action: "scrubbed" });
  // 5. Anywhere else an address is repeated (a ticket subject, a timeline summary, a vendor payload, a report,
  //    an attendee list): it becomes that person's pseudonym.
  out.push(...scrubbed(await scrubText(tx, cols, emails.map((e) => [emailNeedle(e), pseudonyms.get(e)!]))));
  return out;
}

type Payload = Record<string, unknown>;
const isSubject = (v: unknown, email: string): boolean => typeof v === "string" && v.toLowerCase() === email.toLowerCase();
const recipientIs = (r: unknown, email: string): boolean => isSubject(r, email) || (!!r && typeof r === "object" && isSubject((r as Payload).email, email));
/** Recipient lists of the outbox operations that send to people: SendGrid's `to` and batch `recipients`. */
const RECIPIENT_LISTS = ["to", "recipients"] as const;

/** The part of a queued payload that is the subject's own: their entries of the recipient lists. */
function ownPart(payload: Payload, emails: string[]): Payload {
  if (!payload || typeof payload !== "object") return payload;
  const out: Payload = { ...payload };
  for (const k of RECIPIENT_LISTS) if (Array.isArray(out[k])) out[k] = (out[k] as unknown[]).filter((r) => emails.some((e) => recipientIs(r, e)));
  return out;
}

/**
 * A queued payload without the people as recipients: null when the message was for them alone (withdraw
 * it), else the payload with their recipient entries removed (other mentions are replaced afterwards, with
 * every other table's).
 */
function withoutSubject(operation: string, payload: Payload, emails: string[]): Payload | null {
  const next: Payload = { ...payload };
  let wasRecipient = false;
  const isOne = (r: unknown) => emails.some((e) => recipientIs(r, e));
  for (const k of RECIPIENT_LISTS) {
    if (!Array.isArray(next[k])) continue;
    const list = next[k] as unknown[];
    const kept = list.filter((r) => !isOne(r));
    if (kept.length !== list.length) wasRecipient = true;
    if (wasRecipient && kept.length === 0) return null;
    next[k] = kept;
  }
  // A message addressed by email (Intercom finds the contact by it) is theirs alone.
  if (operation.startsWith("intercom.") && emails.some((e) => isSubject(next.email, e))) return null;
  if (operation.startsWith("sendgrid.") && emails.some((e) => isSubject(next.to, e))) return null;
  return next;
}

class DryRun extends Error {
  constructor(readonly tables: ErasedTable[]) {
    super("dry run");
  }
}
