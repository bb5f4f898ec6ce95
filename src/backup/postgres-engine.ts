// Backups of a PostgreSQL database: pg_dump in custom format under the snapshot the table sums were
// read in (so the manifest describes exactly the archive), pg_restore into a scratch database for
// --verify and into the configured one for restore, in one transaction.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { hasRows, tableChecksums, type QueryFn } from "./checksums.ts";
import { CHECKSUM_SETTINGS, MIGRATION_SQL, RestoreRefusedError, type BackupEngine, type DumpInfo } from "./engine.ts";
import { findPgTool, redact, runPgTool, splitPassword } from "./pg-tools.ts";

const OPTIONS = CHECKSUM_SETTINGS.map(([k, v]) => `-c ${k}=${v.replace(/ /g, "\\ ")}`).join(" ");

async function withClient<T>(url: string, fn: (q: QueryFn, c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: "cs-mcp-backup", options: OPTIONS });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(redact(`cannot connect to PostgreSQL: ${(err as Error).message}`, splitPassword(url).password));
  }
  const q: QueryFn = async <T>(sql: string) => (await client.query(sql)).rows as T[];
  try {
    return await fn(q, client);
  } finally {
    await client.end().catch(() => {});
  }
}

async function serverMajor(q: QueryFn): Promise<{ version: string; major: number }> {
  const [r] = await q<{ v: string; n: string }>("SELECT current_setting('server_version') AS v, current_setting('server_version_num') AS n");
  return { version: r!.v, major: Math.floor(Number(r!.n) / 10_000) };
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function pgRestore(archivePath: string, url: string, major: number, clean: boolean): Promise<void> {
  const bin = await findPgTool("pg_restore", major);
  const args = ["--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"];
  if (clean) args.push("--clean", "--if-exists");
  await runPgTool(bin, [...args, archivePath], url);
}

export function postgresEngine(databaseUrl: string): BackupEngine {
  const u = new URL(databaseUrl);
  const location = `${u.hostname}:${u.port || "5432"}${u.pathname}`;
  return {
    kind: "postgres",
    extension: "dump",
    location,

    dump: (archivePath) =>
      withClient(databaseUrl, async (q): Promise<DumpInfo> => {
        await q("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        const [{ snap }] = (await q<{ snap: string }>("SELECT pg_export_snapshot() AS snap")) as [{ snap: string }];
        const { version, major } = await serverMajor(q);
        const tables = await tableChecksums(q);
        const migrations = (await q<{ t: string | null }>(`SELECT to_regclass('"_prisma_migrations"')::text AS t`))[0]?.t ? await q<{ name: string }>(MIGRATION_SQL) : [];
        const bin = await findPgTool("pg_dump", major);
        await runPgTool(bin, ["--format=custom", `--snapshot=${snap}`, "--no-owner", "--no-privileges", `--file=${archivePath}`], databaseUrl);
        await q("COMMIT");
        return { serverVersion: version, migration: migrations.at(-1)?.name ?? null, migrationsApplied: migrations.length, tables };
      }),

    async scratchSums(archivePath) {
      // A throwaway database on the same server (the role needs CREATEDB), dropped whatever happens.
      const name = `cs_mcp_verify_${randomBytes(6).toString("hex")}`;
      const major = await withClient(databaseUrl, async (q) => {
        await q(`CREATE DATABASE ${name}`);
        return (await serverMajor(q)).major;
      });
      const scratch = withDatabase(databaseUrl, name);
      try {
        await pgRestore(archivePath, scratch, major, false);
        return await withClient(scratch, (q) => tableChecksums(q));
      } finally {
        await withClient(databaseUrl, (q) => q(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      }
    },

    async restore(archivePath, force) {
      const { major, nonEmpty } = await withClient(databaseUrl, async (q) => ({ major: (await serverMajor(q)).major, nonEmpty: await hasRows(q) }));
      if (nonEmpty && !force) {
        throw new RestoreRefusedError(`the database ${location} holds data; restoring would replace it. Run again with --force to replace it.`);
      }
      await pgRestore(archivePath, databaseUrl, major, true);
      return { sums: await withClient(databaseUrl, (q) => tableChecksums(q)) };
    },
  };
}
