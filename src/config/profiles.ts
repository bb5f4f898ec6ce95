// Deployment profiles (CS_MCP_PROFILE): development keeps every default as it is; staging and production
// change a few defaults (applied only where the variable is not set) and refuse unsafe combinations at
// start-up. docs/profiles.md is the operator's description of the same rules.
export type Profile = "development" | "staging" | "production";

/** Defaults a profile changes; an explicit setting always wins. */
export const PROFILE_DEFAULTS: Record<Profile, Record<string, string>> = {
  development: {},
  // Replicas behind a load balancer: migrations run once (the migration Job), `cs-mcp worker` delivers the outbox.
  staging: { CS_MCP_AUTO_MIGRATE: "false", OUTBOX_DISPATCH_IN_SERVER: "false", LOG_LEVEL: "info" },
  production: { CS_MCP_AUTO_MIGRATE: "false", OUTBOX_DISPATCH_IN_SERVER: "false", LOG_LEVEL: "info" },
};

const TLS_SSLMODES = new Set(["require", "verify-ca", "verify-full"]);

export interface ProfileInput {
  CS_MCP_PROFILE: Profile;
  DATABASE_URL?: string | undefined;
  REDIS_URL?: string | undefined;
  CS_MCP_RATE_LIMIT_PER_MINUTE: number;
}

/** The rules a profile imposes, as [setting, message] pairs (empty when the configuration complies). */
export function profileProblems(c: ProfileInput): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const p = c.CS_MCP_PROFILE;
  if (p === "development") return out;
  if (!c.DATABASE_URL) {
    out.push(["DATABASE_URL", `is required in the ${p} profile: the embedded database is for one process on one machine`]);
  } else if (p === "production") {
    const mode = new URL(c.DATABASE_URL).searchParams.get("sslmode");
    if (!mode || !TLS_SSLMODES.has(mode)) out.push(["DATABASE_URL", "must ask for TLS in the production profile: add ?sslmode=require (or verify-ca / verify-full)"]);
  }
  if (p === "production") {
    if (!c.REDIS_URL) out.push(["REDIS_URL", "is required in the production profile: rate limits and circuit breakers must be shared by the replicas"]);
    if (c.CS_MCP_RATE_LIMIT_PER_MINUTE === 0) out.push(["CS_MCP_RATE_LIMIT_PER_MINUTE", "must not be 0 (unlimited) in the production profile"]);
  }
  return out;
}

/**
 * The rule for the HTTP transport: production never serves HTTP without authentication. Called with the
 * HTTP settings of the hosted mode (whether HTTP is on, and whether an authenticator is configured).
 */
export function productionHttpProblem(profile: Profile, httpEnabled: boolean, authenticated: boolean): string | null {
  if (profile === "production" && httpEnabled && !authenticated) return "HTTP without authentication is refused in the production profile: configure OAuth or API keys";
  return null;
}
