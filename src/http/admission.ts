// Admission to /mcp: at most `limit` requests are served at once per instance; the others wait here in
// arrival order. Why: a tool call runs several queries one after another, each taking a connection from
// the PostgreSQL pool (DB_POOL_MAX) and giving it back. Let in unbounded, N concurrent calls interleave
// at the pool, so each of a call's queries queues behind everyone else's: a call's time grows with N ×
// its query count, and waits past DB_CONNECT_TIMEOUT_MS or a transaction's maxWait fail as errors
// ("database not reachable", internal error). Waiting once, here, keeps the pool's own queue short.
// A request that waits longer than maxWaitMs is refused (the caller answers 503 with Retry-After), and
// one whose client went away leaves the queue without being served. Keep maxWaitMs short: under
// sustained overload a long FIFO wait serves requests whose clients have already timed out.
export type Release = () => void;

export interface Ticket {
  /** A release function once admitted; null when the wait timed out or the ticket was cancelled. */
  ready: Promise<Release | null>;
  /** Leaves the queue (the client went away); no effect once admitted. */
  cancel(): void;
}

interface Waiter {
  admit(): void;
  drop(): void;
}

export class AdmissionGate {
  private active = 0;
  /** Insertion-ordered, O(1) removal: the FIFO queue of waiting requests. */
  private readonly queue = new Set<Waiter>();

  constructor(
    private readonly limit: number,
    private readonly maxWaitMs: number,
  ) {
    if (!(limit >= 1)) throw new RangeError("the admission limit must be at least 1");
  }

  enter(): Ticket {
    if (this.active < this.limit && this.queue.size === 0) {
      this.active++;
      return { ready: Promise.resolve(this.releaser()), cancel: () => {} };
    }
    let settle!: (r: Release | null) => void;
    const ready = new Promise<Release | null>((resolve) => (settle = resolve));
    const waiter: Waiter = {
      admit: () => {
        clearTimeout(timer);
        this.queue.delete(waiter);
        this.active++;
        settle(this.releaser());
      },
      drop: () => {
        clearTimeout(timer);
        if (this.queue.delete(waiter)) settle(null);
      },
    };
    const timer = setTimeout(waiter.drop, this.maxWaitMs);
    this.queue.add(waiter);
    return { ready, cancel: waiter.drop };
  }

  /** Requests being served / waiting now. */
  get inFlight(): number {
    return this.active;
  }

  get waiting(): number {
    return this.queue.size;
  }

  private releaser(): Release {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.active--;
      const next = this.queue.values().next();
      if (!next.done) next.value.admit();
    };
  }
}
