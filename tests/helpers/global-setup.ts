// Runs once before the suite: builds a migrated embedded database to copy for each test (initdb costs
// ~6 s; a copy costs milliseconds), and checks that the built server exists for the end-to-end tests.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { loadConfig } from "../../src/config/load.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { openDatabase } from "../../src/db/database.ts";

export default async function setup(project: TestProject) {
  if (!existsSync("dist/src/cli.js")) throw new Error("dist/src/cli.js is missing: run `npm run build` (npm test does it)");
  const dir = mkdtempSync(join(tmpdir(), "cs-mcp-template-"));
  const db = await openDatabase(loadConfig({ CS_MCP_DATA_DIR: dir, LOG_LEVEL: "silent" }), createLogger("silent"));
  await db.close();
  project.provide("templateDataDir", dir);
  return () => rmSync(dir, { recursive: true, force: true });
}

declare module "vitest" {
  export interface ProvidedContext {
    templateDataDir: string;
  }
}
