// `cs-mcp secrets list [--json]` and `cs-mcp secrets rotate-key [--json]`: the vendor credentials stored in the
// database (never their values) and the re-sealing of all of them under a new key. The keys come from the
// environment or NAME_FILE only (CS_MCP_ENCRYPTION_KEY_PREVIOUS = the old key, CS_MCP_ENCRYPTION_KEY = the
// new one): they have no command-line flag, so they never land in a shell history or a process list.
import type { Config } from "../config/load.ts";
import type { Logger } from "../observability/logger.ts";
import { openDatabase } from "../db/database.ts";
import { CredentialStoreError, listStoredCredentials, rotateCredentialKey } from "../security/credential-store.ts";
import { EncryptionError } from "../security/encryption.ts";
import { printErr, printJson, printOut } from "./output.ts";

type Flags = Record<string, string | boolean | undefined>;

const SUBCOMMANDS = ["list", "rotate-key"];

export async function secretsCommand(config: Config, logger: Logger, positionals: string[], flags: Flags): Promise<number> {
  const [sub] = positionals;
  if (!sub || !SUBCOMMANDS.includes(sub)) {
    printErr(`cs-mcp secrets: say what to do: ${SUBCOMMANDS.join(", ")} (got ${sub ? `'${sub}'` : "nothing"}). Run cs-mcp --help.`);
    return 2;
  }
  const json = Boolean(flags.json);
  const db = await openDatabase(config, logger, { migrate: config.CS_MCP_AUTO_MIGRATE });
  try {
    if (sub === "list") {
      const rows = await listStoredCredentials(db.prisma);
      if (json) printJson(rows);
      else if (!rows.length) printOut("no vendor credentials stored in the database (cs-mcp setup --credentials database stores them)");
      else for (const r of rows) printOut(`${r.integration.padEnd(9)} ${r.name.padEnd(24)} key ${r.key_id}, stored ${r.created_at.toISOString()}${r.rotated_at ? `, re-sealed ${r.rotated_at.toISOString()}` : ""}`);
      return 0;
    }
    const result = await rotateCredentialKey(db.prisma, config);
    if (json) printJson(result);
    else {
      printOut(`re-sealed ${result.resealed} stored credential(s) from key ${result.from.join(", ") || "(none)"} to key ${result.to}`);
      printOut("remove CS_MCP_ENCRYPTION_KEY_PREVIOUS once every instance runs with the new CS_MCP_ENCRYPTION_KEY");
    }
    return 0;
  } catch (err) {
    if (err instanceof CredentialStoreError || err instanceof EncryptionError) {
      printErr(`cs-mcp secrets ${sub}: ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    await db.close();
  }
}
