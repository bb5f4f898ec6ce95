// The api_keys table: a key's hash, never the key, with its name, scopes and restrictions.
import type { PrismaClient } from "../generated/prisma/client.ts";

export interface ApiKeyRow {
  id: string;
  name: string;
  key_hash: string;
  scopes: string[];
  toolsets: string[];
  read_only: boolean;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export type ApiKeyListing = Omit<ApiKeyRow, "key_hash">;

export async function insertApiKey(
  prisma: PrismaClient,
  row: { name: string; key_hash: string; scopes: string[]; toolsets: string[]; read_only: boolean },
): Promise<ApiKeyListing> {
  const created = await prisma.apiKey.create({ data: row });
  return withoutHash(created);
}

export async function findApiKeyByHash(prisma: PrismaClient, keyHash: string): Promise<ApiKeyRow | null> {
  return prisma.apiKey.findUnique({ where: { key_hash: keyHash } });
}

export async function listApiKeys(prisma: PrismaClient): Promise<ApiKeyListing[]> {
  const rows = await prisma.apiKey.findMany({ orderBy: { created_at: "asc" } });
  return rows.map(withoutHash);
}

/** Revokes the named key; null when no key has that name. A revoked key keeps its first revocation time. */
export async function revokeApiKey(prisma: PrismaClient, name: string, at: Date): Promise<ApiKeyListing | null> {
  await prisma.apiKey.updateMany({ where: { name, revoked_at: null }, data: { revoked_at: at } });
  const row = await prisma.apiKey.findUnique({ where: { name } });
  return row ? withoutHash(row) : null;
}

/** Records a use, at most once per `everyMs` per key, so that a busy key does not write on every request. */
export async function touchApiKey(prisma: PrismaClient, id: string, at: Date, everyMs: number): Promise<void> {
  await prisma.apiKey.updateMany({
    where: { id, OR: [{ last_used_at: null }, { last_used_at: { lt: new Date(at.getTime() - everyMs) } }] },
    data: { last_used_at: at },
  });
}

function withoutHash(row: ApiKeyRow): ApiKeyListing {
  const { key_hash: _hash, ...rest } = row;
  return rest;
}
