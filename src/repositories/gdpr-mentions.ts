// Finding and removing a data subject where the tools copied them into free text, JSON or text arrays: an
// address in a ticket subject or a timeline summary, a name in a rendered email subject, an outbox payload, an
// audit entry. Matching is case-insensitive and on whole tokens, so `bob@x.test` never matches inside
// `jimbob@x.test` and `Ann Lee` never inside `Joann Leeds`.
import type { Prisma as P } from "../generated/prisma/client.ts";
import { ident, type ColumnInfo } from "./gdpr-scope.ts";

type Tx = Pick<P.TransactionClient, "$queryRawUnsafe" | "$executeRawUnsafe">;

/** A row predicate with its own parameters `$1..$n`. */
export interface Predicate {
  where: string;
  params: Array<string | string[]>;
}

const escape = (s: string): string => s.replace(/[\\^$.|?*+()[\]{}]/g, "\\$&");

/** An address as a whole: not preceded or followed by a character an address could continue with. */
export const emailPattern = (email: string): string => `(?<![[:alnum:]._%+-])${escape(email)}(?![[:alnum:]_-]|\\.[[:alnum:]])`;

/**
 * A name, an id or a company as whole words, never inside an address (`ann.lee@x.test` is the address's, and
 * is replaced as one); the words of a name may be separated by any whitespace.
 */
export const phrasePattern = (phrase: string): string =>
  `(?<![[:alnum:]_.@+-])${phrase.trim().split(/\s+/).map(escape).join("\\s+")}(?![[:alnum:]_@]|[.+-][[:alnum:]])`;

/** An id (`cs_<digits>_<slug>`) as a whole token, wherever it is embedded (`check-in-cs_1_acme`). */
export const idPattern = (id: string): string => `(?<![[:alnum:]_])${escape(id)}(?![[:alnum:]_])`;

/**
 * What to look for: a regular expression, and plain substrings that every match contains. The substrings are
 * tested first with ILIKE, which is far cheaper than the regular expression on tables of millions of rows.
 */
export interface Needles {
  regex: string;
  likes: string[];
}

/** A lower-cased LIKE pattern for the substring, its wildcards escaped. */
const like = (s: string): string => `%${s.toLowerCase().replace(/[\\%_]/g, "\\$&")}%`;
export const emailNeedle = (email: string): Needles => ({ regex: emailPattern(email), likes: [like(email)] });
export const phraseNeedle = (phrase: string): Needles => ({ regex: phrasePattern(phrase), likes: [like(phrase.trim().split(/\s+/)[0] ?? phrase)] });
export const idNeedle = (id: string): Needles => ({ regex: idPattern(id), likes: [like(id)] });
/** Literal text (a marker an erasure left, to find the rows it touched). */
export const literalNeedle = (text: string): Needles => ({ regex: escape(text), likes: [like(text)] });

/** Needles matching any of the given ones, or null when there is none. */
export function anyOf(list: Needles[]): Needles | null {
  if (!list.length) return null;
  return { regex: [...new Set(list.map((n) => n.regex))].map((p) => `(?:${p})`).join("|"), likes: [...new Set(list.flatMap((n) => n.likes))] };
}

/**
 * Needles in groups of at most CHUNK: PostgreSQL compiles an alternation of a thousand addresses into an
 * automaton that takes tens of seconds to run (measured: 50 needles 2.5 s, 1,000 needles 42 s on one table),
 * so a client with many people is searched group by group.
 */
export const CHUNK = 50;
export function chunked<T>(list: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}
export const anyOfEach = (list: Needles[]): Needles[] => chunked(list).map((c) => anyOf(c)!);

/** The parameters of `mentionWhere`: the regular expression, then the substrings. */
export const needleParams = (n: Needles): [string, string[]] => [n.regex, n.likes];

/**
 * A person's names split by how far they are searched: a name of two or more words (a full name) is specific
 * enough to be searched everywhere; a single word (a first name, a one-word name) only in the rows about the
 * person, where it is theirs and not someone else's "Ann".
 */
export function splitNames(names: Array<string | null | undefined>, firstNames = true): { phrases: string[]; words: string[] } {
  const phrases = new Set<string>();
  const words = new Set<string>();
  for (const raw of names) {
    const parts = (raw ?? "").trim().split(/\s+/).filter(Boolean);
    if (parts.length >= 2) phrases.add(parts.join(" "));
    // The first word is what templates render as {{first_name}}; two letters are too short to mean anyone.
    if (parts[0] && parts[0].length >= 3 && (firstNames || parts.length === 1)) words.add(parts[0]);
  }
  return { phrases: [...phrases], words: [...words] };
}

const TEXT_TYPES = new Set(["text", "character varying", "json", "jsonb", "_text"]);

/** The columns that can hold a copy of someone: text, JSON and text arrays that are not keys or generated. */
export const textColumns = (list: ColumnInfo[]): ColumnInfo[] => list.filter((c) => TEXT_TYPES.has(c.type) && !c.key);

const asText = (c: ColumnInfo): string => (c.type === "text" || c.type === "character varying" ? ident(c.name) : `${ident(c.name)}::text`);

/**
 * Rows of the table with a text column matching the needles whose parameters are `$<n>` (the regular
 * expression) and `$<n+1>` (the substrings); null when the table has no text column.
 */
export function mentionWhere(list: ColumnInfo[], n = 1): string | null {
  const cols = textColumns(list);
  if (!cols.length) return null;
  // The substrings are looked for in the whole row at once (one lower-cased text, measured 5-10 times faster
  // than a test per column on PGlite); CASE makes sure the regular expressions only run on the rows that pass.
  const row = `lower(concat_ws(' ', ${cols.map(asText).join(", ")}))`;
  return `CASE WHEN ${row} LIKE ANY ($${n + 1}::text[]) THEN (${cols.map((c) => `${asText(c)} ~* $${n}`).join(" OR ")}) ELSE false END`;
}

/** The predicate renumbered to start after `by` parameters, so that it can be combined with others. */
export const shift = (p: Predicate, by: number): Predicate => ({ where: p.where.replace(/\$(\d+)/g, (_, d: string) => `$${Number(d) + by}`), params: p.params });

/** Predicates joined with OR into one, parameters renumbered. */
export function either(parts: Predicate[]): Predicate {
  const out: Predicate = { where: "", params: [] };
  const wheres: string[] = [];
  for (const p of parts) {
    const s = shift(p, out.params.length);
    wheres.push(`(${s.where})`);
    out.params.push(...s.params);
  }
  out.where = wheres.length ? wheres.join(" OR ") : "false";
  return out;
}

/** The column with every (regex, replacement) pair applied in turn. */
function replaced(c: ColumnInfo, pairs: number): string {
  const col = ident(c.name);
  const apply = (x: string): string => {
    let e = x;
    for (let i = 0; i < pairs; i++) e = `regexp_replace(${e}, $${3 + 2 * i}, $${4 + 2 * i}, 'gi')`;
    return e;
  };
  if (c.type === "_text") return `ARRAY(SELECT ${apply("x")} FROM unnest(${col}) WITH ORDINALITY AS u(x, i) ORDER BY i)`;
  if (c.type === "json" || c.type === "jsonb") return `${apply(asText(c))}::${c.type}`;
  return apply(col);
}

/**
 * Replaces every match of each regular expression by its replacement in the text, JSON and text-array columns
 * of every table, in one statement a table (only in the rows of `context` when it is given: tables without a
 * context entry are skipped then), and counts the rows changed per table. Replacements are plain text (no
 * quotes or backslashes), so JSON stays valid.
 */
export async function scrubText(
  tx: Tx,
  cols: Map<string, ColumnInfo[]>,
  pairs: Array<[needles: Needles, replacement: string]>,
  context?: Map<string, Predicate>,
): Promise<Array<{ table: string; rows: number }>> {
  if (pairs.length > CHUNK) {
    const out: Array<{ table: string; rows: number }> = [];
    for (const c of chunked(pairs)) out.push(...(await scrubText(tx, cols, c, context)));
    return out;
  }
  const any = anyOf(pairs.map(([n]) => n));
  if (!any) return [];
  if (pairs.some(([, r]) => /["\\]/.test(r))) throw new Error("a scrub replacement must not hold quotes or backslashes");
  const params = [...needleParams(any), ...pairs.flatMap(([n, r]) => [n.regex, r])];
  const out: Array<{ table: string; rows: number }> = [];
  for (const [table, list] of cols) {
    const ctx = context?.get(table);
    if (context && !ctx) continue;
    const text = textColumns(list);
    if (!text.length) continue;
    const set = text.map((c) => `${ident(c.name)} = CASE WHEN ${asText(c)} ~* $1 THEN ${replaced(c, pairs.length)} ELSE ${ident(c.name)} END`);
    const inContext = ctx ? shift(ctx, params.length) : null;
    const rows = await tx.$executeRawUnsafe(
      `UPDATE ${ident(table)} SET ${set.join(", ")} WHERE ${mentionWhere(list)!}${inContext ? ` AND (${inContext.where})` : ""}`,
      ...params,
      ...(inContext?.params ?? []),
    );
    if (rows) out.push({ table, rows });
  }
  return out;
}
