// Backups of the embedded database with PGlite's own dump (dumpDataDir: a gzip tarball of the data
// directory) and load (loadDataDir). The data directory's lock is held throughout, so a running
// server (which holds it too) is reported instead of being copied mid-write.
import { existsSync } from "node:fs";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { lockDataDir, resolveDataDir } from "../db/data-dir.ts";
import { hasRows, tableChecksums, type QueryFn, type TableSums } from "./checksums.ts";
import { CHECKSUM_SETTINGS, MIGRATION_SQL, RestoreRefusedError, type BackupEngine, type DumpInfo } from "./engine.ts";

async function prepared(lite: PGlite): Promise<QueryFn> {
  for (const [k, v] of CHECKSUM_SETTINGS) await lite.query("SELECT set_config($1, $2, false)", [k, v]);
  return async <T>(sql: string) => (await lite.query<T>(sql)).rows;
}

async function sumsOf(lite: PGlite): Promise<TableSums> {
  try {
    return await tableChecksums(await prepared(lite));
  } finally {
    await lite.close();
  }
}

async function loadArchive(archivePath: string, dataDir?: string): Promise<PGlite> {
  const loadDataDir = new Blob([await readFile(archivePath)]);
  return PGlite.create(dataDir ? { dataDir, loadDataDir } : { loadDataDir });
}

export function embeddedEngine(configuredDir: string | undefined): BackupEngine {
  const dir = resolveDataDir(configuredDir);
  const pgdata = join(dir, "pgdata");
  return {
    kind: "embedded",
    extension: "tar.gz",
    location: dir,

    async dump(archivePath): Promise<DumpInfo> {
      if (!existsSync(pgdata)) throw new Error(`no embedded database in ${dir} (nothing to back up)`);
      const release = lockDataDir(dir);
      try {
        const lite = await PGlite.create(pgdata);
        try {
          const q = await prepared(lite);
          const [v] = await q<{ v: string }>("SELECT current_setting('server_version') AS v");
          const tables = await tableChecksums(q);
          const migrations = "_prisma_migrations" in tables ? await q<{ name: string }>(MIGRATION_SQL) : [];
          const archive = await lite.dumpDataDir("gzip");
          await writeFile(archivePath, Buffer.from(await archive.arrayBuffer()), { mode: 0o600 });
          return { serverVersion: `${v!.v} (PGlite)`, migration: migrations.at(-1)?.name ?? null, migrationsApplied: migrations.length, tables };
        } finally {
          await lite.close();
        }
      } finally {
        release();
      }
    },

    // An in-memory PGlite loaded from the archive: nothing on disk to clean up.
    scratchSums: async (archivePath) => sumsOf(await loadArchive(archivePath)),

    async restore(archivePath, force) {
      const release = lockDataDir(dir);
      try {
        let nonEmpty = false;
        if (existsSync(pgdata)) {
          const current = await PGlite.create(pgdata);
          try {
            nonEmpty = await hasRows(await prepared(current));
          } finally {
            await current.close();
          }
        }
        if (nonEmpty && !force) {
          throw new RestoreRefusedError(`the embedded database in ${dir} holds data; restoring would replace it. Run again with --force to replace it.`);
        }
        // Loaded beside the current one, then swapped in: a failed load leaves the database as it was.
        const stamp = new Date().toISOString().replace(/[-:.]/g, "");
        const incoming = join(dir, `pgdata.restoring-${stamp}`);
        let sums: TableSums;
        try {
          sums = await sumsOf(await loadArchive(archivePath, incoming));
        } catch (err) {
          await rm(incoming, { recursive: true, force: true });
          throw err;
        }
        // Data that was replaced under --force is kept aside, not deleted; an empty database is dropped.
        const keptAside = nonEmpty ? join(dir, `pgdata.replaced-${stamp}`) : undefined;
        if (keptAside) await rename(pgdata, keptAside);
        else if (existsSync(pgdata)) await rm(pgdata, { recursive: true, force: true });
        await rename(incoming, pgdata);
        return { sums, ...(keptAside ? { keptAside } : {}) };
      } finally {
        release();
      }
    },
  };
}
