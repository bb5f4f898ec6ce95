// Tool-call rate limiting through rate-limiter-flexible: in Redis when REDIS_URL is set (shared by every
// instance, with an in-memory insurance limiter while Redis is unreachable), in memory otherwise.
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { Redis } from "ioredis";
import { ToolError } from "./errors.ts";

export interface RateLimiter {
  consume(key: string): Promise<void>;
}

export function createRateLimiter(perMinute: number, redis: Redis | null): RateLimiter {
  if (perMinute <= 0) return { consume: async () => {} };
  const options = { points: perMinute, duration: 60, keyPrefix: "cs-mcp:rl" };
  const memory = new RateLimiterMemory(options);
  const limiter: RateLimiterAbstract = redis
    ? new RateLimiterRedis({ ...options, storeClient: redis, insuranceLimiter: new RateLimiterMemory(options) })
    : memory;
  return {
    async consume(key) {
      try {
        await limiter.consume(key);
      } catch (res) {
        if (res instanceof RateLimiterRes) {
          const seconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
          throw new ToolError(
            "rate_limited",
            `rate limit of ${perMinute} tool calls per minute reached`,
            `wait ${seconds} s before the next call`,
            { retry_after_seconds: seconds },
          );
        }
        throw res;
      }
    },
  };
}
