// The backup line of cs-mcp doctor: the last run's outcome and the newest backup's age, read from the
// backup target itself (where cs-mcp backup records them), so any machine that can see the target sees it.
import type { Config } from "../config/load.ts";
import { LAST_RUN_FILE, listManifests, type LastRun } from "./manifest.ts";
import { safeMessage, storeFor } from "./backup.ts";

export interface BackupStatus {
  status: "ok" | "failing" | "not_configured";
  detail: string;
}

export async function backupStatus(
  config: Pick<Config, "BACKUP_TARGET" | "BACKUP_MAX_AGE_HOURS" | "BACKUP_KEEP" | "BACKUP_RETENTION_DAYS" | "BACKUP_S3_ENDPOINT" | "BACKUP_S3_REGION" | "DATABASE_URL" | "CS_MCP_DATA_DIR">,
  now = new Date(),
): Promise<BackupStatus> {
  if (!config.BACKUP_TARGET) return { status: "not_configured", detail: "set BACKUP_TARGET (a directory or s3://bucket/prefix) and schedule cs-mcp backup" };
  try {
    const store = storeFor(config);
    const lastText = await store.getText(LAST_RUN_FILE);
    const last = lastText ? (JSON.parse(lastText) as LastRun) : null;
    const { manifests } = await listManifests(store);
    const newest = manifests[0];
    if (last?.outcome === "failed") {
      return { status: "failing", detail: `last backup run at ${last.at} failed: ${last.error ?? "unknown error"}${newest ? `; newest good backup ${newest.created_at}` : ""}` };
    }
    if (!newest) return { status: "failing", detail: `no backups in ${store.location}` };
    const ageHours = (now.getTime() - Date.parse(newest.created_at)) / 3_600_000;
    const age = `${newest.id} is ${ageHours.toFixed(1)} h old`;
    if (ageHours > config.BACKUP_MAX_AGE_HOURS) {
      return { status: "failing", detail: `newest backup ${age}, older than BACKUP_MAX_AGE_HOURS=${config.BACKUP_MAX_AGE_HOURS}: the schedule has not run` };
    }
    return { status: "ok", detail: `newest backup ${age} (limit ${config.BACKUP_MAX_AGE_HOURS} h); ${manifests.length} kept in ${store.location}` };
  } catch (err) {
    return { status: "failing", detail: `cannot read the backup target: ${safeMessage(err, config)}` };
  }
}

/**
 * The backup gauges of /metrics: when the newest good backup was made (null without a target or a backup) and
 * whether the last recorded run failed. A target that cannot be read counts as a failed run: nothing proves
 * that backups are being made.
 */
export async function backupGauges(config: Parameters<typeof backupStatus>[0]): Promise<{ lastSuccess: Date | null; lastRunFailed: boolean }> {
  if (!config.BACKUP_TARGET) return { lastSuccess: null, lastRunFailed: false };
  try {
    const store = storeFor(config);
    const [lastText, { manifests }] = await Promise.all([store.getText(LAST_RUN_FILE), listManifests(store)]);
    const last = lastText ? (JSON.parse(lastText) as LastRun) : null;
    return { lastSuccess: manifests[0] ? new Date(manifests[0].created_at) : null, lastRunFailed: last?.outcome === "failed" };
  } catch {
    return { lastSuccess: null, lastRunFailed: true };
  }
}
