// pino, JSON on stderr only: stdout belongs to the MCP protocol. Every line carries the request id and
// tool of the call being served (from the async context); secrets and personal fields are redacted.
import { writeSync } from "node:fs";
import { pino, type Logger } from "pino";
import { currentRequest } from "./context.ts";
import { REDACT_PATHS } from "./redact.ts";

export type { Logger };

export function createLogger(level: string = process.env.LOG_LEVEL ?? "info", destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid, service: "customer-success-mcp" },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      // Errors are logged already serialized and scrubbed (serializeError); pino's own err serializer
      // would rewrite their type to "Object".
      serializers: { err: (e: unknown) => e },
      mixin() {
        const ctx = currentRequest();
        return ctx ? { request_id: ctx.request_id, tool: ctx.tool, ...(ctx.actor ? { actor: ctx.actor } : {}) } : {};
      },
    },
    destination ?? stderr(),
  );
}

/**
 * How long a line may wait for the lines after it, so that they leave in one write: every write hands
 * work to a libuv thread and wakes whoever reads stderr (over stdio, the client's own process), which
 * cost more than the rest of a tool call's audit line (measured in bench:foundation). Short enough that
 * a person tailing the log sees nothing late.
 */
export const LOG_BATCH_MS = 100;
/** A batch is handed on at once when it reaches this many characters (sonic-boom writes at most 16 KiB at a time). */
const LOG_BATCH_BYTES = 16 * 1024;

export interface BatchedDestination extends pino.DestinationStream {
  /** Hands what is waiting to the sink now. */
  flush(): void;
  /** What is waiting, taken out (for a synchronous write when the process ends). */
  take(): string;
}

/** pino's level of a line it wrote (`{"level":30,…`); an unknown shape counts as urgent. */
function lineLevel(line: string): number {
  return line.startsWith('{"level":') ? Number(line.slice(9, 11)) : 60;
}
const WARN = 40;

/**
 * Lines collected for up to `delayMs` (or `maxBytes`) and handed to `sink` in one write, in order. A
 * warning or worse goes out at once, with what waits before it. The timer does not keep the process alive.
 */
export function batchedDestination(sink: { write(chunk: string): unknown }, delayMs = LOG_BATCH_MS, maxBytes = LOG_BATCH_BYTES): BatchedDestination {
  let pending = "";
  let timer: NodeJS.Timeout | undefined;
  const take = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const out = pending;
    pending = "";
    return out;
  };
  const flush = () => {
    const out = take();
    if (out) sink.write(out);
  };
  return {
    write(line: string) {
      pending += line;
      if (pending.length >= maxBytes || lineLevel(line) >= WARN) flush();
      else if (!timer) {
        timer = setTimeout(flush, delayMs);
        timer.unref();
      }
    },
    flush,
    take,
  };
}

let shared: BatchedDestination | undefined;

/**
 * stderr, written asynchronously (a line never waits for write(2) on the call path) and in batches. What
 * is still waiting when the process ends is written synchronously: a fatal line before exit(1) is not
 * lost. One for the process: every logger shares it (and its exit hooks).
 */
function stderr(): BatchedDestination {
  if (shared) return shared;
  const out = pino.destination({ fd: 2, sync: false });
  const batched = batchedDestination(out);
  const drainSync = () => {
    const rest = batched.take();
    if (!rest) return;
    try {
      writeSync(2, rest);
    } catch {
      // stderr is gone: nothing can be reported anywhere.
    }
  };
  process.on("beforeExit", drainSync);
  process.on("exit", drainSync);
  shared = batched;
  return batched;
}

/**
 * The same logger without the redaction pass, for lines whose every field the server builds itself (the
 * per-call audit line: duration, outcome, argument names, request id, tool, actor). Redacting 26 keys at
 * four depths costs ~90 µs a line, most of that line's cost; such a line has nothing to redact.
 */
export function unredacted(logger: Logger): Logger {
  return logger.child({}, { redact: [] });
}
