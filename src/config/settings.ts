// Every setting of the server, in one table: its environment variable, its CLI flag (where one makes
// sense), its zod rule, its default and its meaning. The zod schema, the flag parser, .env.example and
// the README's configuration table are all derived from this list, so they cannot drift apart.
import { z } from "zod";
import { encryptionKeyProblem } from "../security/encryption-key.ts";

export type SettingGroup =
  | "server"
  | "database"
  | "redis"
  | "health"
  | "retention"
  | "onboarding"
  | "support"
  | "revenue"
  | "integrations"
  | "backup"
  | "auth"
  | "secrets";

export interface Setting {
  env: string;
  flag?: string; // without the leading dashes
  schema: z.ZodType;
  default?: string; // as written in .env.example (the schema applies the real default)
  secret?: boolean;
  group: SettingGroup;
  doc: string;
}

/** Environment strings arrive as text; an empty string means "not set". */
const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const num = (rule: z.ZodNumber, dflt: number) => z.preprocess(blankToUndefined, z.coerce.number().pipe(rule).default(dflt));
const int = (min: number, max: number, dflt: number) => num(z.number().int().min(min).max(max), dflt);
const ratio = (dflt: number) => num(z.number().min(0).max(1), dflt);
const bool = (dflt: boolean) =>
  z.preprocess(
    (v) => {
      const b = blankToUndefined(v);
      if (typeof b !== "string") return b;
      const s = b.toLowerCase();
      if (["1", "true", "yes", "on"].includes(s)) return true;
      if (["0", "false", "no", "off"].includes(s)) return false;
      return b;
    },
    z.boolean({ error: "must be true or false (1/0, yes/no, on/off)" }).default(dflt),
  );
const optionalUrl = (protocols: RegExp, what: string) =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .refine((s) => URL.canParse(s) && protocols.test(new URL(s).protocol), { message: `must be a ${what} URL` })
      .optional(),
  );
const optionalString = () => z.preprocess(blankToUndefined, z.string().optional());
const list = () =>
  z.preprocess(
    (v) =>
      typeof v === "string"
        ? v
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean)
        : v,
    z.array(z.string()).default([]),
  );
const daysList = (dflt: number[]) =>
  z.preprocess(
    (v) => {
      const b = blankToUndefined(v);
      return typeof b === "string" ? b.split(",").map((s) => (s.trim() === "" ? Number.NaN : Number(s.trim()))) : b;
    },
    z.array(z.number().int().min(1).max(3650)).min(1).default(dflt),
  );

const encryptionKey = () =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .superRefine((v, ctx) => {
        const problem = encryptionKeyProblem(v);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      })
      .optional(),
  );

export const SETTINGS = [
  // server
  { env: "LOG_LEVEL", flag: "log-level", group: "server", default: "info", doc: "pino log level on stderr: fatal, error, warn, info, debug, trace or silent",
    schema: z.preprocess(blankToUndefined, z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info")) },
  { env: "CS_MCP_TOOLSETS", flag: "toolsets", group: "server", default: "", doc: "empty = a small default list (17 first-need tools plus discover_tools, enable_toolsets and call_tool; every other tool stays callable); all = every tool listed; or comma-separated toolsets to list and allow only those (core, health, onboarding, retention, communication, support, expansion, feedback, system)", schema: list() },
  { env: "CS_MCP_EXCLUDE_TOOLS", flag: "exclude-tools", group: "server", default: "", doc: "comma-separated tool names to hide", schema: list() },
  { env: "CS_MCP_READ_ONLY", flag: "read-only", group: "server", default: "false", doc: "expose only tools whose readOnlyHint is true, plus calculate_health_score, identify_churn_risk and forecast_renewals, which then compute without storing", schema: bool(false) },
  { env: "CS_MCP_TOOL_TIMEOUT_MS", flag: "tool-timeout-ms", group: "server", default: "30000", doc: "deadline of one tool call in milliseconds", schema: int(100, 600_000, 30_000) },
  { env: "CS_MCP_RATE_LIMIT_PER_MINUTE", flag: "rate-limit-per-minute", group: "server", default: "600", doc: "tool calls allowed per minute per client (0 disables the limit)", schema: int(0, 1_000_000, 600) },
  { env: "CS_MCP_MAX_MESSAGE_BYTES", group: "server", default: "4194304", doc: "largest JSON-RPC line accepted on stdin; a larger one is reported on stderr and the process exits with code 2", schema: int(1024, 64 * 1024 * 1024, 4 * 1024 * 1024) },
  // database
  { env: "DATABASE_URL", flag: "database-url", group: "database", secret: true, default: "", doc: "PostgreSQL URL (postgres://user:pass@host:5432/db); empty = embedded PGlite database in CS_MCP_DATA_DIR", schema: optionalUrl(/^postgres(ql)?:$/, "postgres:// or postgresql://") },
  { env: "CS_MCP_DATA_DIR", flag: "data-dir", group: "database", default: "(per-user data directory)", doc: "where the embedded database lives (Linux ~/.local/share/customer-success-mcp, macOS ~/Library/Application Support/customer-success-mcp, Windows %LOCALAPPDATA%\\customer-success-mcp\\Data)", schema: optionalString() },
  { env: "CS_MCP_AUTO_MIGRATE", flag: "migrate", group: "database", default: "false", doc: "apply pending migrations to DATABASE_URL at start-up, under an advisory lock (the embedded database is always migrated)", schema: bool(false) },
  { env: "CS_MCP_PGLITE_SHARED_BUFFERS_MB", group: "database", default: "16", doc: "shared_buffers of the embedded database in MB: PGlite allocates and zeroes it at every start (128 MB costs ~120 MB of RSS and ~1 s of start-up CPU); the files themselves stay in the OS page cache", schema: int(8, 1024, 16) },
  { env: "CS_MCP_PGLITE_WORKER", group: "database", default: "false", doc: "run the embedded database in its own thread (its start overlaps module loading, no statement blocks the event loop); off by default: on 2 cores it measured no faster to the first answer, ~0.3-0.7 ms slower per call and ~20 MB more RSS", schema: bool(false) },
  { env: "DB_POOL_MAX", flag: "db-pool-max", group: "database", default: "20", doc: "PostgreSQL connection pool size", schema: int(1, 500, 20) },
  { env: "DB_CONNECT_TIMEOUT_MS", group: "database", default: "5000", doc: "time to wait for a PostgreSQL connection", schema: int(100, 120_000, 5_000) },
  { env: "DB_IDLE_TIMEOUT_MS", group: "database", default: "30000", doc: "idle PostgreSQL connections are closed after this long", schema: int(1_000, 3_600_000, 30_000) },
  { env: "DB_STATEMENT_TIMEOUT_MS", group: "database", default: "20000", doc: "PostgreSQL statement_timeout for the pool's sessions", schema: int(100, 3_600_000, 20_000) },
  // redis
  { env: "REDIS_URL", flag: "redis-url", group: "redis", secret: true, default: "", doc: "Redis URL for shared rate limits and state; empty = in-memory", schema: optionalUrl(/^rediss?:$/, "redis:// or rediss://") },
  // health
  { env: "HEALTH_WEIGHT_USAGE", group: "health", default: "0.35", doc: "weight of the usage component", schema: ratio(0.35) },
  { env: "HEALTH_WEIGHT_ENGAGEMENT", group: "health", default: "0.25", doc: "weight of the engagement component", schema: ratio(0.25) },
  { env: "HEALTH_WEIGHT_SUPPORT", group: "health", default: "0.15", doc: "weight of the support component", schema: ratio(0.15) },
  { env: "HEALTH_WEIGHT_SATISFACTION", group: "health", default: "0.15", doc: "weight of the satisfaction component", schema: ratio(0.15) },
  { env: "HEALTH_WEIGHT_PAYMENT", group: "health", default: "0.10", doc: "weight of the payment component (the five weights must sum to 1 ± 0.01)", schema: ratio(0.1) },
  { env: "HEALTH_AT_RISK_BELOW", group: "health", default: "50", doc: "a score under this is in the at_risk band", schema: int(0, 100, 50) },
  { env: "HEALTH_HEALTHY_FROM", group: "health", default: "75", doc: "a score from this is healthy", schema: int(0, 100, 75) },
  { env: "HEALTH_CHAMPION_FROM", group: "health", default: "90", doc: "a score from this is champion", schema: int(0, 100, 90) },
  { env: "HEALTH_TREND_DELTA", group: "health", default: "2", doc: "points a score must move against the previous one to count as up or down", schema: num(z.number().min(0).max(50), 2) },
  // retention
  { env: "CHURN_HIGH_FROM", group: "retention", default: "0.70", doc: "churn probability from which risk is high", schema: ratio(0.7) },
  { env: "CHURN_MEDIUM_FROM", group: "retention", default: "0.40", doc: "churn probability from which risk is medium", schema: ratio(0.4) },
  { env: "CHURN_LOW_FROM", group: "retention", default: "0.15", doc: "churn probability from which risk is low (below: minimal)", schema: ratio(0.15) },
  { env: "RETENTION_TRIGGER_HEALTH", group: "retention", default: "60", doc: "retention campaigns trigger under this health score", schema: int(0, 100, 60) },
  { env: "RETENTION_FREQUENCY_DAYS", group: "retention", default: "7", doc: "at most one retention campaign per account in this many days", schema: int(1, 365, 7) },
  { env: "ESCALATION_HEALTH_BELOW", group: "retention", default: "40", doc: "escalate accounts under this health score", schema: int(0, 100, 40) },
  // retention: the advocacy program (manage_advocacy_program)
  { env: "ADVOCACY_MIN_HEALTH", group: "retention", default: "75", doc: "enrolling an advocate needs the account's latest stored health score at or above this (75 = the healthy band)", schema: int(0, 100, 75) },
  { env: "ADVOCACY_REQUIRE_PROMOTER", group: "retention", default: "true", doc: "enrolling an advocate also needs the latest NPS answer (the advocate's own, else the account's) to be a promoter (9–10)", schema: bool(true) },
  { env: "ADVOCACY_POINTS", group: "retention", default: "case_study=500,reference_call=250,review=100,referral=300,speaking=400,award=200", doc: "points per advocate contribution, type=points for all six types (whole numbers 0–100000)",
    schema: z.preprocess(
      (v) => {
        const b = blankToUndefined(v);
        if (typeof b !== "string") return b;
        return Object.fromEntries(b.split(",").map((pair) => { const [k, n] = pair.split("=").map((x) => x.trim()); return [k, n === undefined || n === "" ? Number.NaN : Number(n)]; }));
      },
      z.strictObject(
        Object.fromEntries(["case_study", "reference_call", "review", "referral", "speaking", "award"].map((k) => [k, z.number({ error: `${k} must be a whole number of points` }).int().min(0).max(100_000)])) as Record<"case_study" | "reference_call" | "review" | "referral" | "speaking" | "award", z.ZodNumber>,
        { error: "must list type=points for case_study, reference_call, review, referral, speaking and award only" },
      ).default({ case_study: 500, reference_call: 250, review: 100, referral: 300, speaking: 400, award: 200 }),
    ) },
  // onboarding
  { env: "TTV_FIRST_VALUE_DAYS", group: "onboarding", default: "7", doc: "target days to first value", schema: int(1, 365, 7) },
  { env: "TTV_ACTIVATION_DAYS", group: "onboarding", default: "14", doc: "target days to activation", schema: int(1, 365, 14) },
  { env: "TTV_FULL_VALUE_DAYS", group: "onboarding", default: "30", doc: "target days to full value", schema: int(1, 730, 30) },
  { env: "ONBOARDING_COMPLETE_PERCENT", group: "onboarding", default: "80", doc: "an onboarding is complete at this percent of milestones", schema: int(1, 100, 80) },
  { env: "TRAINING_COMPLETE_PERCENT", group: "onboarding", default: "75", doc: "training is complete at this percent", schema: int(1, 100, 75) },
  // support
  { env: "SLA_FIRST_RESPONSE_MINUTES", group: "support", default: "15", doc: "first-response target for every priority", schema: int(1, 10_080, 15) },
  { env: "SLA_RESOLUTION_P1_MINUTES", group: "support", default: "240", doc: "resolution target of P1 tickets", schema: int(1, 100_000, 240) },
  { env: "SLA_RESOLUTION_P2_MINUTES", group: "support", default: "480", doc: "resolution target of P2 tickets", schema: int(1, 100_000, 480) },
  { env: "SLA_RESOLUTION_P3_MINUTES", group: "support", default: "1440", doc: "resolution target of P3 tickets", schema: int(1, 100_000, 1440) },
  { env: "SLA_RESOLUTION_P4_MINUTES", group: "support", default: "2880", doc: "resolution target of P4 tickets", schema: int(1, 100_000, 2880) },
  { env: "SLA_AT_RISK_PERCENT", group: "support", default: "80", doc: "an open ticket is at risk once this percent of its target is used", schema: int(1, 99, 80) },
  { env: "ESCALATE_NO_RESPONSE_MINUTES", group: "support", default: "120", doc: "escalate a ticket with no first response after this long", schema: int(1, 100_000, 120) },
  { env: "ESCALATE_NO_RESOLUTION_DAYS", group: "support", default: "3", doc: "escalate a ticket not resolved after this many days", schema: int(1, 365, 3) },
  // revenue
  { env: "GROSS_MARGIN", group: "revenue", default: "0.80", doc: "gross margin used for customer lifetime value", schema: ratio(0.8) },
  { env: "CLV_MAX_LIFETIME_YEARS", group: "revenue", default: "10", doc: "cap on the expected remaining lifetime in CLV", schema: num(z.number().min(1).max(50), 10) },
  { env: "RENEWAL_REMINDER_DAYS", group: "revenue", default: "90,60,30,14,7", doc: "days before a renewal date at which reminders are due", schema: daysList([90, 60, 30, 14, 7]) },
  { env: "EXPANSION_MIN_HEALTH", group: "revenue", default: "75", doc: "minimum health score for expansion opportunities", schema: int(0, 100, 75) },
  { env: "EXPANSION_MIN_USAGE", group: "revenue", default: "0.70", doc: "minimum share of the plan's limits in use for upsell", schema: ratio(0.7) },
  { env: "EXPANSION_MIN_TENURE_DAYS", group: "revenue", default: "60", doc: "minimum tenure in days for expansion", schema: int(0, 3650, 60) },
  { env: "UPSELL_MIN_SCORE", group: "revenue", default: "0.65", doc: "minimum upsell score to record an opportunity", schema: ratio(0.65) },
  { env: "CROSSSELL_MIN_SCORE", group: "revenue", default: "0.60", doc: "minimum cross-sell score to record an opportunity", schema: ratio(0.6) },
  { env: "UPSELL_TARGET_UTILIZATION", group: "revenue", default: "0.60", doc: "seat utilisation an upsell restores: extra seats = ceil(active users ÷ this) − seats", schema: num(z.number().min(0.05).max(1), 0.6) },
  { env: "RENEWAL_AUTO_RENEW_UPLIFT", group: "revenue", default: "0.05", doc: "added to the renewal probability (1 − churn probability) of an auto-renewing contract, capped at 1", schema: ratio(0.05) },
  // integrations (clients arrive with the integrations work; doctor and readiness report their configuration now)
  { env: "ZENDESK_SUBDOMAIN", group: "integrations", default: "", doc: "Zendesk subdomain (acme for acme.zendesk.com)", schema: optionalString() },
  { env: "ZENDESK_EMAIL", group: "integrations", default: "", doc: "Zendesk agent email for API-token auth", schema: optionalString() },
  { env: "ZENDESK_API_TOKEN", group: "integrations", secret: true, default: "", doc: "Zendesk API token", schema: optionalString() },
  { env: "ZENDESK_BASE_URL", group: "integrations", default: "", doc: "override of https://<subdomain>.zendesk.com/api/v2 (proxies, tests)", schema: optionalUrl(/^https?:$/, "http(s)") },
  { env: "INTERCOM_ACCESS_TOKEN", group: "integrations", secret: true, default: "", doc: "Intercom access token", schema: optionalString() },
  { env: "INTERCOM_BASE_URL", group: "integrations", default: "", doc: "override of https://api.intercom.io (EU/AU regions, tests)", schema: optionalUrl(/^https?:$/, "http(s)") },
  { env: "MIXPANEL_PROJECT_TOKEN", group: "integrations", secret: true, default: "", doc: "Mixpanel project token (ingestion)", schema: optionalString() },
  { env: "MIXPANEL_API_SECRET", group: "integrations", secret: true, default: "", doc: "Mixpanel API secret (export, import)", schema: optionalString() },
  { env: "MIXPANEL_PROJECT_ID", group: "integrations", default: "", doc: "Mixpanel project id (sent as project_id on import and export)", schema: optionalString() },
  { env: "MIXPANEL_API_HOST", group: "integrations", default: "", doc: "override of api.mixpanel.com (api-eu.mixpanel.com, tests)", schema: optionalString() },
  { env: "SENDGRID_API_KEY", group: "integrations", secret: true, default: "", doc: "SendGrid API key", schema: optionalString() },
  { env: "SENDGRID_FROM_EMAIL", group: "integrations", default: "", doc: "default sender address", schema: z.preprocess(blankToUndefined, z.email({ error: "must be an email address" }).optional()) },
  { env: "SENDGRID_FROM_NAME", group: "integrations", default: "", doc: "default sender name", schema: optionalString() },
  { env: "SENDGRID_BASE_URL", group: "integrations", default: "", doc: "override of https://api.sendgrid.com (EU subusers, tests)", schema: optionalUrl(/^https?:$/, "http(s)") },
  // integrations: resilience (every vendor call) and the durable outbox dispatcher
  { env: "ZENDESK_TIMEOUT_MS", group: "integrations", default: "10000", doc: "timeout of one request to Zendesk; the request is aborted when it passes", schema: int(100, 300_000, 10_000) },
  { env: "INTERCOM_TIMEOUT_MS", group: "integrations", default: "10000", doc: "timeout of one request to Intercom; the request is aborted when it passes", schema: int(100, 300_000, 10_000) },
  { env: "MIXPANEL_TIMEOUT_MS", group: "integrations", default: "10000", doc: "timeout of one request to Mixpanel; the request is aborted when it passes", schema: int(100, 300_000, 10_000) },
  { env: "SENDGRID_TIMEOUT_MS", group: "integrations", default: "10000", doc: "timeout of one request to SendGrid; the request is aborted when it passes", schema: int(100, 300_000, 10_000) },
  { env: "INTEGRATION_DEADLINE_MS", group: "integrations", default: "25000", doc: "overall deadline of one synchronous integration call, retries and their waits included (keep it under CS_MCP_TOOL_TIMEOUT_MS)", schema: int(100, 600_000, 25_000) },
  { env: "INTEGRATION_MAX_RETRIES", group: "integrations", default: "3", doc: "retries of a synchronous vendor call after a 429, 5xx, timeout or network error (backoff with jitter, Retry-After honoured, never past the deadline); other 4xx are never retried", schema: int(0, 10, 3) },
  { env: "INTEGRATION_BREAKER_THRESHOLD", group: "integrations", default: "5", doc: "consecutive failed requests (429, 5xx, timeout, network) to one vendor that open its circuit breaker; while open, calls fail at once", schema: int(1, 1000, 5) },
  { env: "INTEGRATION_BREAKER_RESET_MS", group: "integrations", default: "30000", doc: "time an open breaker waits before letting one probe request through (half-open); success closes it, failure reopens it", schema: int(100, 3_600_000, 30_000) },
  { env: "OUTBOX_DISPATCH_IN_SERVER", group: "integrations", default: "true", doc: "run the outbox dispatcher inside cs-mcp serve; set false when separate `cs-mcp worker` processes deliver", schema: bool(true) },
  { env: "OUTBOX_POLL_MS", group: "integrations", default: "1000", doc: "how often the outbox dispatcher looks for due deliveries when idle", schema: int(50, 600_000, 1_000) },
  { env: "OUTBOX_BATCH_SIZE", group: "integrations", default: "50", doc: "deliveries the dispatcher claims at once", schema: int(1, 1000, 50) },
  { env: "OUTBOX_MAX_ATTEMPTS", group: "integrations", default: "10", doc: "delivery attempts of one queued side effect before it is marked failed (retry it with retry_outbox_delivery)", schema: int(1, 100, 10) },
  { env: "OUTBOX_LOCK_MS", group: "integrations", default: "60000", doc: "a claimed delivery is locked this long; if its process dies, another dispatcher takes it over once the lock passes", schema: int(500, 3_600_000, 60_000) },
  // backup (cs-mcp backup / restore; doctor reports the newest backup's age and the last run's outcome)
  { env: "BACKUP_TARGET", flag: "to", group: "backup", default: "", doc: "where cs-mcp backup writes and cs-mcp restore reads: a directory, or s3://bucket/prefix (credentials from the AWS chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profile or role)", schema: optionalString() },
  { env: "BACKUP_KEEP", group: "backup", default: "7", doc: "retention: after a successful backup, keep this many newest backups and delete older ones (0 = no count limit)", schema: int(0, 10_000, 7) },
  { env: "BACKUP_RETENTION_DAYS", group: "backup", default: "30", doc: "retention: delete backups older than this many days, never the newest (0 = no age limit)", schema: int(0, 36_500, 30) },
  { env: "BACKUP_MAX_AGE_HOURS", group: "backup", default: "26", doc: "doctor reports the backup failing when the newest one is older than this (a daily schedule plus slack)", schema: int(1, 87_600, 26) },
  { env: "BACKUP_S3_ENDPOINT", group: "backup", default: "", doc: "S3-compatible endpoint (MinIO, Ceph, tests); when set, path-style addressing is used", schema: optionalUrl(/^https?:$/, "http(s)") },
  { env: "BACKUP_S3_REGION", group: "backup", default: "us-east-1", doc: "S3 region of the backup bucket", schema: z.preprocess(blankToUndefined, z.string().default("us-east-1")) },
  // auth (the hosted HTTP mode: OAuth 2.1 access tokens from an identity provider, or keys from `cs-mcp keys`; docs/authentication.md)
  { env: "CS_MCP_RESOURCE_URL", group: "auth", default: "", doc: "this server's canonical URL as clients reach it (https://cs.example.com/mcp): the audience OAuth tokens must name, and the resource of /.well-known/oauth-protected-resource", schema: optionalUrl(/^https?:$/, "http(s)") },
  { env: "CS_MCP_AUTH_ISSUER", group: "auth", default: "", doc: "OAuth authorization server (issuer URL) whose JWT access tokens are accepted; empty = API keys only", schema: optionalUrl(/^https?:$/, "http(s)") },
  { env: "CS_MCP_AUTH_JWKS_URL", group: "auth", default: "", doc: "the issuer's JWKS URL; empty = read jwks_uri from the issuer's metadata (RFC 8414, then OpenID discovery)", schema: optionalUrl(/^https?:$/, "http(s)") },
  { env: "CS_MCP_AUTH_ALGORITHMS", group: "auth", default: "RS256,PS256,ES256,EdDSA", doc: "JWS algorithms accepted on access tokens (never none, never HS*)",
    schema: z.preprocess(
      (v) => (typeof v === "string" ? (v.trim() === "" ? undefined : v.split(",").map((s) => s.trim()).filter(Boolean)) : v),
      z.array(z.enum(["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"], { error: "must be asymmetric JWS algorithms: RS256/384/512, PS256/384/512, ES256/384/512, EdDSA or Ed25519" })).min(1).default(["RS256", "PS256", "ES256", "EdDSA"]),
    ) },
  { env: "CS_MCP_AUTH_CLOCK_TOLERANCE_S", group: "auth", default: "30", doc: "seconds of clock skew allowed on a token's exp and nbf", schema: int(0, 600, 30) },
  { env: "CS_MCP_API_KEY_CACHE_MS", group: "auth", default: "2000", doc: "how long an instance trusts an API key it found valid without asking the database again; a revoked key stops working within this time (0 = ask every request)", schema: int(0, 60_000, 2_000) },
  // server: Streamable HTTP (cs-mcp serve --http)
  { env: "CS_MCP_HTTP", flag: "http", group: "server", default: "false", doc: "serve MCP over Streamable HTTP at /mcp instead of stdio", schema: bool(false) },
  { env: "CS_MCP_HTTP_HOST", flag: "host", group: "server", default: "127.0.0.1", doc: "address the HTTP server binds; anything but loopback needs an authenticator configured", schema: z.preprocess(blankToUndefined, z.string().default("127.0.0.1")) },
  { env: "CS_MCP_HTTP_PORT", flag: "port", group: "server", default: "3000", doc: "TCP port of the HTTP server (0 = any free port, printed on stderr)", schema: int(0, 65_535, 3000) },
  { env: "CS_MCP_HTTP_ALLOWED_HOSTS", group: "server", default: "", doc: "Host header names accepted (DNS-rebinding protection); empty = localhost, 127.0.0.1 and [::1]", schema: list() },
  { env: "CS_MCP_HTTP_ALLOWED_ORIGINS", group: "server", default: "", doc: "browser origins allowed by CORS (https://app.example.com); a request with any other Origin gets 403", schema: list() },
  { env: "CS_MCP_HTTP_MAX_BODY_BYTES", group: "server", default: "1048576", doc: "largest HTTP request body accepted (413 above)", schema: int(1024, 64 * 1024 * 1024, 1024 * 1024) },
  { env: "CS_MCP_HTTP_HEADERS_TIMEOUT_MS", group: "server", default: "10000", doc: "time a client has to send the request headers", schema: int(1_000, 600_000, 10_000) },
  { env: "CS_MCP_HTTP_REQUEST_TIMEOUT_MS", group: "server", default: "30000", doc: "time a client has to send the whole request", schema: int(1_000, 600_000, 30_000) },
  { env: "CS_MCP_HTTP_MAX_CONCURRENT_PER_PRINCIPAL", group: "server", default: "32", doc: "MCP requests one principal may have in flight; more get 429 with Retry-After", schema: int(1, 100_000, 32) },
  { env: "CS_MCP_HTTP_BACKLOG", group: "server", default: "511", doc: "listen backlog: connections the kernel queues before accept (capped by net.core.somaxconn); raise it for bursts of thousands of connects", schema: int(1, 65_535, 511) },
  { env: "CS_MCP_HTTP_SHUTDOWN_GRACE_MS", group: "server", default: "10000", doc: "on SIGTERM, how long in-flight requests may take to finish before connections are cut", schema: int(0, 600_000, 10_000) },
  { env: "CS_MCP_METRICS_PUBLIC", group: "server", default: "false", doc: "answer /metrics without authentication (only on a network that only Prometheus reaches)", schema: bool(false) },
  // profile and secrets (docs/profiles.md, docs/secrets.md); every secret setting may also come from NAME_FILE or AWS Secrets Manager
  { env: "CS_MCP_PROFILE", group: "secrets", default: "development", doc: "development, staging or production: staging and production refuse the embedded database, production also requires TLS to PostgreSQL (sslmode=require or verify-full) and REDIS_URL (docs/profiles.md)", schema: z.preprocess(blankToUndefined, z.enum(["development", "staging", "production"], { error: "must be development, staging or production" }).default("development")) },
  { env: "CS_MCP_SECRETS_AWS_SECRET_ID", group: "secrets", default: "", doc: "AWS Secrets Manager secret (name or ARN) whose SecretString is a JSON object of secret settings, e.g. {\"SENDGRID_API_KEY\":\"...\"}; the environment and NAME_FILE take precedence", schema: optionalString() },
  { env: "CS_MCP_SECRETS_AWS_REGION", group: "secrets", default: "us-east-1", doc: "region of that secret (credentials from the AWS chain: environment, profile or role)", schema: z.preprocess(blankToUndefined, z.string().default("us-east-1")) },
  { env: "CS_MCP_SECRETS_AWS_ENDPOINT", group: "secrets", default: "", doc: "override of the Secrets Manager endpoint (VPC endpoints, tests)", schema: optionalUrl(/^https?:$/, "http(s)") },
  { env: "CS_MCP_SECRETS_REFRESH_SECONDS", group: "secrets", default: "300", doc: "serve and worker re-read the AWS secret this often; rotated vendor credentials are used without a restart (0 = read once at start)", schema: int(0, 86_400, 300) },
  { env: "CS_MCP_ENCRYPTION_KEY", group: "secrets", secret: true, default: "", doc: "32 random bytes, base64 or hex (openssl rand -base64 32): AES-256-GCM key of the vendor credentials stored in the database; a key of another length or with too little entropy is refused", schema: encryptionKey() },
  { env: "CS_MCP_ENCRYPTION_KEY_PREVIOUS", group: "secrets", secret: true, default: "", doc: "the key before a rotation: values sealed under it still open while CS_MCP_ENCRYPTION_KEY seals new ones", schema: encryptionKey() },
] as const satisfies readonly Setting[];

export type SettingEnv = (typeof SETTINGS)[number]["env"];
