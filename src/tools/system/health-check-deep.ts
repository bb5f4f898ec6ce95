import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { readinessShape } from "./schemas.ts";

export const healthCheckDeep = defineTool({
  name: "health_check_deep",
  toolset: "system",
  title: "Deep health check",
  description:
    "Everything health_check_readiness reports plus database latency, pool use, migrations, row counts, " +
    "versions, memory and per-tool call metrics. For operators diagnosing a slow or failing server.",
  input: z.strictObject({}),
  output: z.object({
    ...readinessShape,
    database: z.object({
      kind: z.enum(["embedded", "postgres"]),
      location: z.string(),
      server_version: z.string().nullable(),
      pool: z.object({ total: z.number().int(), idle: z.number().int(), waiting: z.number().int(), max: z.number().int() }).nullable(),
      migrations_applied: z.array(z.string()),
      row_counts: z.object({ accounts: z.number().int(), outbox_pending: z.number().int() }).nullable(),
    }),
    versions: z.object({ server: z.string(), node: z.string(), mcp_sdk: z.string(), postgres: z.string().nullable() }),
    process: z.object({ uptime_seconds: z.number().int(), rss_mb: z.number(), heap_used_mb: z.number() }),
    tool_metrics: z.array(
      z.object({ tool: z.string(), calls: z.number().int(), errors: z.number().int(), p50_ms: z.number().nullable(), p99_ms: z.number().nullable() }),
    ),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false, idempotentHint: true },
  async handler(_args, { services }) {
    const data = await services.health.deep();
    return {
      data,
      text: `${data.status}; database ${data.database.kind} PostgreSQL ${data.versions.postgres ?? "?"} in ${data.checks.database.latency_ms ?? "?"} ms; ${data.database.migrations_applied.length} migrations applied; RSS ${data.process.rss_mb} MB; ${data.tool_metrics.length} tools called.`,
    };
  },
});
