// A pre-initialised embedded data directory, made at build time (scripts/build-pgdata-template.mjs):
// PGlite's initdb plus every migration, dumped as a tarball shipped in dist/. A first start on a new
// machine unpacks it instead of running initdb (~75 % of a first start) and the migrations. It is used
// only when its manifest names exactly the migrations this package ships (same names, same checksums)
// and the PGlite version that wrote it; otherwise the first start runs initdb and migrates as before.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { PGlite } from "@electric-sql/pglite";
import { UnpackSync } from "tar";
import { migrate, readMigrations, type MigrationFile } from "./migrate.ts";
import { pgliteSession } from "./sql-session.ts";
import { INITDB_PARAMS, startSettings } from "./pglite-params.ts";

export const TEMPLATE_FILE = "pgdata-template.tar.gz";
export const MANIFEST_FILE = "pgdata-template.json";

export interface TemplateManifest {
  pglite: string;
  migrations: Array<{ name: string; checksum: string }>;
}

export function pgliteVersion(): string {
  const require = createRequire(import.meta.url);
  const main = require.resolve("@electric-sql/pglite");
  // dist/index.cjs → the package root's package.json.
  let dir = dirname(main);
  for (let i = 0; i < 4; i++) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      const parsed = JSON.parse(readFileSync(pkg, "utf8")) as { name?: string; version?: string };
      if (parsed.name === "@electric-sql/pglite" && parsed.version) return parsed.version;
    }
    dir = dirname(dir);
  }
  throw new Error("the @electric-sql/pglite package.json was not found");
}

/** dist/ of this package (from dist/src/db under node, from src/db under tsx/vitest). */
export function templateDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const fromDist = join(here, "..", "..");
  if (existsSync(join(fromDist, "src", "cli.js"))) return fromDist;
  return join(here, "..", "..", "dist");
}

function manifestOf(files: MigrationFile[]): TemplateManifest {
  return { pglite: pgliteVersion(), migrations: files.map((f) => ({ name: f.name, checksum: f.checksum })) };
}

/** The template tarball when it exists and matches this package's migrations and PGlite; null otherwise. */
export function usableTemplate(dir = templateDir(), files = readMigrations()): Buffer | null {
  const tar = join(dir, TEMPLATE_FILE);
  const manifestPath = join(dir, MANIFEST_FILE);
  if (!existsSync(tar) || !existsSync(manifestPath)) return null;
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as TemplateManifest;
  return JSON.stringify(manifest) === JSON.stringify(manifestOf(files)) ? readFileSync(tar) : null;
}

/**
 * Unpacks the template into `pgdata` on disk, which PGlite then opens like any existing data directory:
 * native gunzip and plain file writes, where handing the tarball to PGlite (loadDataDir) untarred it in
 * JavaScript into its virtual file system, about 2 s of a first start's CPU. Unpacked beside it and renamed
 * into place, so that an interrupted first start leaves no half directory that looks like a database.
 */
export function unpackTemplate(tarball: Buffer, pgdata: string): void {
  const staging = `${pgdata}.unpacking`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true, mode: 0o700 });
  const problems: string[] = [];
  try {
    // The dump names its members from the root (/base/1/…): tar strips the slash and says so (TAR_ENTRY_INFO).
    new UnpackSync({ cwd: staging, onwarn: (code: string, message: string | Error) => void (code === "TAR_ENTRY_INFO" || problems.push(`${code}: ${String(message)}`)) }).end(tarball);
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (problems.length) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`the pre-initialised data directory did not unpack: ${problems[0]}`);
  }
  // A pgdata without PG_VERSION (the caller's test) holds no database: an earlier start that stopped part-way.
  rmSync(pgdata, { recursive: true, force: true });
  renameSync(staging, pgdata);
}

/**
 * A new data directory (no PG_VERSION) starts as the template when there is a usable one; returns whether
 * it did. Otherwise PGlite runs initdb when it opens the directory. Run in the database's worker thread,
 * where the unpacking overlaps the main thread's module loading.
 */
export function prepareDataDir(pgdata: string): boolean {
  if (existsSync(join(pgdata, "PG_VERSION"))) return false;
  const template = usableTemplate();
  if (template) unpackTemplate(template, pgdata);
  return template !== null;
}

/** Runs initdb and every migration in memory, then writes the tarball and its manifest into `dir`. */
export async function buildTemplate(dir: string, files = readMigrations()): Promise<TemplateManifest> {
  // Created and started as every embedded database is (pglite-params.ts).
  const lite = await PGlite.create({ initDbStartParams: INITDB_PARAMS, startParams: [...PGlite.defaultStartParams, ...startSettings(16)] });
  try {
    await migrate(pgliteSession(lite), files);
    // Checkpointed, so that the tarball holds the data files and no WAL to replay.
    await lite.exec("CHECKPOINT");
    const dump = await lite.dumpDataDir("gzip");
    writeFileSync(join(dir, TEMPLATE_FILE), Buffer.from(await dump.arrayBuffer()));
  } finally {
    await lite.close();
  }
  const manifest = manifestOf(files);
  writeFileSync(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
