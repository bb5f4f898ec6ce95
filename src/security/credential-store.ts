// Vendor credentials kept in the database (integration_credentials), each sealed with AES-256-GCM under
// CS_MCP_ENCRYPTION_KEY: what `cs-mcp setup --credentials database` writes instead of putting them in .env.
// They are the last source of a secret setting: the environment, a flag, NAME_FILE and AWS Secrets Manager
// all take precedence (applyStoredCredentials fills only what is still unset). Only the vendor secrets
// (the integrations group's secret settings) may be stored; database and Redis URLs open the database itself.
// Nothing here logs or returns a plaintext other than to the configuration it fills.
import type { PrismaClient } from "../generated/prisma/client.ts";
import type { Config } from "../config/schema.ts";
import { SETTINGS } from "../config/settings.ts";
import { bumpSecretsGeneration, recordSecretSources, secretSources } from "../config/secret-sources.ts";
import { createKeyring, EncryptionError, type Keyring } from "./encryption.ts";

export const STORABLE_CREDENTIALS: readonly string[] = SETTINGS.filter((s) => s.group === "integrations" && "secret" in s && s.secret).map((s) => s.env);

/** ZENDESK_API_TOKEN belongs to zendesk: every vendor setting starts with its vendor's name. */
export const integrationOf = (name: string): string => name.slice(0, name.indexOf("_")).toLowerCase();

export class CredentialStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CredentialStoreError";
  }
}

export interface StoredCredential {
  integration: string;
  name: string;
  key_id: string;
  created_at: Date;
  rotated_at: Date | null;
}

/** Seals and stores (or replaces) each value in one transaction; returns the names stored. */
export async function storeCredentials(prisma: PrismaClient, keyring: Keyring, values: Record<string, string>): Promise<string[]> {
  const names = Object.keys(values).sort();
  const wrong = names.filter((n) => !STORABLE_CREDENTIALS.includes(n));
  if (wrong.length) throw new CredentialStoreError(`${wrong.join(", ")}: not a vendor credential; the database stores only ${STORABLE_CREDENTIALS.join(", ")}`);
  await prisma.$transaction(async (tx) => {
    for (const name of names) {
      const sealed = keyring.sealParts(values[name]!);
      const integration = integrationOf(name);
      await tx.integrationCredential.upsert({
        where: { integration_name: { integration, name } },
        create: { integration, name, ...sealed },
        update: { ...sealed, rotated_at: new Date() },
      });
    }
  });
  return names;
}

export async function listStoredCredentials(prisma: PrismaClient): Promise<StoredCredential[]> {
  return prisma.integrationCredential.findMany({
    select: { integration: true, name: true, key_id: true, created_at: true, rotated_at: true },
    orderBy: [{ integration: "asc" }, { name: "asc" }],
  });
}

/** Every stored credential, opened. Throws EncryptionError naming the credential when one does not open. */
export async function readStoredCredentials(prisma: PrismaClient, keyring: Keyring): Promise<Record<string, string>> {
  const rows = await prisma.integrationCredential.findMany({ orderBy: { name: "asc" } });
  const out: Record<string, string> = {};
  for (const row of rows) {
    try {
      out[row.name] = keyring.openParts(row);
    } catch (err) {
      throw new EncryptionError(`stored credential ${row.name}: ${(err as Error).message}`);
    }
  }
  return out;
}

/**
 * Fills the secret settings that no other source set from the stored credentials, in place, and records
 * their source as "database (encrypted)" (doctor shows it). Returns the names filled. Without stored rows
 * nothing is needed, not even a key; with rows and no usable key it throws EncryptionError.
 */
export async function applyStoredCredentials(config: Config, prisma: PrismaClient): Promise<string[]> {
  if ((await prisma.integrationCredential.count()) === 0) return [];
  const sources = secretSources(config);
  const wanted = STORABLE_CREDENTIALS.filter((n) => sources[n] === "unset");
  if (!wanted.length) return [];
  const stored = await readStoredCredentials(prisma, createKeyring(config.CS_MCP_ENCRYPTION_KEY, config.CS_MCP_ENCRYPTION_KEY_PREVIOUS));
  const filled = wanted.filter((n) => n in stored);
  const target = config as Record<string, unknown>;
  for (const n of filled) target[n] = stored[n];
  if (filled.length) {
    recordSecretSources(config, { ...sources, ...Object.fromEntries(filled.map((n) => [n, "database (encrypted)" as const])) });
    bumpSecretsGeneration(config); // clients built before this point are rebuilt with the stored values
  }
  return filled;
}

/**
 * Re-seals every stored credential under CS_MCP_ENCRYPTION_KEY (the new key), opening each with that key or
 * CS_MCP_ENCRYPTION_KEY_PREVIOUS (the old one), in one transaction: when any credential does not open
 * (the old key is not the one it was sealed with, or the value was altered) nothing changes.
 */
export async function rotateCredentialKey(prisma: PrismaClient, config: Pick<Config, "CS_MCP_ENCRYPTION_KEY" | "CS_MCP_ENCRYPTION_KEY_PREVIOUS">): Promise<{ resealed: number; from: string[]; to: string }> {
  if (!config.CS_MCP_ENCRYPTION_KEY || !config.CS_MCP_ENCRYPTION_KEY_PREVIOUS) {
    throw new CredentialStoreError("set CS_MCP_ENCRYPTION_KEY_PREVIOUS to the key the credentials are sealed with and CS_MCP_ENCRYPTION_KEY to the new key (environment or NAME_FILE, never a flag)");
  }
  const keyring = createKeyring(config.CS_MCP_ENCRYPTION_KEY, config.CS_MCP_ENCRYPTION_KEY_PREVIOUS);
  if (keyring.keyIds.length === 1) throw new CredentialStoreError("CS_MCP_ENCRYPTION_KEY and CS_MCP_ENCRYPTION_KEY_PREVIOUS are the same key: a rotation needs a new one (openssl rand -base64 32)");
  const previousId = keyring.keyIds[1]!;
  return prisma.$transaction(async (tx) => {
    const rows = await tx.integrationCredential.findMany({ orderBy: { name: "asc" } });
    const from = new Set<string>();
    const at = new Date();
    for (const row of rows) {
      if (!keyring.keyIds.includes(row.key_id)) {
        throw new CredentialStoreError(`stored credential ${row.name} is sealed under key ${row.key_id}, but CS_MCP_ENCRYPTION_KEY_PREVIOUS is key ${previousId}: give the key it was sealed with; nothing changed`);
      }
      let plaintext: string;
      try {
        plaintext = keyring.openParts(row);
      } catch (err) {
        throw new CredentialStoreError(`stored credential ${row.name}: ${(err as Error).message}; nothing changed`);
      }
      from.add(row.key_id);
      await tx.integrationCredential.update({ where: { id: row.id }, data: { ...keyring.sealParts(plaintext), rotated_at: at } });
    }
    return { resealed: rows.length, from: [...from].sort(), to: keyring.currentId };
  });
}
