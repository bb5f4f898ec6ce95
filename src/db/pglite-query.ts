// One parameterised statement on PGlite in ONE protocol exchange. PGlite's own query() sends Parse,
// Describe, Bind, Describe, Execute and Sync as six separate calls into the WebAssembly backend (each a
// full pass through its message loop): for get_client_overview that was ~0.3 ms of a ~0.8 ms statement.
// Here the five messages go in one buffer. What query() learns from its Describe of the statement (the
// parameter types, which pick how each value is serialised) is asked once per SQL text and remembered, so
// values are serialised exactly as query() serialises them, and results are parsed by PGlite's own parser.
import { parse, protocol, type PGlite, type Results } from "@electric-sql/pglite";

const { serialize } = protocol;
type BackendMessage = Parameters<typeof parse.parseResults>[0][number];
type Parser = PGlite["parsers"][number];
type RowDescription = InstanceType<typeof protocol.messages.RowDescriptionMessage>;

/** SQL texts whose parameter types are remembered; the repositories' statements are constants, far fewer. */
const MAX_REMEMBERED = 512;
interface Statement {
  types: number[];
  /** The SQL text a named statement was prepared with (a name always means that text). */
  sql: string;
}
const statementsOf = new WeakMap<PGlite, Map<string, Statement>>();

/**
 * The parameter types of a statement, as PGlite's query() reads them (Parse + Describe of the statement),
 * asked once per SQL text; with a name, the statement stays prepared under it (the unnamed one is replaced
 * by the next Parse).
 */
async function prepare(lite: PGlite, sql: string, name: string | undefined): Promise<Statement> {
  let known = statementsOf.get(lite);
  if (!known) statementsOf.set(lite, (known = new Map()));
  const key = name === undefined ? sql : `\u0000${name}`;
  const cached = known.get(key);
  if (cached) {
    if (cached.sql !== sql) throw new Error(`prepared statement "${name}" was prepared with another SQL text`);
    return cached;
  }
  const messages: BackendMessage[] = [];
  try {
    const parsed = await lite.execProtocol(concat([serialize.parse({ name, text: sql }), serialize.describe({ type: "S", name })]), { syncToFs: false });
    messages.push(...parsed.messages);
  } finally {
    await lite.execProtocol(serialize.sync(), { syncToFs: false, throwOnError: false });
  }
  const statement = { types: parse.parseDescribeStatementResults(messages), sql };
  if (known.size >= MAX_REMEMBERED) {
    // Forgetting a named statement here would prepare it again under a name PostgreSQL still holds.
    for (const k of known.keys()) if (!k.startsWith("\u0000")) known.delete(k);
  }
  known.set(key, statement);
  return statement;
}

/**
 * How results are parsed when not with PGlite's own parsers into objects: the worker thread
 * (pglite-worker.ts) keeps values as text in arrays, for the main thread to parse.
 */
export interface ParseOptions {
  parsers?: Record<number | string, Parser>;
  rowMode?: "array";
}

/**
 * lite.query(sql, params) in one exchange: the same mutexes (it waits for a running transaction), the same
 * serialisation of values, the same parsed rows, and the same error (PGlite's DatabaseError carrying the
 * query and its parameters). An error of the statement is followed by Sync in the same buffer, so the
 * session is ready for the next statement. With a `name` the statement is parsed and planned once and
 * only bound and executed after that.
 */
export async function pgliteQuery<T>(lite: PGlite, sql: string, params: readonly unknown[] = [], name?: string, parse_?: ParseOptions): Promise<Results<T>> {
  await lite._checkReady();
  return lite._runExclusiveTransaction(() =>
    lite._runExclusiveQuery(async () => {
      try {
        const { types } = params.length || name !== undefined ? await prepare(lite, sql, name) : { types: [] };
        const values = params.map((value, i) => {
          if (value === null || value === undefined) return null;
          const serializer = lite.serializers[types[i] as number];
          return serializer ? serializer(value) : String(value);
        });
        const parts = [serialize.bind({ statement: name, values }), serialize.describe({ type: "P" }), serialize.execute({}), serialize.sync()];
        const message = concat(name === undefined ? [serialize.parse({ text: sql }), ...parts] : parts);
        const { messages } = await lite.execProtocol(message, { syncToFs: true });
        const table = parse_?.parsers ?? lite.parsers;
        return parse.parseResults(messages, parsersOf(table, messages), parse_?.rowMode ? { rowMode: parse_.rowMode } : undefined)[0] as Results<T>;
      } catch (err) {
        if (err instanceof protocol.messages.DatabaseError) Object.assign(err, { query: sql, params, queryOptions: undefined });
        throw err;
      }
    }),
  );
}

/**
 * PGlite's parsers for the result's column types only: parseResults copies the parsers it is given into a
 * new object on every call, and PGlite's full set (every array type) made that copy 0.28 ms of a get_client_overview call in a profile.
 * A type without a parser of its own falls back to PGlite's defaults, as it does with the full set.
 */
function parsersOf(table: Record<number | string, Parser>, messages: readonly BackendMessage[]): Record<number, Parser> {
  const parsers: Record<number, Parser> = {};
  for (const m of messages) {
    if (m.name !== "rowDescription") continue;
    for (const { dataTypeID } of (m as RowDescription).fields) {
      const parser = table[dataTypeID];
      if (parser) parsers[dataTypeID] = parser;
    }
  }
  return parsers;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
