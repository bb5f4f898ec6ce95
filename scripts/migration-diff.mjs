// Writes a new migration under prisma/migrations: the SQL that takes a database built from the existing
// migrations to the current prisma/schema.prisma. Uses Prisma's WebAssembly schema engine over an
// in-memory PGlite (as the shadow database) because the native engine binary cannot be downloaded here.
// Usage: npm run migration:diff -- <name>
import { readFileSync, readdirSync, mkdirSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import { createRequire } from "node:module";
import * as bg from "@prisma/schema-engine-wasm/schema_engine_bg";

// The package imports its .wasm as an ES module, which Node 20 does not load without a flag:
// instantiate it by hand, the way its generated glue would.
const wasmPath = createRequire(import.meta.url).resolve("@prisma/schema-engine-wasm").replace(/schema_engine\.js$/, "schema_engine_bg.wasm");
const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), { "./schema_engine_bg.js": bg });
bg.__wbg_set_wasm(instance.exports);
instance.exports.__wbindgen_start?.();
const { SchemaEngine } = bg;

const name = (process.argv[2] ?? "").replace(/[^a-z0-9_]/gi, "_").toLowerCase();
if (!name) {
  console.error("usage: npm run migration:diff -- <name>");
  process.exit(2);
}
const dir = "prisma/migrations";
const schema = readFileSync("prisma/schema.prisma", "utf8");
const migrations = existsSync(dir)
  ? readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort()
      .map((m) => ({
        path: m,
        migrationFile: { path: "migration.sql", content: { tag: "ok", value: readFileSync(join(dir, m, "migration.sql"), "utf8") } },
      }))
  : [];

const pglite = new PGlite();
const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaPGlite(pglite));
const engine = await SchemaEngine.new({ datamodels: [["schema.prisma", schema]] }, (log) => void log, adapter);
try {
  const from = migrations.length
    ? { tag: "migrations", baseDir: dir, lockfile: { path: "migration_lock.toml", content: readFileSync(join(dir, "migration_lock.toml"), "utf8") }, migrationDirectories: migrations, shadowDbInitScript: "" }
    : { tag: "empty" };
  const result = await engine.diff({
    from,
    to: { tag: "schemaDatamodel", files: [{ path: "schema.prisma", content: schema }] },
    script: true,
    exitCode: null,
    filters: { externalTables: [], externalEnums: [] },
  });
  const sql = result.stdout ?? "";
  if (!sql.trim() || /^-- This is an empty migration/.test(sql.trim())) {
    console.error("schema and migrations agree: no migration written");
  } else {
    const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
    const out = join(dir, `${stamp}_${name}`);
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "migration.sql"), sql);
    console.error(`wrote ${join(out, "migration.sql")}`);
  }
} finally {
  engine.free();
  await pglite.close();
}
