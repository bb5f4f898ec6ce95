// What a back end must do for backups: dump itself with its own tool (taking the table sums from the
// same snapshot), restore an archive into a scratch database for --verify, and restore into the
// configured database for cs-mcp restore.
import type { TableSums } from "./checksums.ts";

export interface DumpInfo {
  serverVersion: string;
  /** Name of the newest applied migration, and how many are applied. */
  migration: string | null;
  migrationsApplied: number;
  tables: TableSums;
}

export interface BackupEngine {
  readonly kind: "embedded" | "postgres";
  /** The archive's file name ending (custom-format dump, gzip tarball of the data directory). */
  readonly extension: string;
  /** Where the data is, without credentials. */
  readonly location: string;
  dump(archivePath: string): Promise<DumpInfo>;
  scratchSums(archivePath: string): Promise<TableSums>;
  /** Restores over the configured database; refuses one holding rows unless force. Returns the restored
   * sums, and where replaced data was kept aside, if it was. */
  restore(archivePath: string, force: boolean): Promise<{ sums: TableSums; keptAside?: string }>;
}

/** Session settings that fix how values are cast to text, so checksums are comparable between databases. */
export const CHECKSUM_SETTINGS: Array<[string, string]> = [
  ["TimeZone", "UTC"],
  ["DateStyle", "ISO, MDY"],
  ["IntervalStyle", "postgres"],
  ["extra_float_digits", "1"],
  ["bytea_output", "hex"],
];

export const MIGRATION_SQL =
  `SELECT migration_name AS name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name COLLATE "C"`;

export class RestoreRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RestoreRefusedError";
  }
}
