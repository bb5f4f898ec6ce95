// The services container with every service module loaded: for code that reads services directly (CLI
// commands, tests, benches). The server builds the same container from ./container.ts without this
// import, so that each service's module loads when a tool, resource or completion first needs it.
import { createResilience, type Resilience } from "../integrations/resilience/index.ts";
import { createLogger } from "../observability/logger.ts";
import { createServiceContainer, loadServices, type ContainerDeps, type Services } from "./container.ts";

export type { ServiceKey, Services } from "./container.ts";

await loadServices();

export interface ServiceDeps extends Omit<ContainerDeps, "resilience"> {
  /** The process's resilience wrapper (breaker states in readiness); a private one when not given. */
  resilience?: Resilience;
}

export function createServices(deps: ServiceDeps): Services {
  return createServiceContainer({ ...deps, resilience: deps.resilience ?? createResilience(deps.config, createLogger("silent")) });
}
