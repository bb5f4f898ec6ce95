// Every tool definition, loaded at once: what the catalog generator, the tool reference (docs/tools.md),
// the tests and the benches read. The server itself never imports this module: it lists tools from the
// build-time catalog (./catalog.generated.ts) and imports a tool's module on its first call.
import type { AnyTool } from "../server/define-tool.ts";
import { coreTools } from "./core/index.ts";
import { healthTools } from "./health/index.ts";
import { systemTools } from "./system/index.ts";
import { retentionTools } from "./retention/index.ts";
import { onboardingTools } from "./onboarding/index.ts";
import { feedbackTools } from "./feedback/index.ts";
import { expansionTools } from "./expansion/index.ts";
import { communicationTools } from "./communication/index.ts";
import { communicationProgramTools } from "./communication/programs.ts";
import { supportTools } from "./support/index.ts";

export const ALL_TOOLS: readonly AnyTool[] = [...coreTools, ...healthTools, ...onboardingTools, ...retentionTools, ...expansionTools, ...communicationTools, ...communicationProgramTools, ...supportTools, ...feedbackTools, ...systemTools];
