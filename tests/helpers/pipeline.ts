// A tool pipeline over a test database, as the server builds it, and the two ways tests call it:
// expecting a result, or expecting an error body.
import { expect } from "vitest";
import type { TestDb } from "./databases.ts";
import { createServices } from "../../src/services/index.ts";
import { ToolPipeline } from "../../src/server/pipeline.ts";
import { Metrics } from "../../src/observability/metrics.ts";
import { createRateLimiter } from "../../src/server/rate-limit.ts";
import { createLogger } from "../../src/observability/logger.ts";
import type { ToolRef } from "../../src/server/define-tool.ts";

export function pipelineFor(t: TestDb, tools: readonly ToolRef[], now: Date, options: { readOnly?: boolean } = {}): ToolPipeline {
  const services = createServices({ db: t.db, redis: null, config: t.config, metrics: new Metrics(), now: () => now });
  return new ToolPipeline(tools, {
    services,
    logger: createLogger((process.env.TEST_LOG_LEVEL ?? "silent") as "silent"),
    metrics: new Metrics(),
    limiter: createRateLimiter(0, null),
    timeoutMs: 30_000,
    ...(options.readOnly ? { readOnly: true } : {}),
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function call(p: ToolPipeline, name: string, args: Record<string, unknown>): Promise<any> {
  const r = await p.call(name, args);
  if (r.isError) throw new Error(`unexpected error: ${JSON.stringify(r.content)}`);
  return r.structuredContent;
}

export async function callError(p: ToolPipeline, name: string, args: Record<string, unknown>): Promise<{ code: string; message: string }> {
  const r = await p.call(name, args);
  expect(r.isError).toBe(true);
  return JSON.parse((r.content[0] as { text: string }).text).error as { code: string; message: string };
}
