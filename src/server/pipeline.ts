// The call pipeline every tool call goes through, in order:
// validation → rate limit → deadline → handler → output check → audit line → metrics → error boundary.
import { randomUUID } from "node:crypto";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Logger } from "../observability/logger.ts";
import { requestContext } from "../observability/context.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { Services } from "../services/index.ts";
import type { AnyTool } from "./define-tool.ts";
import { fromZodError, serializeError, toSafeError, ToolError } from "./errors.ts";
import type { RateLimiter } from "./rate-limit.ts";

export interface CallOptions {
  signal?: AbortSignal;
  /** Present when the client asked for progress notifications. */
  sendProgress?: (progress: number, total?: number, message?: string) => Promise<void>;
  /** Who is calling, for the rate limit (one stdio client per process; HTTP sessions differ). */
  clientKey?: string;
}

export interface PipelineDeps {
  /** May still be opening (the server answers initialize before the database is open): calls wait. */
  services: Services | Promise<Services>;
  logger: Logger;
  metrics: Metrics;
  limiter: RateLimiter | Promise<RateLimiter>;
  timeoutMs: number;
}

export class ToolPipeline {
  private readonly byName: Map<string, AnyTool>;

  constructor(
    readonly tools: readonly AnyTool[],
    private readonly deps: PipelineDeps,
  ) {
    this.byName = new Map(tools.map((t) => [t.name, t]));
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  async call(name: string, rawArgs: unknown, options: CallOptions = {}): Promise<CallToolResult> {
    const tool = this.byName.get(name);
    if (!tool) throw new ToolError("not_found", `unknown tool '${name}'`, "call tools/list for the tools this server exposes");
    const requestId = randomUUID();
    return requestContext.run({ request_id: requestId, tool: name }, () => this.run(tool, rawArgs, requestId, options));
  }

  private async run(tool: AnyTool, rawArgs: unknown, requestId: string, options: CallOptions): Promise<CallToolResult> {
    const { logger, metrics, limiter, services, timeoutMs } = this.deps;
    const started = performance.now();
    let ok = false;
    try {
      const parsed = tool.input.safeParse(rawArgs ?? {});
      if (!parsed.success) throw fromZodError(parsed.error);
      await (await limiter).consume(options.clientKey ?? "stdio");

      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(new ToolError("timeout", `${tool.name} did not finish within ${timeoutMs} ms`, "narrow the request or raise CS_MCP_TOOL_TIMEOUT_MS")), timeoutMs);
      const signal = options.signal ? AbortSignal.any([options.signal, deadline.signal]) : deadline.signal;
      try {
        const aborted = new Promise<never>((_, reject) => {
          const onAbort = () => reject(signal.reason instanceof ToolError ? signal.reason : new ToolError("timeout", "the call was cancelled"));
          if (signal.aborted) onAbort();
          else signal.addEventListener("abort", onAbort, { once: true });
        });
        aborted.catch(() => {}); // the race below observes it; never an unhandled rejection
        const result = await Promise.race([
          Promise.resolve(services).then((ready) => tool.handler(parsed.data, {
            services: ready,
            logger,
            requestId,
            signal,
            progress: async (p, total, message) => {
              await options.sendProgress?.(p, total, message);
            },
          })),
          aborted,
        ]);
        const checked = tool.output.safeParse(result.data);
        if (!checked.success) {
          throw new Error(`output of ${tool.name} does not match its schema: ${checked.error.message}`);
        }
        ok = true;
        return {
          content: [
            { type: "text", text: result.text },
            { type: "text", text: JSON.stringify(checked.data) },
          ],
          structuredContent: checked.data as Record<string, unknown>,
        };
      } finally {
        clearTimeout(timer);
      }
    } catch (err) {
      const safe = toSafeError(err, logger);
      // The message may quote what the caller sent (a conflict names the contact's email): mask addresses.
      if (safe.code !== "internal_error") logger.info({ code: safe.code, message: maskEmails(safe.message) }, "tool call refused");
      return { isError: true, content: [{ type: "text", text: JSON.stringify({ error: safe }) }] };
    } finally {
      const ms = performance.now() - started;
      metrics.record(tool.name, ms, ok);
      logger.info({ duration_ms: Math.round(ms * 100) / 100, ok, arg_keys: argKeys(rawArgs) }, "tool call");
    }
  }
}

function maskEmails(text: string): string {
  return text.replace(/[^\s@'"<>(),;]+@[^\s@'"<>(),;]+\.[a-z]{2,}/gi, "[email]");
}

function argKeys(args: unknown): string[] | undefined {
  return args && typeof args === "object" && !Array.isArray(args) ? Object.keys(args).slice(0, 30) : undefined;
}

export { serializeError };
