import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { readinessShape } from "./schemas.ts";

export const healthCheckReadiness = defineTool({
  name: "health_check_readiness",
  toolset: "system",
  title: "Readiness check",
  description:
    "Whether the server can serve tool calls: database reachable and migrated, Redis when configured, and" +
    " each integration's configuration and circuit-breaker state. status ready or not_ready with the " +
    "reasons.",
  input: z.strictObject({}),
  output: z.object(readinessShape),
  annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false, idempotentHint: true },
  async handler(_args, { services }) {
    const data = await services.health.readiness();
    const integrations = data.integrations
      .map((i) => `${i.integration} ${i.state}${i.breaker && i.breaker !== "closed" ? ` (circuit breaker ${i.breaker})` : ""}`)
      .join(", ");
    return {
      data,
      text: `${data.status}${data.reasons.length ? `: ${data.reasons.join("; ")}` : ""}. Database ${data.checks.database.status} (${data.checks.database.kind}), Redis ${data.checks.redis.status}. Integrations: ${integrations}.`,
    };
  },
});
