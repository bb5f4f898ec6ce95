// The AES-256-GCM key of stored vendor credentials: 32 bytes written as base64 or hex. A key is refused when
// it has another length or visibly too little randomness (one byte repeated, a counting sequence, few
// distinct bytes): such keys come from typing, not from `openssl rand -base64 32`. Messages never contain
// the key itself.

export const KEY_BYTES = 32;
/**
 * Shannon entropy of the key's 32 bytes, in bits per byte. 32 uniformly random bytes score about 4.8 (the
 * most 32 samples can show is log2(32) = 5); under 4 they repeat far more than chance allows (a random key
 * scores under 4 with a probability below 1e-9).
 */
export const MIN_ENTROPY_BITS_PER_BYTE = 4;

export function decodeKey(text: string): Buffer | null {
  const t = text.trim();
  if (/^[0-9a-fA-F]+$/.test(t) && t.length === KEY_BYTES * 2) return Buffer.from(t, "hex");
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(t) || /^[A-Za-z0-9_-]+={0,2}$/.test(t)) {
    const b = Buffer.from(t.replace(/-/g, "+").replace(/_/g, "/"), "base64");
    return b;
  }
  return null;
}

export function shannonEntropy(bytes: Uint8Array): number {
  const counts = new Map<number, number>();
  for (const b of bytes) counts.set(b, (counts.get(b) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / bytes.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/** Why this text is not an acceptable key, or null when it is. */
export function encryptionKeyProblem(text: string): string | null {
  const key = decodeKey(text);
  if (!key) return "must be 32 bytes written as base64 (44 characters) or hex (64 characters); generate one with: openssl rand -base64 32";
  if (key.length !== KEY_BYTES) return `must decode to exactly 32 bytes (it decodes to ${key.length}); generate one with: openssl rand -base64 32`;
  const step = (key[1]! - key[0]! + 256) % 256;
  const arithmetic = step !== 0 && key.every((b, i) => i === 0 || (b - key[i - 1]! + 256) % 256 === step);
  const entropy = shannonEntropy(key);
  if (arithmetic || entropy < MIN_ENTROPY_BITS_PER_BYTE) {
    return `has too little entropy (${entropy.toFixed(2)} bits per byte, at least ${MIN_ENTROPY_BITS_PER_BYTE} required${arithmetic ? "; its bytes form a sequence" : ""}): use random bytes, e.g. openssl rand -base64 32`;
  }
  return null;
}
