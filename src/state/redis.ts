// The optional Redis connection (REDIS_URL): shared rate limits and state across instances. Without it
// the server keeps that state in memory, which is right for one process on one machine.
import { createRequire } from "node:module";
import type { Redis } from "ioredis";
import type { Config } from "../config/load.ts";
import type { Logger } from "../observability/logger.ts";

export function createRedis(config: Config, logger: Logger): Redis | null {
  if (!config.REDIS_URL) return null;
  // Loaded only when configured: most embedded installs run without Redis, and ioredis is a tenth of a start-up's module loading.
  const { Redis: RedisClient } = createRequire(import.meta.url)("ioredis") as typeof import("ioredis");
  const redis = new RedisClient(config.REDIS_URL, {
    connectTimeout: 2_000,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    lazyConnect: false,
    // Reconnect with a capped backoff; callers fall back to in-memory state while it is down.
    retryStrategy: (times) => Math.min(times * 200, 5_000),
  });
  let lastError = "";
  redis.on("error", (err: Error) => {
    if (err.message !== lastError) logger.warn({ err: { message: err.message } }, "redis error");
    lastError = err.message;
  });
  redis.on("ready", () => {
    lastError = "";
    logger.debug("redis ready");
  });
  return redis;
}

export async function closeRedis(redis: Redis | null): Promise<void> {
  if (!redis) return;
  try {
    await Promise.race([redis.quit(), new Promise((r) => setTimeout(r, 500))]);
  } catch {
    /* already closed */
  }
  redis.disconnect();
}
