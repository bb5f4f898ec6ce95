// `cs-mcp doctor`: checks configuration, database, Redis and integrations, each ok / failing with the
// reason. Exit code 1 when anything is failing (an integration that is simply not configured is not).
import type { Config } from "../config/load.ts";
import type { Logger } from "../observability/logger.ts";
import { DataDirLockedError } from "../db/data-dir.ts";
import { openDatabase } from "../db/database.ts";
import { integrationStatus, type Integration } from "../integrations/status.ts";
import { sharedOpenBreakers } from "../integrations/resilience/breaker-sync.ts";
import { closeRedis, createRedis } from "../state/redis.ts";
import { selectTools } from "../tools/index.ts";
import { describeConnectionError } from "../server/errors.ts";
import { backupStatus } from "../backup/status.ts";
import { printJson, printOut } from "./output.ts";
import { secretSources } from "../config/secret-sources.ts";
import { portfolioSizeCheck } from "../services/health/portfolio-size.ts";

/** Where each secret setting came from (env, flag, file, aws-secrets-manager, unset): never a value. */
function secretsCheck(config: Config): DoctorCheck {
  const origin = Object.entries(secretSources(config)).map(([name, source]) => `${name}=${source}`);
  const aws = config.CS_MCP_SECRETS_AWS_SECRET_ID ? ` (AWS secret ${config.CS_MCP_SECRETS_AWS_SECRET_ID}, refreshed every ${config.CS_MCP_SECRETS_REFRESH_SECONDS} s)` : "";
  return { check: "secrets", status: "ok", detail: `profile ${config.CS_MCP_PROFILE}; ${origin.join(", ")}${aws}` };
}

export interface DoctorCheck {
  check: string;
  status: "ok" | "failing" | "not_configured";
  detail: string;
}

export async function runDoctorChecks(config: Config, logger: Logger, now = new Date()): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  try {
    const tools = selectTools(config);
    checks.push({ check: "config", status: "ok", detail: `${tools.length} tools exposed${config.CS_MCP_READ_ONLY ? " (read-only)" : ""}` });
  } catch (err) {
    checks.push({ check: "config", status: "failing", detail: (err as Error).message });
  }

  try {
    const db = await openDatabase({ ...config, CS_MCP_AUTO_MIGRATE: false }, logger);
    try {
      const [version] = await db.prisma.$queryRawUnsafe<Array<{ v: string }>>("SELECT current_setting('server_version') AS v");
      const status = await db.migrationStatus();
      const where = `${db.kind} ${db.location}, PostgreSQL ${version?.v ?? "?"}`;
      if (status.pending.length || status.failed.length) {
        checks.push({ check: "database", status: "failing", detail: `${where}: ${status.pending.length} pending migration(s); run cs-mcp migrate` });
      } else {
        checks.push({ check: "database", status: "ok", detail: `${where}, ${status.applied.length} migration(s) applied` });
        checks.push(await portfolioSizeCheck(db));
      }
    } finally {
      await db.close();
    }
  } catch (err) {
    if (err instanceof DataDirLockedError) checks.push({ check: "database", status: "ok", detail: `embedded database in use by a running server: ${err.message}` });
    else checks.push({ check: "database", status: "failing", detail: describeConnectionError(err) });
  }

  // Breakers another instance opened are visible through Redis; without it each process has its own.
  let openBreakers: Set<Integration> | null = null;
  if (!config.REDIS_URL) {
    checks.push({ check: "redis", status: "not_configured", detail: "REDIS_URL not set: rate limits and shared state are in memory" });
  } else {
    const redis = createRedis(config, logger);
    try {
      const started = performance.now();
      await Promise.race([
        redis!.ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error("timed out")), 3_000).unref()),
      ]);
      checks.push({ check: "redis", status: "ok", detail: `PING answered in ${Math.round(performance.now() - started)} ms` });
      openBreakers = await sharedOpenBreakers(redis!).catch(() => null);
    } catch (err) {
      checks.push({ check: "redis", status: "failing", detail: describeConnectionError(err) });
    } finally {
      await closeRedis(redis);
    }
  }

  for (const i of integrationStatus(config)) {
    if (i.state !== "configured") {
      checks.push({ check: i.integration, status: "not_configured", detail: `set ${i.missing_variables.join(", ")}` });
      continue;
    }
    const open = openBreakers?.has(i.integration) ?? false;
    const breaker = openBreakers
      ? open
        ? "circuit breaker open (an instance saw repeated failures; calls fail fast until a probe succeeds)"
        : "circuit breaker closed on every instance"
      : "circuit breaker closed (per process; set REDIS_URL to see the breakers of running instances)";
    checks.push({ check: i.integration, status: open ? "failing" : "ok", detail: `credentials configured; ${breaker}` });
  }
  checks.push({ check: "backup", ...(await backupStatus(config, now)) });
  checks.push(secretsCheck(config));
  return checks;
}

export async function doctor(config: Config, logger: Logger, json: boolean): Promise<number> {
  const checks = await runDoctorChecks(config, logger);
  if (json) printJson({ ok: checks.every((c) => c.status !== "failing"), checks });
  else for (const c of checks) printOut(`${c.status.padEnd(15)} ${c.check.padEnd(10)} ${c.detail}`);
  return checks.some((c) => c.status === "failing") ? 1 : 0;
}
