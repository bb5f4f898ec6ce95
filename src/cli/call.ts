// `cs-mcp call <tool> [json-args]`: one tool call through the same pipeline as the server, for shells
// and scripts. Prints the structured result (or the error) as JSON; exit code 1 when the tool failed.
import type { Config } from "../config/load.ts";
import type { Logger } from "../observability/logger.ts";
import { createApp } from "../app.ts";
import { printErr, printJson } from "./output.ts";

export async function call(config: Config, logger: Logger, tool: string | undefined, json: string | undefined): Promise<number> {
  if (!tool) {
    printErr("usage: cs-mcp call <tool> [json-args]   (cs-mcp call list_clients '{\"limit\": 5}')");
    return 2;
  }
  let args: unknown = {};
  if (json !== undefined) {
    try {
      args = JSON.parse(json);
    } catch (err) {
      printErr(`json-args is not valid JSON: ${(err as Error).message}`);
      return 2;
    }
  }
  const app = await createApp(config, logger);
  try {
    if (!app.pipeline.has(tool)) {
      printErr(`unknown tool '${tool}'. Tools: ${app.pipeline.tools.map((t) => t.name).join(", ")}`);
      return 2;
    }
    const result = await app.pipeline.call(tool, args, { clientKey: "cli" });
    if (result.isError) {
      const first = result.content[0];
      printJson(first && first.type === "text" ? JSON.parse(first.text) : result);
      return 1;
    }
    printJson(result.structuredContent);
    return 0;
  } finally {
    await app.close();
  }
}
