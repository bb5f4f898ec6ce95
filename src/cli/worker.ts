// `cs-mcp worker`: a separate process that only delivers the outbox (no MCP transport). Run one or more
// next to servers sharing a PostgreSQL database (set OUTBOX_DISPATCH_IN_SERVER=false on the servers if
// only workers should deliver), or alone against an embedded database no server has open.
// Stops cleanly on SIGINT/SIGTERM: deliveries in flight are cancelled and go back to the queue.
import type { Config } from "../config/load.ts";
import type { Logger } from "../observability/logger.ts";
import type { Runtime } from "../app.ts";
import { Metrics } from "../observability/metrics.ts";
import { OutboxDispatcher } from "../integrations/outbox-dispatcher.ts";
import { loadOperationRegistry } from "../integrations/load-registry.ts";

/** Builds the dispatcher over an open runtime (its database and resilience wrapper) and starts it. */
export async function startDispatcher(config: Config, logger: Logger, rt: Runtime): Promise<OutboxDispatcher> {
  const registry = await loadOperationRegistry(config, rt.resilience, logger);
  const dispatcher = new OutboxDispatcher({ prisma: rt.db.prisma, registry, resilience: rt.resilience, logger, config });
  dispatcher.start();
  return dispatcher;
}

export async function worker(config: Config, logger: Logger): Promise<number> {
  const { openRuntime } = await import("../app.ts");
  const rt = await openRuntime(config, logger, new Metrics());
  let dispatcher: OutboxDispatcher | null = null;
  try {
    dispatcher = await startDispatcher(config, logger, rt);
    logger.info({ database: rt.db.kind, redis: Boolean(rt.redis) }, "outbox worker running (SIGINT/SIGTERM stops it)");
    await new Promise<void>((resolve) => {
      process.once("SIGINT", () => resolve());
      process.once("SIGTERM", () => resolve());
    });
  } finally {
    await dispatcher?.stop(2_000);
    await rt.close();
  }
  logger.info("outbox worker stopped");
  return 0;
}
