// The shape of an API key: `csmcp_` + 32 base62 characters drawn from the CSPRNG (≈190 bits) + 6 base62
// characters of CRC32 over them. The prefix and the checksum let leak scanners match a key with a
// regular expression and tell a real one from a look-alike without asking the server; the server also
// refuses a mistyped key before touching the database. Only the sha256 of a key is ever stored.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { crc32 } from "node:zlib";

export const KEY_PREFIX = "csmcp_";
const BODY_LENGTH = 32;
const CHECK_LENGTH = 6;
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** What a leak scanner can match: the prefix and exactly 38 base62 characters. */
export const KEY_PATTERN = /^csmcp_[0-9A-Za-z]{38}$/;

function base62(n: number, width: number): string {
  let out = "";
  for (let i = 0; i < width; i++) {
    out = ALPHABET[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

const checksum = (body: string): string => base62(crc32(body), CHECK_LENGTH);

/** A new key. Bytes of 248 and above are dropped so that every character is equally likely (248 = 4 × 62). */
export function generateApiKey(): string {
  let body = "";
  while (body.length < BODY_LENGTH) {
    for (const byte of randomBytes(48)) {
      if (byte < 248 && body.length < BODY_LENGTH) body += ALPHABET[byte % 62];
    }
  }
  return `${KEY_PREFIX}${body}${checksum(body)}`;
}

/** True when the text has a key's shape and its checksum matches (it may still be unknown or revoked). */
export function isWellFormedApiKey(key: string): boolean {
  if (!KEY_PATTERN.test(key)) return false;
  const body = key.slice(KEY_PREFIX.length, KEY_PREFIX.length + BODY_LENGTH);
  return key.slice(KEY_PREFIX.length + BODY_LENGTH) === checksum(body);
}

/** sha256 is enough for keys of this entropy: no password-style stretching is needed to resist guessing. */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && timingSafeEqual(x, y);
}
