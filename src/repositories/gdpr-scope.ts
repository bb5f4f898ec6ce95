// Where a data subject's rows live, discovered from the database catalogue rather than listed by hand, so a
// table added by a later migration is covered without anyone remembering to add it here.
//
// A client (account) owns: the accounts row, every table with an account_id column, and every table reachable
// from those through foreign keys (a ticket's comments, a send's events, a plan's milestones…).
// A contact (an email address) appears in: every table with a column named `email` or `*_email`, matched
// case-insensitively, plus the rows reachable from those through foreign keys — except from hub tables whose
// children belong to other people too (an account, a campaign, a community…).
// Besides those rows, a subject is also copied into free text and JSON the tools write (a ticket subject, a
// rendered email subject, a timeline summary, an outbox payload, an audit entry…): `subjectScope` adds, in every
// table, the rows whose text, JSON or text-array columns mention the subject (see gdpr-mentions.ts). That union
// is the one definition of "the subject's rows" that export returns and erasure acts on.
import type { Prisma as P } from "../generated/prisma/client.ts";

type Tx = Pick<P.TransactionClient, "$queryRawUnsafe">;

export interface ScopedTable {
  table: string;
  /** SQL predicate over the table's rows (unqualified columns), with `$1` = the client id, or the contacts' lower-cased emails (text[]). */
  where: string;
  /** How the rows were found: "account_id", "email column(s) x, y" or "child of <table> via <column>". */
  via: string;
  /** For contact scope: the email columns that matched (empty for rows reached through a foreign key). */
  email_columns: string[];
  /** The table this one was reached from through a foreign key. */
  parent?: string;
}

export interface ForeignKey {
  child: string;
  child_col: string;
  parent: string;
  parent_col: string;
}

/** Tables whose children are other people's rows: a contact's scope never recurses through them. */
const HUBS = new Set(["accounts", "email_campaigns", "support_agents", "newsletters", "communities", "training_modules", "kb_articles"]);
/** Bookkeeping tables handled on their own (migrations; the audit log is the record of the erasure itself). */
const EXCLUDED = new Set(["_prisma_migrations", "audit_log"]);
/** Email columns that hold the vendor's own staff (a CSM, a sender, an agent), never a client's people. */
export const STAFF_EMAIL_COLUMNS = new Set(["csm_email", "sender_email", "last_agent_email"]);
export const STAFF_TABLES = new Set(["support_agents"]);

const ident = (name: string): string => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unexpected identifier in catalogue: ${name}`);
  return `"${name}"`;
};

export interface ColumnInfo {
  name: string;
  /** information_schema data_type, or the array's udt name ("_text") for arrays. */
  type: string;
  nullable: boolean;
  /** Part of a primary or foreign key (an id, never free text), or a generated column: never rewritten. */
  key: boolean;
}

export interface Catalogue {
  /** Every table's columns, `audit_log` included (mentions are searched there too; it is never a structural table). */
  cols: Map<string, ColumnInfo[]>;
  fks: ForeignKey[];
}

/** SQL type names as information_schema spells them; arrays by element ("_text" is text[]). */
const typeName = (formatted: string): string => (formatted.endsWith("[]") ? `_${formatted.slice(0, -2)}` : formatted.replace(/\(.*\)$/, ""));

/** The schema's tables, columns and foreign keys, read once per request from pg_catalog. */
export async function loadCatalogue(tx: Tx): Promise<Catalogue> {
  const rows = await tx.$queryRawUnsafe<Array<{ table_name: string; column_name: string; type: string; nullable: boolean; is_key: boolean }>>(
    `SELECT c.relname AS table_name, a.attname AS column_name, format_type(a.atttypid, NULL) AS type, NOT a.attnotnull AS nullable,
            (a.attgenerated <> '' OR EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype IN ('p', 'f') AND a.attnum = ANY (k.conkey))) AS is_key
       FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
      WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY c.relname, a.attnum`,
  );
  const cols = new Map<string, ColumnInfo[]>();
  for (const r of rows) {
    if (EXCLUDED.has(r.table_name) && r.table_name !== "audit_log") continue;
    const list = cols.get(r.table_name) ?? [];
    list.push({ name: r.column_name, type: typeName(r.type), nullable: r.nullable, key: r.is_key });
    cols.set(r.table_name, list);
  }
  return { cols, fks: await foreignKeys(tx) };
}

async function foreignKeys(tx: Tx): Promise<ForeignKey[]> {
  return tx.$queryRawUnsafe<ForeignKey[]>(
    `SELECT cl.relname AS child, a.attname AS child_col, pcl.relname AS parent, pa.attname AS parent_col
       FROM pg_constraint c
       JOIN pg_class cl ON cl.oid = c.conrelid
       JOIN pg_class pcl ON pcl.oid = c.confrelid
       JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
       JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = c.confkey[1]
      WHERE c.contype = 'f' AND array_length(c.conkey, 1) = 1 AND c.connamespace = current_schema()::regnamespace
      ORDER BY cl.relname, a.attname`,
  );
}

/** Breadth-first over foreign keys from the seed tables; the first path to a table wins. */
function withChildren(seed: ScopedTable[], fks: ForeignKey[], noRecurse: Set<string>): ScopedTable[] {
  const scoped = new Map(seed.map((s) => [s.table, s]));
  const queue = [...seed];
  while (queue.length) {
    const parent = queue.shift()!;
    if (noRecurse.has(parent.table)) continue;
    for (const fk of fks) {
      if (fk.parent !== parent.table || scoped.has(fk.child) || EXCLUDED.has(fk.child)) continue;
      const child: ScopedTable = {
        table: fk.child,
        where: `${ident(fk.child_col)} IN (SELECT ${ident(fk.parent_col)} FROM ${ident(parent.table)} WHERE ${parent.where})`,
        via: `child of ${parent.table} via ${fk.child_col}`,
        email_columns: [],
        parent: parent.table,
      };
      scoped.set(fk.child, child);
      queue.push(child);
    }
  }
  return [...scoped.values()];
}

/** Every table holding rows of the account `$1`. */
export function clientScope(cat: Catalogue): ScopedTable[] {
  const seed: ScopedTable[] = [{ table: "accounts", where: `"id" = $1`, via: "the account", email_columns: [] }];
  for (const [table, list] of cat.cols) {
    if (table !== "accounts" && !EXCLUDED.has(table) && list.some((c) => c.name === "account_id")) seed.push({ table, where: `"account_id" = $1`, via: "account_id", email_columns: [] });
  }
  return withChildren(seed, cat.fks, new Set());
}

export const isEmailColumn = (name: string): boolean => name === "email" || name.endsWith("_email");
export const isTextColumn = (c: ColumnInfo): boolean => c.type === "text" || c.type === "character varying";

/** Every table holding rows of the contacts whose emails are `$1` (a text[] of lower-cased addresses). */
export function contactScope(cat: Catalogue): ScopedTable[] {
  const seed: ScopedTable[] = [];
  for (const [table, list] of cat.cols) {
    if (EXCLUDED.has(table)) continue;
    const emails = list.filter((c) => isEmailColumn(c.name) && isTextColumn(c)).map((c) => c.name);
    if (!emails.length) continue;
    seed.push({ table, where: `(${emails.map((c) => `lower(${ident(c)}) = ANY ($1::text[])`).join(" OR ")})`, via: `email column(s) ${emails.join(", ")}`, email_columns: emails });
  }
  return withChildren(seed, cat.fks, HUBS);
}

/** The name column beside an email column: `email` → `name`, `submitter_email` → `submitter_name`. */
export const nameColumnOf = (emailColumn: string): string => (emailColumn === "email" ? "name" : `${emailColumn.slice(0, -"_email".length)}_name`);

export { ident };
