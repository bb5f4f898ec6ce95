// Which integrations are configured, and which variables are missing for those that are not.
// "Not configured" is a normal state: tools do their database part and say so.
import type { Config } from "../config/load.ts";

export const INTEGRATIONS = ["zendesk", "intercom", "mixpanel", "sendgrid"] as const;
export type Integration = (typeof INTEGRATIONS)[number];

export interface IntegrationStatus {
  integration: Integration;
  state: "configured" | "not_configured";
  missing_variables: string[];
}

export function integrationStatus(config: Config): IntegrationStatus[] {
  const need: Record<Integration, Array<[string, unknown]>> = {
    zendesk: [
      [config.ZENDESK_BASE_URL ? "ZENDESK_BASE_URL" : "ZENDESK_SUBDOMAIN", config.ZENDESK_BASE_URL ?? config.ZENDESK_SUBDOMAIN],
      ["ZENDESK_EMAIL", config.ZENDESK_EMAIL],
      ["ZENDESK_API_TOKEN", config.ZENDESK_API_TOKEN],
    ],
    intercom: [["INTERCOM_ACCESS_TOKEN", config.INTERCOM_ACCESS_TOKEN]],
    mixpanel: [["MIXPANEL_PROJECT_TOKEN", config.MIXPANEL_PROJECT_TOKEN]],
    sendgrid: [
      ["SENDGRID_API_KEY", config.SENDGRID_API_KEY],
      ["SENDGRID_FROM_EMAIL", config.SENDGRID_FROM_EMAIL],
    ],
  };
  return INTEGRATIONS.map((integration) => {
    const missing = need[integration].filter(([, v]) => !v).map(([k]) => k);
    return { integration, state: missing.length ? "not_configured" : "configured", missing_variables: missing };
  });
}
