// pino, JSON on stderr only: stdout belongs to the MCP protocol. Every line carries the request id and
// tool of the call being served (from the async context); secrets and personal fields are redacted.
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
    // Asynchronous writes: a tool call's audit line no longer waits for a write(2) to stderr's pipe on the
    // call path (14 % of a get_client_overview call when synchronous). pino flushes what is buffered
    // synchronously when the process exits, so a fatal line before exit(1) is not lost.
    destination ?? pino.destination({ fd: 2, sync: false }),
  );
}

/**
 * The same logger without the redaction pass, for lines whose every field the server builds itself (the
 * per-call audit line: duration, outcome, argument names, request id, tool, actor). Redacting 26 keys at
 * four depths costs ~90 µs a line, most of that line's cost; such a line has nothing to redact.
 */
export function unredacted(logger: Logger): Logger {
  return logger.child({}, { redact: [] });
}
