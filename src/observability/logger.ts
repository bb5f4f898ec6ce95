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
    destination ?? pino.destination({ fd: 2, sync: true }),
  );
}
