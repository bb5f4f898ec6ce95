// Every fixed resource this server offers: the documents of resources/index.ts and the MCP Apps views
// (ui://…), whose pages count churn levels with this configuration's thresholds.
import type { Config } from "../../config/load.ts";
import { UI_RESOURCES, type ChurnThresholds } from "../../ui/index.ts";
import { FIXED_RESOURCES, ResourceRegistry, type McpResource } from "./index.ts";

export function uiResources(config?: ChurnThresholds): McpResource[] {
  return UI_RESOURCES.map(({ uri, name, title, description, mimeType, _meta, html }) => ({ uri, name, title, description, mimeType, _meta, read: async () => html(config) }));
}

export function serverResources(config?: Pick<Config, keyof ChurnThresholds>): ResourceRegistry {
  return new ResourceRegistry([...FIXED_RESOURCES, ...uiResources(config)]);
}
