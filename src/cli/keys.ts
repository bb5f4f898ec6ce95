// `cs-mcp keys create --name NAME --scopes read,write [--toolsets a,b] [--read-only] [--json]`,
// `cs-mcp keys list [--json]` and `cs-mcp keys revoke NAME`: API keys of the hosted mode, on the
// configured database. A key is printed once, at creation; only its sha256 is stored.
import type { Config } from "../config/load.ts";
import type { Logger } from "../observability/logger.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";
import { openDatabase } from "../db/database.ts";
import { createApiKey, KeyInputError, parseKeyInput, revokeApiKeyByName, type ParsedKeyInput } from "../auth/api-keys.ts";
import { listApiKeys, type ApiKeyListing } from "../repositories/api-keys.ts";
import { printErr, printJson, printOut } from "./output.ts";

type Flags = Record<string, string | boolean | undefined>;

const SUBCOMMANDS = ["create", "list", "revoke"];

const str = (v: string | boolean | undefined): string | undefined => (typeof v === "string" ? v : undefined);

function describe(k: ApiKeyListing): string {
  const limits = [k.toolsets.length ? `toolsets ${k.toolsets.join(",")}` : "", k.read_only ? "read-only" : ""].filter(Boolean).join(", ");
  const state = k.revoked_at ? `revoked ${k.revoked_at.toISOString()}` : `last used ${k.last_used_at?.toISOString() ?? "never"}`;
  return `${k.name.padEnd(24)} ${k.scopes.join(" ").padEnd(28)} created ${k.created_at.toISOString()}, ${state}${limits ? `; ${limits}` : ""}`;
}

export async function keysCommand(config: Config, logger: Logger, positionals: string[], flags: Flags): Promise<number> {
  const [sub, name] = positionals;
  if (!sub || !SUBCOMMANDS.includes(sub)) {
    printErr(`cs-mcp keys: say what to do: ${SUBCOMMANDS.join(", ")} (got ${sub ? `'${sub}'` : "nothing"}). Run cs-mcp --help.`);
    return 2;
  }
  const json = Boolean(flags.json);
  try {
    // The flags are checked before the database is opened: a typo costs nothing.
    const input = sub === "create" ? parseKeyInput({ name: str(flags.name), scopes: str(flags.scopes), toolsets: str(flags.toolsets), readOnly: Boolean(flags["read-only"]) }) : undefined;
    if (sub === "revoke" && !name?.trim()) throw new KeyInputError("the key's name is required: cs-mcp keys revoke NAME (cs-mcp keys list shows them)");
    const db = await openDatabase(config, logger, { migrate: config.CS_MCP_AUTO_MIGRATE });
    try {
      await run(db.prisma, sub, name, input, json);
    } finally {
      await db.close();
    }
    return 0;
  } catch (err) {
    if (err instanceof KeyInputError) {
      printErr(`cs-mcp keys ${sub}: ${err.message}`);
      return 2;
    }
    throw err;
  }
}

async function run(prisma: PrismaClient, sub: string, name: string | undefined, input: ParsedKeyInput | undefined, json: boolean): Promise<void> {
  if (input) {
    const { key, record } = await createApiKey(prisma, input);
    if (json) printJson({ key, ...record });
    else {
      printOut(`API key '${record.name}' (${record.scopes.join(" ")}) created. It is shown this once; store it now:`);
      printOut(key);
    }
  } else if (sub === "list") {
    const keys = await listApiKeys(prisma);
    if (json) printJson(keys);
    else printOut(keys.length ? keys.map(describe).join("\n") : "no API keys (create one with cs-mcp keys create --name NAME --scopes read)");
  } else {
    const record = await revokeApiKeyByName(prisma, name, new Date());
    if (json) printJson(record);
    else printOut(`API key '${record.name}' revoked at ${record.revoked_at!.toISOString()}`);
  }
}
