// cs-mcp backup / restore, independent of the back end and of the store: dump, write the archive then
// its manifest (a manifest means a complete archive), apply retention, record the run's outcome; verify
// and restore check the archive's sha256 first and prove the result table by table.
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Config } from "../config/load.ts";
import { compareSums, type TableComparison } from "./checksums.ts";
import { RestoreRefusedError, type BackupEngine } from "./engine.ts";
import { embeddedEngine } from "./embedded-engine.ts";
import { postgresEngine } from "./postgres-engine.ts";
import { backupId, LAST_RUN_FILE, listManifests, MANIFEST_SUFFIX, sha256File, type LastRun, type Manifest } from "./manifest.ts";
import { redact, splitPassword } from "./pg-tools.ts";
import { openStore, type BackupStore } from "./store.ts";

export type BackupConfig = Pick<
  Config,
  "DATABASE_URL" | "CS_MCP_DATA_DIR" | "BACKUP_TARGET" | "BACKUP_KEEP" | "BACKUP_RETENTION_DAYS" | "BACKUP_S3_ENDPOINT" | "BACKUP_S3_REGION"
>;

export function engineFor(config: BackupConfig): BackupEngine {
  return config.DATABASE_URL ? postgresEngine(config.DATABASE_URL) : embeddedEngine(config.CS_MCP_DATA_DIR);
}

export function storeFor(config: BackupConfig, target = config.BACKUP_TARGET): BackupStore {
  if (!target) throw new Error("no backup target: give --to DIR|s3://bucket/prefix or set BACKUP_TARGET");
  return openStore(target, { s3Endpoint: config.BACKUP_S3_ENDPOINT, s3Region: config.BACKUP_S3_REGION });
}

/** An error's message with any database password taken out. */
export function safeMessage(err: unknown, config: BackupConfig): string {
  const msg = err instanceof Error ? err.message : String(err);
  return redact(msg, config.DATABASE_URL ? splitPassword(config.DATABASE_URL).password : undefined);
}

async function inTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "cs-mcp-backup-"));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface BackupResult {
  manifest: Manifest;
  removed: string[];
}

export async function createBackup(config: BackupConfig, store: BackupStore, now = new Date()): Promise<BackupResult> {
  const engine = engineFor(config);
  try {
    const manifest = await inTempDir(async (tmp) => {
      const id = backupId(now, engine.kind);
      const file = `${id}.${engine.extension}`;
      const path = join(tmp, file);
      const info = await engine.dump(path);
      const manifest: Manifest = {
        format: 1,
        id,
        created_at: now.toISOString(),
        backend: engine.kind,
        source: engine.location,
        server_version: info.serverVersion,
        migration: info.migration,
        migrations_applied: info.migrationsApplied,
        tables: info.tables,
        archive: { file, bytes: (await stat(path)).size, sha256: await sha256File(path) },
      };
      await store.putFile(file, path);
      await store.putText(`${id}${MANIFEST_SUFFIX}`, `${JSON.stringify(manifest, null, 2)}\n`);
      return manifest;
    });
    const removed = await applyRetention(store, config, now);
    await recordRun(store, { at: new Date().toISOString(), outcome: "ok", id: manifest.id });
    return { manifest, removed };
  } catch (err) {
    // Recorded in the target so that doctor shows it; a target that cannot be written shows there too.
    await recordRun(store, { at: new Date().toISOString(), outcome: "failed", error: safeMessage(err, config) }).catch(() => {});
    throw err;
  }
}

async function recordRun(store: BackupStore, run: LastRun): Promise<void> {
  await store.putText(LAST_RUN_FILE, `${JSON.stringify(run, null, 2)}\n`);
}

/** Deletes backups beyond the newest BACKUP_KEEP and older than BACKUP_RETENTION_DAYS; never the newest. */
export async function applyRetention(store: BackupStore, config: Pick<BackupConfig, "BACKUP_KEEP" | "BACKUP_RETENTION_DAYS">, now = new Date()): Promise<string[]> {
  const { manifests } = await listManifests(store);
  const maxAgeMs = config.BACKUP_RETENTION_DAYS * 86_400_000;
  const doomed = manifests.filter(
    (m, i) =>
      i > 0 &&
      ((config.BACKUP_KEEP > 0 && i >= config.BACKUP_KEEP) || (maxAgeMs > 0 && now.getTime() - Date.parse(m.created_at) > maxAgeMs)),
  );
  for (const m of doomed) {
    // The manifest goes first: a half-deleted backup is then an orphan archive, never a listed broken one.
    await store.remove([`${m.id}${MANIFEST_SUFFIX}`]);
    await store.remove([m.archive.file]);
  }
  return doomed.map((m) => m.id);
}

/** The named backup's manifest, or the newest one. */
export async function findManifest(store: BackupStore, id?: string): Promise<Manifest> {
  const { manifests, unreadable } = await listManifests(store);
  const m = id ? manifests.find((x) => x.id === id) : manifests[0];
  if (m) return m;
  const extra = unreadable.length ? ` (unreadable manifests: ${unreadable.join(", ")})` : "";
  throw new Error(id ? `no backup '${id}' in ${store.location}${extra}` : `no backups in ${store.location}${extra}`);
}

/** Downloads the archive and refuses it when its sha256 is not the manifest's. */
async function fetchChecked(store: BackupStore, m: Manifest, tmp: string): Promise<string> {
  const path = join(tmp, m.archive.file);
  await store.getFile(m.archive.file, path);
  const actual = await sha256File(path);
  if (actual !== m.archive.sha256) {
    throw new RestoreRefusedError(
      `archive ${m.archive.file} in ${store.location} is damaged or altered: its sha256 is ${actual}, the manifest says ${m.archive.sha256}; refusing to use it`,
    );
  }
  return path;
}

export interface CheckedRestore {
  manifest: Manifest;
  tables: TableComparison[];
  equal: boolean;
  /** Embedded database restored with --force: where the data it replaced was moved. */
  keptAside?: string;
}

/** Restores the backup into a scratch database and compares each table with the manifest's sums. */
export async function verifyBackup(config: BackupConfig, store: BackupStore, id?: string): Promise<CheckedRestore> {
  const manifest = await findManifest(store, id);
  const engine = engineFor(config);
  if (manifest.backend !== engine.kind) {
    throw new Error(`backup ${manifest.id} is of the ${manifest.backend} database; this configuration uses the ${engine.kind} one, which cannot load it`);
  }
  return inTempDir(async (tmp) => {
    const tables = compareSums(manifest.tables, await engine.scratchSums(await fetchChecked(store, manifest, tmp)));
    return { manifest, tables, equal: tables.every((t) => t.equal) };
  });
}

/** Restores the backup over the configured database (refusing one holding rows unless force). */
export async function restoreBackup(config: BackupConfig, store: BackupStore, options: { id?: string | undefined; force: boolean }): Promise<CheckedRestore> {
  const manifest = await findManifest(store, options.id);
  const engine = engineFor(config);
  if (manifest.backend !== engine.kind) {
    throw new RestoreRefusedError(
      `backup ${manifest.id} is of the ${manifest.backend} database and cannot be restored into the ${engine.kind} one (${engine.location})`,
    );
  }
  return inTempDir(async (tmp) => {
    const { sums, keptAside } = await engine.restore(await fetchChecked(store, manifest, tmp), options.force);
    const tables = compareSums(manifest.tables, sums);
    return { manifest, tables, equal: tables.every((t) => t.equal), ...(keptAside ? { keptAside } : {}) };
  });
}
