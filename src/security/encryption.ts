// AES-256-GCM (node:crypto) of the vendor credentials stored in the database. A sealed value names the
// key that sealed it (the first 8 hex digits of the key's SHA-256), so during a key rotation values under the
// previous key still open, and `cs-mcp secrets rotate-key` knows which ones to re-seal.
//   format: v1:<key id>:<12-byte IV, base64>:<16-byte tag, base64>:<ciphertext, base64>
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { decodeKey, encryptionKeyProblem } from "./encryption-key.ts";

export class EncryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EncryptionError";
  }
}

interface Key {
  id: string;
  bytes: Buffer;
}

function toKey(text: string, setting: string): Key {
  const problem = encryptionKeyProblem(text);
  if (problem) throw new EncryptionError(`${setting}: ${problem}`);
  const bytes = decodeKey(text)!;
  return { id: createHash("sha256").update(bytes).digest("hex").slice(0, 8), bytes };
}

/** A sealed value in parts, as the integration_credentials table stores it (base64 fields). */
export interface SealedParts {
  key_id: string;
  iv: string;
  auth_tag: string;
  ciphertext: string;
}

export interface Keyring {
  /** Id of the current key (the one seal uses). */
  currentId: string;
  /** Ids of every key this keyring can open with (current first, then the previous one). */
  keyIds: string[];
  seal(plaintext: string): string;
  open(sealed: string): string;
  sealParts(plaintext: string): SealedParts;
  openParts(sealed: SealedParts): string;
  /** The id of the key a sealed value was made with. */
  keyIdOf(sealed: string): string;
}

export function createKeyring(current: string | undefined, previous?: string): Keyring {
  if (!current) throw new EncryptionError("CS_MCP_ENCRYPTION_KEY is not set: stored credentials cannot be encrypted or read");
  const cur = toKey(current, "CS_MCP_ENCRYPTION_KEY");
  const keys = new Map<string, Key>([[cur.id, cur]]);
  if (previous) {
    const prev = toKey(previous, "CS_MCP_ENCRYPTION_KEY_PREVIOUS");
    if (!keys.has(prev.id)) keys.set(prev.id, prev);
  }
  const parts = (sealed: string): SealedParts => {
    const p = sealed.split(":");
    if (p.length !== 5 || p[0] !== "v1") throw new EncryptionError("not a sealed value (expected v1:<key id>:<iv>:<tag>:<ciphertext>)");
    return { key_id: p[1]!, iv: p[2]!, auth_tag: p[3]!, ciphertext: p[4]! };
  };
  const sealParts = (plaintext: string): SealedParts => {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", cur.bytes, iv);
    const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return { key_id: cur.id, iv: iv.toString("base64"), auth_tag: cipher.getAuthTag().toString("base64"), ciphertext: data.toString("base64") };
  };
  const openParts = (p: SealedParts): string => {
    const key = keys.get(p.key_id);
    if (!key) throw new EncryptionError(`sealed under key ${p.key_id}, which is neither CS_MCP_ENCRYPTION_KEY nor CS_MCP_ENCRYPTION_KEY_PREVIOUS`);
    try {
      const decipher = createDecipheriv("aes-256-gcm", key.bytes, Buffer.from(p.iv, "base64"));
      decipher.setAuthTag(Buffer.from(p.auth_tag, "base64"));
      return Buffer.concat([decipher.update(Buffer.from(p.ciphertext, "base64")), decipher.final()]).toString("utf8");
    } catch {
      throw new EncryptionError(`sealed value under key ${p.key_id} failed authentication (altered or truncated)`);
    }
  };
  return {
    currentId: cur.id,
    keyIds: [...keys.keys()],
    sealParts,
    openParts,
    seal(plaintext) {
      const p = sealParts(plaintext);
      return ["v1", p.key_id, p.iv, p.auth_tag, p.ciphertext].join(":");
    },
    open: (sealed) => openParts(parts(sealed)),
    keyIdOf: (sealed) => parts(sealed).key_id,
  };
}
