// `cs-mcp keys` spawned from the build against a data directory and a PostgreSQL database: a key is printed
// once with its prefix and checksum, only its sha256 is stored, it authenticates as a bearer token until it
// is revoked, `list` never shows it, and bad input gets an error naming the flag.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS } from "../helpers/databases.ts";
import { csBackend, runCli, type CsBackend } from "../helpers/cs-e2e.ts";
import { loadConfig } from "../../src/config/load.ts";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { AuthError, createAuthenticator } from "../../src/auth/authenticator.ts";
import { isWellFormedApiKey } from "../../src/auth/api-key-format.ts";

/** Opens the CLI's database in this process for one check (the embedded one is held by one process at a time). */
async function withDb<T>(b: CsBackend, fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase(loadConfig({ ...b.env, LOG_LEVEL: "silent" }), createLogger("silent"), { migrate: true });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

describe.each(BACKENDS)("cs-mcp keys (%s)", (backend) => {
  let b: CsBackend;
  let key: string;
  beforeAll(async () => {
    b = await csBackend(backend);
  });
  afterAll(async () => b?.cleanup());

  it("create prints the key once; only its sha256 is stored", async () => {
    const r = await runCli(["keys", "create", "--name", "alice", "--scopes", "read,write", "--toolsets", "core,health", "--json"], b.env);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const created = JSON.parse(r.out);
    key = created.key;
    expect(key).toMatch(/^csmcp_[0-9A-Za-z]{38}$/);
    expect(isWellFormedApiKey(key)).toBe(true);
    expect(created).toMatchObject({ name: "alice", scopes: ["cs:read", "cs:write"], toolsets: ["core", "health"], read_only: false, revoked_at: null, last_used_at: null });
    expect(created.key_hash).toBeUndefined();
    const rows = await withDb(b, (db) => db.query<Record<string, unknown>>("SELECT * FROM api_keys"));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.key_hash).toBe(createHash("sha256").update(key).digest("hex"));
    expect(JSON.stringify(rows)).not.toContain(key.slice(6));
  });

  it("the key authenticates as a bearer token, with its scopes and toolsets, and its use is recorded", async () => {
    const principal = await withDb(b, (db) => createAuthenticator(loadConfig({}), { db }).authenticate(`Bearer ${key}`));
    expect(principal).toEqual({ subject: "key:alice", via: "api_key", scopes: ["cs:read", "cs:write"], toolsets: ["core", "health"] });
    const listed = await runCli(["keys", "list", "--json"], b.env);
    expect(listed.code).toBe(0);
    expect(listed.out).not.toContain(key.slice(6));
    const [alice] = JSON.parse(listed.out);
    expect(alice.name).toBe("alice");
    expect(alice.key_hash).toBeUndefined();
    expect(typeof alice.last_used_at).toBe("string");
  });

  // Spawns nine CLIs one after another, two of them opening the database.
  it("bad input gets an error naming the flag and stores nothing", { timeout: 240_000 }, async () => {
    const cases: Array<[string[], RegExp]> = [
      [["keys", "create", "--scopes", "read"], /--name is required/],
      [["keys", "create", "--name", "alice", "--scopes", "read"], /--name 'alice' is taken/],
      [["keys", "create", "--name", "bob", "--scopes", "read,owner"], /--scopes: 'owner' is not a scope/],
      [["keys", "create", "--name", "bob"], /--scopes is required/],
      [["keys", "create", "--name", "bob", "--scopes", "read", "--toolsets", "billing"], /--toolsets: 'billing' is not a toolset/],
      [["keys", "create", "--name", "bad name!", "--scopes", "read"], /--name 'bad name!' is not allowed/],
      [["keys", "revoke", "nobody"], /no key is named 'nobody'/],
      [["keys", "revoke"], /the key's name is required/],
      [["keys", "rotate"], /say what to do: create, list, revoke/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args, b.env);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err, args.join(" ")).toMatch(message);
      expect(r.out).toBe("");
    }
    expect(await withDb(b, (db) => db.prisma.apiKey.count())).toBe(1);
  });

  it("a revoked key is refused with 401 invalid_token", async () => {
    const r = await runCli(["keys", "revoke", "alice"], b.env);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^API key 'alice' revoked at \d{4}-/);
    const err = await withDb(b, (db) => createAuthenticator(loadConfig({ CS_MCP_RESOURCE_URL: "http://127.0.0.1:3000/mcp" }), { db }).authenticate(`Bearer ${key}`).catch((e: unknown) => e));
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).status).toBe(401);
    expect((err as AuthError).message).toBe("the API key has been revoked");
    expect((err as AuthError).wwwAuthenticate).toBe('Bearer resource_metadata="http://127.0.0.1:3000/.well-known/oauth-protected-resource/mcp", error="invalid_token", error_description="the API key has been revoked"');
    // A key with a wrong checksum is refused before any lookup.
    const mangled = `${key.slice(0, -1)}${key.endsWith("0") ? "1" : "0"}`;
    const bad = await withDb(b, (db) => createAuthenticator(loadConfig({}), { db }).authenticate(`Bearer ${mangled}`).catch((e: unknown) => e));
    expect((bad as AuthError).message).toMatch(/malformed/);
  });
});
