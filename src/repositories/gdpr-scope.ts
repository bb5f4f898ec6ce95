// Where a data subject's rows live, discovered from the database catalogue rather than listed by hand, so a
// table added by a later migration is covered without anyone remembering to add it here.
//
// A client (account) owns: the accounts row, every table with an account_id column, and every table reachable
// from those through foreign keys (a ticket's comments, a send's events, a plan's milestones…).
// A contact (an email address) appears in: every table with a column named `email` or `*_email`, matched
// case-insensitively, plus the rows reachable from those through foreign keys — except from hub tables whose
// children belong to other people too (an account, a campaign, a community…).
import type { Prisma as P } from "../generated/prisma/client.ts";

type Tx = Pick<P.TransactionClient, "$queryRawUnsafe">;

export interface ScopedTable {
  table: string;
  /** SQL predicate over the table's rows (unqualified columns), with `$1` = the subject. */
  where: string;
  /** How the rows were found: "account_id", "email column(s) x, y" or "child of <table> via <column>". */
  via: string;
  /** For contact scope: the email columns that matched (empty for rows reached through a foreign key). */
  email_columns: string[];
  /** The table this one was reached from through a foreign key. */
  parent?: string;
}

interface ForeignKey {
  child: string;
  child_col: string;
  parent: string;
  parent_col: string;
}

/** Tables whose children are other people's rows: a contact's scope never recurses through them. */
const HUBS = new Set(["accounts", "email_campaigns", "support_agents", "newsletters", "communities", "training_modules", "kb_articles"]);
/** Bookkeeping tables handled on their own (migrations; the audit log is the record of the erasure itself). */
const EXCLUDED = new Set(["_prisma_migrations", "audit_log"]);

const ident = (name: string): string => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unexpected identifier in catalogue: ${name}`);
  return `"${name}"`;
};

export interface ColumnInfo {
  name: string;
  /** information_schema data_type, or the array's udt name ("_text") for arrays. */
  type: string;
  nullable: boolean;
}

async function columns(tx: Tx): Promise<Map<string, ColumnInfo[]>> {
  const rows = await tx.$queryRawUnsafe<Array<{ table_name: string; column_name: string; data_type: string; udt_name: string; is_nullable: string }>>(
    `SELECT table_name, column_name, data_type, udt_name::text AS udt_name, is_nullable FROM information_schema.columns
      WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`,
  );
  const out = new Map<string, ColumnInfo[]>();
  for (const r of rows) {
    if (EXCLUDED.has(r.table_name)) continue;
    const list = out.get(r.table_name) ?? [];
    // Arrays are named by element type ("_text" is text[]), everything else by its SQL type.
    list.push({ name: r.column_name, type: r.data_type === "ARRAY" ? r.udt_name : r.data_type, nullable: r.is_nullable === "YES" });
    out.set(r.table_name, list);
  }
  return out;
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
export async function clientScope(tx: Tx): Promise<ScopedTable[]> {
  const cols = await columns(tx);
  const fks = await foreignKeys(tx);
  const seed: ScopedTable[] = [{ table: "accounts", where: `"id" = $1`, via: "the account", email_columns: [] }];
  for (const [table, list] of cols) {
    if (table !== "accounts" && list.some((c) => c.name === "account_id")) seed.push({ table, where: `"account_id" = $1`, via: "account_id", email_columns: [] });
  }
  return withChildren(seed, fks, new Set());
}

export const isEmailColumn = (name: string): boolean => name === "email" || name.endsWith("_email");

/** Every table holding rows of the contact whose email is `$1` (compared lower-cased). */
export async function contactScope(tx: Tx): Promise<ScopedTable[]> {
  const cols = await columns(tx);
  const fks = await foreignKeys(tx);
  const seed: ScopedTable[] = [];
  for (const [table, list] of cols) {
    const emails = list.filter((c) => isEmailColumn(c.name) && (c.type === "text" || c.type === "character varying")).map((c) => c.name);
    if (!emails.length) continue;
    seed.push({ table, where: `(${emails.map((c) => `lower(${ident(c)}) = lower($1)`).join(" OR ")})`, via: `email column(s) ${emails.join(", ")}`, email_columns: emails });
  }
  return withChildren(seed, fks, HUBS);
}

/** The columns of a table, for the erasure's pseudonymisation (name columns beside an email column). */
export async function tableColumns(tx: Tx): Promise<Map<string, ColumnInfo[]>> {
  return columns(tx);
}

export { ident };
