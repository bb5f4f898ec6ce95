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

export interface Keyring {
  /** Id of the current key (the one seal uses). */
  currentId: string;
  seal(plaintext: string): string;
  open(sealed: string): string;
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
  const parts = (sealed: string) => {
    const p = sealed.split(":");
    if (p.length !== 5 || p[0] !== "v1") throw new EncryptionError("not a sealed value (expected v1:<key id>:<iv>:<tag>:<ciphertext>)");
    return { id: p[1]!, iv: Buffer.from(p[2]!, "base64"), tag: Buffer.from(p[3]!, "base64"), data: Buffer.from(p[4]!, "base64") };
  };
  return {
    currentId: cur.id,
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", cur.bytes, iv);
      const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return ["v1", cur.id, iv.toString("base64"), cipher.getAuthTag().toString("base64"), data.toString("base64")].join(":");
    },
    open(sealed) {
      const p = parts(sealed);
      const key = keys.get(p.id);
      if (!key) throw new EncryptionError(`sealed under key ${p.id}, which is neither CS_MCP_ENCRYPTION_KEY nor CS_MCP_ENCRYPTION_KEY_PREVIOUS`);
      try {
        const decipher = createDecipheriv("aes-256-gcm", key.bytes, p.iv);
        decipher.setAuthTag(p.tag);
        return Buffer.concat([decipher.update(p.data), decipher.final()]).toString("utf8");
      } catch {
        throw new EncryptionError(`sealed value under key ${p.id} failed authentication (altered or truncated)`);
      }
    },
    keyIdOf: (sealed) => parts(sealed).id,
  };
}
