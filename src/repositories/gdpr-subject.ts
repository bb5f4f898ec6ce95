// The one definition of a data subject's rows, used by both export and erasure: for each table, a predicate
// selecting the rows that are about the subject.
//   A contact (an email): the rows of its email columns and their foreign-key children (gdpr-scope.ts), plus
//     the rows of any table whose text, JSON or text arrays mention the address or a full name of the person.
//   A client: the account and everything under it; its people (the addresses in its rows that are not the
//     vendor's staff nor also a contact of another account), as contacts above; and the rows mentioning the
//     client's id, company name or client name.
import type { Prisma as P } from "../generated/prisma/client.ts";
import { anyOfEach, either, emailNeedle, idNeedle, mentionWhere, needleParams, phraseNeedle, splitNames, type Needles, type Predicate } from "./gdpr-mentions.ts";
import {
  STAFF_EMAIL_COLUMNS,
  STAFF_TABLES,
  clientScope,
  contactScope,
  ident,
  isEmailColumn,
  isTextColumn,
  loadCatalogue,
  nameColumnOf,
  type Catalogue,
  type ScopedTable,
} from "./gdpr-scope.ts";

type Tx = Pick<P.TransactionClient, "$queryRawUnsafe">;

export type Subject = { kind: "client"; client_id: string } | { kind: "contact"; email: string };

export interface Person {
  /** Lower-cased. */
  email: string;
  /** The names stored beside the address (contact name, primary contact name, submitter name…). */
  names: string[];
}

export interface ScopeEntry extends Predicate {
  table: string;
  /** How the rows were found, e.g. "account_id", "email column(s) email", "mentions the subject". */
  via: string[];
}

export interface SubjectScope {
  subject: Subject;
  cat: Catalogue;
  /** The contact, or the client's people. */
  people: Person[];
  /** For a client: the account's tables (their `$1` is the client id). */
  clientTables: ScopedTable[];
  /** The people's tables (their `$1` is the text[] of the people's addresses). */
  personTables: ScopedTable[];
  /** Ids and full names (of the client, of its people): searched and replaced everywhere. */
  names: Needles[];
  /** Single words (first names, one-word names): replaced only in the rows about the subject. */
  words: string[];
  /** Per table, in discovery order, the rows about the subject: what export returns and erasure acts on. */
  rows: Map<string, ScopeEntry>;
}

function addEntry(rows: Map<string, ScopeEntry>, table: string, part: Predicate, via: string): void {
  const prev = rows.get(table);
  if (!prev) rows.set(table, { table, ...part, via: [via] });
  else rows.set(table, { table, ...either([prev, part]), via: prev.via.includes(via) ? prev.via : [...prev.via, via] });
}

/** The names stored beside the addresses in the rows found through email columns, per address. */
async function namesOf(tx: Tx, cat: Catalogue, tables: ScopedTable[], emails: string[]): Promise<Map<string, Set<string>>> {
  const found = new Map<string, Set<string>>();
  for (const t of tables) {
    const list = cat.cols.get(t.table) ?? [];
    for (const c of t.email_columns) {
      const name = list.find((x) => x.name === nameColumnOf(c) && isTextColumn(x));
      const rows = await tx.$queryRawUnsafe<Array<{ e: string; n: string | null }>>(
        `SELECT DISTINCT lower(${ident(c)}) AS e, ${name ? ident(name.name) : "NULL::text"} AS n FROM ${ident(t.table)} WHERE lower(${ident(c)}) = ANY ($1::text[])`,
        emails,
      );
      for (const r of rows) {
        const names = found.get(r.e) ?? new Set<string>();
        if (r.n?.trim()) names.add(r.n.trim());
        found.set(r.e, names);
      }
    }
  }
  return found;
}

/**
 * The client's people: addresses in the people columns (not staff) of the account's rows, leaving out anyone
 * who is also a contact or the primary contact of another account (they are that client's person too, and
 * stay), a CSM or a support agent.
 */
async function peopleOf(tx: Tx, cat: Catalogue, clientTables: ScopedTable[], clientId: string): Promise<string[]> {
  const found = new Set<string>();
  for (const t of clientTables) {
    if (STAFF_TABLES.has(t.table)) continue;
    for (const c of cat.cols.get(t.table) ?? []) {
      if (!isEmailColumn(c.name) || STAFF_EMAIL_COLUMNS.has(c.name) || !isTextColumn(c)) continue;
      const rows = await tx.$queryRawUnsafe<Array<{ e: string }>>(`SELECT DISTINCT lower(${ident(c.name)}) AS e FROM ${ident(t.table)} WHERE (${t.where}) AND ${ident(c.name)} IS NOT NULL`, clientId);
      for (const r of rows) found.add(r.e);
    }
  }
  if (!found.size) return [];
  const shared = await tx.$queryRawUnsafe<Array<{ e: string }>>(
    `SELECT lower(email) AS e FROM contacts WHERE account_id <> $1 AND lower(email) = ANY ($2::text[])
     UNION SELECT lower(primary_contact_email) FROM accounts WHERE id <> $1 AND lower(primary_contact_email) = ANY ($2::text[])
     UNION SELECT lower(csm_email) FROM accounts WHERE lower(csm_email) = ANY ($2::text[])
     UNION SELECT lower(email) FROM support_agents WHERE lower(email) = ANY ($2::text[])`,
    clientId,
    [...found],
  );
  const stay = new Set(shared.map((s) => s.e));
  return [...found].filter((e) => !stay.has(e));
}

/** The subject's rows, table by table. */
export async function subjectScope(tx: Tx, subject: Subject): Promise<SubjectScope> {
  const cat = await loadCatalogue(tx);
  const clientTables = subject.kind === "client" ? clientScope(cat) : [];
  const personTables = contactScope(cat);
  const emails = subject.kind === "contact" ? [subject.email.toLowerCase()] : await peopleOf(tx, cat, clientTables, subject.client_id);
  const byEmail = emails.length ? await namesOf(tx, cat, personTables, emails) : new Map<string, Set<string>>();
  const people = emails.map((email) => ({ email, names: [...(byEmail.get(email) ?? [])] }));
  const { phrases, words } = splitNames(people.flatMap((p) => p.names));
  const names = phrases.map(phraseNeedle);
  if (subject.kind === "client") {
    const account = (await tx.$queryRawUnsafe<Array<{ client_name: string; company_name: string }>>(`SELECT client_name, company_name FROM accounts WHERE id = $1`, subject.client_id))[0];
    // A company's first word is not a first name ("The", "North"): only a one-word name counts as a word.
    const own = splitNames([account?.client_name, account?.company_name], false);
    names.push(idNeedle(subject.client_id), ...own.phrases.map(phraseNeedle));
    words.push(...own.words);
  }
  const everywhere = anyOfEach([...emails.map(emailNeedle), ...names]);

  const rows = new Map<string, ScopeEntry>();
  if (subject.kind === "client") for (const t of clientTables) addEntry(rows, t.table, { where: t.where, params: [subject.client_id] }, t.via);
  if (emails.length) for (const t of personTables) addEntry(rows, t.table, { where: t.where, params: [emails] }, subject.kind === "client" ? `${t.via} (the client's people)` : t.via);
  for (const group of everywhere) {
    for (const [table, list] of cat.cols) {
      const where = mentionWhere(list);
      if (where) addEntry(rows, table, { where, params: needleParams(group) }, "mentions the subject");
    }
  }
  return { subject, cat, people, clientTables, personTables, names, words: [...new Set(words)], rows };
}
