// `cs-mcp backup` and `cs-mcp restore` as an operator runs them: the built CLI, answers on stdout, refusals
// on stderr with the exit code, and the database password (given in DATABASE_URL) printed nowhere.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BACKENDS, embeddedDataDir, postgresDatabase, type Backend } from "../helpers/databases.ts";
import { runCli } from "../helpers/cs-e2e.ts";

const PASSWORD = "Sekr3t-backup-pw";
const cleanups: Array<() => unknown> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** A migrated database's environment; on PostgreSQL the URL carries a password (the test server trusts loopback, so any works). */
async function databaseEnv(backend: Backend, migrated: boolean): Promise<Record<string, string>> {
  if (backend === "embedded") {
    if (migrated) {
      const { dir, remove } = embeddedDataDir();
      cleanups.push(remove);
      return { CS_MCP_DATA_DIR: dir };
    }
    const dir = mkdtempSync(join(tmpdir(), "cs-mcp-restore-cli-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return { CS_MCP_DATA_DIR: dir };
  }
  const { url, drop } = await postgresDatabase();
  cleanups.push(drop);
  const u = new URL(url);
  u.password = PASSWORD;
  return { DATABASE_URL: u.toString(), ...(migrated ? { CS_MCP_AUTO_MIGRATE: "true" } : {}) };
}

describe.each(BACKENDS)("cs-mcp backup / restore on %s", (backend) => {
  it("backs up with --verify, refuses to restore over data without --force, restores into a fresh database", async () => {
    const target = mkdtempSync(join(tmpdir(), "cs-mcp-backups-cli-"));
    cleanups.push(() => rmSync(target, { recursive: true, force: true }));
    const source = await databaseEnv(backend, true);
    expect((await runCli(["demo", "--accounts", "5", "--seed", "3"], source)).code).toBe(0);

    const backup = await runCli(["backup", "--to", target, "--verify"], source, 180_000);
    expect(backup.err).toBe("");
    expect(backup.code).toBe(0);
    const id = /^backup (cs-mcp-\d{8}T\d{9}Z-(?:embedded|postgres)) written to /m.exec(backup.out)?.[1];
    expect(id).toMatch(new RegExp(`-${backend}$`));
    expect(backup.out).toMatch(/^equal +accounts +5 rows [0-9a-f]{32}$/m);
    expect(backup.out).toMatch(/^all \d+ tables equal to the backup's manifest \(row counts and md5\)$/m);

    const over = await runCli(["restore", "--from", target], source, 180_000);
    expect(over.code).toBe(1);
    expect(over.out).toBe("");
    expect(over.err).toMatch(/^cs-mcp restore: the (embedded )?database .* holds data; restoring would replace it\. Run again with --force to replace it\.$/m);

    const fresh = await databaseEnv(backend, false);
    const restore = await runCli(["restore", "--from", target, "--id", id!, "--json"], { ...fresh, CS_MCP_AUTO_MIGRATE: "false" }, 180_000);
    expect(restore.code).toBe(0);
    const report = JSON.parse(restore.out) as { id: string; equal: boolean; tables: Array<{ table: string; equal: boolean; actual: { rows: number } }> };
    expect(report).toMatchObject({ id, equal: true });
    expect(report.tables.find((t) => t.table === "accounts")?.actual.rows).toBe(5);
    const doctor = await runCli(["doctor", "--json"], { ...fresh, BACKUP_TARGET: target });
    expect(JSON.parse(doctor.out).checks.find((c: { check: string }) => c.check === "backup")).toMatchObject({ status: "ok" });

    for (const r of [backup, over, restore, doctor]) expect(r.out + r.err).not.toContain(PASSWORD);
  }, 600_000);
});
