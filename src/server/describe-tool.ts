// A tool as tools/list shows it. A catalog entry carries its schemas already converted (at build time, by
// this same function on the definition); a definition at hand is converted once per tool (and per
// read-only mode): the JSON Schema conversion is the costly part of a listing, and each session lists the
// same tools.
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { isDefinition, type ToolRef } from "./define-tool.ts";
import { toOutputJsonSchema, toToolJsonSchema } from "./json-schema.ts";
import { uiToolMeta } from "../ui/index.ts";

const cache = { plain: new WeakMap<ToolRef, Tool>(), readOnly: new WeakMap<ToolRef, Tool>() };

/** With readOnly, a readOnlyCompute tool is announced read-only: on such a server it stores nothing. */
export function describeTool(tool: ToolRef, readOnly = false): Tool {
  const store = readOnly ? cache.readOnly : cache.plain;
  let described = store.get(tool);
  if (!described) {
    const annotations = { title: tool.title, ...tool.annotations, ...(readOnly && tool.readOnlyCompute ? { readOnlyHint: true, idempotentHint: true } : {}) };
    const schemas = isDefinition(tool)
      ? { inputSchema: toToolJsonSchema(tool.input, "input"), outputSchema: toOutputJsonSchema(tool.output) }
      : { inputSchema: tool.inputSchema, outputSchema: tool.outputSchema };
    described = {
      name: tool.name,
      title: tool.title,
      description: tool.description,
      ...schemas,
      annotations,
      _meta: { toolset: tool.toolset, ...uiToolMeta(tool.name) },
    };
    store.set(tool, described);
  }
  return described;
}
