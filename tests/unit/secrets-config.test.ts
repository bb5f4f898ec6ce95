// Secret settings from NAME_FILE, the encryption key's checks, AES-256-GCM sealing and key rotation, and the
// deployment profiles' refusals: each refusal names the setting and the rule, never the value.
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/load.ts";
import { secretSources } from "../../src/config/secret-sources.ts";
import { encryptionKeyProblem, shannonEntropy } from "../../src/security/encryption-key.ts";
import { createKeyring, EncryptionError } from "../../src/security/encryption.ts";
import { productionHttpProblem } from "../../src/config/profiles.ts";

const dir = mkdtempSync(join(tmpdir(), "cs-mcp-secrets-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message;
  }
  throw new Error("expected a ConfigError");
}

describe("NAME_FILE", () => {
  it("reads the secret from the file, without its trailing newline, and records the source", () => {
    const f = join(dir, "sendgrid");
    writeFileSync(f, "SG.from-a-file\n");
    const c = loadConfig({ SENDGRID_API_KEY_FILE: f, ZENDESK_API_TOKEN: "zd-env" });
    expect(c.SENDGRID_API_KEY).toBe("SG.from-a-file");
    expect(secretSources(c)).toMatchObject({ SENDGRID_API_KEY: "file", ZENDESK_API_TOKEN: "env", INTERCOM_ACCESS_TOKEN: "unset" });
  });

  it("keeps inner newlines and removes only one trailing newline", () => {
    const f = join(dir, "two-lines");
    writeFileSync(f, "line1\nline2\n\n");
    expect(loadConfig({ INTERCOM_ACCESS_TOKEN_FILE: f }).INTERCOM_ACCESS_TOKEN).toBe("line1\nline2\n");
  });

  it("an unreadable file is refused, naming NAME_FILE and the path", () => {
    const missing = join(dir, "nope");
    expect(refusal({ ZENDESK_API_TOKEN_FILE: missing })).toContain(`ZENDESK_API_TOKEN_FILE: cannot read ${missing} (ENOENT)`);
    const locked = join(dir, "locked");
    writeFileSync(locked, "x");
    chmodSync(locked, 0o000);
    if (process.getuid?.() !== 0) expect(refusal({ ZENDESK_API_TOKEN_FILE: locked })).toContain("(EACCES)");
    expect(refusal({ ZENDESK_API_TOKEN_FILE: dir })).toContain("(EISDIR)");
  });

  it("refuses NAME and NAME_FILE together", () => {
    const f = join(dir, "both");
    writeFileSync(f, "file-value");
    const msg = refusal({ SENDGRID_API_KEY: "env-value", SENDGRID_API_KEY_FILE: f });
    expect(msg).toContain("SENDGRID_API_KEY_FILE: SENDGRID_API_KEY is set as well; set one of them");
    expect(msg).not.toContain("env-value");
    expect(msg).not.toContain("file-value");
  });

  it("a file's value goes through the setting's own rule", () => {
    const f = join(dir, "db");
    writeFileSync(f, "mysql://u:hunter2@h/db\n");
    const msg = refusal({ DATABASE_URL_FILE: f });
    expect(msg).toContain("DATABASE_URL (--database-url): must be a postgres:// or postgresql:// URL");
    expect(msg).not.toContain("hunter2");
  });
});

describe("encryption key", () => {
  const good = randomBytes(32);
  it("accepts 32 random bytes as base64 or hex", () => {
    expect(encryptionKeyProblem(good.toString("base64"))).toBeNull();
    expect(encryptionKeyProblem(good.toString("hex"))).toBeNull();
    expect(loadConfig({ CS_MCP_ENCRYPTION_KEY: good.toString("base64") }).CS_MCP_ENCRYPTION_KEY).toBe(good.toString("base64"));
  });

  it("refuses the wrong length at start, naming the setting and never the key", () => {
    const short = randomBytes(16).toString("base64");
    const msg = refusal({ CS_MCP_ENCRYPTION_KEY: short });
    expect(msg).toContain("CS_MCP_ENCRYPTION_KEY: must decode to exactly 32 bytes (it decodes to 16)");
    expect(msg).not.toContain(short);
    expect(refusal({ CS_MCP_ENCRYPTION_KEY: "not a key!" })).toContain("CS_MCP_ENCRYPTION_KEY: must be 32 bytes written as base64 (44 characters) or hex (64 characters)");
  });

  it("refuses keys with too little entropy: one byte repeated, a counting sequence, two alternating bytes", () => {
    const same = Buffer.alloc(32, 0x41).toString("base64");
    expect(shannonEntropy(Buffer.alloc(32, 0x41))).toBe(0);
    expect(refusal({ CS_MCP_ENCRYPTION_KEY: same })).toContain("CS_MCP_ENCRYPTION_KEY: has too little entropy (0.00 bits per byte, at least 4 required)");
    const counting = Buffer.from(Array.from({ length: 32 }, (_, i) => i)).toString("hex");
    expect(shannonEntropy(Buffer.from(counting, "hex"))).toBe(5); // high entropy, yet a sequence
    expect(refusal({ CS_MCP_ENCRYPTION_KEY_PREVIOUS: counting })).toContain("CS_MCP_ENCRYPTION_KEY_PREVIOUS: has too little entropy (5.00 bits per byte, at least 4 required; its bytes form a sequence)");
    const two = Buffer.from(Array.from({ length: 32 }, (_, i) => (i % 2 ? 7 : 9))).toString("base64");
    expect(refusal({ CS_MCP_ENCRYPTION_KEY: two })).toContain("has too little entropy (1.00 bits per byte");
  });
});

describe("AES-256-GCM keyring", () => {
  const k1 = randomBytes(32).toString("base64");
  const k2 = randomBytes(32).toString("hex");

  it("seals with a fresh IV each time and opens what it sealed", () => {
    const ring = createKeyring(k1);
    const a = ring.seal("SG.secret-value");
    const b = ring.seal("SG.secret-value");
    expect(a).not.toBe(b);
    expect(a).not.toContain("SG.secret-value");
    expect(a.split(":")).toHaveLength(5);
    expect(ring.open(a)).toBe("SG.secret-value");
    expect(ring.open(b)).toBe("SG.secret-value");
  });

  it("refuses a value altered by one bit", () => {
    const ring = createKeyring(k1);
    const parts = ring.seal("token").split(":");
    const data = Buffer.from(parts[4]!, "base64");
    data[0] = data[0]! ^ 1;
    parts[4] = data.toString("base64");
    expect(() => ring.open(parts.join(":"))).toThrow(EncryptionError);
  });

  it("after a rotation, opens values of the previous key and seals under the new one", () => {
    const old = createKeyring(k1).seal("rotating");
    const ring = createKeyring(k2, k1);
    expect(ring.open(old)).toBe("rotating");
    expect(ring.keyIdOf(ring.seal("x"))).toBe(ring.currentId);
    expect(ring.keyIdOf(old)).not.toBe(ring.currentId);
    expect(() => createKeyring(k2).open(old)).toThrow(/neither CS_MCP_ENCRYPTION_KEY nor CS_MCP_ENCRYPTION_KEY_PREVIOUS/);
  });
});

describe("profiles", () => {
  it("development is the default and changes nothing", () => {
    const c = loadConfig({});
    expect(c.CS_MCP_PROFILE).toBe("development");
    expect(c.OUTBOX_DISPATCH_IN_SERVER).toBe(true);
  });

  it("staging and production refuse the embedded database", () => {
    expect(refusal({ CS_MCP_PROFILE: "staging" })).toContain("DATABASE_URL (--database-url): is required in the staging profile");
    expect(refusal({ CS_MCP_PROFILE: "production", REDIS_URL: "redis://r:6379" })).toContain("DATABASE_URL (--database-url): is required in the production profile");
  });

  it("production requires TLS to PostgreSQL and Redis, and refuses an unlimited rate", () => {
    const msg = refusal({ CS_MCP_PROFILE: "production", DATABASE_URL: "postgres://u:pw-secret@db:5432/cs?sslmode=prefer", CS_MCP_RATE_LIMIT_PER_MINUTE: "0" });
    expect(msg).toContain("DATABASE_URL (--database-url): must ask for TLS in the production profile: add ?sslmode=require (or verify-ca / verify-full)");
    expect(msg).toContain("REDIS_URL (--redis-url): is required in the production profile");
    expect(msg).toContain("CS_MCP_RATE_LIMIT_PER_MINUTE (--rate-limit-per-minute): must not be 0 (unlimited) in the production profile");
    expect(msg).not.toContain("pw-secret");
  });

  it("a compliant production configuration loads, with the profile's defaults where nothing is set", () => {
    const c = loadConfig({ CS_MCP_PROFILE: "production", DATABASE_URL: "postgres://u:p@db:5432/cs?sslmode=verify-full", REDIS_URL: "rediss://r:6380" });
    expect(c.OUTBOX_DISPATCH_IN_SERVER).toBe(false);
    expect(c.CS_MCP_AUTO_MIGRATE).toBe(false);
    expect(loadConfig({ CS_MCP_PROFILE: "production", DATABASE_URL: "postgres://u:p@db/cs?sslmode=require", REDIS_URL: "redis://r", OUTBOX_DISPATCH_IN_SERVER: "true" }).OUTBOX_DISPATCH_IN_SERVER).toBe(true);
  });

  it("refuses an unknown profile", () => {
    expect(refusal({ CS_MCP_PROFILE: "prod" })).toContain("CS_MCP_PROFILE: must be development, staging or production");
  });

  it("production refuses HTTP without authentication", () => {
    expect(productionHttpProblem("production", true, false)).toMatch(/refused in the production profile/);
    expect(productionHttpProblem("production", true, true)).toBeNull();
    expect(productionHttpProblem("staging", true, false)).toBeNull();
  });
});
