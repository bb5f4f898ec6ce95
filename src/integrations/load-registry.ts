// Loads the vendor operations (`createOperationRegistry` in ./registry.ts, one handler per outbox
// operation) for the dispatcher. Loaded on demand, so a server without the vendor clients built in still
// starts: its queued rows simply wait (nothing is lost) and a warning says why.
import type { Config } from "../config/load.ts";
import type { Logger } from "../observability/logger.ts";
import type { Resilience } from "./resilience/index.ts";
import type { OperationRegistry } from "./types.ts";

type RegistryModule = { createOperationRegistry(config: Config, resilience: Resilience, logger: Logger): OperationRegistry };

export async function loadOperationRegistry(config: Config, resilience: Resilience, logger: Logger): Promise<OperationRegistry> {
  // Same extension as this file: .ts under the test runner, .js once built.
  const spec = `./registry${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`;
  let mod: RegistryModule;
  try {
    mod = (await import(spec)) as RegistryModule;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== "ERR_MODULE_NOT_FOUND" || !String((err as Error).message).includes("registry")) throw err;
    logger.warn("outbox: no vendor operations are available in this build; queued deliveries wait");
    return {};
  }
  return mod.createOperationRegistry(config, resilience, logger);
}
