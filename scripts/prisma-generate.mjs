// Runs `prisma generate` without the schema-engine binary download that this project's machines cannot
// reach: generation never executes the engine, it only checks that the variable points to a file.
// Then the generated client is made to read its query compiler from a .wasm file (see below).
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compilerFromFile } from "./prisma-compiler-file.mjs";

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
  const dir = mkdtempSync(join(tmpdir(), "cs-mcp-prisma-"));
  const stub = join(dir, "schema-engine");
  writeFileSync(stub, "#!/bin/sh\nexit 1\n");
  chmodSync(stub, 0o755);
  env.PRISMA_SCHEMA_ENGINE_BINARY = stub;
}
const result = spawnSync(process.execPath, ["node_modules/prisma/build/index.js", "generate"], {
  stdio: "inherit",
  env,
});
if (result.status !== 0) process.exit(result.status ?? 1);
await compilerFromFile("src/generated/prisma/internal", ["dist/src/generated/prisma/internal"]);
