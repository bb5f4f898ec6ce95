// Who is calling over HTTP: an `Authorization: Bearer` credential becomes a Principal, or an AuthError
// that the transport answers with its status and WWW-Authenticate challenge (RFC 6750 §3, RFC 9728 §5.1).
// A bearer starting `csmcp_` is an API key (cs-mcp keys); anything else is an OAuth access token, when an
// issuer is configured. The credential is never logged, stored (a key's hash excepted) nor passed on.
import type { Config } from "../config/load.ts";
import type { Database } from "../db/database.ts";
import { hashApiKey, KEY_PREFIX } from "./api-key-format.ts";
import { principalOfApiKey } from "./api-keys.ts";
import { KeyPrincipalCache } from "./key-cache.ts";
import { createOAuthVerifier, TokenRefused, type OAuthVerifier } from "./oauth.ts";
import type { Principal } from "./principal.ts";
import { SCOPES } from "./scopes.ts";

export class AuthError extends Error {
  constructor(
    readonly status: 401 | 403,
    message: string,
    readonly wwwAuthenticate?: string,
  ) {
    super(message);
    this.name = "AuthError";
  }
}

export interface Authenticator {
  authenticate(authorizationHeader: string | undefined): Promise<Principal>;
  /** The RFC 9728 protected-resource metadata document. */
  metadata(): Record<string, unknown>;
  /** Where to serve metadata(): RFC 9728's path-inserted location first, then the root one clients fall back to. */
  metadataPaths(): string[];
}

export interface AuthenticatorDeps {
  db: Pick<Database, "prisma">;
  /** This server's URL when CS_MCP_RESOURCE_URL is not set (the HTTP transport knows where it listens). */
  resourceUrl?: string;
  now?: () => Date;
}

type AuthConfig = Pick<Config, "CS_MCP_RESOURCE_URL" | "CS_MCP_AUTH_ISSUER" | "CS_MCP_AUTH_JWKS_URL" | "CS_MCP_AUTH_ALGORITHMS" | "CS_MCP_AUTH_CLOCK_TOLERANCE_S"> &
  Partial<Pick<Config, "CS_MCP_API_KEY_CACHE_MS">>;

const WELL_KNOWN = "/.well-known/oauth-protected-resource";

/** RFC 9728 §3.1: the well-known segment goes between the host and the resource's path. */
export function metadataUrlOf(resource: string): string {
  const u = new URL(resource);
  const path = u.pathname === "/" ? "" : u.pathname.replace(/\/$/, "");
  return `${u.origin}${WELL_KNOWN}${path}`;
}

const quoted = (s: string) => `"${s.replace(/["\\]/g, "")}"`;

export function createAuthenticator(config: AuthConfig, deps: AuthenticatorDeps): Authenticator {
  const resource = config.CS_MCP_RESOURCE_URL ?? deps.resourceUrl;
  const now = deps.now ?? (() => new Date());
  const oauth: OAuthVerifier | null =
    config.CS_MCP_AUTH_ISSUER && resource
      ? createOAuthVerifier({
          issuer: config.CS_MCP_AUTH_ISSUER,
          jwksUrl: config.CS_MCP_AUTH_JWKS_URL,
          audience: resource,
          algorithms: config.CS_MCP_AUTH_ALGORITHMS,
          clockToleranceSeconds: config.CS_MCP_AUTH_CLOCK_TOLERANCE_S,
        })
      : null;

  /** The challenge of a 401/403: where the metadata is, and the RFC 6750 error when a credential was refused. */
  function challenge(extra: Record<string, string> = {}): string {
    const params: Record<string, string> = { ...(resource ? { resource_metadata: metadataUrlOf(resource) } : { realm: "cs-mcp" }), ...extra };
    return `Bearer ${Object.entries(params).map(([k, v]) => `${k}=${quoted(v)}`).join(", ")}`;
  }
  const keys = new KeyPrincipalCache(config.CS_MCP_API_KEY_CACHE_MS ?? 0);
  const invalid = (description: string) => new AuthError(401, description, challenge({ error: "invalid_token", error_description: description }));

  async function principalOf(token: string): Promise<Principal> {
    if (token.startsWith(KEY_PREFIX)) {
      const at = now();
      const hash = hashApiKey(token);
      const cached = keys.get(hash, at.getTime());
      if (cached) return cached;
      const found = await principalOfApiKey(deps.db.prisma, token, at);
      if ("refused" in found) throw invalid(found.refused);
      keys.set(hash, found, at.getTime());
      return found;
    }
    if (!oauth) throw invalid("the bearer token is not an API key, and no OAuth issuer is configured (CS_MCP_AUTH_ISSUER)");
    try {
      return await oauth.verify(token);
    } catch (err) {
      if (err instanceof TokenRefused) throw invalid(err.message);
      throw err;
    }
  }

  return {
    async authenticate(header) {
      if (!header?.trim()) throw new AuthError(401, "authentication required: send Authorization: Bearer <token or API key>", challenge());
      const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
      if (!match) throw invalid("the Authorization header must be 'Bearer <token>'");
      const principal = await principalOf(match[1]!);
      // A credential that grants none of this server's scopes can do nothing here: RFC 6750 §3.1.
      if (principal.scopes.length === 0) {
        const description = `the credential grants none of ${SCOPES.join(", ")}`;
        throw new AuthError(403, description, challenge({ error: "insufficient_scope", scope: "cs:read", error_description: description }));
      }
      return principal;
    },
    metadata() {
      return {
        ...(resource ? { resource } : {}),
        ...(config.CS_MCP_AUTH_ISSUER ? { authorization_servers: [config.CS_MCP_AUTH_ISSUER] } : {}),
        scopes_supported: [...SCOPES],
        bearer_methods_supported: ["header"],
        resource_name: "Customer Success MCP",
      };
    },
    metadataPaths() {
      const paths = [resource ? new URL(metadataUrlOf(resource)).pathname : WELL_KNOWN, WELL_KNOWN];
      return [...new Set(paths)];
    },
  };
}

