// Vendor credentials stored in the database on both back ends: sealed with AES-256-GCM (checked by
// decrypting the stored row with node:crypto directly, not through the code under test), read back as the
// last source of a secret setting, and re-sealed under a new key by the rotation in one transaction.
import { createDecipheriv, createHash, randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.ts";
import { secretSources } from "../../src/config/secret-sources.ts";
import { createKeyring } from "../../src/security/encryption.ts";
import {
  applyStoredCredentials,
  CredentialStoreError,
  listStoredCredentials,
  rotateCredentialKey,
  storeCredentials,
} from "../../src/security/credential-store.ts";
import { createVendorClients } from "../../src/integrations/registry.ts";
import { integrationStatus } from "../../src/integrations/status.ts";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";

const newKey = () => randomBytes(32).toString("base64");
const keyId = (key: string) => createHash("sha256").update(Buffer.from(key, "base64")).digest("hex").slice(0, 8);

/** AES-256-GCM decryption of a stored row with the given key, independent of src/security. */
function decrypt(row: { iv: string; auth_tag: string; ciphertext: string }, key: string): string {
  const d = createDecipheriv("aes-256-gcm", Buffer.from(key, "base64"), Buffer.from(row.iv, "base64"));
  d.setAuthTag(Buffer.from(row.auth_tag, "base64"));
  return Buffer.concat([d.update(Buffer.from(row.ciphertext, "base64")), d.final()]).toString("utf8");
}

const SECRETS = { ZENDESK_API_TOKEN: "zd-stored-token-5521", SENDGRID_API_KEY: "SG.stored-key-8812", INTERCOM_ACCESS_TOKEN: "ic-stored-token-3307" };

const cleanups: TestDb[] = [];
afterAll(async () => {
  for (const t of cleanups) await t.cleanup();
});

describe.each(BACKENDS)("stored vendor credentials on %s", (backend) => {
  it("stores each value sealed (the row opens with the key, holds no plaintext) and fills only unset settings from it", async () => {
    const key = newKey();
    const t = await openTestDb(backend);
    cleanups.push(t);
    expect(await storeCredentials(t.db.prisma, createKeyring(key), SECRETS)).toEqual(["INTERCOM_ACCESS_TOKEN", "SENDGRID_API_KEY", "ZENDESK_API_TOKEN"]);

    const rows = await t.db.prisma.integrationCredential.findMany({ orderBy: { name: "asc" } });
    expect(rows.map((r) => [r.integration, r.name, r.key_id])).toEqual([
      ["intercom", "INTERCOM_ACCESS_TOKEN", keyId(key)],
      ["sendgrid", "SENDGRID_API_KEY", keyId(key)],
      ["zendesk", "ZENDESK_API_TOKEN", keyId(key)],
    ]);
    for (const r of rows) {
      expect(decrypt(r, key)).toBe(SECRETS[r.name as keyof typeof SECRETS]);
      expect(Buffer.from(r.iv, "base64")).toHaveLength(12);
      expect(JSON.stringify(r)).not.toContain(SECRETS[r.name as keyof typeof SECRETS]);
      expect(Buffer.from(r.ciphertext, "base64").toString("utf8")).not.toContain(SECRETS[r.name as keyof typeof SECRETS]);
    }

    // The environment wins over the database; the stored value fills what nothing else set.
    const config = loadConfig({ ...t.env, CS_MCP_ENCRYPTION_KEY: key, INTERCOM_ACCESS_TOKEN: "ic-from-env", ZENDESK_BASE_URL: "http://127.0.0.1:9/api/v2", ZENDESK_EMAIL: "a@b.test", SENDGRID_FROM_EMAIL: "cs@example.com" });
    expect(integrationStatus(config).find((s) => s.integration === "sendgrid")?.state).toBe("not_configured");
    expect(await applyStoredCredentials(config, t.db.prisma)).toEqual(["ZENDESK_API_TOKEN", "SENDGRID_API_KEY"]);
    expect([config.ZENDESK_API_TOKEN, config.SENDGRID_API_KEY, config.INTERCOM_ACCESS_TOKEN]).toEqual(["zd-stored-token-5521", "SG.stored-key-8812", "ic-from-env"]);
    expect(secretSources(config)).toMatchObject({ ZENDESK_API_TOKEN: "database (encrypted)", SENDGRID_API_KEY: "database (encrypted)", INTERCOM_ACCESS_TOKEN: "env", MIXPANEL_API_SECRET: "unset" });
    expect(integrationStatus(config).filter((s) => s.state === "configured").map((s) => s.integration)).toEqual(["zendesk", "intercom", "sendgrid"]);
    expect(createVendorClients(config).sendgrid).not.toBeNull();

    // Storing again replaces the value (a fresh IV, rotated_at set), still one row per setting.
    await storeCredentials(t.db.prisma, createKeyring(key), { SENDGRID_API_KEY: "SG.replaced-0042" });
    const replaced = await t.db.prisma.integrationCredential.findMany({ where: { name: "SENDGRID_API_KEY" } });
    expect(replaced).toHaveLength(1);
    expect(decrypt(replaced[0]!, key)).toBe("SG.replaced-0042");
    expect(replaced[0]!.rotated_at).toBeInstanceOf(Date);
  }, 120_000);

  it("refuses settings that are not vendor credentials and stores none of the batch", async () => {
    const t = await openTestDb(backend);
    cleanups.push(t);
    const err = await storeCredentials(t.db.prisma, createKeyring(newKey()), { SENDGRID_API_KEY: "SG.x", DATABASE_URL: "postgres://u:p@h/d" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CredentialStoreError);
    expect((err as Error).message).toMatch(/^DATABASE_URL: not a vendor credential; the database stores only ZENDESK_API_TOKEN, INTERCOM_ACCESS_TOKEN, MIXPANEL_PROJECT_TOKEN, MIXPANEL_API_SECRET, SENDGRID_API_KEY$/);
    expect(await t.db.prisma.integrationCredential.count()).toBe(0);
  }, 120_000);

  it("a stored credential without a usable key is an error naming the key setting, never the value", async () => {
    const t = await openTestDb(backend);
    cleanups.push(t);
    await storeCredentials(t.db.prisma, createKeyring(newKey()), { SENDGRID_API_KEY: "SG.secret-7781" });
    await expect(applyStoredCredentials(loadConfig(t.env), t.db.prisma)).rejects.toThrow("CS_MCP_ENCRYPTION_KEY is not set: stored credentials cannot be encrypted or read");
    const other = loadConfig({ ...t.env, CS_MCP_ENCRYPTION_KEY: newKey() });
    const err = await applyStoredCredentials(other, t.db.prisma).then(() => null, (e: unknown) => e as Error);
    expect(err?.message).toMatch(/^stored credential SENDGRID_API_KEY: sealed under key [0-9a-f]{8}, which is neither CS_MCP_ENCRYPTION_KEY nor CS_MCP_ENCRYPTION_KEY_PREVIOUS$/);
    expect(other.SENDGRID_API_KEY).toBeUndefined();
  }, 120_000);

  it("rotation re-seals every credential under the new key in one transaction: new ciphertexts, same plaintexts, the old key opens none", async () => {
    const [oldKey, key] = [newKey(), newKey()];
    const t = await openTestDb(backend);
    cleanups.push(t);
    await storeCredentials(t.db.prisma, createKeyring(oldKey), SECRETS);
    const before = await t.db.prisma.integrationCredential.findMany({ orderBy: { name: "asc" } });

    expect(await rotateCredentialKey(t.db.prisma, { CS_MCP_ENCRYPTION_KEY: key, CS_MCP_ENCRYPTION_KEY_PREVIOUS: oldKey })).toEqual({ resealed: 3, from: [keyId(oldKey)], to: keyId(key) });
    const after = await t.db.prisma.integrationCredential.findMany({ orderBy: { name: "asc" } });
    expect(after.map((r) => r.id)).toEqual(before.map((r) => r.id));
    for (const [i, r] of after.entries()) {
      expect(r.key_id).toBe(keyId(key));
      expect(r.ciphertext).not.toBe(before[i]!.ciphertext);
      expect(r.iv).not.toBe(before[i]!.iv);
      expect(decrypt(r, key)).toBe(SECRETS[r.name as keyof typeof SECRETS]);
      expect(() => decrypt(r, oldKey)).toThrow(/unable to authenticate/);
      expect(r.rotated_at).toBeInstanceOf(Date);
    }
    // The running configuration reads them with the new key alone once the previous one is dropped.
    const config = loadConfig({ ...t.env, CS_MCP_ENCRYPTION_KEY: key });
    await applyStoredCredentials(config, t.db.prisma);
    expect(config.SENDGRID_API_KEY).toBe(SECRETS.SENDGRID_API_KEY);
    expect((await listStoredCredentials(t.db.prisma)).map((c) => c.key_id)).toEqual([keyId(key), keyId(key), keyId(key)]);
  }, 120_000);

  it("a wrong previous key, the same key twice or a missing key is refused and changes nothing", async () => {
    const [oldKey, key, wrong] = [newKey(), newKey(), newKey()];
    const t = await openTestDb(backend);
    cleanups.push(t);
    await storeCredentials(t.db.prisma, createKeyring(oldKey), SECRETS);
    const before = await t.db.prisma.integrationCredential.findMany({ orderBy: { name: "asc" } });

    const err = await rotateCredentialKey(t.db.prisma, { CS_MCP_ENCRYPTION_KEY: key, CS_MCP_ENCRYPTION_KEY_PREVIOUS: wrong }).then(() => null, (e: unknown) => e as Error);
    expect(err).toBeInstanceOf(CredentialStoreError);
    expect(err?.message).toBe(`stored credential INTERCOM_ACCESS_TOKEN is sealed under key ${keyId(oldKey)}, but CS_MCP_ENCRYPTION_KEY_PREVIOUS is key ${keyId(wrong)}: give the key it was sealed with; nothing changed`);
    await expect(rotateCredentialKey(t.db.prisma, { CS_MCP_ENCRYPTION_KEY: oldKey, CS_MCP_ENCRYPTION_KEY_PREVIOUS: oldKey })).rejects.toThrow(/are the same key/);
    await expect(rotateCredentialKey(t.db.prisma, { CS_MCP_ENCRYPTION_KEY: key, CS_MCP_ENCRYPTION_KEY_PREVIOUS: undefined })).rejects.toThrow(/^set CS_MCP_ENCRYPTION_KEY_PREVIOUS to the key the credentials are sealed with/);

    // An altered row (its tag no longer matches) stops the rotation after earlier rows were re-sealed in the
    // same transaction: the transaction is rolled back, so those earlier rows are unchanged too.
    const last = before.at(-1)!;
    const tampered = Buffer.from(last.auth_tag, "base64");
    tampered[0] = tampered[0]! ^ 1;
    await t.db.prisma.integrationCredential.update({ where: { id: last.id }, data: { auth_tag: tampered.toString("base64") } });
    const altered = await rotateCredentialKey(t.db.prisma, { CS_MCP_ENCRYPTION_KEY: key, CS_MCP_ENCRYPTION_KEY_PREVIOUS: oldKey }).then(() => null, (e: unknown) => e as Error);
    expect(altered?.message).toBe(`stored credential ${last.name}: sealed value under key ${keyId(oldKey)} failed authentication (altered or truncated); nothing changed`);
    const after = await t.db.prisma.integrationCredential.findMany({ orderBy: { name: "asc" } });
    expect(after.slice(0, -1)).toEqual(before.slice(0, -1));
    expect(after.at(-1)!.ciphertext).toBe(last.ciphertext);
  }, 120_000);
});
