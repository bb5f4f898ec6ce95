// `cs-mcp migrate`: applies pending migrations to the configured database (embedded or PostgreSQL).
import type { Config } from "../config/load.ts";
import type { Logger } from "../observability/logger.ts";
import { openDatabase } from "../db/database.ts";
import { printOut } from "./output.ts";

export async function migrateCommand(config: Config, logger: Logger): Promise<number> {
  // The embedded database migrates on open; a server database is migrated explicitly here.
  const db = await openDatabase({ ...config, CS_MCP_AUTO_MIGRATE: false }, logger);
  try {
    const result = await db.migrate();
    for (const w of result.warnings) printOut(`warning: ${w}`);
    const status = await db.migrationStatus();
    printOut(
      result.applied.length
        ? `applied ${result.applied.length} migration(s) to ${db.kind} database ${db.location}: ${result.applied.join(", ")}`
        : `${db.kind} database ${db.location} is up to date (${status.applied.length} migration(s) applied)`,
    );
    return 0;
  } finally {
    await db.close();
  }
}
