// Whether a loopback server started without credentials is still "open". Open mode exists so that one person
// can try the HTTP mode on their own machine before creating a key; it ends, without a restart, as soon as an
// API key exists in the database (created by `cs-mcp keys create` in another process). The check is one
// count query at most every KEY_CHECK_MS, and it is one-way: revoking every key later does not reopen the
// server (a restart does), so a revocation can never widen access.
export const KEY_CHECK_MS = 2_000;

export class OpenModeLatch {
  private closed = false;
  private checkedAt = -Infinity;
  private pending: Promise<boolean> | null = null;

  constructor(
    private readonly activeKeys: () => Promise<number>,
    private readonly onClose: () => void,
    private readonly now: () => number = () => performance.now(),
    private readonly everyMs = KEY_CHECK_MS,
  ) {}

  /** True once authentication is required; counts keys at most once per interval, one query at a time. */
  async authRequired(): Promise<boolean> {
    if (this.closed) return true;
    if (this.now() - this.checkedAt < this.everyMs) return false;
    this.pending ??= this.activeKeys()
      .then((n) => {
        this.checkedAt = this.now();
        if (n > 0 && !this.closed) {
          this.closed = true;
          this.onClose();
        }
        return this.closed;
      })
      .finally(() => {
        this.pending = null;
      });
    return this.pending;
  }
}
