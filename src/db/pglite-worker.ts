// The embedded database's own thread: PostgreSQL booting inside WebAssembly (~1 s of CPU) runs here while
// the main thread loads the server's modules, and each statement runs here while the main thread keeps
// reading requests. This is the real PGlite with its own locks: a statement that arrives while a
// transaction is open waits exactly as it does in-process. Values go back as text (see pglite-protocol.ts).
import { parentPort, workerData } from "node:worker_threads";
import { PGlite, messages, type Results, type Transaction } from "@electric-sql/pglite";
import { prepareDataDir } from "./pgdata-template.ts";
import { pgliteQuery } from "./pglite-query.ts";
import { CALLBACK_THREW, type RawResults, type Reply, type Request, type WireError, type WorkerOptions } from "./pglite-protocol.ts";

const port = parentPort!;
const options = workerData as WorkerOptions;
let fromTemplate = false;
let lite: PGlite;
try {
  // A new data directory is first made from the shipped template (the main thread loads modules meanwhile).
  fromTemplate = Boolean(options.prepare) && prepareDataDir(options.dataDir);
  lite = new PGlite(options.dataDir, { startParams: [...PGlite.defaultStartParams, ...options.startParams], initDbStartParams: options.initDbStartParams });
} catch (err) {
  reply({ ready: false, error: wireError(err) });
  process.exit(1);
}

/** A parser per known type that keeps the text: the main thread parses with the caller's parsers. */
let raw: Record<string, (x: string) => string> = {};
const transactions = new Map<number, { tx: Transaction; end: (ok: boolean) => void }>();
let nextTx = 1;

function wireError(err: unknown): WireError {
  if (err instanceof messages.DatabaseError) {
    const fields: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(err)) {
      // The statement, its parameters and options are the caller's own; the main thread sets them again.
      if (k !== "query" && k !== "params" && k !== "queryOptions" && k !== "length" && k !== "name") fields[k] = v;
    }
    return { database: true, message: err.message, name: err.name, length: err.length, fields };
  }
  const e = err instanceof Error ? err : new Error(String(err));
  return { database: false, message: e.message, name: e.name, fields: {} };
}

function rawOf(r: Results): RawResults {
  return { rows: r.rows as RawResults["rows"], fields: r.fields, ...(r.affectedRows !== undefined ? { affectedRows: r.affectedRows } : {}) };
}

function reply(msg: Reply): void {
  port.postMessage(msg);
}

async function answer(id: number, work: () => Promise<RawResults | RawResults[] | undefined>): Promise<void> {
  try {
    const value = await work();
    reply(value === undefined ? { id, ok: true } : { id, ok: true, value });
  } catch (err) {
    reply({ id, ok: false, error: wireError(err) });
  }
}

function txOf(id: number | undefined): Transaction | undefined {
  if (id === undefined) return undefined;
  const open = transactions.get(id);
  if (!open) throw new Error("Transaction is closed");
  return open.tx;
}

function handle(msg: Request): void {
  switch (msg.op) {
    case "query":
      void answer(msg.id, async () => {
        const on = txOf(msg.tx) ?? lite;
        return rawOf(await on.query(msg.sql, msg.params, { rowMode: "array", parsers: raw }));
      });
      return;
    case "statement":
      void answer(msg.id, async () => rawOf(await pgliteQuery(lite, msg.sql, msg.params, msg.name, { parsers: raw, rowMode: "array" })));
      return;
    case "exec":
      void answer(msg.id, async () => {
        const on = txOf(msg.tx) ?? lite;
        return (await on.exec(msg.sql, { rowMode: "array", parsers: raw })).map(rawOf);
      });
      return;
    case "rollback":
      void answer(msg.id, async () => {
        await txOf(msg.tx)!.rollback();
        return undefined;
      });
      return;
    case "begin": {
      const id = nextTx++;
      void answer(msg.id, async () => {
        await lite.transaction(
          (tx) =>
            new Promise<void>((resolve, reject) => {
              transactions.set(id, { tx, end: (ok) => (ok ? resolve() : reject(new Error(CALLBACK_THREW))) });
              reply({ id: msg.id, started: id });
            }),
        ).finally(() => transactions.delete(id));
        return undefined;
      });
      return;
    }
    case "end":
      transactions.get(msg.tx)?.end(msg.ok);
      return;
    case "close":
      void answer(msg.id, async () => {
        await lite.close();
        port.close();
        return undefined;
      });
      return;
  }
}

port.on("message", handle);

lite.waitReady.then(
  async () => {
    // The array types PGlite found at start (its _initArrayTypes), for the same array parsers on the main thread.
    const types = await lite.query<{ oid: number; typarray: number }>(
      `SELECT b.oid, b.typarray FROM pg_catalog.pg_type a LEFT JOIN pg_catalog.pg_type b ON b.oid = a.typelem
       WHERE a.typcategory = 'A' GROUP BY b.oid, b.typarray ORDER BY b.oid`,
    );
    raw = Object.fromEntries(Object.keys(lite.parsers).map((k) => [k, (x: string) => x]));
    reply({ ready: true, arrayTypes: types.rows.map((r) => [r.oid, r.typarray]), fromTemplate });
  },
  (err: unknown) => reply({ ready: false, error: wireError(err) }),
);
