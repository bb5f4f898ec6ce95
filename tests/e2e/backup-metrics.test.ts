// A backup that fails or is overdue is visible in /metrics of the running HTTP server: the newest good
// backup's time (which CsMcpBackupTooOld reads) and the last run's outcome (CsMcpBackupFailed), both read
// from the backup target at scrape time, so a backup made by another process (the CronJob) shows at once.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { openDatabase } from "../../src/db/database.ts";
import { createBackup, storeFor } from "../../src/backup/backup.ts";
import { embeddedDataDir } from "../helpers/databases.ts";
import { startHttpServer, type HttpServerProcess } from "../helpers/http-server.ts";

const cleanups: Array<() => unknown> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function gauges(srv: HttpServerProcess): Promise<{ lastSuccess: number; failed: number }> {
  const body = await (await fetch(`${srv.base}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(body)?.[1] ?? Number.NaN);
  return { lastSuccess: value("cs_mcp_backup_last_success_timestamp_seconds"), failed: value("cs_mcp_backup_last_run_failed") };
}

describe("backup gauges on /metrics", () => {
  it("show no backup, then the newest good backup's time, then a failed run (the good backup's time kept)", async () => {
    const target = mkdtempSync(join(tmpdir(), "cs-mcp-backup-metrics-"));
    cleanups.push(() => rmSync(target, { recursive: true, force: true }));
    const served = embeddedDataDir();
    const source = embeddedDataDir();
    cleanups.push(served.remove, source.remove);
    const srv = await startHttpServer({ CS_MCP_DATA_DIR: served.dir, BACKUP_TARGET: target, CS_MCP_METRICS_PUBLIC: "true", LOG_LEVEL: "warn" });
    cleanups.push(() => srv.stop());

    expect(await gauges(srv)).toEqual({ lastSuccess: 0, failed: 0 });

    // Another process backs up another database to the same target, as the backup CronJob does.
    const config = loadConfig({ CS_MCP_DATA_DIR: source.dir, BACKUP_TARGET: target, LOG_LEVEL: "silent" });
    await (await openDatabase(config, createLogger("silent"))).close();
    const at = new Date(Date.parse("2026-12-01T03:00:00.000Z"));
    const { manifest } = await createBackup(config, storeFor(config), at);
    expect(manifest.created_at).toBe(at.toISOString());
    expect(await gauges(srv)).toEqual({ lastSuccess: at.getTime() / 1000, failed: 0 });

    // The next run fails (its database is gone): the failure shows, the last good backup's time stays.
    source.remove();
    await expect(createBackup(config, storeFor(config))).rejects.toThrow(/no embedded database in/);
    expect(await gauges(srv)).toEqual({ lastSuccess: at.getTime() / 1000, failed: 1 });
  }, 240_000);
});
