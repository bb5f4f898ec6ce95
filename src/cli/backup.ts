// `cs-mcp backup [--to DIR|s3://bucket/prefix] [--verify] [--id ID] [--json]` and
// `cs-mcp restore [--from DIR|s3://bucket/prefix] [--id ID] [--force] [--json]`.
import type { Config } from "../config/load.ts";
import type { Logger } from "../observability/logger.ts";
import type { CheckedRestore } from "../backup/backup.ts";
import { printErr, printJson, printOut } from "./output.ts";

type Flags = Record<string, string | boolean | undefined>;

function str(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  return typeof v === "string" && v.trim() !== "" ? v : undefined;
}

function printTables(r: CheckedRestore): void {
  for (const t of r.tables) {
    const e = t.expected ? `${t.expected.rows} rows ${t.expected.md5}` : "absent";
    const a = t.actual ? `${t.actual.rows} rows ${t.actual.md5}` : "absent";
    printOut(`${t.equal ? "equal    " : "DIFFERENT"} ${t.table.padEnd(32)} ${t.equal ? e : `backup: ${e}; restored: ${a}`}`);
  }
  const bad = r.tables.filter((t) => !t.equal).length;
  printOut(bad ? `${bad} of ${r.tables.length} table(s) differ from the backup's manifest` : `all ${r.tables.length} tables equal to the backup's manifest (row counts and md5)`);
}

export async function backupCommand(config: Config, logger: Logger, flags: Flags): Promise<number> {
  const { createBackup, safeMessage, storeFor, verifyBackup } = await import("../backup/backup.ts");
  try {
    const store = storeFor(config);
    const id = str(flags, "id");
    let created;
    if (!id) {
      created = await createBackup(config, store);
      logger.info({ id: created.manifest.id, target: store.location }, "backup written");
    } else if (!flags.verify) {
      printErr("--id names an existing backup to check: use it with --verify (or with cs-mcp restore)");
      return 2;
    }
    const verified = flags.verify ? await verifyBackup(config, store, id ?? created!.manifest.id) : null;
    if (flags.json) {
      printJson({ ...(created ? { backup: created.manifest, removed_by_retention: created.removed } : {}), ...(verified ? { verify: { id: verified.manifest.id, equal: verified.equal, tables: verified.tables } } : {}) });
    } else {
      if (created) {
        const m = created.manifest;
        const rows = Object.values(m.tables).reduce((s, t) => s + t.rows, 0);
        printOut(`backup ${m.id} written to ${store.location}: ${m.archive.file}, ${m.archive.bytes} bytes, sha256 ${m.archive.sha256}`);
        printOut(`${m.backend} ${m.source}, ${Object.keys(m.tables).length} tables, ${rows} rows, migration ${m.migration ?? "none"}`);
        if (created.removed.length) printOut(`retention removed: ${created.removed.join(", ")}`);
      }
      if (verified) {
        printOut(`verify ${verified.manifest.id}: restored into a scratch database`);
        printTables(verified);
      }
    }
    return verified && !verified.equal ? 1 : 0;
  } catch (err) {
    printErr(`cs-mcp backup: ${safeMessage(err, config)}`);
    return 1;
  }
}

export async function restoreCommand(config: Config, _logger: Logger, flags: Flags): Promise<number> {
  const { restoreBackup, safeMessage, storeFor } = await import("../backup/backup.ts");
  try {
    const store = storeFor(config, str(flags, "from") ?? config.BACKUP_TARGET);
    const r = await restoreBackup(config, store, { id: str(flags, "id"), force: Boolean(flags.force) });
    if (flags.json) printJson({ id: r.manifest.id, equal: r.equal, tables: r.tables, ...(r.keptAside ? { replaced_data_kept_in: r.keptAside } : {}) });
    else {
      printOut(`restored ${r.manifest.id} (${r.manifest.created_at}, migration ${r.manifest.migration ?? "none"}) from ${store.location}`);
      printTables(r);
      if (r.keptAside) printOut(`the data it replaced was kept in ${r.keptAside}; delete it once the restore is confirmed`);
      if (r.manifest.migration) printOut("run cs-mcp migrate if this server's version has newer migrations");
    }
    return r.equal ? 0 : 1;
  } catch (err) {
    printErr(`cs-mcp restore: ${safeMessage(err, config)}`);
    return 1;
  }
}
