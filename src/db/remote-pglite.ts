// The embedded database seen from the main thread: the part of PGlite's interface that the Prisma adapter,
// the migration runner and the hot read path use (query, exec, transaction, close), each call sent to the
// real PGlite in a worker thread (pglite-worker.ts). Its boot (~1 s of CPU) overlaps the main thread's
// module loading, and no statement blocks the main thread's event loop.
//
// Kept exactly as in-process: values are parsed here with PGlite's own parsers merged with the caller's
// (the adapter's keep timestamps, numerics and json as text); errors are PGlite's DatabaseError with the
// same fields (code, detail, constraint…), so the adapter and the repositories map them as before; a
// transaction is the worker's PGlite transaction, held open while its callback runs here, so the
// worker's lock orders other statements as it always did. A worker that stops fails every call at once
// with DatabaseWorkerStoppedError instead of leaving it waiting.
import type { Worker } from "node:worker_threads";
import { messages, types, type ParserOptions, type QueryOptions, type Results, type Transaction } from "@electric-sql/pglite";
import { query as templateQuery } from "@electric-sql/pglite/template";
import { PGliteThread } from "./pglite-thread.ts";
import { CALLBACK_THREW, type RawResults, type Reply, type Request, type WireError, type WorkerOptions } from "./pglite-protocol.ts";

type Parser = (x: string, typeId?: number) => unknown;
type Send = Request extends infer R ? (R extends { id: number } ? Omit<R, "id"> : never) : never;

/** The database's thread stopped: the database cannot answer until the server restarts. */
export class DatabaseWorkerStoppedError extends Error {
  /** Prisma's "can't reach database server": mapped to the `unavailable` tool error. */
  readonly code = "P1001";
  constructor(detail: string) {
    super(`the embedded database is not reachable: its worker thread stopped (${detail}); restart the server`);
    this.name = "DatabaseWorkerStoppedError";
  }
}

function fromWire(e: WireError, query?: string, params?: unknown[], options?: QueryOptions): Error {
  if (e.database) {
    const err = new messages.DatabaseError(e.message, e.length ?? 0, e.name as messages.MessageName);
    Object.assign(err, e.fields, { query, params, queryOptions: options });
    return err;
  }
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}

interface Pending {
  resolve(value: RawResults | RawResults[] | undefined): void;
  reject(err: Error, wire?: WireError): void;
  started?(tx: number): void;
}

export class RemotePGlite {
  readonly waitReady: Promise<void>;
  /** The worker thread (tests stop it to check that calls fail instead of waiting). */
  readonly thread: Worker;
  /** Whether the worker made this (new) data directory from the shipped template; known once ready. */
  fromTemplate = false;
  #defaults: Record<string, Parser> = { ...types.parsers };
  #pending = new Map<number, Pending>();
  #nextId = 1;
  /** Why calls fail at once: the worker stopped, or the database was closed. */
  #stopped: Error | undefined;
  #closing = false;
  #closed = false;

  /** Starts the worker thread, or takes one started earlier (cli.ts starts it before the heavy modules load). */
  constructor(start: WorkerOptions | PGliteThread) {
    const thread = start instanceof PGliteThread ? start : new PGliteThread(start);
    this.thread = thread.worker;
    let opened = (_msg: Extract<Reply, { ready: boolean }>) => {};
    let failed = (_err: Error) => {};
    this.waitReady = new Promise<void>((resolve, reject) => {
      opened = (msg) => {
        if (!msg.ready) return reject(fromWire(msg.error));
        this.fromTemplate = msg.fromTemplate;
        // PGlite's array parsers (its _initArrayTypes), each parsing elements with the element type's parser.
        for (const [oid, typarray] of msg.arrayTypes) this.#defaults[typarray] = (x) => types.arrayParser(x, this.#defaults[oid] as types.Parser, typarray);
        resolve();
      };
      failed = reject;
    });
    this.waitReady.catch(() => {});
    thread.attach(
      (msg) => ("ready" in msg ? opened(msg) : this.#dispatch(msg)),
      (detail) => {
        this.#stop(detail);
        failed(this.#stopped ?? new DatabaseWorkerStoppedError(detail));
      },
    );
  }

  get closed(): boolean {
    return this.#closed;
  }

  #stop(detail: string): void {
    if (this.#closing && !this.#pending.size) return;
    this.#stopped ??= new DatabaseWorkerStoppedError(detail);
    const waiting = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of waiting) p.reject(this.#stopped);
  }

  #dispatch(msg: Reply): void {
    if ("ready" in msg) return;
    const p = this.#pending.get(msg.id);
    if (!p) return;
    if ("started" in msg) return p.started?.(msg.started);
    this.#pending.delete(msg.id);
    if (!this.#pending.size) this.thread.unref();
    if (msg.ok) p.resolve(msg.value);
    else p.reject(fromWire(msg.error), msg.error);
  }

  #call(req: Send, pending: Pending): void {
    if (this.#stopped) return pending.reject(this.#stopped);
    const id = this.#nextId++;
    if (!this.#pending.size) this.thread.ref();
    this.#pending.set(id, pending);
    this.thread.postMessage({ ...req, id });
  }

  #ask(req: Send, query?: string, params?: unknown[], options?: QueryOptions): Promise<RawResults | RawResults[] | undefined> {
    return new Promise((resolve, reject) => this.#call(req, { resolve, reject: (err, wire) => reject(wire ? fromWire(wire, query, params, options) : err) }));
  }

  #parse<T>(raw: RawResults, options?: QueryOptions): Results<T> {
    const parsers = options?.parsers ? { ...this.#defaults, ...options.parsers } : this.#defaults;
    const { fields } = raw;
    const rows = raw.rows.map((row) => {
      const values = row.map((v, i) => types.parseType(v, fields[i]!.dataTypeID, parsers as ParserOptions));
      return options?.rowMode === "array" ? values : Object.fromEntries(values.map((v, i) => [fields[i]!.name, v]));
    });
    return { rows: rows as T[], fields, ...(raw.affectedRows !== undefined ? { affectedRows: raw.affectedRows } : {}) };
  }

  async #query<T>(tx: number | undefined, query: string, params: unknown[] = [], options?: QueryOptions): Promise<Results<T>> {
    const raw = (await this.#ask({ op: "query", sql: query, params, ...(tx !== undefined ? { tx } : {}) }, query, params, options)) as RawResults;
    return this.#parse<T>(raw, options);
  }

  async #exec(tx: number | undefined, query: string, options?: QueryOptions): Promise<Results[]> {
    const raw = (await this.#ask({ op: "exec", sql: query, ...(tx !== undefined ? { tx } : {}) }, query, undefined, options)) as RawResults[];
    return raw.map((r) => this.#parse(r, options));
  }

  async query<T>(query: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>> {
    await this.waitReady;
    return this.#query<T>(undefined, query, params, options);
  }

  /** One statement in one protocol exchange in the worker (pglite-query.ts), for Database.query. */
  async statement<T>(sql: string, params: unknown[] = [], name?: string): Promise<Results<T>> {
    await this.waitReady;
    const raw = (await this.#ask({ op: "statement", sql, params, ...(name !== undefined ? { name } : {}) }, sql, params)) as RawResults;
    return this.#parse<T>(raw);
  }

  async exec(query: string, options?: QueryOptions): Promise<Results[]> {
    await this.waitReady;
    return this.#exec(undefined, query, options);
  }

  /** PGlite's transaction(), run by the worker: BEGIN, then the callback here, then COMMIT, or ROLLBACK when it throws. */
  async transaction<T>(callback: (tx: Transaction) => Promise<T>): Promise<T> {
    await this.waitReady;
    return new Promise<T>((resolve, reject) => {
      let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
      const started = (id: number) => {
        let closed = false;
        const tx: Transaction = {
          query: (q, p, o) => this.#query(id, q, p, o),
          sql: (strings, ...values) => {
            const { query, params } = templateQuery(strings, ...values);
            return this.#query(id, query, params);
          },
          exec: (q, o) => this.#exec(id, q, o),
          rollback: async () => {
            await this.#ask({ op: "rollback", tx: id });
            closed = true;
          },
          listen: () => Promise.reject(new Error("LISTEN is not available on the embedded database")),
          get closed() {
            return closed;
          },
        };
        const end = (ok: boolean) => {
          closed = true;
          if (!this.#stopped) this.thread.postMessage({ op: "end", tx: id, ok } satisfies Request);
        };
        Promise.resolve()
          .then(() => callback(tx))
          .then(
            (value) => {
              outcome = { ok: true, value };
              end(true);
            },
            (error: unknown) => {
              outcome = { ok: false, error };
              end(false);
            },
          );
      };
      this.#call(
        { op: "begin" },
        {
          started,
          resolve: () => (outcome?.ok ? resolve(outcome.value) : reject(new Error("the transaction ended before its callback did"))),
          // The callback's own error when it threw (the worker rolled back); otherwise the worker's (BEGIN, COMMIT, ROLLBACK failed, or it stopped).
          reject: (err, wire) => reject(wire?.message === CALLBACK_THREW && outcome && !outcome.ok ? outcome.error : err),
        },
      );
    });
  }

  /** Closes PGlite in the worker (which then ends); a stopped worker has nothing left to close. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#stopped) {
      this.#closing = true;
      await this.waitReady.catch(() => {});
      if (!this.#stopped) await this.#ask({ op: "close" }).catch(() => {});
    }
    await this.thread.terminate();
    this.#stopped ??= new Error("PGlite is closed");
  }
}
