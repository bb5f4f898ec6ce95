// The OAuth resource server against an authorization server this test runs on 127.0.0.1: its metadata
// (RFC 8414) names a JWKS of keys made here with jose, and tokens are signed here. Each refusal is checked
// for its status, its RFC 6750 error and the RFC 9728 pointer to this server's metadata.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";
import { AuthError, createAuthenticator, type Authenticator } from "../../src/auth/authenticator.ts";
import { loadConfig } from "../../src/config/load.ts";

const RESOURCE = "https://cs.example.test/mcp";
const METADATA = "https://cs.example.test/.well-known/oauth-protected-resource/mcp";

let server: Server;
let issuer: string;
let signing: CryptoKey;
let stranger: CryptoKey;
let auth: Authenticator;
const requests: string[] = [];

beforeAll(async () => {
  const pair = await generateKeyPair("RS256");
  signing = pair.privateKey;
  stranger = (await generateKeyPair("RS256")).privateKey;
  const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  server = createServer((req, res) => {
    requests.push(req.url ?? "");
    const body =
      req.url === "/.well-known/oauth-authorization-server" ? { issuer, jwks_uri: `${issuer}/jwks.json`, token_endpoint: `${issuer}/token` } :
      req.url === "/jwks.json" ? { keys: [jwk] } : null;
    res.writeHead(body ? 200 : 404, { "content-type": "application/json" }).end(JSON.stringify(body ?? { error: "not found" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = loadConfig({ CS_MCP_RESOURCE_URL: RESOURCE, CS_MCP_AUTH_ISSUER: issuer, CS_MCP_AUTH_CLOCK_TOLERANCE_S: "5" });
  // No API key is presented in this file: the database is never reached.
  auth = createAuthenticator(config, { db: { prisma: null as never } });
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const now = () => Math.floor(Date.now() / 1000);

function token(overrides: { aud?: string; iss?: string; exp?: number; nbf?: number; scope?: string; kid?: string; key?: CryptoKey; sub?: string } = {}): Promise<string> {
  const jwt = new SignJWT({ scope: overrides.scope ?? "cs:read cs:write openid" })
    .setProtectedHeader({ alg: "RS256", kid: overrides.kid ?? "k1", typ: "at+jwt" })
    .setIssuer(overrides.iss ?? issuer)
    .setAudience(overrides.aud ?? RESOURCE)
    .setSubject(overrides.sub ?? "alice@example.test")
    .setIssuedAt()
    .setExpirationTime(overrides.exp ?? now() + 600);
  if (overrides.nbf !== undefined) jwt.setNotBefore(overrides.nbf);
  return jwt.sign(overrides.key ?? signing);
}

async function refusal(header: string | undefined): Promise<AuthError> {
  const err = await auth.authenticate(header).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AuthError);
  return err as AuthError;
}

function expectInvalidToken(err: AuthError, description: RegExp) {
  expect(err.status).toBe(401);
  expect(err.message).toMatch(description);
  expect(err.wwwAuthenticate).toMatch(new RegExp(`^Bearer resource_metadata="${METADATA}", error="invalid_token", error_description="`));
}

describe("OAuth access tokens", () => {
  it("accepts a token of the issuer for this resource: subject and this server's scopes only", async () => {
    const p = await auth.authenticate(`Bearer ${await token()}`);
    expect(p).toEqual({ subject: "alice@example.test", via: "oauth", scopes: ["cs:read", "cs:write"] });
    // The keys were found through the issuer's RFC 8414 metadata.
    expect(requests).toContain("/.well-known/oauth-authorization-server");
    expect(requests).toContain("/jwks.json");
  });

  it("reads scopes from an scp list too", async () => {
    const t = await new SignJWT({ scp: ["cs:admin", "other"] }).setProtectedHeader({ alg: "RS256", kid: "k1" }).setIssuer(issuer).setAudience(RESOURCE).setSubject("bob").setExpirationTime(now() + 60).sign(signing);
    expect((await auth.authenticate(`Bearer ${t}`)).scopes).toEqual(["cs:admin"]);
  });

  it("asks for credentials with the metadata pointer when none are sent", async () => {
    const err = await refusal(undefined);
    expect(err.status).toBe(401);
    expect(err.wwwAuthenticate).toBe(`Bearer resource_metadata="${METADATA}"`);
  });

  it("refuses a token minted for another resource", async () => {
    expectInvalidToken(await refusal(`Bearer ${await token({ aud: "https://other.example.test/mcp" })}`), /issued for another resource/);
  });

  it("refuses an expired token (past the clock tolerance)", async () => {
    expectInvalidToken(await refusal(`Bearer ${await token({ exp: now() - 60 })}`), /expired/);
  });

  it("refuses a token that is not valid yet", async () => {
    expectInvalidToken(await refusal(`Bearer ${await token({ nbf: now() + 300 })}`), /not valid yet/);
  });

  it("refuses a token of another issuer", async () => {
    expectInvalidToken(await refusal(`Bearer ${await token({ iss: "https://evil.example.test" })}`), /another issuer/);
  });

  it("refuses a token whose signature does not verify", async () => {
    const good = await token();
    const [h, p] = good.split(".");
    const forged = await token({ key: stranger });
    expectInvalidToken(await refusal(`Bearer ${h}.${p}.${forged.split(".")[2]}`), /signature does not verify/);
  });

  it("refuses a token signed with a key the issuer does not publish", async () => {
    expectInvalidToken(await refusal(`Bearer ${await token({ kid: "k-unknown", key: stranger })}`), /key the issuer does not publish/);
  });

  it("refuses an unsigned token (alg none)", async () => {
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const unsigned = `${enc({ alg: "none", typ: "JWT" })}.${enc({ iss: issuer, aud: RESOURCE, sub: "mallory", scope: "cs:admin", exp: now() + 600 })}.`;
    expectInvalidToken(await refusal(`Bearer ${unsigned}`), /algorithm is not accepted|not a valid signed JWT/);
  });

  it("refuses a token granting none of this server's scopes with 403 insufficient_scope", async () => {
    const err = await refusal(`Bearer ${await token({ scope: "openid profile" })}`);
    expect(err.status).toBe(403);
    expect(err.wwwAuthenticate).toMatch(new RegExp(`^Bearer resource_metadata="${METADATA}", error="insufficient_scope", scope="cs:read"`));
  });

  it("refuses a header that is not a bearer credential, without echoing it", async () => {
    const err = await refusal("Basic dXNlcjpwYXNz");
    expectInvalidToken(err, /must be 'Bearer <token>'/);
    expect(`${err.message} ${err.wwwAuthenticate}`).not.toContain("dXNlcjpwYXNz");
  });

  it("publishes RFC 9728 metadata naming the resource, the issuer and the scopes", () => {
    expect(auth.metadata()).toEqual({
      resource: RESOURCE,
      authorization_servers: [issuer],
      scopes_supported: ["cs:read", "cs:write", "cs:admin"],
      bearer_methods_supported: ["header"],
      resource_name: "Customer Success MCP",
    });
    expect(auth.metadataPaths()).toEqual(["/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"]);
  });
});

describe("settings", () => {
  it("an issuer without this server's URL is refused at start-up, naming the setting", () => {
    expect(() => loadConfig({ CS_MCP_AUTH_ISSUER: "https://id.example.test" })).toThrow(/CS_MCP_RESOURCE_URL/);
  });
});
