// What a server still opening is doing (loading the demo portfolio on a first start), for the tool calls
// that wait for it: the pipeline forwards each step to a waiting call as MCP progress notifications.
export type StartupListener = (done: number, total: number, message: string) => void;

export class StartupProgress {
  private last: { done: number; total: number; message: string } | null = null;
  private readonly listeners = new Set<StartupListener>();

  report(done: number, total: number, message: string): void {
    this.last = { done, total, message };
    for (const listener of this.listeners) listener(done, total, message);
  }

  /** Calls `listener` with the latest step at once (when there is one) and with every later step; returns the unsubscribe. */
  subscribe(listener: StartupListener): () => void {
    this.listeners.add(listener);
    if (this.last) listener(this.last.done, this.last.total, this.last.message);
    return () => this.listeners.delete(listener);
  }
}
