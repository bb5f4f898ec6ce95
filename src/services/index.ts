// The services container: built once per process from its dependencies, handed to every tool handler.
import type { Redis } from "ioredis";
import type { Config } from "../config/load.ts";
import type { Database } from "../db/database.ts";
import type { Metrics } from "../observability/metrics.ts";
import { ClientService } from "./clients.ts";
import { SystemHealthService } from "./system-health.ts";

export interface ServiceDeps {
  db: Database;
  redis: Redis | null;
  config: Config;
  metrics: Metrics;
  now?: () => Date;
}

export interface Services {
  config: Config;
  clients: ClientService;
  health: SystemHealthService;
}

export function createServices(deps: ServiceDeps): Services {
  const bands = {
    atRiskBelow: deps.config.HEALTH_AT_RISK_BELOW,
    healthyFrom: deps.config.HEALTH_HEALTHY_FROM,
    championFrom: deps.config.HEALTH_CHAMPION_FROM,
  };
  return {
    config: deps.config,
    clients: new ClientService(deps.db.prisma, bands, deps.now),
    health: new SystemHealthService(deps.db, deps.redis, deps.config, deps.metrics),
  };
}
