// A cap on MCP requests one principal may have in flight at once, so that one caller (or one leaked key)
// cannot take every database connection. Per instance; the per-minute rate limit is the shared one.
export class ConcurrencyCap {
  private readonly inFlight = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** A release function, or null when the subject is at its cap. */
  acquire(subject: string): (() => void) | null {
    const n = this.inFlight.get(subject) ?? 0;
    if (n >= this.max) return null;
    this.inFlight.set(subject, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.inFlight.get(subject) ?? 1) - 1;
      if (left <= 0) this.inFlight.delete(subject);
      else this.inFlight.set(subject, left);
    };
  }

  get total(): number {
    let n = 0;
    for (const v of this.inFlight.values()) n += v;
    return n;
  }
}
