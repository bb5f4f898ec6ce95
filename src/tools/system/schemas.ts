// Output shapes of the readiness check, reused by the deep check.
import { z } from "zod";

const check = z.object({
  status: z.enum(["ok", "failing", "not_configured"]),
  latency_ms: z.number().nullable(),
  error: z.string().optional(),
});

export const readinessShape = {
  status: z.enum(["ready", "not_ready"]),
  reasons: z.array(z.string()),
  checks: z.object({
    database: check.extend({ kind: z.enum(["embedded", "postgres"]) }),
    redis: check,
    migrations: z.object({ status: z.enum(["ok", "failing"]), pending: z.array(z.string()), failed: z.array(z.string()) }),
  }),
  integrations: z.array(
    z.object({
      integration: z.string(),
      state: z.enum(["configured", "not_configured"]),
      missing_variables: z.array(z.string()),
      /** The integration's circuit breaker in this process (open: calls fail fast; queued deliveries wait). */
      breaker: z.enum(["closed", "open", "half_open"]).nullable(),
    }),
  ),
  checked_at: z.string(),
};
