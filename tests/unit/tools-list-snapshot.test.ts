// tools/list is a contract with every client (and what the model pays for in tokens): it is served from a
// build-time catalog instead of the definitions, so the listing must stay byte for byte what the
// definitions themselves gave. The fixtures were captured from the server before the catalog existed
// (default surface, --toolsets all, --toolsets all --read-only); a change to a tool's listing is made in
// its definition, then `npm run gen:catalog` and these fixtures are regenerated with it (UPDATE_TOOLS_LIST=1).
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { createMcpServer } from "../../src/server/create-server.ts";
import { ToolPipeline } from "../../src/server/pipeline.ts";
import { createRateLimiter } from "../../src/server/rate-limit.ts";
import { Metrics } from "../../src/observability/metrics.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { toolSurface } from "../../src/tools/index.ts";
import { loadConfig } from "../../src/config/load.ts";

const FIXTURES = resolve(import.meta.dirname, "../fixtures/tools-list");

async function listing(env: Record<string, string>): Promise<string> {
  const config = loadConfig(env);
  const surface = toolSurface(config);
  const never = new Promise<never>(() => {});
  const pipeline = new ToolPipeline(surface.allowed, { services: never, logger: createLogger("silent"), metrics: new Metrics(), limiter: createRateLimiter(0, null), timeoutMs: 30_000 });
  const server = createMcpServer(pipeline, { surface });
  const [a, b] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: "test", version: "1" });
  await Promise.all([server.connect(b), client.connect(a)]);
  let raw = "";
  // The bytes the server sent, not the client's parsed (and schema-checked) view of them.
  const send = b.send.bind(b);
  b.send = async (message, options) => {
    if ("result" in message && (message.result as { tools?: unknown }).tools) raw = JSON.stringify(message.result);
    return send(message, options);
  };
  await client.listTools();
  await client.close();
  await server.close();
  return raw;
}

const CASES: Array<[string, Record<string, string>]> = [
  ["default", {}],
  ["all", { CS_MCP_TOOLSETS: "all" }],
  ["all-read-only", { CS_MCP_TOOLSETS: "all", CS_MCP_READ_ONLY: "true" }],
];

describe("tools/list", () => {
  for (const [name, env] of CASES) {
    it(`is byte-identical to the captured listing: ${name}`, async () => {
      const file = resolve(FIXTURES, `${name}.json`);
      const got = await listing(env);
      if (process.env.UPDATE_TOOLS_LIST) writeFileSync(file, got + "\n");
      expect(got.length).toBeGreaterThan(1000);
      expect(got).toBe(readFileSync(file, "utf8").trimEnd());
    });
  }
});
