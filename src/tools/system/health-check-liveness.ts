import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";

export const healthCheckLiveness = defineTool({
  name: "health_check_liveness",
  toolset: "system",
  title: "Liveness check",
  description:
    "Whether this server process is alive, with version, pid and uptime; touches no dependency. For the " +
    "database and Redis use health_check_readiness; for latencies and metrics health_check_deep.",
  input: z.strictObject({}),
  output: z.object({ status: z.literal("ok"), version: z.string(), pid: z.number().int(), uptime_seconds: z.number().int(), checked_at: z.string() }),
  annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false, idempotentHint: true },
  async handler(_args, { services }) {
    const data = services.health.liveness();
    return { data, text: `alive: version ${data.version}, up ${data.uptime_seconds} s` };
  },
});
