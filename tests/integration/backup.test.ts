// Backup drills on real parts: a demo-populated database is backed up (pg_dump / PGlite's dump) to a
// directory and to an S3 fake on 127.0.0.1 (s3rver), restored into a fresh database and proven equal
// to the source: every table's rows compared directly between the two databases, not only through the
// manifest. A tampered archive is refused, a database holding data is not overwritten without --force,
// retention keeps the newest N, and doctor shows a stale or failed backup.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, type Config } from "../../src/config/load.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { openDatabase } from "../../src/db/database.ts";
import { loadDemo } from "../../src/services/demo/index.ts";
import { applyRetention, createBackup, restoreBackup, storeFor, verifyBackup } from "../../src/backup/backup.ts";
import { RestoreRefusedError } from "../../src/backup/engine.ts";
import { runDoctorChecks } from "../../src/cli/doctor.ts";
import { BACKENDS, embeddedDataDir, postgresDatabase, type Backend } from "../helpers/databases.ts";

const logger = createLogger("silent");
const HOUR = 3_600_000;

/** Every table of the database, each as its rows in JSON ordered by the row's text: what "equal" means. */
async function snapshot(config: Config): Promise<Record<string, string[]>> {
  const rowsOf = async (q: (sql: string) => Promise<Array<Record<string, unknown>>>) => {
    const out: Record<string, string[]> = {};
    const tables = await q("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename");
    for (const t of tables) {
      const name = String(t.tablename);
      out[name] = (await q(`SELECT row_to_json(x)::text AS j FROM "${name}" x ORDER BY 1`)).map((r) => String(r.j));
    }
    return out;
  };
  if (config.DATABASE_URL) {
    const c = new pg.Client({ connectionString: config.DATABASE_URL });
    await c.connect();
    try {
      return await rowsOf(async (sql) => (await c.query(sql)).rows);
    } finally {
      await c.end();
    }
  }
  const lite = await PGlite.create(join(config.CS_MCP_DATA_DIR!, "pgdata"));
  try {
    return await rowsOf(async (sql) => (await lite.query<Record<string, unknown>>(sql)).rows);
  } finally {
    await lite.close();
  }
}

interface Db {
  config: Config;
  cleanup(): Promise<void>;
}

/** A database of the back end; populated with the demo portfolio, or left empty (not even migrated). */
async function database(backend: Backend, target: string, populated: boolean, extra: Record<string, string> = {}): Promise<Db> {
  let env: Record<string, string>;
  let cleanup: () => Promise<void>;
  if (backend === "embedded") {
    if (populated) {
      const { dir, remove } = embeddedDataDir();
      env = { CS_MCP_DATA_DIR: dir };
      cleanup = async () => remove();
    } else {
      const dir = mkdtempSync(join(tmpdir(), "cs-mcp-restore-"));
      env = { CS_MCP_DATA_DIR: dir };
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
    }
  } else {
    const { url, drop } = await postgresDatabase();
    env = { DATABASE_URL: url };
    cleanup = drop;
  }
  const config = loadConfig({ LOG_LEVEL: "silent", BACKUP_TARGET: target, ...env, ...extra });
  if (populated) {
    const db = await openDatabase(config, logger, { migrate: true });
    try {
      await loadDemo(db, { seed: 7, accounts: 12, settings: config });
    } finally {
      await db.close();
    }
  }
  return { config, cleanup };
}

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "cs-mcp-backups-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe.each(BACKENDS)("backup drill on %s", (backend) => {
  it("backs up a populated database to a directory, verifies it, restores it into a fresh one: every table equal", async () => {
    const target = tempDir();
    const source = await database(backend, target, true);
    cleanups.push(source.cleanup);
    const before = await snapshot(source.config);
    expect(before.accounts).toHaveLength(12);

    const { manifest } = await createBackup(source.config, storeFor(source.config));
    expect(manifest.backend).toBe(backend);
    expect(manifest.migration).toMatch(/^\d{14}_/);
    // The manifest's counts are the source's real row counts, table by table.
    expect(Object.fromEntries(Object.entries(manifest.tables).map(([t, s]) => [t, s.rows]))).toEqual(
      Object.fromEntries(Object.entries(before).map(([t, rows]) => [t, rows.length])),
    );

    const verified = await verifyBackup(source.config, storeFor(source.config), manifest.id);
    expect(verified.equal).toBe(true);
    expect(verified.tables.map((t) => t.table).sort()).toEqual(Object.keys(before).sort());

    // A migrated but empty database (as `cs-mcp migrate` leaves it) holds no data: restored without --force.
    const fresh = await database(backend, target, false);
    cleanups.push(fresh.cleanup);
    await (await openDatabase(fresh.config, logger, { migrate: true })).close();
    const restored = await restoreBackup(fresh.config, storeFor(fresh.config), { force: false });
    expect(restored.equal).toBe(true);
    expect(await snapshot(fresh.config)).toEqual(before);

    // Now it holds data: a second restore is refused without --force, and the data stays.
    await expect(restoreBackup(fresh.config, storeFor(fresh.config), { force: false })).rejects.toThrow(
      /holds data; restoring would replace it\. Run again with --force/,
    );
    const forced = await restoreBackup(fresh.config, storeFor(fresh.config), { force: true });
    expect(forced.equal).toBe(true);
    if (backend === "embedded") {
      expect(forced.keptAside).toMatch(/\/pgdata\.replaced-\d{8}T\d{9}Z$/);
      expect(readFileSync(join(forced.keptAside!, "PG_VERSION"), "utf8").trim()).toMatch(/^\d+$/);
    } else expect(forced.keptAside).toBeUndefined();
    expect(await snapshot(fresh.config)).toEqual(before);
  }, 240_000);

  it("refuses an archive whose sha256 is not the manifest's, and changes nothing", async () => {
    const target = tempDir();
    const source = await database(backend, target, true);
    cleanups.push(source.cleanup);
    const { manifest } = await createBackup(source.config, storeFor(source.config));
    const archive = join(target, manifest.archive.file);
    const bytes = readFileSync(archive);
    const middle = Math.floor(bytes.length / 2);
    bytes.writeUInt8(bytes.readUInt8(middle) ^ 0xff, middle);
    writeFileSync(archive, bytes);

    await expect(verifyBackup(source.config, storeFor(source.config))).rejects.toThrow(
      new RegExp(`archive ${manifest.archive.file} in .* is damaged or altered: its sha256 is [0-9a-f]{64}, the manifest says ${manifest.archive.sha256}; refusing`),
    );
    const fresh = await database(backend, target, false);
    cleanups.push(fresh.cleanup);
    await expect(restoreBackup(fresh.config, storeFor(fresh.config), { force: true })).rejects.toBeInstanceOf(RestoreRefusedError);
    if (backend === "postgres") {
      const c = new pg.Client({ connectionString: fresh.config.DATABASE_URL });
      await c.connect();
      expect((await c.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'")).rows[0].n).toBe(0);
      await c.end();
    } else {
      expect(() => readFileSync(join(fresh.config.CS_MCP_DATA_DIR!, "pgdata", "PG_VERSION"))).toThrow(/ENOENT/);
    }
  }, 240_000);
});

describe("backup drill through S3 (s3rver on 127.0.0.1)", () => {
  let server: S3rver;
  let endpoint = "";
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };

  beforeAll(async () => {
    server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: tempDir(), configureBuckets: [{ name: "backups", configs: [] }] });
    const { port } = await server.run();
    endpoint = `http://127.0.0.1:${port}`;
    // s3rver's fixed credentials, read by the SDK's default chain as a deployment's would be.
    process.env.AWS_ACCESS_KEY_ID = "S3RVER";
    process.env.AWS_SECRET_ACCESS_KEY = "S3RVER";
  });
  afterAll(async () => {
    await server.close();
    for (const [k, v] of [["AWS_ACCESS_KEY_ID", saved.id], ["AWS_SECRET_ACCESS_KEY", saved.secret]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it.each(BACKENDS)("on %s: backs up to s3://backups/<prefix>, restores into a fresh database, every table equal", async (backend) => {
    const target = `s3://backups/drill-${backend}`;
    const source = await database(backend, target, true, { BACKUP_S3_ENDPOINT: endpoint });
    cleanups.push(source.cleanup);
    const before = await snapshot(source.config);
    const { manifest } = await createBackup(source.config, storeFor(source.config));
    expect(await storeFor(source.config).list()).toEqual([manifest.archive.file, `${manifest.id}.manifest.json`, "last-run.json"].sort());

    const fresh = await database(backend, target, false, { BACKUP_S3_ENDPOINT: endpoint });
    cleanups.push(fresh.cleanup);
    const restored = await restoreBackup(fresh.config, storeFor(fresh.config), { force: false });
    expect(restored.equal).toBe(true);
    expect(await snapshot(fresh.config)).toEqual(before);
  }, 240_000);
});

describe("retention and doctor", () => {
  const NOW = Date.now();

  it("keeps the newest BACKUP_KEEP backups and deletes the older ones' archives and manifests", async () => {
    const target = tempDir();
    const source = await database("embedded", target, false, { BACKUP_KEEP: "2", BACKUP_RETENTION_DAYS: "0" });
    cleanups.push(source.cleanup);
    // An empty but migrated embedded database: small and quick to dump four times.
    await (await openDatabase(source.config, logger)).close();
    const ids: string[] = [];
    for (const daysAgo of [3, 2, 1]) ids.push((await createBackup(source.config, storeFor(source.config), new Date(NOW - daysAgo * 24 * HOUR))).manifest.id);
    const files = (await storeFor(source.config).list()).filter((f) => f !== "last-run.json");
    expect(files).toEqual([ids[1], ids[2]].flatMap((id) => [`${id}.manifest.json`, `${id}.tar.gz`]).sort());
    // The age limit: of the two left, the one older than 1.5 days goes; the newest never does.
    expect(await applyRetention(storeFor(source.config), { BACKUP_KEEP: 0, BACKUP_RETENTION_DAYS: 1 }, new Date(NOW + 12 * HOUR))).toEqual([ids[1]]);
    expect(await applyRetention(storeFor(source.config), { BACKUP_KEEP: 0, BACKUP_RETENTION_DAYS: 1 }, new Date(NOW + 30 * 24 * HOUR))).toEqual([]);
  }, 120_000);

  it("doctor reports a backup older than BACKUP_MAX_AGE_HOURS, a fresh one as ok, and a failed run", async () => {
    const target = tempDir();
    const db = await database("embedded", target, false, { BACKUP_MAX_AGE_HOURS: "26" });
    cleanups.push(db.cleanup);
    const backupCheck = async () => (await runDoctorChecks(db.config, logger)).find((c) => c.check === "backup");

    expect(await backupCheck()).toEqual({ check: "backup", status: "failing", detail: `no backups in ${target}` });
    await (await openDatabase(db.config, logger)).close();
    const { manifest } = await createBackup(db.config, storeFor(db.config), new Date(NOW - 30 * HOUR));
    expect(await backupCheck()).toMatchObject({
      status: "failing",
      detail: expect.stringMatching(new RegExp(`^newest backup ${manifest.id} is 30\\.\\d h old, older than BACKUP_MAX_AGE_HOURS=26`)),
    });
    await createBackup(db.config, storeFor(db.config), new Date(NOW - HOUR));
    expect(await backupCheck()).toMatchObject({ status: "ok", detail: expect.stringMatching(/ is 1\.\d h old \(limit 26 h\); 2 kept in /) });

    // A run that fails (no database in the data directory any more) is recorded and shown.
    rmSync(join(db.config.CS_MCP_DATA_DIR!, "pgdata"), { recursive: true, force: true });
    await expect(createBackup(db.config, storeFor(db.config))).rejects.toThrow(/no embedded database in/);
    expect(await backupCheck()).toMatchObject({ status: "failing", detail: expect.stringMatching(/^last backup run at .* failed: no embedded database in .*; newest good backup /) });
  }, 120_000);
});
