// The tool registry: a plain list of definitions, filtered by --toolsets, --read-only and --exclude-tools.
// Read-only mode is derived from each tool's readOnlyHint, never from a second list.
import { ConfigError } from "../config/load.ts";
import type { Config } from "../config/load.ts";
import { TOOLSETS, type AnyTool } from "../server/define-tool.ts";
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

export function selectTools(config: Pick<Config, "CS_MCP_TOOLSETS" | "CS_MCP_EXCLUDE_TOOLS" | "CS_MCP_READ_ONLY">, all: readonly AnyTool[] = ALL_TOOLS): AnyTool[] {
  const problems: string[] = [];
  const unknownSets = config.CS_MCP_TOOLSETS.filter((t) => !(TOOLSETS as readonly string[]).includes(t));
  if (unknownSets.length) problems.push(`CS_MCP_TOOLSETS (--toolsets): unknown toolset ${unknownSets.map((s) => `'${s}'`).join(", ")}; known: ${TOOLSETS.join(", ")}`);
  const names = new Set(all.map((t) => t.name));
  const unknownTools = config.CS_MCP_EXCLUDE_TOOLS.filter((t) => !names.has(t));
  if (unknownTools.length) problems.push(`CS_MCP_EXCLUDE_TOOLS (--exclude-tools): unknown tool ${unknownTools.map((s) => `'${s}'`).join(", ")}`);
  if (problems.length) throw new ConfigError(problems);

  const sets = new Set(config.CS_MCP_TOOLSETS);
  const excluded = new Set(config.CS_MCP_EXCLUDE_TOOLS);
  return all.filter(
    (t) => (sets.size === 0 || sets.has(t.toolset)) && !excluded.has(t.name) && (!config.CS_MCP_READ_ONLY || t.annotations.readOnlyHint),
  );
}
