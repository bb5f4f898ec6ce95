// The per-instance cache of API-key principals (src/auth/key-cache.ts through the authenticator): within
// CS_MCP_API_KEY_CACHE_MS a key found valid is not looked up again, so a revocation takes effect at the end
// of that time at the latest, and at once with the cache off (0). Unknown and revoked keys are never cached:
// a key created after a refusal works at once. The clock is the authenticator's injected `now`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { AuthError, createAuthenticator } from "../../src/auth/authenticator.ts";
import { createApiKey, parseKeyInput, revokeApiKeyByName } from "../../src/auth/api-keys.ts";
import { generateApiKey, hashApiKey } from "../../src/auth/api-key-format.ts";
import { insertApiKey } from "../../src/repositories/api-keys.ts";
import { loadConfig } from "../../src/config/load.ts";

describe.each(BACKENDS)("API-key principal cache (%s)", (backend) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(backend);
  }, 120_000);
  afterAll(async () => t?.cleanup());

  const clockAt = (start: number) => {
    const clock = { ms: start };
    return { clock, now: () => new Date(clock.ms) };
  };
  const newKey = async (name: string) => (await createApiKey(t.db.prisma, parseKeyInput({ name, scopes: "read" }))).key;
  const refusal = (p: Promise<unknown>) => p.then(() => "accepted", (e: unknown) => (e instanceof AuthError ? `${e.status} ${e.message}` : String(e)));

  it("keeps a valid key for CS_MCP_API_KEY_CACHE_MS: a revocation takes effect when the entry expires", async () => {
    const key = await newKey("cached");
    const { clock, now } = clockAt(Date.UTC(2026, 11, 3, 12));
    const auth = createAuthenticator(loadConfig({ CS_MCP_API_KEY_CACHE_MS: "2000" }), { db: t.db, now });
    expect(await auth.authenticate(`Bearer ${key}`)).toMatchObject({ subject: "key:cached", scopes: ["cs:read"] });
    await revokeApiKeyByName(t.db.prisma, "cached", new Date(clock.ms));
    clock.ms += 1_999;
    expect(await refusal(auth.authenticate(`Bearer ${key}`))).toBe("accepted");
    clock.ms += 1;
    expect(await refusal(auth.authenticate(`Bearer ${key}`))).toBe("401 the API key has been revoked");
  });

  it("with the cache off (0) refuses a revoked key on the next request", async () => {
    const key = await newKey("uncached");
    const { clock, now } = clockAt(Date.UTC(2026, 11, 3, 12));
    const auth = createAuthenticator(loadConfig({ CS_MCP_API_KEY_CACHE_MS: "0" }), { db: t.db, now });
    expect(await refusal(auth.authenticate(`Bearer ${key}`))).toBe("accepted");
    await revokeApiKeyByName(t.db.prisma, "uncached", new Date(clock.ms));
    expect(await refusal(auth.authenticate(`Bearer ${key}`))).toBe("401 the API key has been revoked");
  });

  it("does not cache a refusal: a key unknown a moment ago works once it is stored", async () => {
    const { now } = clockAt(Date.UTC(2026, 11, 3, 12));
    const auth = createAuthenticator(loadConfig({ CS_MCP_API_KEY_CACHE_MS: "60000" }), { db: t.db, now });
    const key = generateApiKey();
    expect(await refusal(auth.authenticate(`Bearer ${key}`))).toBe("401 the API key is not known");
    await insertApiKey(t.db.prisma, { ...parseKeyInput({ name: "late", scopes: "read" }), key_hash: hashApiKey(key) });
    expect(await auth.authenticate(`Bearer ${key}`)).toMatchObject({ subject: "key:late" });
  });
});
