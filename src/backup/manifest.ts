// The manifest written beside each archive: what was backed up, from where, at which schema version,
// the per-table counts and checksums taken from the same snapshot, and the archive's size and sha256.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { z } from "zod";
import type { BackupStore } from "./store.ts";

const tableSum = z.object({ rows: z.number().int().min(0), md5: z.string().regex(/^[0-9a-f]{32}$/) });

export const manifestSchema = z.object({
  format: z.literal(1),
  id: z.string().regex(/^cs-mcp-[0-9TZ]+-(embedded|postgres)$/),
  created_at: z.iso.datetime(),
  backend: z.enum(["embedded", "postgres"]),
  source: z.string(),
  server_version: z.string(),
  migration: z.string().nullable(),
  migrations_applied: z.number().int().min(0),
  tables: z.record(z.string(), tableSum),
  archive: z.object({ file: z.string(), bytes: z.number().int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
});

export type Manifest = z.infer<typeof manifestSchema>;

export const MANIFEST_SUFFIX = ".manifest.json";
export const LAST_RUN_FILE = "last-run.json";

export function backupId(now: Date, backend: string): string {
  return `cs-mcp-${now.toISOString().replace(/[-:.]/g, "")}-${backend}`;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Every readable manifest in the store, newest first; unreadable ones are named, not hidden. */
export async function listManifests(store: BackupStore): Promise<{ manifests: Manifest[]; unreadable: string[] }> {
  const manifests: Manifest[] = [];
  const unreadable: string[] = [];
  for (const name of (await store.list()).filter((n) => n.endsWith(MANIFEST_SUFFIX))) {
    let json: unknown = null;
    try {
      json = JSON.parse((await store.getText(name)) ?? "null");
    } catch {
      /* reported as unreadable below */
    }
    const parsed = manifestSchema.safeParse(json);
    if (parsed.success) manifests.push(parsed.data);
    else unreadable.push(name);
  }
  manifests.sort((a, b) => b.created_at.localeCompare(a.created_at));
  return { manifests, unreadable };
}

export interface LastRun {
  at: string;
  outcome: "ok" | "failed";
  id?: string;
  error?: string;
}
