// Prisma's query compiler is read from a .wasm file written at generate time (scripts/prisma-compiler-file.mjs)
// instead of the 4.5 MB base64 JavaScript module the generated client imports by default: the built
// client answers its first query with that module made unloadable, and the file holds exactly the bytes
// of the installed @prisma/client's base64 copy (the runtime glue and the bytes are the same version).
import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { embeddedDataDir } from "../helpers/databases.ts";

const WASM = "query_compiler_fast_bg.postgresql.wasm";

/** A child that refuses to load any *.wasm-base64.mjs module, opens PGlite with the built client, queries. */
const CHILD = `
import { register } from "node:module";
register("data:text/javascript," + encodeURIComponent(
  "export async function resolve(s, c, n) { if (s.endsWith('.wasm-base64.mjs')) throw new Error('base64 compiler module loaded: ' + s); return n(s, c); }"));
const { PGlite } = await import("@electric-sql/pglite");
const { PrismaPGlite } = await import("pglite-prisma-adapter");
const { PrismaClient } = await import("./dist/src/generated/prisma/client.js");
const lite = new PGlite(process.env.PGDATA);
const prisma = new PrismaClient({ adapter: new PrismaPGlite(lite) });
await prisma.$connect();
const accounts = await prisma.account.count();
process.stdout.write(JSON.stringify({ accounts }));
await prisma.$disconnect();
await lite.close();
`;

describe("Prisma's query compiler from a file", () => {
  it("is the installed @prisma/client's compiler, byte for byte, next to the generated and the built client", async () => {
    const { wasm } = (await import("@prisma/client/runtime/query_compiler_fast_bg.postgresql.wasm-base64.mjs" as string)) as { wasm: string };
    const expected = Buffer.from(wasm, "base64");
    for (const dir of ["src/generated/prisma/internal", "dist/src/generated/prisma/internal"]) {
      const bytes = readFileSync(join(dir, WASM));
      expect(bytes.equals(expected), `${dir}/${WASM}`).toBe(true);
    }
    expect(WebAssembly.validate(expected)).toBe(true);
  });

  it("answers the built client's first query without loading the base64 module", async () => {
    const data = embeddedDataDir();
    try {
      const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", CHILD], {
        env: { PATH: process.env.PATH ?? "", PGDATA: join(data.dir, "pgdata") },
        timeout: 120_000,
      });
      expect(JSON.parse(stdout)).toEqual({ accounts: 0 });
    } finally {
      data.remove();
    }
  }, 150_000);
});
