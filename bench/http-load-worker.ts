// One load-generator process of `npm run bench:http` (forked by bench/http-load.ts with an IPC channel): it
// owns clients [from, to) of a stage, and initializes at most CONNECTING of them at a time. Each is an MCP SDK Client with its own Streamable HTTP transport, all
// over one undici Agent (keep-alive, no cap on connections per origin). It initializes them (a 503 from the
// admission gate is retried after its Retry-After until the connect budget runs out, as a client honouring
// Retry-After would), reports "connected", waits for "go", then runs a closed loop per client until the
// window or its share of the call budget ends, reports its samples and exits. It ends by itself: a hard
// timer bounds its whole life, and it exits when the parent goes away (the IPC channel closes).
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { Agent, fetch as undiciFetch } from "undici";
import { classifyError, pickOp, type ErrorKind, type Sample } from "./http-stats.ts";
import { loadTarget } from "./http-targets.ts";
import { workerLifetimeMs, type ToWorker, type FromWorker, type WorkerPlan } from "./http-load.ts";

// Resolves once the message is written to the IPC pipe: disconnecting before that drops a large report
// still queued (the 1,000-client echo stage's "done" message was lost that way).
const send = (msg: FromWorker) => new Promise<void>((resolve, reject) => void process.send!(msg, undefined, {}, (err) => (err ? reject(err) : resolve())));
/** Initializes in flight at once per load-generator process. */
const CONNECTING = 250;

function firstText(result: Record<string, unknown>): string {
  const first = (result.content as Array<{ type: string; text?: string }> | undefined)?.[0];
  return first?.type === "text" ? (first.text ?? "") : JSON.stringify(result).slice(0, 200);
}

/** Only the first message of each kind per tool travels back: the rest would be the same text thousands of times. */
function keepFirstMessages(samples: Sample[]): Sample[] {
  const seen = new Set<string>();
  return samples.map((s) => {
    if (!s.error || !s.message) return s;
    const key = `${s.op}: ${s.error}`;
    if (seen.has(key)) return { op: s.op, ms: s.ms, error: s.error };
    seen.add(key);
    return s;
  });
}

async function run(w: WorkerPlan, go: Promise<void>): Promise<void> {
  const { plan } = w;
  const target = loadTarget(w.spec);
  const agent = new Agent({ connections: null, keepAliveTimeout: 60_000, headersTimeout: plan.timeoutMs, bodyTimeout: plan.timeoutMs, connect: { timeout: plan.timeoutMs } });
  const fetch = ((url: string | URL, init?: RequestInit) => undiciFetch(url, { ...(init as object), dispatcher: agent })) as unknown as FetchLike;
  const cpu0 = process.cpuUsage();
  let peakRss = process.memoryUsage().rss;
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 250);

  const clients = new Map<number, Client>();
  const connectMs: number[] = [];
  const errors: Partial<Record<ErrorKind, number>> = {};
  let retries = 0;
  const connectDeadline = performance.now() + plan.connectBudgetMs;
  // Clients still connecting after the budget and one more request timeout count as timeouts (a CPU-starved
  // machine can hold a connect longer than any one timer says); one that connects later is closed.
  let connectOver = false;
  // At most CONNECTING initializes in flight per process: 10,000 connects at once overflow the servers'
  // accept queues (SYN cookies, ListenOverflows) and time out together; people do not all arrive in one instant.
  let slots = CONNECTING;
  const queue: Array<() => void> = [];
  const acquire = () => (slots > 0 ? (slots--, Promise.resolve()) : new Promise<void>((resolve) => queue.push(resolve)));
  const release = () => (queue.length ? queue.shift()!() : slots++);
  const connecting = Promise.all(
    Array.from({ length: w.to - w.from }, async (_, j) => {
      const i = w.from + j;
      const token = target.token?.(i);
      await acquire();
      try {
        if (connectOver) return;
        await connectOne(i, token);
      } finally {
        release();
      }
    }),
  );
  async function connectOne(i: number, token: string | undefined): Promise<void> {
      const t = performance.now();
      for (;;) {
        const transport = new StreamableHTTPClientTransport(new URL(w.urls[i % w.urls.length]!), {
          fetch,
          ...(token ? { requestInit: { headers: { Authorization: `Bearer ${token}` } } } : {}),
        });
        const client = new Client({ name: "cs-mcp-bench-http", version: "1.0.0" });
        try {
          await client.connect(transport, { timeout: plan.timeoutMs });
          if (connectOver) {
            await client.close().catch(() => {});
            return;
          }
          connectMs.push(performance.now() - t);
          clients.set(i, client);
          return;
        } catch (err) {
          await transport.close().catch(() => {});
          // 503 = the admission gate's "busy, Retry-After: 1": come back, within the connect budget.
          if ((err as { code?: unknown }).code === 503 && performance.now() + 1_000 < connectDeadline) {
            retries++;
            await sleep(1_000 + Math.random() * 1_000);
            continue;
          }
          if (connectOver) return;
          const kind = classifyError(err);
          errors[kind] = (errors[kind] ?? 0) + 1;
          return;
        }
      }
  }
  await Promise.race([connecting, sleep(plan.connectBudgetMs + plan.timeoutMs, undefined, { ref: false })]);
  connectOver = true;
  const late = w.to - w.from - connectMs.length - Object.values(errors).reduce((a, b) => a + (b ?? 0), 0);
  if (late > 0) errors.timeout = (errors.timeout ?? 0) + late;
  await send({ type: "connected", connect_ms: connectMs, errors, retries_503: retries });
  await go;

  const samples: Sample[] = [];
  let issued = 0;
  const w0 = performance.now();
  const deadline = w0 + plan.durationMs;
  await Promise.all(
    [...clients].map(async ([i, client]) => {
      for (let k = 0; performance.now() < deadline && issued < w.maxCalls; k++) {
        issued++;
        const op = pickOp(target.mix, i, k);
        const t = performance.now();
        try {
          const result = await client.callTool({ name: op, arguments: target.args(op, i, k) }, undefined, { timeout: plan.timeoutMs });
          const ms = performance.now() - t;
          samples.push(result.isError ? { op, ms, error: "tool_error", message: firstText(result) } : { op, ms });
        } catch (err) {
          samples.push({ op, ms: performance.now() - t, error: classifyError(err), message: String((err as Error)?.message ?? err) });
        }
      }
    }),
  );
  const windowS = (performance.now() - w0) / 1000;
  clearInterval(rssTimer);
  const cpu = process.cpuUsage(cpu0);
  await send({ type: "done", samples: keepFirstMessages(samples), window_s: windowS, cpu_s: (cpu.user + cpu.system) / 1e6, peak_rss_mb: peakRss / 1024 / 1024 });
  await Promise.all([...clients.values()].map((c) => c.close().catch(() => {})));
  await agent.close().catch(() => {});
}

let letGo!: () => void;
const go = new Promise<void>((resolve) => (letGo = resolve));
process.on("disconnect", () => process.exit(2));
process.on("message", (msg: ToWorker) => {
  if (msg.type === "go") return letGo();
  setTimeout(() => process.exit(3), workerLifetimeMs(msg.plan)).unref();
  run(msg, go).then(
    () => process.disconnect(),
    (err: unknown) => {
      process.stderr.write(`[bench:http worker] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
});
