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
const paramTypesOf = new WeakMap<PGlite, Map<string, number[]>>();

/** The parameter type ids of a statement, as PGlite's query() reads them (Parse + Describe of the statement). */
async function paramTypes(lite: PGlite, sql: string): Promise<number[]> {
  let known = paramTypesOf.get(lite);
  if (!known) paramTypesOf.set(lite, (known = new Map()));
  const cached = known.get(sql);
  if (cached) return cached;
  const messages: Parameters<typeof parse.parseDescribeStatementResults>[0] = [];
  try {
    const parsed = await lite.execProtocol(concat([serialize.parse({ text: sql }), serialize.describe({ type: "S" })]), { syncToFs: false });
    messages.push(...parsed.messages);
  } finally {
    await lite.execProtocol(serialize.sync(), { syncToFs: false, throwOnError: false });
  }
  const types = parse.parseDescribeStatementResults(messages);
  if (known.size >= MAX_REMEMBERED) known.clear();
  known.set(sql, types);
  return types;
}

/**
 * lite.query(sql, params) in one exchange: the same mutexes (it waits for a running transaction), the same
 * serialisation of values, the same parsed rows, and the same error (PGlite's DatabaseError carrying the
 * query and its parameters). An error of the statement is followed by Sync in the same buffer, so the
 * session is ready for the next statement.
 */
export async function pgliteQuery<T>(lite: PGlite, sql: string, params: readonly unknown[] = []): Promise<Results<T>> {
  await lite._checkReady();
  return lite._runExclusiveTransaction(() =>
    lite._runExclusiveQuery(async () => {
      try {
        const types = params.length ? await paramTypes(lite, sql) : [];
        const values = params.map((value, i) => {
          if (value === null || value === undefined) return null;
          const serializer = lite.serializers[types[i] as number];
          return serializer ? serializer(value) : String(value);
        });
        const message = concat([serialize.parse({ text: sql }), serialize.bind({ values }), serialize.describe({ type: "P" }), serialize.execute({}), serialize.sync()]);
        const { messages } = await lite.execProtocol(message, { syncToFs: true });
        return parse.parseResults(messages, parsersOf(lite, messages))[0] as Results<T>;
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
function parsersOf(lite: PGlite, messages: readonly BackendMessage[]): Record<number, Parser> {
  const parsers: Record<number, Parser> = {};
  for (const m of messages) {
    if (m.name !== "rowDescription") continue;
    for (const { dataTypeID } of (m as RowDescription).fields) {
      const parser = lite.parsers[dataTypeID];
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
