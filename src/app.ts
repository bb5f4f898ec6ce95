// Builds the running application from a validated configuration: database, optional Redis, services,
// the filtered tool list and the call pipeline. `openRuntime` is the part that touches the outside
// (database, Redis); `createApp` wires everything eagerly for `call` and the tests, while `serve`
// connects the transport first and opens the runtime behind it.
import type { Redis } from "ioredis";
import type { Config } from "./config/load.ts";
import { openDatabase, type Database } from "./db/database.ts";
import type { Logger } from "./observability/logger.ts";
import { Metrics } from "./observability/metrics.ts";
import { createServiceContainer, type Services } from "./services/container.ts";
import { closeRedis, createRedis } from "./state/redis.ts";
import { ToolPipeline } from "./server/pipeline.ts";
import { createRateLimiter, type RateLimiter } from "./server/rate-limit.ts";
import { selectTools } from "./tools/index.ts";
import { createResilience, type Resilience } from "./integrations/resilience/index.ts";
import { applyStoredCredentials } from "./security/credential-store.ts";

export interface Runtime {
  db: Database;
  redis: Redis | null;
  services: Services;
  limiter: RateLimiter;
  /** Timeouts, retries and a circuit breaker per vendor; breakers shared through Redis when configured. */
  resilience: Resilience;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  now?: () => Date;
  /** A database already being opened (cli.ts starts it for serve); opened here otherwise. */
  database?: Promise<Database>;
}

export async function openRuntime(config: Config, logger: Logger, metrics: Metrics, options: RuntimeOptions = {}): Promise<Runtime> {
  const db = await (options.database ?? openDatabase(config, logger, { migrate: config.CS_MCP_AUTO_MIGRATE }));
  await useStoredCredentials(config, db, logger);
  const redis = createRedis(config, logger);
  const resilience = createResilience(config, logger, redis);
  // Each service is imported and built when a tool, resource or completion first reads it.
  const services = createServiceContainer({ db, redis, config, metrics, resilience, ...(options.now ? { now: options.now } : {}) });
  let closing: Promise<void> | null = null;
  return {
    db,
    redis,
    services,
    resilience,
    limiter: createRateLimiter(config.CS_MCP_RATE_LIMIT_PER_MINUTE, redis),
    close() {
      closing ??= (async () => {
        await resilience.close();
        await closeRedis(redis);
        await db.close();
      })();
      return closing;
    },
  };
}

/**
 * Vendor credentials stored in the database fill the secret settings nothing else set. One that cannot be
 * opened (no key, a wrong key) leaves its vendor unconfigured and is logged without its value; doctor
 * shows the reason.
 */
async function useStoredCredentials(config: Config, db: Database, logger: Logger): Promise<void> {
  try {
    const filled = await applyStoredCredentials(config, db.prisma);
    if (filled.length) logger.info({ credentials: filled }, "vendor credentials read from the database");
  } catch (err) {
    logger.warn({ err: (err as Error).message }, "stored vendor credentials not used; run cs-mcp doctor");
  }
}

export interface App extends Runtime {
  config: Config;
  logger: Logger;
  pipeline: ToolPipeline;
  metrics: Metrics;
}

export async function createApp(config: Config, logger: Logger, options: { now?: () => Date } = {}): Promise<App> {
  const tools = selectTools(config); // refuses unknown toolsets/tools before anything is opened
  const metrics = new Metrics();
  const runtime = await openRuntime(config, logger, metrics, options);
  const pipeline = new ToolPipeline(tools, {
    services: runtime.services,
    logger,
    metrics,
    limiter: runtime.limiter,
    timeoutMs: config.CS_MCP_TOOL_TIMEOUT_MS,
    readOnly: config.CS_MCP_READ_ONLY,
  });
  return { ...runtime, config, logger, pipeline, metrics };
}
