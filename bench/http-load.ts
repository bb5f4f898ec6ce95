// The load of `npm run bench:http`: N virtual clients, each an MCP SDK Client with its own Streamable
// HTTP transport, all over one shared undici Agent (keep-alive, no cap on connections per origin). A
// client initializes (as an agent connecting by URL does), then calls tools back to back — a closed loop
// without think time, so N clients keep up to N requests in flight — until the stage's time or call
// budget runs out. Client i talks to urls[i % urls.length]: with two instances, the clients are split
// evenly between them (as a balancer that spreads connections does).
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import { performance } from "node:perf_hooks";
import { Agent, fetch as undiciFetch } from "undici";
import { classifyError, latencyOf, pickOp, summarizeStage, type ErrorKind, type LatencySummary, type MixEntry, type Sample, type StageSummary } from "./http-stats.ts";

export interface StagePlan {
  clients: number;
  /** The measured window: calls start when every client has connected, and no call starts after it. */
  durationMs: number;
  /** No more calls than this in the stage (across clients). */
  maxCalls: number;
  /** Per request (initialize and each call): beyond it the call counts as a timeout. */
  timeoutMs: number;
}

export interface LoadTarget {
  urls: string[];
  mix: readonly MixEntry[];
  /** Arguments of one call of `op` by client i. */
  args(op: string, client: number, k: number): Record<string, unknown>;
  /** The bearer credential of client i (none for the echo baseline). */
  token?(client: number): string;
}

export interface StageRun {
  connect: { ok: number; failed: number; errors: Partial<Record<ErrorKind, number>>; wall_s: number; latency: LatencySummary | null };
  /** From the first call to the last answer (calls in flight when the window closes are waited for). */
  window_s: number;
  summary: StageSummary;
  /** The bench process itself (the load generator shares the machine with the servers). */
  load_generator: { cpu_s: number; peak_rss_mb: number };
}

function firstText(result: Record<string, unknown>): string {
  const first = (result.content as Array<{ type: string; text?: string }> | undefined)?.[0];
  return first?.type === "text" ? (first.text ?? "") : JSON.stringify(result).slice(0, 200);
}

/** onWindowStart runs when every client has connected, just before the first call (to read the servers' CPU time). */
export async function runStage(target: LoadTarget, plan: StagePlan, onWindowStart: () => void = () => {}): Promise<StageRun> {
  const agent = new Agent({ connections: null, keepAliveTimeout: 60_000, headersTimeout: plan.timeoutMs, bodyTimeout: plan.timeoutMs, connect: { timeout: plan.timeoutMs } });
  const fetch = ((url: string | URL, init?: RequestInit) => undiciFetch(url, { ...(init as object), dispatcher: agent })) as unknown as FetchLike;
  const cpu0 = process.cpuUsage();
  let peakRss = process.memoryUsage().rss;
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 250);

  const clients: Array<Client | null> = [];
  const connectMs: number[] = [];
  const connectErrors: Partial<Record<ErrorKind, number>> = {};
  const c0 = performance.now();
  await Promise.all(
    Array.from({ length: plan.clients }, async (_, i) => {
      const token = target.token?.(i);
      const transport = new StreamableHTTPClientTransport(new URL(target.urls[i % target.urls.length]!), {
        fetch,
        ...(token ? { requestInit: { headers: { Authorization: `Bearer ${token}` } } } : {}),
      });
      const client = new Client({ name: "cs-mcp-bench-http", version: "1.0.0" });
      const t = performance.now();
      try {
        await client.connect(transport, { timeout: plan.timeoutMs });
        connectMs.push(performance.now() - t);
        clients[i] = client;
      } catch (err) {
        const kind = classifyError(err);
        connectErrors[kind] = (connectErrors[kind] ?? 0) + 1;
        clients[i] = null;
        await transport.close().catch(() => {});
      }
    }),
  );
  const connectWall = (performance.now() - c0) / 1000;

  const samples: Sample[] = [];
  let issued = 0;
  onWindowStart();
  const w0 = performance.now();
  const deadline = w0 + plan.durationMs;
  await Promise.all(
    clients.map(async (client, i) => {
      if (!client) return;
      for (let k = 0; performance.now() < deadline && issued < plan.maxCalls; k++) {
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
  await Promise.all(clients.map((c) => c?.close().catch(() => {})));
  await agent.close().catch(() => {});
  const failed = Object.values(connectErrors).reduce((a, b) => a + b, 0);
  return {
    connect: { ok: connectMs.length, failed, errors: connectErrors, wall_s: Math.round(connectWall * 10) / 10, latency: latencyOf(connectMs) },
    window_s: Math.round(windowS * 10) / 10,
    summary: summarizeStage(samples, windowS),
    load_generator: { cpu_s: Math.round(((cpu.user + cpu.system) / 1e6) * 10) / 10, peak_rss_mb: Math.round(peakRss / 1024 / 1024) },
  };
}
