// Builds the running application from a validated configuration: database, optional Redis, services,
// the filtered tool list and the call pipeline. Shared by `serve`, `call` and the tests.
import type { Redis } from "ioredis";
import type { Config } from "./config/load.ts";
import { openDatabase, type Database } from "./db/database.ts";
import type { Logger } from "./observability/logger.ts";
import { Metrics } from "./observability/metrics.ts";
import { createServices, type Services } from "./services/index.ts";
import { closeRedis, createRedis } from "./state/redis.ts";
import { ToolPipeline } from "./server/pipeline.ts";
import { createRateLimiter } from "./server/rate-limit.ts";
import { selectTools } from "./tools/index.ts";

export interface App {
  config: Config;
  logger: Logger;
  db: Database;
  redis: Redis | null;
  services: Services;
  pipeline: ToolPipeline;
  metrics: Metrics;
  close(): Promise<void>;
}

export async function createApp(config: Config, logger: Logger, options: { now?: () => Date } = {}): Promise<App> {
  const tools = selectTools(config); // refuses unknown toolsets/tools before anything is opened
  const db = await openDatabase(config, logger, { migrate: config.CS_MCP_AUTO_MIGRATE });
  const redis = createRedis(config, logger);
  const metrics = new Metrics();
  const services = createServices({ db, redis, config, metrics, ...(options.now ? { now: options.now } : {}) });
  const pipeline = new ToolPipeline(tools, {
    services,
    logger,
    metrics,
    limiter: createRateLimiter(config.CS_MCP_RATE_LIMIT_PER_MINUTE, redis),
    timeoutMs: config.CS_MCP_TOOL_TIMEOUT_MS,
  });
  let closing: Promise<void> | null = null;
  return {
    config,
    logger,
    db,
    redis,
    services,
    pipeline,
    metrics,
    close() {
      closing ??= (async () => {
        await closeRedis(redis);
        await db.close();
      })();
      return closing;
    },
  };
}
