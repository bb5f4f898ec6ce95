// One interactive transaction that a tool call's signal can still roll back: the signal is checked
// before the first statement, between the steps the caller marks, and last just before COMMIT, so a
// call answered `timeout` has committed nothing. Only a COMMIT already sent when the signal fires can
// still land; the pipeline waits for the handler to settle and reports such a late success as a result.
// On PostgreSQL the signal also cancels the statement running at that moment (pg_cancel_backend from
// another connection), so a call cancelled while waiting on a lock or a long write stops at once.
import type { Prisma, PrismaClient } from "../generated/prisma/client.ts";

export type Tx = Prisma.TransactionClient;

/** Large portfolio writes take longer than Prisma's 5 s default; the tool deadline ends them earlier. */
const TX_OPTIONS = { timeout: 120_000, maxWait: 10_000 };

export interface TransactionOptions {
  /** Prisma's interactive-transaction timeout, when a caller's work may outlast the 120 s default (a 200,000-account portfolio run). */
  timeoutMs?: number;
}

/** Clients whose server can cancel a backend's running statement (PostgreSQL, not the embedded PGlite). */
const statementCancellers = new WeakMap<PrismaClient, (pid: number) => Promise<unknown>>();

/** Registered by the PostgreSQL database: how to cancel the statement a backend is running. */
export function cancelStatementsWith(prisma: PrismaClient, cancel: (pid: number) => Promise<unknown>): void {
  statementCancellers.set(prisma, cancel);
}

export async function abortableTransaction<T>(
  prisma: PrismaClient,
  signal: AbortSignal | undefined,
  work: (tx: Tx, checkpoint: () => void) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const checkpoint = () => signal?.throwIfAborted();
  checkpoint();
  return prisma.$transaction(async (tx) => {
    const cancel = signal ? statementCancellers.get(prisma) : undefined;
    let stopWatching = () => {};
    // The cancel request travels on another connection: it is awaited before this transaction ends, or it
    // could land after the connection went back to the pool and cancel the next caller's statement there.
    let cancelling: Promise<unknown> | undefined;
    if (signal && cancel) {
      const [row] = await tx.$queryRawUnsafe<Array<{ pid: number }>>("SELECT pg_backend_pid() AS pid");
      const onAbort = () => {
        cancelling = cancel(row!.pid).catch(() => {});
      };
      signal.addEventListener("abort", onAbort, { once: true });
      stopWatching = () => signal.removeEventListener("abort", onAbort);
    }
    try {
      const out = await work(tx, checkpoint);
      // Throwing here rolls the transaction back.
      checkpoint();
      return out;
    } finally {
      stopWatching();
      if (cancelling) await cancelling;
    }
  }, { ...TX_OPTIONS, timeout: Math.max(TX_OPTIONS.timeout, options.timeoutMs ?? 0) });
}
