// The one way to a tool's definition (zod schemas and handler) from a registry entry: a definition at hand
// is returned as is; a catalog entry's module is imported on its first use, once for every caller and
// session of the process. An import that fails is not cached (the next call tries again) and becomes an
// error naming the tool, before anything ran.
import { isDefinition, type AnyTool, type CatalogTool, type ToolRef } from "./define-tool.ts";
import { ToolError } from "./errors.ts";

const loading = new WeakMap<CatalogTool, Promise<AnyTool>>();

export function definitionOf(tool: ToolRef): AnyTool | Promise<AnyTool> {
  if (isDefinition(tool)) return tool;
  let definition = loading.get(tool);
  if (!definition) {
    definition = tool.load().then(
      (loaded) => {
        if (loaded.name !== tool.name) throw new Error(`its module defines '${loaded.name}': the tool catalog is stale (npm run gen:catalog)`);
        return loaded;
      },
    ).catch((err: unknown) => {
      loading.delete(tool);
      const reason = (err instanceof Error ? err.message : String(err)).split("\n")[0]!.slice(0, 300);
      throw new ToolError("unavailable", `tool '${tool.name}' could not be loaded: ${reason}`, "a fault of this server's installation, not of the arguments; nothing was changed");
    });
    loading.set(tool, definition);
  }
  return definition;
}
