// Starts the embedded database's worker thread (pglite-worker.ts) as early as possible: from cli.ts, before
// the heavy modules (Prisma's client, the tools) load, so that the database boots meanwhile. Light on
// purpose (no PGlite, no Prisma). What the thread says before RemotePGlite listens is held for it.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { Reply, WorkerOptions } from "./pglite-protocol.ts";

/** The built worker (dist/src/db/pglite-worker.js). Under vitest, running src/, Node 20 cannot start a .ts worker: the build's is the same code. */
function workerFile(): URL {
  const here = import.meta.url;
  const file = here.endsWith(".ts") ? new URL("../../dist/src/db/pglite-worker.js", here) : new URL("./pglite-worker.js", here);
  if (!existsSync(fileURLToPath(file))) throw new Error(`${fileURLToPath(file)} is missing: run \`npm run build\``);
  return file;
}

export class PGliteThread {
  readonly worker: Worker;
  #held: Reply[] = [];
  #stopped: string | undefined;
  #hold = (msg: Reply) => this.#held.push(msg);

  constructor(options: WorkerOptions) {
    this.worker = new Worker(workerFile(), { workerData: options });
    // Only calls in flight keep the process alive (RemotePGlite refs it while it waits for an answer).
    this.worker.unref();
    this.worker.on("message", this.#hold);
    // An 'error' event without a listener would end the process.
    this.worker.on("error", (err) => (this.#stopped ??= err.message));
    this.worker.on("exit", (code) => (this.#stopped ??= `exit code ${code}`));
  }

  /** Hands the thread's messages to `onMessage` (those held first) and its end to `onStop`. */
  attach(onMessage: (msg: Reply) => void, onStop: (detail: string) => void): void {
    this.worker.off("message", this.#hold);
    for (const msg of this.#held.splice(0)) onMessage(msg);
    this.worker.on("message", onMessage);
    if (this.#stopped !== undefined) onStop(this.#stopped);
    this.worker.on("error", (err) => onStop(err.message));
    this.worker.on("exit", (code) => onStop(`exit code ${code}`));
  }
}
