// Backoff with jitter, shared by the synchronous retries and the outbox's rescheduling.

/**
 * Exponential backoff with "equal jitter": half the exponential step is fixed, half random, so
 * instances that failed together do not retry together. `attempt` counts from 1.
 */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const step = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

/** The wait before the next try: the backoff, or longer when the vendor said so (Retry-After). */
export function nextDelayMs(attempt: number, retryAfterMs: number | undefined, baseMs: number, maxMs: number): number {
  const b = backoffMs(attempt, baseMs, maxMs);
  return retryAfterMs !== undefined && retryAfterMs > b ? retryAfterMs : b;
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
