// A tool definition as tools/list shows it. Converted once per tool (and per read-only mode): the JSON
// Schema conversion is the costly part of a listing, and each session lists the same definitions.
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import type { AnyTool } from "./define-tool.ts";
import { toOutputJsonSchema, toToolJsonSchema } from "./json-schema.ts";
import { uiToolMeta } from "../ui/index.ts";

const cache = { plain: new WeakMap<AnyTool, Tool>(), readOnly: new WeakMap<AnyTool, Tool>() };

/** With readOnly, a readOnlyCompute tool is announced read-only: on such a server it stores nothing. */
export function describeTool(tool: AnyTool, readOnly = false): Tool {
  const store = readOnly ? cache.readOnly : cache.plain;
  let described = store.get(tool);
  if (!described) {
    const annotations = { title: tool.title, ...tool.annotations, ...(readOnly && tool.readOnlyCompute ? { readOnlyHint: true, idempotentHint: true } : {}) };
    described = {
      name: tool.name,
      title: tool.title,
      description: tool.description,
      inputSchema: toToolJsonSchema(tool.input, "input"),
      outputSchema: toOutputJsonSchema(tool.output),
      annotations,
      _meta: { toolset: tool.toolset, ...uiToolMeta(tool.name) },
    };
    store.set(tool, described);
  }
  return described;
}
