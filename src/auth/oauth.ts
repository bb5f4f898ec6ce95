// OAuth 2.1 resource server: JWT access tokens checked with jose against the issuer's JWKS — signature
// (asymmetric algorithms only), issuer, audience bound to this server's canonical URL (RFC 8707: a token
// minted for another resource is refused), exp and nbf with a small clock tolerance. The token itself is
// only read here: it is never stored, logged, nor forwarded to a vendor.
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from "jose";
import type { Principal, Scope } from "./principal.ts";
import { SCOPES } from "./scopes.ts";

export interface OAuthSettings {
  issuer: string;
  /** The issuer's JWKS; discovered from its metadata when absent. */
  jwksUrl?: string;
  /** This server's canonical URL: the audience every accepted token names. */
  audience: string;
  algorithms: readonly string[];
  clockToleranceSeconds: number;
}

/** Why a token is refused, safe to send back (it never quotes the token). */
export class TokenRefused extends Error {}

const FETCH_TIMEOUT_MS = 5_000;

/** RFC 8414 §3 and OpenID discovery: where an issuer publishes its metadata, in the order tried. */
export function metadataUrls(issuer: string): string[] {
  const u = new URL(issuer);
  const path = u.pathname === "/" ? "" : u.pathname.replace(/\/$/, "");
  return [
    `${u.origin}/.well-known/oauth-authorization-server${path}`,
    `${u.origin}/.well-known/openid-configuration${path}`,
    `${u.origin}${path}/.well-known/openid-configuration`,
  ].filter((x, i, all) => all.indexOf(x) === i);
}

async function discoverJwksUrl(issuer: string): Promise<string> {
  const failures: string[] = [];
  for (const url of metadataUrls(issuer)) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: "application/json" } });
      if (!res.ok) {
        failures.push(`${url}: HTTP ${res.status}`);
        continue;
      }
      const meta = (await res.json()) as { issuer?: unknown; jwks_uri?: unknown };
      // RFC 8414 §3.3: metadata naming another issuer must not be used.
      if (meta.issuer !== issuer) throw new TokenRefused(`the issuer's metadata at ${url} names issuer ${String(meta.issuer)}, not ${issuer}`);
      if (typeof meta.jwks_uri !== "string" || !URL.canParse(meta.jwks_uri)) throw new TokenRefused(`the issuer's metadata at ${url} has no valid jwks_uri`);
      return meta.jwks_uri;
    } catch (err) {
      if (err instanceof TokenRefused) throw err;
      failures.push(`${url}: ${(err as Error).message}`);
    }
  }
  throw new TokenRefused(`the issuer's metadata could not be read (${failures.join("; ")}); set CS_MCP_AUTH_JWKS_URL`);
}

/** Scopes from `scope` (RFC 9068: space-separated) or `scp` (a list, or a string), keeping only this server's. */
export function scopesOf(payload: JWTPayload): Scope[] {
  const raw = payload.scope ?? payload.scp;
  const list = Array.isArray(raw) ? raw.filter((s): s is string => typeof s === "string") : typeof raw === "string" ? raw.split(/\s+/) : [];
  return SCOPES.filter((s) => list.includes(s));
}

/** What the token fails on, in words a client's operator can act on. */
function reasonOf(err: unknown): string {
  if (err instanceof errors.JWTExpired) return "the token has expired";
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === "nbf") return "the token is not valid yet (nbf)";
    if (err.claim === "aud") return "the token was issued for another resource (aud does not name this server)";
    if (err.claim === "iss") return "the token was issued by another issuer";
    return `the token's ${err.claim} claim is ${err.reason === "missing" ? "missing" : "not acceptable"}`;
  }
  if (err instanceof errors.JOSEAlgNotAllowed) return "the token's signing algorithm is not accepted";
  if (err instanceof errors.JWSSignatureVerificationFailed) return "the token's signature does not verify";
  if (err instanceof errors.JWKSNoMatchingKey) return "the token is signed with a key the issuer does not publish";
  if (err instanceof errors.JWKSTimeout) return "the issuer's keys could not be fetched in time";
  if (err instanceof errors.JWTInvalid || err instanceof errors.JWSInvalid) return "the token is not a valid signed JWT";
  if (err instanceof TokenRefused) return err.message;
  return "the token could not be verified";
}

export interface OAuthVerifier {
  verify(token: string): Promise<Principal>;
}

export function createOAuthVerifier(settings: OAuthSettings): OAuthVerifier {
  let jwks: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;
  const keySet = () => {
    // A failed discovery is not cached: the next token tries again.
    jwks ??= (settings.jwksUrl ? Promise.resolve(settings.jwksUrl) : discoverJwksUrl(settings.issuer)).then(
      (url) => createRemoteJWKSet(new URL(url), { timeoutDuration: FETCH_TIMEOUT_MS }),
      (err: unknown) => {
        jwks = undefined;
        throw err;
      },
    );
    return jwks;
  };
  return {
    async verify(token) {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, await keySet(), {
          issuer: settings.issuer,
          audience: settings.audience,
          algorithms: [...settings.algorithms],
          clockTolerance: settings.clockToleranceSeconds,
          requiredClaims: ["exp", "sub"],
        }));
      } catch (err) {
        throw new TokenRefused(reasonOf(err));
      }
      return { subject: String(payload.sub), via: "oauth", scopes: scopesOf(payload) };
    },
  };
}
