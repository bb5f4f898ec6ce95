// The one zod schema of the configuration, built from SETTINGS, with the cross-field rules.
import { z } from "zod";
import { SETTINGS } from "./settings.ts";
import { profileProblems } from "./profiles.ts";

type Shape = { [K in (typeof SETTINGS)[number] as K["env"]]: K["schema"] };

const shape = Object.fromEntries(SETTINGS.map((s) => [s.env, s.schema])) as unknown as Shape;

export const HEALTH_WEIGHT_VARS = [
  "HEALTH_WEIGHT_USAGE",
  "HEALTH_WEIGHT_ENGAGEMENT",
  "HEALTH_WEIGHT_SUPPORT",
  "HEALTH_WEIGHT_SATISFACTION",
  "HEALTH_WEIGHT_PAYMENT",
] as const;

export const configSchema = z.object(shape).superRefine((c, ctx) => {
  const sum = HEALTH_WEIGHT_VARS.reduce((acc, k) => acc + (c[k] as number), 0);
  if (Math.abs(sum - 1) > 0.01) {
    ctx.addIssue({
      code: "custom",
      path: ["HEALTH_WEIGHT_USAGE"],
      message: `${HEALTH_WEIGHT_VARS.join(" + ")} must sum to 1 ± 0.01 (they sum to ${sum.toFixed(4)})`,
    });
  }
  if (!(c.HEALTH_AT_RISK_BELOW <= c.HEALTH_HEALTHY_FROM && c.HEALTH_HEALTHY_FROM <= c.HEALTH_CHAMPION_FROM)) {
    ctx.addIssue({
      code: "custom",
      path: ["HEALTH_HEALTHY_FROM"],
      message: "must satisfy HEALTH_AT_RISK_BELOW ≤ HEALTH_HEALTHY_FROM ≤ HEALTH_CHAMPION_FROM",
    });
  }
  if (!(c.CHURN_LOW_FROM < c.CHURN_MEDIUM_FROM && c.CHURN_MEDIUM_FROM < c.CHURN_HIGH_FROM)) {
    ctx.addIssue({
      code: "custom",
      path: ["CHURN_MEDIUM_FROM"],
      message: "must satisfy CHURN_LOW_FROM < CHURN_MEDIUM_FROM < CHURN_HIGH_FROM",
    });
  }
  if (c.ESCALATION_HEALTH_BELOW > c.RETENTION_TRIGGER_HEALTH) {
    ctx.addIssue({ code: "custom", path: ["ESCALATION_HEALTH_BELOW"], message: "must not exceed RETENTION_TRIGGER_HEALTH" });
  }
  // An OAuth token is only accepted for this server's own URL (its audience): without it, any token of the issuer would do.
  if (c.CS_MCP_AUTH_ISSUER && !c.CS_MCP_RESOURCE_URL) {
    ctx.addIssue({ code: "custom", path: ["CS_MCP_RESOURCE_URL"], message: "is required with CS_MCP_AUTH_ISSUER: it is the audience access tokens must name" });
  }
  if (c.CS_MCP_AUTH_JWKS_URL && !c.CS_MCP_AUTH_ISSUER) {
    ctx.addIssue({ code: "custom", path: ["CS_MCP_AUTH_ISSUER"], message: "is required with CS_MCP_AUTH_JWKS_URL: tokens are checked against their issuer" });
  }
  for (const [path, message] of profileProblems(c)) ctx.addIssue({ code: "custom", path: [path], message });
});

export type Config = z.output<typeof configSchema>;
