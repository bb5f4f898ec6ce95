// The three health checks: liveness (the process answers), readiness (its dependencies answer) and a
// deep check with latencies, pool use, migration state, versions and call metrics.
import type { Redis } from "ioredis";
import type { Config } from "../config/load.ts";
import type { Database } from "../db/database.ts";
import { integrationStatus } from "../integrations/status.ts";
import type { Resilience } from "../integrations/resilience/index.ts";
import { describeConnectionError } from "../server/errors.ts";
import type { Metrics } from "../observability/metrics.ts";
import { SERVER_VERSION } from "../version.ts";

const SDK_VERSION = "1.32.2";

interface Check {
  status: "ok" | "failing" | "not_configured";
  latency_ms: number | null;
  error?: string;
}

async function timed(fn: () => Promise<unknown>, timeoutMs: number): Promise<Check> {
  const started = performance.now();
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref()),
    ]);
    return { status: "ok", latency_ms: Math.round((performance.now() - started) * 100) / 100 };
  } catch (err) {
    return { status: "failing", latency_ms: null, error: describeConnectionError(err) };
  }
}

export class SystemHealthService {
  constructor(
    private readonly db: Database,
    private readonly redis: Redis | null,
    private readonly config: Config,
    private readonly metrics: Metrics,
    private readonly resilience: Resilience | null = null,
  ) {}

  liveness() {
    return {
      status: "ok" as const,
      version: SERVER_VERSION,
      pid: process.pid,
      uptime_seconds: Math.round(process.uptime()),
      checked_at: new Date().toISOString(),
    };
  }

  private checkDatabase(): Promise<Check> {
    return timed(() => this.db.prisma.$queryRawUnsafe("SELECT 1"), 3_000);
  }

  private async checkRedis(): Promise<Check> {
    if (!this.redis) return { status: "not_configured", latency_ms: null };
    const redis = this.redis;
    return timed(async () => {
      if (redis.status !== "ready") throw new Error(redis.status === "connecting" || redis.status === "reconnecting" ? "ECONNREFUSED" : "query failed");
      await redis.ping();
    }, 2_000);
  }

  async readiness() {
    const [database, redis, migrations] = await Promise.all([
      this.checkDatabase(),
      this.checkRedis(),
      this.db.migrationStatus().catch(() => null),
    ]);
    const migrationsOk = migrations !== null && migrations.pending.length === 0 && migrations.failed.length === 0;
    const ready = database.status === "ok" && redis.status !== "failing" && migrationsOk;
    const reasons: string[] = [];
    if (database.status !== "ok") reasons.push(`database: ${database.error}`);
    if (redis.status === "failing") reasons.push(`redis: ${redis.error}`);
    if (!migrationsOk) reasons.push(migrations ? `migrations pending: ${migrations.pending.join(", ") || migrations.failed.join(", ")} (run cs-mcp migrate)` : "migrations: state unknown");
    return {
      status: ready ? ("ready" as const) : ("not_ready" as const),
      reasons,
      checks: {
        database: { ...database, kind: this.db.kind },
        redis,
        migrations: { status: migrationsOk ? ("ok" as const) : ("failing" as const), pending: migrations?.pending ?? [], failed: migrations?.failed ?? [] },
      },
      integrations: integrationStatus(this.config).map((i) => ({ ...i, breaker: this.resilience?.breakerState(i.integration) ?? null })),
      checked_at: new Date().toISOString(),
    };
  }

  async deep() {
    const readiness = await this.readiness();
    const [pgVersion, migrations, counts] = await Promise.all([
      this.db.prisma.$queryRawUnsafe<Array<{ v: string }>>("SELECT current_setting('server_version') AS v").then((r) => r[0]?.v ?? null).catch(() => null),
      this.db.migrationStatus().catch(() => null),
      this.db.prisma
        .$queryRawUnsafe<Array<{ accounts: bigint; outbox_pending: bigint }>>(
          "SELECT (SELECT count(*) FROM accounts) AS accounts, (SELECT count(*) FROM outbox_messages WHERE status IN ('pending','failed')) AS outbox_pending",
        )
        .then((r) => ({ accounts: Number(r[0]?.accounts ?? 0), outbox_pending: Number(r[0]?.outbox_pending ?? 0) }))
        .catch(() => null),
    ]);
    const mem = process.memoryUsage();
    return {
      ...readiness,
      database: {
        kind: this.db.kind,
        location: this.db.location,
        server_version: pgVersion,
        pool: this.db.pool(),
        migrations_applied: migrations?.applied ?? [],
        row_counts: counts,
      },
      versions: { server: SERVER_VERSION, node: process.version, mcp_sdk: SDK_VERSION, postgres: pgVersion },
      process: {
        uptime_seconds: Math.round(process.uptime()),
        rss_mb: Math.round((mem.rss / 1048576) * 10) / 10,
        heap_used_mb: Math.round((mem.heapUsed / 1048576) * 10) / 10,
      },
      tool_metrics: this.metrics.snapshot(),
    };
  }
}
