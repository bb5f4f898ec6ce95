// The call pipeline every tool call goes through, in order:
// authorization (when a principal is known) → validation → rate limit → deadline → handler → output check → audit line → metrics → error boundary.
import { randomUUID } from "node:crypto";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { unredacted, type Logger } from "../observability/logger.ts";
import { requestContext } from "../observability/context.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { Services } from "../services/index.ts";
import type { Principal } from "../auth/principal.ts";
import type { ToolRef } from "./define-tool.ts";
import { definitionOf } from "./tool-loader.ts"; // lazy: the definition is imported on first call (see run)
import { fromZodError, serializeError, toSafeError, ToolError } from "./errors.ts";
import type { RateLimiter } from "./rate-limit.ts";
import { actorOf, authorizeCall, rateLimitKey } from "../auth/scopes.ts";
import type { StartupProgress } from "./startup-progress.ts";

export interface CallOptions {
  signal?: AbortSignal;
  /** Present when the client asked for progress notifications. */
  sendProgress?: (progress: number, total?: number, message?: string) => Promise<void>;
  /** Who is calling, for the rate limit (one stdio client per process; HTTP sessions differ). */
  clientKey?: string;
  /** The authenticated caller (HTTP): its scopes and key restrictions are enforced, it is the audit actor and the rate-limit key. Absent over stdio. */
  principal?: Principal;
}

export interface PipelineDeps {
  /** May still be opening (the server answers initialize before the database is open): calls wait. */
  services: Services | Promise<Services>;
  logger: Logger;
  metrics: Metrics;
  limiter: RateLimiter | Promise<RateLimiter>;
  timeoutMs: number;
  /** A read-only server: handlers see ctx.readOnly (readOnlyCompute tools then store nothing). */
  readOnly?: boolean;
  /** How long a call past its deadline may take to settle (roll back, or finish) before it is answered. */
  settleMs?: number;
  /** What the server does while `services` is still opening: forwarded to waiting calls as progress. */
  startup?: StartupProgress;
  /** Called when a call has to wait for `services` (serve starts loading the demo then at the latest). */
  onWait?: () => void;
}

/**
 * After its deadline a handler is given this long to settle: handlers stop at their next check of the
 * signal and roll back their transaction, so this is normally a few milliseconds.
 */
const SETTLE_GRACE_MS = 10_000;
const ABORTED = Symbol("aborted");
const UNSETTLED = Symbol("unsettled");

/**
 * The signal of one call: aborted at the deadline or when the client cancels. One controller per call
 * and a listener on the client's signal that is removed when the call ends: AbortSignal.any, or an
 * abort listener left on a signal, keeps every call's signal (and what its listeners hold) alive in
 * Node's registry of listened-to signals for the life of the process.
 */
function callSignal(client: AbortSignal | undefined, timeoutMs: number, tool: string): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new ToolError("timeout", `${tool} did not finish within ${timeoutMs} ms`, "narrow the request or raise CS_MCP_TOOL_TIMEOUT_MS")),
    timeoutMs,
  );
  const onClientAbort = () => controller.abort(new ToolError("timeout", "the call was cancelled"));
  if (client?.aborted) onClientAbort();
  else client?.addEventListener("abort", onClientAbort, { once: true });
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      client?.removeEventListener("abort", onClientAbort);
    },
  };
}

/** The handler's result, or ABORTED when the signal fires first; the abort listener is always removed. */
function settleOrAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T | typeof ABORTED> {
  if (signal.aborted) return Promise.resolve(ABORTED);
  return new Promise<T | typeof ABORTED>((resolve, reject) => {
    const onAbort = () => resolve(ABORTED);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(err);
      },
    );
  });
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

function settleWithin<T>(work: Promise<T>, ms: number): Promise<Settled<T> | typeof UNSETTLED> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof UNSETTLED>((resolve) => {
    timer = setTimeout(() => resolve(UNSETTLED), ms);
  });
  const settled = work.then(
    (value): Settled<T> => ({ ok: true, value }),
    (error: unknown): Settled<T> => ({ ok: false, error }),
  );
  return Promise.race([settled, late]).finally(() => clearTimeout(timer));
}

/** The timeout (or cancel) error of an aborted call, saying what became of its work. */
function abortReason(signal: AbortSignal, outcome: string): ToolError {
  const reason = signal.reason instanceof ToolError ? signal.reason : new ToolError("timeout", "the call was cancelled");
  return new ToolError(reason.code, `${reason.message}; ${outcome}`, reason.hint, reason.details);
}

export class ToolPipeline {
  private readonly byName: Map<string, ToolRef>;
  private servicesReady = false;
  /** The per-call audit line holds only fields the pipeline builds: written without the redaction pass. */
  private readonly audit: Logger;

  constructor(
    readonly tools: readonly ToolRef[],
    private readonly deps: PipelineDeps,
  ) {
    this.byName = new Map(tools.map((t) => [t.name, t]));
    this.audit = unredacted(deps.logger);
    Promise.resolve(deps.services).then(
      () => (this.servicesReady = true),
      () => {},
    );
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  async call(name: string, rawArgs: unknown, options: CallOptions = {}): Promise<CallToolResult> {
    const tool = this.byName.get(name);
    if (!tool) throw new ToolError("not_found", `unknown tool '${name}'`, "call tools/list for the tools this server exposes");
    return this.callDefinition(tool, rawArgs, options);
  }

  /** Runs a definition through the same steps; also for a session's own tools (discover_tools, enable_toolsets). */
  callDefinition(tool: ToolRef, rawArgs: unknown, options: CallOptions = {}): Promise<CallToolResult> {
    const requestId = randomUUID();
    const actor = options.principal ? { actor: actorOf(options.principal) } : {};
    return requestContext.run({ request_id: requestId, tool: tool.name, ...actor }, () => this.run(tool, rawArgs, requestId, options));
  }

  private async run(ref: ToolRef, rawArgs: unknown, requestId: string, options: CallOptions): Promise<CallToolResult> {
    const { logger, metrics, limiter, services, timeoutMs } = this.deps;
    const started = performance.now();
    let ok = false;
    let failure: "error" | "rate_limited" | "timeout" = "error";
    let unsubscribe: (() => void) | undefined;
    try {
      authorizeCall(options.principal, ref);
      // lazy (owner: lazy): a catalog tool's module is imported on its first call, before its zod input check.
      const tool = await definitionOf(ref);
      const nul = nulPath(rawArgs, "");
      if (nul !== null) {
        throw new ToolError("validation_error", `invalid arguments: ${nul}: must not contain the NUL character (\\u0000)`, "remove the NUL character and call again; nothing was changed", { issues: [`${nul}: must not contain the NUL character (\\u0000)`] });
      }
      const parsed = tool.input.safeParse(rawArgs ?? {});
      if (!parsed.success) throw fromZodError(parsed.error);
      // A call that waits for the server to open (the rate limiter and the services come with it) hears
      // what it is waiting for: the demo loading on a first start.
      if (!this.servicesReady) {
        this.deps.onWait?.();
        if (options.sendProgress && this.deps.startup) {
          const send = options.sendProgress;
          unsubscribe = this.deps.startup.subscribe((done, total, message) => void send(done, total, message).catch(() => {}));
          const stop = () => unsubscribe?.();
          Promise.resolve(services).then(stop, stop);
        }
      }
      await (await limiter).consume(options.principal ? rateLimitKey(options.principal) : (options.clientKey ?? "stdio"));

      const call = callSignal(options.signal, timeoutMs, tool.name);
      try {
        const handled = Promise.resolve(services).then((ready) => tool.handler(parsed.data, {
          services: ready,
          logger,
          requestId,
          signal: call.signal,
          readOnly: this.deps.readOnly === true,
          progress: async (p, total, message) => {
            await options.sendProgress?.(p, total, message);
          },
        }));
        let outcome = await settleOrAbort(handled, call.signal);
        let late = false;
        if (outcome === ABORTED) {
          // The deadline (or the client's cancel) came first. The handler may still be writing: answer only
          // once it has settled (it rolls back on the signal) so that the answer says what really happened.
          const settled = await settleWithin(handled, this.deps.settleMs ?? SETTLE_GRACE_MS);
          if (settled === UNSETTLED) throw abortReason(call.signal, "it is still running and may yet complete: check its effects before calling again");
          if (settled.ok) {
            outcome = settled.value;
            late = true;
            logger.warn({ deadline_ms: timeoutMs }, "tool call finished after its deadline; its result is returned");
          } else {
            throw settled.error instanceof ToolError && settled.error.code !== "timeout" ? settled.error : abortReason(call.signal, "nothing was changed");
          }
        }
        const result = outcome;
        const checked = tool.output.safeParse(result.data);
        if (!checked.success) {
          throw new Error(`output of ${tool.name} does not match its schema: ${checked.error.message}`);
        }
        ok = true;
        const text = late ? `Finished after the ${timeoutMs} ms deadline; its changes were kept: ${result.text}` : result.text;
        return {
          content: [
            { type: "text", text },
            { type: "text", text: JSON.stringify(checked.data) },
          ],
          structuredContent: checked.data as Record<string, unknown>,
        };
      } finally {
        call.dispose();
      }
    } catch (err) {
      const safe = toSafeError(err, logger);
      if (safe.code === "rate_limited" || safe.code === "timeout") failure = safe.code;
      // The message may quote what the caller sent (a conflict names the contact's email): mask addresses.
      if (safe.code !== "internal_error") logger.info({ code: safe.code, message: maskEmails(safe.message) }, "tool call refused");
      return { isError: true, content: [{ type: "text", text: JSON.stringify({ error: safe }) }] };
    } finally {
      unsubscribe?.();
      const ms = performance.now() - started;
      metrics.record(ref.name, ms, ok, ok ? "ok" : failure);
      this.audit.info({ duration_ms: Math.round(ms * 100) / 100, ok, arg_keys: argKeys(rawArgs) }, "tool call");
    }
  }
}

/**
 * The path of the first string (value or key) holding a NUL character, or null. PostgreSQL cannot store
 * \u0000 in text: refused here for every tool and field, it is the caller's error instead of an internal one.
 */
function nulPath(value: unknown, path: string): string | null {
  if (typeof value === "string") return value.includes("\u0000") ? path || "(arguments)" : null;
  if (value === null || typeof value !== "object") return null;
  for (const [key, inner] of Object.entries(value)) {
    const here = path ? `${path}.${key}` : key;
    if (key.includes("\u0000")) return here;
    const found = nulPath(inner, here);
    if (found !== null) return found;
  }
  return null;
}

function maskEmails(text: string): string {
  return text.replace(/[^\s@'"<>(),;]+@[^\s@'"<>(),;]+\.[a-z]{2,}/gi, "[email]");
}

function argKeys(args: unknown): string[] | undefined {
  return args && typeof args === "object" && !Array.isArray(args) ? Object.keys(args).slice(0, 30) : undefined;
}

export { serializeError };
