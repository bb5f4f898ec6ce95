// `cs-mcp doctor`: checks configuration, database, migrations, Redis, the encryption key of stored
// credentials, each vendor (a harmless call with its credentials, as setup makes), backups and where each
// secret came from, each ok / failing with the reason and never a value. Exit code 1 when anything is
// failing (an integration that is simply not configured is not).
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
import type { Prisma } from "../db/database.ts";
import { createKeyring } from "../security/encryption.ts";
import { applyStoredCredentials, listStoredCredentials } from "../security/credential-store.ts";
import { checkIntercom, checkSendGrid, checkZendesk } from "../setup/checks.ts";
import { portfolioSizeCheck } from "../services/health/portfolio-size.ts";

/** Where each secret setting came from (env, flag, file, aws-secrets-manager, unset): never a value. */
function secretsCheck(config: Config): DoctorCheck {
  const origin = Object.entries(secretSources(config)).map(([name, source]) => `${name}=${source}`);
  const aws = config.CS_MCP_SECRETS_AWS_SECRET_ID ? ` (AWS secret ${config.CS_MCP_SECRETS_AWS_SECRET_ID}, refreshed every ${config.CS_MCP_SECRETS_REFRESH_SECONDS} s)` : "";
  return { check: "secrets", status: "ok", detail: `profile ${config.CS_MCP_PROFILE}; ${origin.join(", ")}${aws}` };
}

const VENDOR_SECRETS: Record<Integration, string[]> = {
  zendesk: ["ZENDESK_API_TOKEN"],
  intercom: ["INTERCOM_ACCESS_TOKEN"],
  mixpanel: ["MIXPANEL_PROJECT_TOKEN", "MIXPANEL_API_SECRET"],
  sendgrid: ["SENDGRID_API_KEY"],
};

/** The harmless call setup makes for this vendor (ok null: Mixpanel, which has none for a project token). */
async function vendorProbe(integration: Integration, config: Config): Promise<{ ok: boolean | null; detail: string }> {
  switch (integration) {
    case "zendesk":
      return checkZendesk(config);
    case "intercom":
      return checkIntercom(config.INTERCOM_ACCESS_TOKEN!, config.INTERCOM_BASE_URL);
    case "sendgrid":
      return checkSendGrid(config.SENDGRID_API_KEY!, config.SENDGRID_FROM_EMAIL!, config.SENDGRID_BASE_URL);
    case "mixpanel":
      return { ok: null, detail: "credentials configured, not tested (Mixpanel has no harmless call for a project token)" };
  }
}

/** Without a reachable database only the key itself can be judged. */
function encryptionCheckWithoutDatabase(config: Config): DoctorCheck {
  return config.CS_MCP_ENCRYPTION_KEY
    ? { check: "encryption", status: "ok", detail: `CS_MCP_ENCRYPTION_KEY set (key ${createKeyring(config.CS_MCP_ENCRYPTION_KEY).currentId}); stored credentials not checked (database unavailable)` }
    : { check: "encryption", status: "not_configured", detail: "CS_MCP_ENCRYPTION_KEY not set; stored credentials not checked (database unavailable)" };
}

/**
 * The key of the credentials stored in the database: each must open with CS_MCP_ENCRYPTION_KEY (or the
 * previous key during a rotation). Those that open fill the settings nothing else set, as serve does.
 */
async function encryptionCheck(config: Config, prisma: Prisma): Promise<DoctorCheck> {
  const rows = await listStoredCredentials(prisma);
  const key = config.CS_MCP_ENCRYPTION_KEY ? createKeyring(config.CS_MCP_ENCRYPTION_KEY, config.CS_MCP_ENCRYPTION_KEY_PREVIOUS) : null;
  if (!rows.length) {
    return key
      ? { check: "encryption", status: "ok", detail: `CS_MCP_ENCRYPTION_KEY set (key ${key.currentId}); no credentials stored in the database` }
      : { check: "encryption", status: "not_configured", detail: "no credentials stored in the database (cs-mcp setup --credentials database stores them under CS_MCP_ENCRYPTION_KEY)" };
  }
  try {
    await applyStoredCredentials(config, prisma);
  } catch (err) {
    return { check: "encryption", status: "failing", detail: `${rows.length} stored credential(s) cannot be read: ${(err as Error).message}` };
  }
  const stale = rows.filter((r) => r.key_id !== key!.currentId).length;
  return {
    check: "encryption",
    status: "ok",
    detail: `${rows.length} stored credential(s) open with key ${key!.currentId}${stale ? ` (${stale} still under the previous key: run cs-mcp secrets rotate-key)` : ""}`,
  };
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

  let stored: DoctorCheck = encryptionCheckWithoutDatabase(config);
  try {
    const db = await openDatabase({ ...config, CS_MCP_AUTO_MIGRATE: false }, logger);
    try {
      const [version] = await db.prisma.$queryRawUnsafe<Array<{ v: string }>>("SELECT current_setting('server_version') AS v");
      checks.push({ check: "database", status: "ok", detail: `${db.kind} ${db.location}, PostgreSQL ${version?.v ?? "?"}` });
      const status = await db.migrationStatus();
      if (status.pending.length || status.failed.length) {
        checks.push({ check: "migrations", status: "failing", detail: `${status.pending.length} pending migration(s)${status.failed.length ? `, ${status.failed.length} failed` : ""}; run cs-mcp migrate` });
      } else {
        checks.push({ check: "migrations", status: "ok", detail: `${status.applied.length} applied, none pending` });
        checks.push(await portfolioSizeCheck(db));
        stored = await encryptionCheck(config, db.prisma);
      }
    } finally {
      await db.close();
    }
  } catch (err) {
    if (err instanceof DataDirLockedError) {
      checks.push({ check: "database", status: "ok", detail: `embedded database in use by a running server: ${err.message}` });
      checks.push({ check: "migrations", status: "ok", detail: "applied by the running server when it opened the embedded database" });
    } else {
      checks.push({ check: "database", status: "failing", detail: describeConnectionError(err) });
      checks.push({ check: "migrations", status: "failing", detail: "not checked: no database connection" });
    }
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

  checks.push(stored);
  const sources = secretSources(config);
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
    const probe = await vendorProbe(i.integration, config);
    const from = VENDOR_SECRETS[i.integration].filter((n) => sources[n] !== "unset").map((n) => `${n} from ${sources[n]}`).join(", ");
    checks.push({ check: i.integration, status: open || probe.ok === false ? "failing" : "ok", detail: `${probe.detail}; ${from}; ${breaker}` });
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
