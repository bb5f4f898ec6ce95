import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { readinessShape } from "./schemas.ts";

export const healthCheckReadiness = defineTool({
  name: "health_check_readiness",
  toolset: "system",
  title: "Readiness check",
  description:
    "Answers whether the server can serve tool calls: the database answers and its migrations are applied, Redis " +
    "answers when REDIS_URL is configured, and which integrations (Zendesk, Intercom, Mixpanel, SendGrid) are " +
    "configured or missing which variables, with each one's circuit-breaker state (closed, open: calls fail fast and " +
    "queued deliveries wait, half_open: a probe is being tried). status is 'ready' or 'not_ready' with the reasons.",
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
