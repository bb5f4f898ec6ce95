// One interactive transaction that a tool call's signal can still roll back: the signal is checked
// before the first statement, between the steps the caller marks, and last just before COMMIT, so a
// call answered `timeout` has committed nothing. Only a COMMIT already sent when the signal fires can
// still land; the pipeline waits for the handler to settle and reports such a late success as a result.
import type { Prisma, PrismaClient } from "../generated/prisma/client.ts";

export type Tx = Prisma.TransactionClient;

/** Large portfolio writes take longer than Prisma's 5 s default; the tool deadline ends them earlier. */
const TX_OPTIONS = { timeout: 120_000, maxWait: 10_000 };

export async function abortableTransaction<T>(
  prisma: PrismaClient,
  signal: AbortSignal | undefined,
  work: (tx: Tx, checkpoint: () => void) => Promise<T>,
): Promise<T> {
  const checkpoint = () => signal?.throwIfAborted();
  checkpoint();
  return prisma.$transaction(async (tx) => {
    const out = await work(tx, checkpoint);
    // Throwing here rolls the transaction back.
    checkpoint();
    return out;
  }, TX_OPTIONS);
}
