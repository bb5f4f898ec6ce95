// The tool registry: the build-time catalog (every tool's listing, no module loaded), filtered by
// --toolsets, --read-only and --exclude-tools. Read-only mode is derived from each tool's readOnlyHint (and
// readOnlyCompute: tools that then compute without storing), never from a second list. `toolSurface` adds
// what a session lists at first. A tool's module is imported on its first call (src/server/tool-loader.ts).
import { ConfigError } from "../config/load.ts";
import type { Config } from "../config/load.ts";
import { TOOLSETS, type ToolRef } from "../server/define-tool.ts";
import { TOOL_CATALOG } from "./catalog.generated.ts";
import { DEFAULT_TOOLS } from "./default-surface.ts";

export { TOOL_CATALOG };

/** CS_MCP_TOOLSETS=all (--toolsets all): every toolset, listed statically. */
export const ALL_TOOLSETS = "all";

type Selection = Pick<Config, "CS_MCP_TOOLSETS" | "CS_MCP_EXCLUDE_TOOLS" | "CS_MCP_READ_ONLY">;

/** The tools the configuration allows: callable (directly or through call_tool), listed or not. */
export function selectTools(config: Selection, all: readonly ToolRef[] = TOOL_CATALOG): ToolRef[] {
  const problems: string[] = [];
  const unknownSets = config.CS_MCP_TOOLSETS.filter((t) => t !== ALL_TOOLSETS && !(TOOLSETS as readonly string[]).includes(t));
  if (unknownSets.length) problems.push(`CS_MCP_TOOLSETS (--toolsets): unknown toolset ${unknownSets.map((s) => `'${s}'`).join(", ")}; known: ${ALL_TOOLSETS}, ${TOOLSETS.join(", ")}`);
  const names = new Set(all.map((t) => t.name));
  const unknownTools = config.CS_MCP_EXCLUDE_TOOLS.filter((t) => !names.has(t));
  if (unknownTools.length) problems.push(`CS_MCP_EXCLUDE_TOOLS (--exclude-tools): unknown tool ${unknownTools.map((s) => `'${s}'`).join(", ")}`);
  if (problems.length) throw new ConfigError(problems);
  return all.filter((t) => refusal(config, t, all) === null);
}

/** Why the configuration does not allow this tool (a sentence), or null when it does. */
export function refusal(config: Selection, tool: ToolRef, all: readonly ToolRef[] = TOOL_CATALOG): string | null {
  if (!all.includes(tool)) return "not a tool of this server";
  const sets = config.CS_MCP_TOOLSETS;
  if (sets.length > 0 && !sets.includes(ALL_TOOLSETS) && !sets.includes(tool.toolset)) return `its toolset '${tool.toolset}' is not in CS_MCP_TOOLSETS`;
  if (config.CS_MCP_EXCLUDE_TOOLS.includes(tool.name)) return "hidden by CS_MCP_EXCLUDE_TOOLS";
  if (config.CS_MCP_READ_ONLY && !tool.annotations.readOnlyHint && !tool.readOnlyCompute) return "it writes data and the server is read-only";
  return null;
}

export interface ToolSurface {
  /** Every tool the configuration allows: the pipeline's list. */
  allowed: readonly ToolRef[];
  /** The names a new session lists. */
  initial: ReadonlySet<string>;
  /** Default mode: the session also lists discover_tools, enable_toolsets and call_tool. */
  discovery: boolean;
  readOnly: boolean;
  /** The refusal of a name the configuration does not allow, the same for tools/call and call_tool. */
  refuse(name: string): string;
}

/**
 * Default (CS_MCP_TOOLSETS empty): every tool allowed, DEFAULT_TOOLS listed, plus discovery. Named
 * toolsets or `all`: exactly those tools allowed and listed, no discovery tools (nothing else to find).
 */
export function toolSurface(config: Selection, all: readonly ToolRef[] = TOOL_CATALOG): ToolSurface {
  const allowed = selectTools(config, all);
  const discovery = config.CS_MCP_TOOLSETS.length === 0;
  const defaults = new Set<string>(DEFAULT_TOOLS);
  const initial = new Set(allowed.filter((t) => !discovery || defaults.has(t.name)).map((t) => t.name));
  return {
    allowed,
    initial,
    discovery,
    readOnly: config.CS_MCP_READ_ONLY,
    refuse(name) {
      const tool = all.find((t) => t.name === name);
      const why = tool ? refusal(config, tool, all) : null;
      return `Unknown tool: ${name}${why ? ` (${why})` : ""}`;
    },
  };
}
