// `cs-mcp --help`: the commands and the flags, generated from the settings table.
import { SETTINGS } from "../config/settings.ts";

export function helpText(version: string): string {
  const flags = SETTINGS.filter((s) => "flag" in s && s.flag)
    .map((s) => `  --${(s as { flag: string }).flag.padEnd(24)} ${s.env}: ${s.doc}`)
    .join("\n");
  return `cs-mcp ${version} — Customer Success MCP server

Usage:
  cs-mcp [serve] [--demo] [flags]    serve MCP over stdio (default); --demo loads the demo portfolio first if absent
  cs-mcp migrate [flags]             apply pending database migrations
  cs-mcp doctor [--json] [flags]     check configuration, database, Redis and integrations
  cs-mcp call <tool> [json-args]     call one tool and print its result (exit 1 when the tool reports an error)
  cs-mcp demo [--seed N] [--accounts N]   load the generated demo portfolio (marked as demo data)
  cs-mcp demo --remove               remove the demo portfolio
  cs-mcp import <kind> <file> [--format csv|jsonl|json] [--dry-run] [--strict] [--json]
                                     import accounts, usage_events, tickets, nps or invoices from CSV or JSON Lines
  cs-mcp worker [flags]              deliver the outbox (queued emails, tickets, events) until SIGINT/SIGTERM
  cs-mcp backup [--to DIR|s3://bucket/prefix] [--verify] [--json]
                                     back up the database (pg_dump, or PGlite's dump) with a manifest; --verify restores
                                     it into a scratch database and compares each table's row count and md5; retention
                                     per BACKUP_KEEP / BACKUP_RETENTION_DAYS
  cs-mcp backup --verify --id ID     verify an existing backup
  cs-mcp restore [--from DIR|s3://bucket/prefix] [--id ID] [--force] [--json]
                                     restore the newest (or the named) backup after checking its sha256; refuses a
                                     database holding data unless --force
  cs-mcp keys create --name NAME --scopes read[,write,admin] [--toolsets a,b] [--read-only] [--json]
                                     create an API key for the HTTP mode; it is printed once, only its hash is stored
  cs-mcp keys list [--json]          the keys with their scopes, restrictions and last use (never the key)
  cs-mcp keys revoke NAME            refuse the named key from now on
  cs-mcp model train [--json]        learn a churn model from accounts with known outcomes (cross-validated; activates it)
  cs-mcp model list | activate VERSION|hand-set | export FILE [VERSION] | import FILE
                                     move a model between data directories; import stores it inactive
  cs-mcp setup [--non-interactive] [--force] [--out FILE] [--credentials env-file|database]
                                     ask for (or read from flags/environment) the profile, database, Redis and vendor
                                     credentials, test each with a harmless call, write .env with mode 0600; with
                                     --credentials database the vendor secrets are stored in the database, sealed
                                     with AES-256-GCM under CS_MCP_ENCRYPTION_KEY, instead of in .env
  cs-mcp secrets list [--json]       the vendor credentials stored in the database and their key (never a value)
  cs-mcp secrets rotate-key [--json] re-seal every stored credential under CS_MCP_ENCRYPTION_KEY, opening them with
                                     CS_MCP_ENCRYPTION_KEY_PREVIOUS (both from the environment or NAME_FILE), in one
                                     transaction: a wrong previous key changes nothing
  cs-mcp --version | --help

Flags (each also an environment variable; see .env.example for every setting):
${flags}
`;
}
