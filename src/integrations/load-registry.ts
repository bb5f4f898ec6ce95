// The vendor operations the dispatcher delivers (`createOperationRegistry`, one handler per outbox
// operation), built for the dispatcher in the server and in `cs-mcp worker`. This module is itself
// loaded on demand (serve and worker import it after start-up), so the vendor packages are not part
// of the path to the first answer.
import type { Config } from "../config/load.ts";
import type { Logger } from "../observability/logger.ts";
import type { Resilience } from "./resilience/index.ts";
import type { OperationRegistry } from "./types.ts";
import { createOperationRegistry } from "./registry.ts";

export async function loadOperationRegistry(config: Config, resilience: Resilience, logger: Logger): Promise<OperationRegistry> {
  return createOperationRegistry(config, resilience, logger);
}
