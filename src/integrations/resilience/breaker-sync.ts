// Shares circuit-breaker openings and closings between instances through Redis pub/sub: when one
// instance finds a vendor down, the others stop hammering it too. A key per open breaker (expiring with
// the reset time) lets a process that was not listening (`cs-mcp doctor`) see the shared state.
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { Logger } from "../../observability/logger.ts";
import { INTEGRATIONS, type Integration } from "../status.ts";

export const BREAKER_CHANNEL = "cs-mcp:breaker";
export const breakerKey = (integration: Integration) => `cs-mcp:breaker:open:${integration}`;

export type SharedState = "open" | "closed";

interface Message {
  origin: string;
  integration: Integration;
  state: SharedState;
}

export interface BreakerSync {
  readonly instanceId: string;
  /** Resolves once the subscription is active (messages published after this are received). */
  ready: Promise<void>;
  publish(integration: Integration, state: SharedState, resetMs: number): void;
  close(): Promise<void>;
}

export function startBreakerSync(
  redis: Redis,
  logger: Logger,
  onRemote: (integration: Integration, state: SharedState) => void,
): BreakerSync {
  const instanceId = randomUUID();
  const sub = redis.duplicate();
  sub.on("error", () => {
    /* reported by the main connection's handler; the subscriber reconnects by itself */
  });
  sub.on("message", (channel: string, raw: string) => {
    if (channel !== BREAKER_CHANNEL) return;
    let msg: Message;
    try {
      msg = JSON.parse(raw) as Message;
    } catch {
      return;
    }
    if (msg.origin === instanceId || !INTEGRATIONS.includes(msg.integration) || (msg.state !== "open" && msg.state !== "closed")) return;
    onRemote(msg.integration, msg.state);
  });
  const ready = sub.subscribe(BREAKER_CHANNEL).then(
    () => undefined,
    (err: Error) => logger.warn({ err: { message: err.message } }, "breaker sync: cannot subscribe; breakers stay per instance"),
  );
  return {
    instanceId,
    ready,
    publish(integration, state, resetMs) {
      const msg: Message = { origin: instanceId, integration, state };
      const key = breakerKey(integration);
      const write = state === "open" ? redis.set(key, instanceId, "PX", Math.max(1, resetMs)) : redis.del(key);
      Promise.all([write, redis.publish(BREAKER_CHANNEL, JSON.stringify(msg))]).catch((err: Error) =>
        logger.debug({ err: { message: err.message }, integration, state }, "breaker sync: publish failed"),
      );
    },
    async close() {
      try {
        await Promise.race([sub.quit(), new Promise((r) => setTimeout(r, 500))]);
      } catch {
        /* already closed */
      }
      sub.disconnect();
    },
  };
}

/** The breakers some instance reported open (and whose reset time has not passed), read from Redis. */
export async function sharedOpenBreakers(redis: Redis): Promise<Set<Integration>> {
  const values = await redis.mget(...INTEGRATIONS.map(breakerKey));
  return new Set(INTEGRATIONS.filter((_, i) => values[i] !== null && values[i] !== undefined));
}
