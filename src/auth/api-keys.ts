// API keys for teams without an identity provider: created, listed and revoked with `cs-mcp keys`, and
// turned into a Principal when one arrives as a bearer token.
import type { PrismaClient } from "../generated/prisma/client.ts";
import { TOOLSETS } from "../server/define-tool.ts";
import { findApiKeyByHash, insertApiKey, revokeApiKey, touchApiKey, type ApiKeyListing } from "../repositories/api-keys.ts";
import { generateApiKey, hashApiKey, isWellFormedApiKey, sameHash } from "./api-key-format.ts";
import type { Principal, Scope } from "./principal.ts";
import { SCOPES } from "./scopes.ts";

/** A bad value for a `keys` flag: the message names the flag and the rule. */
export class KeyInputError extends Error {}

export interface NewKeyInput {
  name: string | undefined;
  scopes: string | undefined;
  toolsets?: string | undefined;
  readOnly?: boolean;
}

const NAME_RULE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** last_used_at is written at most this often per key. */
const TOUCH_EVERY_MS = 60_000;

function splitList(text: string): string[] {
  return text.split(",").map((s) => s.trim()).filter(Boolean);
}

export interface ParsedKeyInput {
  name: string;
  scopes: Scope[];
  toolsets: string[];
  read_only: boolean;
}

export function parseKeyInput(input: NewKeyInput): ParsedKeyInput {
  const name = input.name?.trim() ?? "";
  if (!name) throw new KeyInputError("--name is required: a unique label for the key, such as alice or reporting-bot");
  if (!NAME_RULE.test(name)) throw new KeyInputError(`--name '${name}' is not allowed: 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit`);
  const given = splitList(input.scopes ?? "");
  if (given.length === 0) throw new KeyInputError(`--scopes is required: a comma-separated list of ${SCOPES.map((s) => s.slice(3)).join(", ")}`);
  const scopes: Scope[] = [];
  for (const raw of given) {
    const scope = (raw.startsWith("cs:") ? raw : `cs:${raw}`) as Scope;
    if (!SCOPES.includes(scope)) throw new KeyInputError(`--scopes: '${raw}' is not a scope; use ${SCOPES.map((s) => s.slice(3)).join(", ")} (or cs:read, cs:write, cs:admin)`);
    if (!scopes.includes(scope)) scopes.push(scope);
  }
  const toolsets = splitList(input.toolsets ?? "");
  for (const t of toolsets) {
    if (!(TOOLSETS as readonly string[]).includes(t)) throw new KeyInputError(`--toolsets: '${t}' is not a toolset; use ${TOOLSETS.join(", ")}`);
  }
  return { name, scopes, toolsets: [...new Set(toolsets)], read_only: Boolean(input.readOnly) };
}

/** Creates a key and returns it with its record: the only time the key itself exists outside its holder. */
export async function createApiKey(prisma: PrismaClient, parsed: ParsedKeyInput): Promise<{ key: string; record: ApiKeyListing }> {
  const key = generateApiKey();
  try {
    const record = await insertApiKey(prisma, { ...parsed, key_hash: hashApiKey(key) });
    return { key, record };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (e?.code === "P2002" || /\b23505\b|unique constraint/i.test(e?.message ?? "")) {
      throw new KeyInputError(`--name '${parsed.name}' is taken: key names are unique (revoked keys keep theirs); choose another name`);
    }
    throw err;
  }
}

export async function revokeApiKeyByName(prisma: PrismaClient, name: string | undefined, now: Date): Promise<ApiKeyListing> {
  if (!name?.trim()) throw new KeyInputError("cs-mcp keys revoke NAME: the key's name is required (cs-mcp keys list shows them)");
  const row = await revokeApiKey(prisma, name.trim(), now);
  if (!row) throw new KeyInputError(`no key is named '${name.trim()}' (cs-mcp keys list shows them)`);
  return row;
}

/** The principal of a presented key, or the reason it is refused (never naming the key itself). */
export async function principalOfApiKey(prisma: PrismaClient, key: string, now: Date): Promise<Principal | { refused: string }> {
  if (!isWellFormedApiKey(key)) return { refused: "the API key is malformed (its checksum does not match)" };
  const presented = hashApiKey(key);
  const row = await findApiKeyByHash(prisma, presented);
  if (!row || !sameHash(row.key_hash, presented)) return { refused: "the API key is not known" };
  if (row.revoked_at) return { refused: "the API key has been revoked" };
  if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() >= TOUCH_EVERY_MS) await touchApiKey(prisma, row.id, now, TOUCH_EVERY_MS);
  return {
    subject: `key:${row.name}`,
    via: "api_key",
    scopes: row.scopes.filter((s): s is Scope => (SCOPES as readonly string[]).includes(s)),
    ...(row.toolsets.length ? { toolsets: row.toolsets } : {}),
    ...(row.read_only ? { readOnly: true } : {}),
  };
}
