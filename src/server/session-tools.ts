// One session's tool list and its three discovery tools (default mode, CS_MCP_TOOLSETS empty):
// discover_tools searches every tool the configuration allows, enable_toolsets adds toolsets to this
// session's list (and says so with notifications/tools/list_changed), call_tool runs any allowed tool
// for clients that never refresh their list. call_tool and tools/call take the same path: the call
// pipeline (validation, read-only, rate limit, audit, deadline, progress) and the same refusal.
import type MiniSearch from "minisearch";
import { z } from "zod";
import { ErrorCode, McpError, type CallToolResult, type Tool } from "@modelcontextprotocol/sdk/types.js";
import { TOOLSETS, defineTool, type AnyTool, type ToolRef } from "./define-tool.ts";
import { describeTool } from "./describe-tool.ts";
import { toToolJsonSchema } from "./json-schema.ts";
import { fromZodError, validationError, type ToolError } from "./errors.ts";
import type { CallOptions, ToolPipeline } from "./pipeline.ts";
import type { ToolSurface } from "../tools/index.ts";

export const SESSION_TOOL_NAMES = ["discover_tools", "enable_toolsets", "call_tool"] as const;
/** Matches returned with their input schema; the next ones are named only. */
export const DISCOVER_LIMIT = 5;
const MORE_LIMIT = 60;

const found = z.object({ name: z.string(), toolset: z.string(), description: z.string(), listed: z.boolean(), input_schema: z.record(z.string(), z.unknown()) });

const discoverInput = z.strictObject({
  query: z.string().trim().min(1).max(200).optional().describe("Words to find in tool names and descriptions"),
  toolset: z.enum(TOOLSETS).optional(),
});
const enableInput = z.strictObject({ toolsets: z.array(z.string().min(1).max(40)).min(1).max(TOOLSETS.length).describe(TOOLSETS.join(", ")) });
const callInput = z.strictObject({
  name: z.string().min(1).max(64).describe("Tool name from discover_tools"),
  arguments: z.record(z.string(), z.unknown()).default({}).describe("That tool's arguments"),
});

const CALL_TOOL: Tool = {
  name: "call_tool",
  title: "Call any tool",
  description: "Run a tool found with discover_tools that is not in your tool list, with its arguments; same checks and result as calling it directly.",
  inputSchema: toToolJsonSchema(callInput, "input"),
  annotations: { title: "Call any tool", readOnlyHint: false, destructiveHint: true, openWorldHint: true },
};

/**
 * The search index of a tool list, built once per list (every session of a process shares it); MiniSearch
 * itself is imported with the first search, not at start-up.
 */
const indexes = new WeakMap<readonly ToolRef[], MiniSearch<{ name: string; title: string; description: string }>>();
async function indexOf(tools: readonly ToolRef[]) {
  let index = indexes.get(tools);
  if (!index) {
    const { default: MiniSearch } = await import("minisearch");
    index = new MiniSearch({ idField: "name", fields: ["name", "title", "description"], searchOptions: { boost: { name: 3, title: 2 }, prefix: true, fuzzy: 0.2 } });
    index.addAll(tools.map((t) => ({ name: t.name, title: t.title, description: t.description })));
    indexes.set(tools, index);
  }
  return index;
}

export class ToolSession {
  private readonly toolsets = new Set<string>();
  private readonly discover: AnyTool;
  private readonly enable: AnyTool;

  constructor(
    private readonly pipeline: ToolPipeline,
    private readonly surface: ToolSurface,
    private readonly listChanged: () => Promise<void>,
  ) {
    this.discover = defineTool({
      name: "discover_tools",
      toolset: "core",
      title: "Discover tools",
      description: `Search all tools of this server by words (ranked) or by toolset; returns the top ${DISCOVER_LIMIT} with input schemas, then names. Run one with call_tool, or enable_toolsets to list its toolset.`,
      input: discoverInput,
      output: z.object({ tools: z.array(found), total: z.number().int(), more: z.array(z.string()) }),
      annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false, idempotentHint: true },
      handler: async (args) => {
        const data = await this.search(args.query, args.toolset);
        const names = data.tools.map((t) => `${t.name}${t.listed ? "" : " (not listed)"}`).join(", ");
        return { data, text: `${data.total} tools match${data.tools.length ? `: ${names}` : ""}${data.more.length ? `; more: ${data.more.join(", ")}` : ""}.` };
      },
    });
    this.enable = defineTool({
      name: "enable_toolsets",
      toolset: "core",
      title: "Enable toolsets",
      description: "Add whole toolsets to your tool list for this session (the client is told the list changed).",
      input: enableInput,
      output: z.object({ enabled: z.array(z.string()), added: z.array(z.string()), listed: z.number().int() }),
      annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false, idempotentHint: true },
      handler: async (args) => {
        const unknown = args.toolsets.filter((s) => !(TOOLSETS as readonly string[]).includes(s));
        if (unknown.length) throw validationError(`toolsets: unknown toolset ${unknown.map((s) => `'${s}'`).join(", ")}; known: ${TOOLSETS.join(", ")}`, "nothing was enabled");
        const before = new Set(this.surface.allowed.filter((t) => this.isListed(t.name)).map((t) => t.name));
        for (const s of args.toolsets) this.toolsets.add(s);
        const added = this.surface.allowed.filter((t) => !before.has(t.name) && this.isListed(t.name)).map((t) => t.name);
        if (added.length) await this.listChanged();
        const data = { enabled: [...this.toolsets], added, listed: before.size + added.length };
        return {
          data,
          text: added.length
            ? `Added ${added.length} tools: ${added.join(", ")}. Your client was told the list changed; if it does not refresh, run them through call_tool.`
            : `No tools added: those toolsets' allowed tools are already listed.`,
        };
      },
    });
  }

  /** Whether this session's tools/list shows the tool now. */
  isListed(name: string): boolean {
    if (this.surface.initial.has(name)) return true;
    const tool = this.surface.allowed.find((t) => t.name === name);
    return tool !== undefined && this.toolsets.has(tool.toolset);
  }

  /** This session's tools/list: the listed allowed tools, then the discovery tools. */
  listing(): Tool[] {
    const tools = this.surface.allowed.filter((t) => this.isListed(t.name)).map((t) => describeTool(t, this.surface.readOnly));
    return this.surface.discovery ? [...tools, describeTool(this.discover), describeTool(this.enable), CALL_TOOL] : tools;
  }

  /** tools/call: a discovery tool, or any allowed tool (listed or not) through the pipeline. */
  async call(name: string, args: unknown, options: CallOptions): Promise<CallToolResult> {
    if (this.surface.discovery) {
      if (name === "discover_tools") return this.pipeline.callDefinition(this.discover, args, options);
      if (name === "enable_toolsets") return this.pipeline.callDefinition(this.enable, args, options);
      if (name === "call_tool") {
        const parsed = callInput.safeParse(args ?? {});
        if (!parsed.success) return errorResult(fromZodError(parsed.error));
        if ((SESSION_TOOL_NAMES as readonly string[]).includes(parsed.data.name)) {
          return errorResult(validationError(`name: '${parsed.data.name}' is not run through call_tool`, `call ${parsed.data.name} directly`));
        }
        return this.run(parsed.data.name, parsed.data.arguments, options);
      }
    }
    return this.run(name, args, options);
  }

  private run(name: string, args: unknown, options: CallOptions): Promise<CallToolResult> {
    if (!this.pipeline.has(name)) throw new McpError(ErrorCode.InvalidParams, this.surface.refuse(name));
    return this.pipeline.call(name, args, options);
  }

  private async search(query: string | undefined, toolset: string | undefined) {
    const inSet = (t: ToolRef) => toolset === undefined || t.toolset === toolset;
    let matches: ToolRef[];
    if (query === undefined) matches = this.surface.allowed.filter(inSet);
    else {
      const byName = new Map(this.surface.allowed.map((t) => [t.name, t]));
      matches = (await indexOf(this.surface.allowed))
        .search(query)
        .map((r) => byName.get(r.id as string)!)
        .filter(inSet);
    }
    return {
      tools: matches.slice(0, DISCOVER_LIMIT).map((t) => ({
        name: t.name,
        toolset: t.toolset,
        description: t.description,
        listed: this.isListed(t.name),
        input_schema: describeTool(t, this.surface.readOnly).inputSchema as Record<string, unknown>,
      })),
      total: matches.length,
      more: matches.slice(DISCOVER_LIMIT, DISCOVER_LIMIT + MORE_LIMIT).map((t) => t.name),
    };
  }
}

/** The error body the pipeline gives (toSafeError of a ToolError), for call_tool's own arguments. */
function errorResult(err: ToolError): CallToolResult {
  const error = { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}), ...(err.details ? { details: err.details } : {}) };
  return { isError: true, content: [{ type: "text", text: JSON.stringify({ error }) }] };
}
