// The Prometheus registry of the HTTP mode (/metrics). Names are agreed with the alert rules and
// dashboards (HELPERS: "Metrics names"); gauges that describe stored state (outbox, readiness, backup)
// are read when Prometheus scrapes, so they are never stale and cost nothing between scrapes.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { CallOutcome, Metrics } from "./metrics.ts";

export interface ScrapeSources {
  outbox(): Promise<{ pending: number; oldestAgeSeconds: number; dead: number }>;
  breakers(): Record<string, "closed" | "open" | "half_open">;
  pool(): { total: number; idle: number; max: number } | null;
  ready(): Promise<boolean>;
  /** Time of the newest good backup (null when none is known) and whether the last recorded run failed. */
  backup(): Promise<{ lastSuccess: Date | null; lastRunFailed: boolean }>;
}

const BREAKER_VALUE = { closed: 0, half_open: 0.5, open: 1 } as const;
const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class PromMetrics {
  readonly registry = new Registry();
  private readonly toolCalls = new Counter({ name: "cs_mcp_tool_calls_total", help: "Tool calls by tool and outcome", labelNames: ["tool", "outcome"], registers: [this.registry] });
  private readonly toolDuration = new Histogram({ name: "cs_mcp_tool_call_duration_seconds", help: "Tool call duration", labelNames: ["tool"], buckets: SECONDS_BUCKETS, registers: [this.registry] });
  private readonly rateLimited = new Counter({ name: "cs_mcp_rate_limited_total", help: "Tool calls refused by the rate limit", registers: [this.registry] });
  private readonly httpRequests = new Counter({ name: "cs_mcp_http_requests_total", help: "HTTP requests by status", labelNames: ["status"], registers: [this.registry] });
  private readonly httpDuration = new Histogram({ name: "cs_mcp_http_request_duration_seconds", help: "HTTP request duration", buckets: SECONDS_BUCKETS, registers: [this.registry] });

  constructor(sources: ScrapeSources) {
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    // One outbox query per scrape feeds its three gauges.
    let outbox: Promise<{ pending: number; oldestAgeSeconds: number; dead: number }> | null = null;
    const readOutbox = () => (outbox ??= sources.outbox().finally(() => setTimeout(() => (outbox = null), 0)));
    new Gauge({ name: "cs_mcp_outbox_pending", help: "Outbox deliveries pending or in flight", registers, async collect() { this.set((await readOutbox()).pending); } });
    new Gauge({ name: "cs_mcp_outbox_oldest_age_seconds", help: "Age of the oldest pending outbox delivery (0 when none)", registers, async collect() { this.set((await readOutbox()).oldestAgeSeconds); } });
    new Gauge({ name: "cs_mcp_outbox_dead", help: "Outbox deliveries that need a person: failed after their attempts, or of unknown outcome", registers, async collect() { this.set((await readOutbox()).dead); } });
    new Gauge({
      name: "cs_mcp_breaker_open", help: "Circuit breaker per vendor: 1 open, 0.5 half-open, 0 closed", labelNames: ["vendor"], registers,
      collect() { for (const [vendor, state] of Object.entries(sources.breakers())) this.set({ vendor }, BREAKER_VALUE[state]); },
    });
    new Gauge({ name: "cs_mcp_db_pool_in_use", help: "PostgreSQL connections in use (0 on the embedded database)", registers, collect() { const p = sources.pool(); this.set(p ? p.total - p.idle : 0); } });
    new Gauge({ name: "cs_mcp_db_pool_size", help: "PostgreSQL pool size (0 on the embedded database)", registers, collect() { this.set(sources.pool()?.max ?? 0); } });
    new Gauge({ name: "cs_mcp_ready", help: "1 when /readyz answers 200", registers, async collect() { this.set((await sources.ready()) ? 1 : 0); } });
    // One read of the backup target per scrape feeds both backup gauges.
    let backup: ReturnType<ScrapeSources["backup"]> | null = null;
    const readBackup = () => (backup ??= sources.backup().finally(() => setTimeout(() => (backup = null), 0)));
    new Gauge({
      name: "cs_mcp_backup_last_success_timestamp_seconds", help: "Unix time of the newest good backup (0 when none)", registers,
      async collect() { const at = (await readBackup()).lastSuccess; this.set(at ? at.getTime() / 1000 : 0); },
    });
    new Gauge({
      name: "cs_mcp_backup_last_run_failed", help: "1 when the last recorded backup run failed (or the backup target cannot be read), else 0", registers,
      async collect() { this.set((await readBackup()).lastRunFailed ? 1 : 0); },
    });
  }

  /** Feeds tool-call figures from the pipeline's in-process Metrics (which health_check_deep reads). */
  observe(metrics: Metrics): void {
    metrics.observer = (tool: string, durationMs: number, outcome: CallOutcome) => {
      this.toolCalls.inc({ tool, outcome });
      this.toolDuration.observe({ tool }, durationMs / 1000);
      if (outcome === "rate_limited") this.rateLimited.inc();
    };
  }

  httpRequest(status: number, seconds: number): void {
    this.httpRequests.inc({ status: String(status) });
    this.httpDuration.observe(seconds);
  }
}
