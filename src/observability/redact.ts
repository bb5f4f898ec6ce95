// What must never reach a log line, an error message or a client: secrets and personal fields.

/** Object keys whose values are replaced in logs, at any depth pino's redaction reaches. */
const SECRET_KEYS = ["password", "token", "api_key", "apiKey", "secret", "authorization", "cookie", "DATABASE_URL", "REDIS_URL",
  "ZENDESK_API_TOKEN", "INTERCOM_ACCESS_TOKEN", "MIXPANEL_API_SECRET", "MIXPANEL_PROJECT_TOKEN", "SENDGRID_API_KEY"];
const PERSONAL_KEYS = ["email", "primary_contact_email", "primary_contact_name", "requester_email", "submitter_email",
  "submitter_name", "user_email", "respondent_email", "attendee_emails", "phone", "name", "client_name"];

export const REDACT_PATHS = [...SECRET_KEYS, ...PERSONAL_KEYS].flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]);

/** Removes credentials from URLs and known token shapes inside free text (error messages). */
export function scrubText(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/)([^:@/\s]*):([^@/\s]+)@/gi, "$1$2:***@")
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, "$1 ***")
    .replace(/\bSG\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b/g, "SG.***")
    // cs-mcp API keys (src/auth/api-key-format.ts KEY_PATTERN), e.g. pasted into a setting or a tool argument.
    .replace(/\bcsmcp_[0-9A-Za-z]{38}\b/g, "csmcp_***");
}
