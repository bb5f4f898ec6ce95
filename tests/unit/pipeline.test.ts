import { describe, it, expect } from "vitest";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { z } from "zod";
import { defineTool, type AnyTool, type ToolContext } from "../../src/server/define-tool.ts";
import { ToolPipeline, type PipelineDeps } from "../../src/server/pipeline.ts";
import { Metrics } from "../../src/observability/metrics.ts";
import { createRateLimiter } from "../../src/server/rate-limit.ts";
import { ToolError } from "../../src/server/errors.ts";
import { memoryLogger } from "./memory-log.ts";

type Behaviour = "ok" | "hang" | "bad_output" | "throw_secret" | "throw_tool_error" | "finish_late" | "stop_on_abort";

function fakeTool(behaviour: { mode: Behaviour }, calls: Array<{ args: unknown; ctx: ToolContext }>) {
  return defineTool({
    name: "double_it",
    toolset: "core",
    title: "Double a number",
    description: "Doubles n. A test tool.",
    input: z.strictObject({
      n: z.number().int().min(0).max(1000).describe("The number to double"),
      label: z.string().max(20).default("x").describe("A label"),
    }),
    output: z.object({ doubled: z.number().int(), label: z.string() }),
    annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false },
    async handler(args, ctx) {
      calls.push({ args, ctx });
      switch (behaviour.mode) {
        case "hang":
          return new Promise<never>(() => {});
        case "bad_output":
          return { data: { doubled: "twice" as unknown as number, label: args.label }, text: "bad" };
        case "throw_secret":
          throw new Error("could not connect to postgres://svc:Sup3rS3cret@db.internal:5432/cs");
        case "throw_tool_error":
          throw new ToolError("not_found", "account cs_1_x was not found", "list first");
        case "finish_late":
          // Ignores the signal: commits anyway once the deadline has passed.
          await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve, { once: true }));
          return { data: { doubled: args.n * 2, label: args.label }, text: `doubled ${args.n}` };
        case "stop_on_abort":
          await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve, { once: true }));
          ctx.signal.throwIfAborted();
          throw new Error("unreachable");
        default:
          return { data: { doubled: args.n * 2, label: args.label }, text: `doubled ${args.n}` };
      }
    },
  }) as AnyTool;
}

function setup(mode: Behaviour = "ok", opts: { perMinute?: number; timeoutMs?: number; settleMs?: number } = {}) {
  const behaviour = { mode };
  const calls: Array<{ args: unknown; ctx: ToolContext }> = [];
  const log = memoryLogger("info");
  const metrics = new Metrics();
  const deps: PipelineDeps = {
    services: {} as any,
    logger: log.logger,
    metrics,
    limiter: createRateLimiter(opts.perMinute ?? 3, null),
    timeoutMs: opts.timeoutMs ?? 200,
    settleMs: opts.settleMs ?? 50,
  };
  const pipeline = new ToolPipeline([fakeTool(behaviour, calls)], deps);
  return { pipeline, calls, log, metrics, behaviour, deps };
}

function errorOf(result: { isError?: boolean; content: Array<{ type: string; text?: string }> }) {
  expect(result.isError).toBe(true);
  expect(result.content).toHaveLength(1);
  return (JSON.parse(result.content[0]!.text!) as { error: { code: string; message: string; hint?: string; reference?: string; details?: any } }).error;
}

describe("ToolPipeline", () => {
  it("a valid call returns the text and JSON blocks and structuredContent equal to the handler's data", async () => {
    const { pipeline, calls } = setup();
    const r = await pipeline.call("double_it", { n: 21 });
    expect(r.isError).toBeUndefined();
    expect(r.content).toEqual([
      { type: "text", text: "doubled 21" },
      { type: "text", text: JSON.stringify({ doubled: 42, label: "x" }) },
    ]);
    expect(r.structuredContent).toEqual({ doubled: 42, label: "x" });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args).toEqual({ n: 21, label: "x" }); // defaults applied before the handler
  });

  it("gives the handler a request id, a logger and a live signal", async () => {
    const { pipeline, calls } = setup();
    await pipeline.call("double_it", { n: 1 });
    const ctx = calls[0]!.ctx;
    expect(ctx.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(ctx.signal.aborted).toBe(false);
    await expect(ctx.progress(1, 2, "half")).resolves.toBeUndefined(); // no-op without sendProgress
  });

  it("forwards progress to sendProgress", async () => {
    const { deps } = setup();
    const seen: unknown[] = [];
    const tool = defineTool({
      name: "progress_tool",
      toolset: "core",
      title: "p",
      description: "p",
      input: z.strictObject({}),
      output: z.object({}),
      annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false },
      async handler(_a, ctx) {
        await ctx.progress(1, 3, "one");
        return { data: {}, text: "" };
      },
    }) as AnyTool;
    const p2 = new ToolPipeline([tool], deps);
    await p2.call("progress_tool", {}, { sendProgress: async (...a) => void seen.push(a) });
    expect(seen).toEqual([[1, 3, "one"]]);
  });

  it("refuses invalid input with validation_error naming the field, without calling the handler", async () => {
    const { pipeline, calls } = setup();
    const e = errorOf(await pipeline.call("double_it", { n: "ten" }));
    expect(e.code).toBe("validation_error");
    expect(e.message).toMatch(/^invalid arguments: n: /);
    expect(e.details.issues).toHaveLength(1);
    expect(calls).toHaveLength(0);
  });

  it("names a missing field as required and an unknown field by name", async () => {
    const { pipeline, calls } = setup();
    const missing = errorOf(await pipeline.call("double_it", {}));
    expect(missing.message).toContain("n: is required");
    const unknown = errorOf(await pipeline.call("double_it", { n: 1, nn: 2 }));
    expect(unknown.code).toBe("validation_error");
    expect(unknown.message).toContain("unknown field 'nn'");
    expect(calls).toHaveLength(0);
  });

  it("refuses a NUL character in any string field with validation_error naming the field, without calling the handler", async () => {
    const { pipeline, calls } = setup();
    const e = errorOf(await pipeline.call("double_it", { n: 1, label: "a\u0000b" }));
    expect(e.code).toBe("validation_error");
    expect(e.message).toBe("invalid arguments: label: must not contain the NUL character (\\u0000)");
    const nested = errorOf(await pipeline.call("double_it", { n: 1, label: "x", extra: [{ note: "\u0000" }] }));
    expect(nested.message).toBe("invalid arguments: extra.0.note: must not contain the NUL character (\\u0000)");
    expect(calls).toHaveLength(0);
  });

  it("treats missing arguments as {}", async () => {
    const { pipeline } = setup();
    const e = errorOf(await pipeline.call("double_it", undefined));
    expect(e.message).toContain("n: is required");
  });

  it("rate-limits the 4th call within a minute with retry_after_seconds", async () => {
    const { pipeline, calls } = setup("ok", { perMinute: 3 });
    for (let i = 0; i < 3; i++) expect((await pipeline.call("double_it", { n: i })).isError).toBeUndefined();
    const e = errorOf(await pipeline.call("double_it", { n: 4 }));
    expect(e.code).toBe("rate_limited");
    expect(e.details.retry_after_seconds).toBeGreaterThanOrEqual(1);
    expect(e.details.retry_after_seconds).toBeLessThanOrEqual(60);
    expect(Number.isInteger(e.details.retry_after_seconds)).toBe(true);
    expect(e.hint).toContain(`${e.details.retry_after_seconds} s`);
    expect(calls).toHaveLength(3);
  });

  it("keeps rate-limit budgets per client key and does not spend them on invalid calls", async () => {
    const { pipeline } = setup("ok", { perMinute: 3 });
    for (let i = 0; i < 5; i++) errorOf(await pipeline.call("double_it", { n: -1 })); // invalid: refused before the limiter
    for (let i = 0; i < 3; i++) expect((await pipeline.call("double_it", { n: i }, { clientKey: "a" })).isError).toBeUndefined();
    expect(errorOf(await pipeline.call("double_it", { n: 1 }, { clientKey: "a" })).code).toBe("rate_limited");
    expect((await pipeline.call("double_it", { n: 1 }, { clientKey: "b" })).isError).toBeUndefined();
  });

  it("a rate limit of 0 disables the limit", async () => {
    const { pipeline } = setup("ok", { perMinute: 0 });
    for (let i = 0; i < 10; i++) expect((await pipeline.call("double_it", { n: i })).isError).toBeUndefined();
  });

  it("ends a handler that never resolves with a timeout error and aborts its signal", async () => {
    const { pipeline, calls, metrics } = setup("hang", { timeoutMs: 200 });
    const started = Date.now();
    const e = errorOf(await pipeline.call("double_it", { n: 1 }));
    const elapsed = Date.now() - started;
    expect(e.code).toBe("timeout");
    expect(e.message).toContain("double_it");
    expect(elapsed).toBeLessThan(5_000);
    expect(calls[0]!.ctx.signal.aborted).toBe(true);
    expect(metrics.snapshot()[0]).toMatchObject({ calls: 1, errors: 1 });
  });

  it("ends the call when the caller's signal aborts", async () => {
    const { pipeline } = setup("hang", { timeoutMs: 10_000 });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 20);
    const e = errorOf(await pipeline.call("double_it", { n: 1 }, { signal: ac.signal }));
    expect(e.code).toBe("timeout");
    expect(e.message).toBe("the call was cancelled; it is still running and may yet complete: check its effects before calling again");
  });

  it("after its deadline, answers a handler that stopped on the signal with timeout and 'nothing was changed'", async () => {
    const { pipeline, calls } = setup("stop_on_abort", { timeoutMs: 20, settleMs: 60_000 });
    const e = errorOf(await pipeline.call("double_it", { n: 1 }));
    expect(e.code).toBe("timeout");
    expect(e.message).toBe("double_it did not finish within 20 ms; nothing was changed");
    expect(calls[0]!.ctx.signal.aborted).toBe(true);
  });

  it("never answers timeout for a handler that finished after its deadline: it returns what the handler stored", async () => {
    const { pipeline } = setup("finish_late", { timeoutMs: 20, settleMs: 60_000 });
    const r = await pipeline.call("double_it", { n: 4 });
    expect(r.isError).toBeUndefined();
    expect(r.structuredContent).toEqual({ doubled: 8, label: "x" });
    expect((r.content[0] as { text: string }).text).toBe("Finished after the 20 ms deadline; its changes were kept: doubled 4");
  });

  it("leaves nothing of a finished call reachable from the caller's long-lived signal (no leak per call)", async () => {
    // A server keeps serving calls for days: each call's signal (and everything its listeners hold)
    // must be collectable once the call is answered, even while the caller's signal lives on.
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const { pipeline, calls } = setup("ok", { perMinute: 0 });
    const caller = new AbortController();
    const refs: Array<WeakRef<AbortSignal>> = [];
    for (let i = 0; i < 20; i++) {
      const r = await pipeline.call("double_it", { n: i }, { signal: caller.signal });
      expect(r.isError).toBeUndefined();
      refs.push(new WeakRef(calls.pop()!.ctx.signal));
    }
    for (let round = 0; round < 10 && refs.some((r) => r.deref()); round++) {
      await new Promise((resolve) => setImmediate(resolve));
      gc();
    }
    expect(refs.filter((r) => r.deref() !== undefined)).toHaveLength(0);
    expect(caller.signal.aborted).toBe(false);
  });

  it("turns output that violates the output schema into internal_error", async () => {
    const { pipeline, log } = setup("bad_output");
    const e = errorOf(await pipeline.call("double_it", { n: 1 }));
    expect(e.code).toBe("internal_error");
    expect(e.message).toMatch(/^internal error, reference [0-9a-f]{8}$/);
    const errLine = log.lines().find((l) => l.msg === "internal error");
    expect(errLine?.reference).toBe(e.reference);
    expect((errLine?.err as { message: string }).message).toContain("output of double_it does not match its schema");
  });

  it("turns a thrown error with a secret URL into internal_error without the secret", async () => {
    const { pipeline, log } = setup("throw_secret");
    const r = await pipeline.call("double_it", { n: 1 });
    const e = errorOf(r);
    expect(e.code).toBe("internal_error");
    expect(JSON.stringify(r)).not.toContain("Sup3rS3cret");
    expect(JSON.stringify(r)).not.toContain("db.internal");
    expect(log.raw.join("\n")).not.toContain("Sup3rS3cret");
    const errLine = log.lines().find((l) => l.msg === "internal error")!;
    expect(errLine.reference).toBe(e.reference);
    expect((errLine.err as { message: string }).message).toBe("could not connect to postgres://svc:***@db.internal:5432/cs");
  });

  it("passes a ToolError from the handler through", async () => {
    const { pipeline } = setup("throw_tool_error");
    const e = errorOf(await pipeline.call("double_it", { n: 1 }));
    expect(e).toEqual({ code: "not_found", message: "account cs_1_x was not found", hint: "list first" });
  });

  it("records calls and errors in the metrics", async () => {
    const { pipeline, metrics, behaviour } = setup("ok", { perMinute: 100 });
    await pipeline.call("double_it", { n: 1 });
    await pipeline.call("double_it", { n: 2 });
    await pipeline.call("double_it", { bad: true });
    behaviour.mode = "throw_secret";
    await pipeline.call("double_it", { n: 3 });
    const snap = metrics.snapshot();
    expect(snap).toHaveLength(1);
    expect(snap[0]).toMatchObject({ tool: "double_it", calls: 4, errors: 2 });
    expect(snap[0]!.p50_ms).toEqual(expect.any(Number));
  });

  it("writes one audit line per call with the request id, tool, outcome and argument keys (not values)", async () => {
    const { pipeline, log } = setup();
    await pipeline.call("double_it", { n: 7, label: "secret-label" });
    const audit = log.lines().filter((l) => l.msg === "tool call");
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ tool: "double_it", ok: true, arg_keys: ["n", "label"] });
    expect(audit[0]!.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof audit[0]!.duration_ms).toBe("number");
    expect(log.raw.join("\n")).not.toContain("secret-label");
  });

  it("throws not_found for an unknown tool", async () => {
    const { pipeline } = setup();
    expect(pipeline.has("double_it")).toBe(true);
    expect(pipeline.has("nope")).toBe(false);
    await expect(pipeline.call("nope", {})).rejects.toMatchObject({ code: "not_found" });
  });
});
