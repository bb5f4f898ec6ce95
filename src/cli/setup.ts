// `cs-mcp setup`: asks for (or, with --non-interactive, reads from flags and the environment) the profile, the
// database (embedded or a PostgreSQL URL), Redis and each vendor's credentials; tests each with a harmless
// call and shows the result; writes `.env` with mode 0600. Secrets are read with masked prompts and never
// printed; no shell command is run. An existing .env is kept unless --force. With `--credentials database`
// (or that answer) the vendor secrets go to the database instead, sealed with AES-256-GCM under
// CS_MCP_ENCRYPTION_KEY (from the environment or NAME_FILE, else generated and written to .env).
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { confirm, input, password, select } from "@inquirer/prompts";
import { loadConfig } from "../config/load.ts";
import { checkIntercom, checkPostgres, checkRedis, checkSendGrid, checkZendesk, type CheckResult } from "../setup/checks.ts";
import { EnvFileExistsError, renderEnvFile, writeEnvFile } from "../setup/env-file.ts";
import { printErr, printOut } from "./output.ts";
import { openDatabase } from "../db/database.ts";
import { describeConnectionError } from "../server/errors.ts";
import { createLogger } from "../observability/logger.ts";
import { readSecretFiles } from "../config/secret-sources.ts";
import { encryptionKeyProblem } from "../security/encryption-key.ts";
import { createKeyring } from "../security/encryption.ts";
import { STORABLE_CREDENTIALS, storeCredentials } from "../security/credential-store.ts";

type Flags = Record<string, string | boolean | undefined>;
type Env = Record<string, string | undefined>;

export interface SetupResult {
  check: string;
  ok: boolean | null; // null: skipped (not configured)
  detail: string;
}

type CredentialsIn = "env-file" | "database";
const CREDENTIALS_IN: CredentialsIn[] = ["env-file", "database"];

interface Answers {
  values: Array<[string, string]>;
  results: SetupResult[];
  credentialsIn: CredentialsIn;
}

const VENDOR_VARS = {
  zendesk: ["ZENDESK_SUBDOMAIN", "ZENDESK_BASE_URL", "ZENDESK_EMAIL", "ZENDESK_API_TOKEN"],
  intercom: ["INTERCOM_ACCESS_TOKEN", "INTERCOM_BASE_URL"],
  mixpanel: ["MIXPANEL_PROJECT_TOKEN", "MIXPANEL_API_SECRET", "MIXPANEL_PROJECT_ID"],
  sendgrid: ["SENDGRID_API_KEY", "SENDGRID_FROM_EMAIL", "SENDGRID_BASE_URL"],
} as const;

/** Asks one question or takes the answer from the environment, depending on the mode. */
interface Asker {
  text(name: string, message: string, secret?: boolean): Promise<string>;
  yes(message: string, dflt: boolean, envHint: boolean): Promise<boolean>;
  choose<T extends string>(message: string, choices: T[], fromEnv: T): Promise<T>;
}

function interactive(): Asker {
  return {
    text: (_name, message, secret) => (secret ? password({ message, mask: "*" }) : input({ message })),
    yes: (message, dflt) => confirm({ message, default: dflt }),
    choose: (message, choices) => select({ message, choices: choices.map((c) => ({ value: c, name: c })) }),
  };
}

function fromEnv(env: Env): Asker {
  return {
    text: async (name) => env[name]?.trim() ?? "",
    yes: async (_m, _d, envHint) => envHint,
    choose: async (_m, _c, v) => v,
  };
}

async function collect(ask: Asker, env: Env, say: (line: string) => void, credentialsFlag: CredentialsIn): Promise<Answers> {
  const values: Array<[string, string]> = [];
  const results: SetupResult[] = [];
  const show = (check: string, r: CheckResult | null, skipped = "not configured") => {
    const result = { check, ok: r ? r.ok : null, detail: r ? r.detail : skipped };
    results.push(result);
    say(`${(r ? (r.ok ? "ok" : "failing") : "skipped").padEnd(8)} ${check.padEnd(9)} ${result.detail}`);
  };
  const set = (k: string, v: string) => {
    if (v !== "") values.push([k, v]);
  };

  const profile = await ask.choose("Profile", ["development", "staging", "production"], (env.CS_MCP_PROFILE?.trim() || "development") as "development");
  set("CS_MCP_PROFILE", profile);

  const db = await ask.choose("Database", ["embedded", "postgresql"], env.DATABASE_URL?.trim() ? "postgresql" : "embedded");
  if (db === "postgresql") {
    const url = await ask.text("DATABASE_URL", "PostgreSQL URL (postgres://user:password@host:5432/db)", true);
    set("DATABASE_URL", url);
    show("database", url ? await checkPostgres(url) : { ok: false, detail: "DATABASE_URL is empty" });
  } else {
    const dir = await ask.text("CS_MCP_DATA_DIR", "Data directory of the embedded database (empty = the per-user default)");
    set("CS_MCP_DATA_DIR", dir);
    show("database", { ok: true, detail: `embedded PGlite in ${dir || "the per-user data directory"}` });
  }

  if (await ask.yes("Use Redis (shared rate limits and breakers)?", profile === "production", Boolean(env.REDIS_URL?.trim()))) {
    const url = await ask.text("REDIS_URL", "Redis URL (redis://host:6379)", true);
    set("REDIS_URL", url);
    show("redis", url ? await checkRedis(url) : { ok: false, detail: "REDIS_URL is empty" });
  } else show("redis", null);

  if (await ask.yes("Configure Zendesk?", false, Boolean(env.ZENDESK_API_TOKEN?.trim()))) {
    const v = {
      ZENDESK_SUBDOMAIN: await ask.text("ZENDESK_SUBDOMAIN", "Zendesk subdomain (acme for acme.zendesk.com; empty when a base URL is given)"),
      ZENDESK_BASE_URL: await ask.text("ZENDESK_BASE_URL", "Zendesk base URL override (empty = https://<subdomain>.zendesk.com)"),
      ZENDESK_EMAIL: await ask.text("ZENDESK_EMAIL", "Zendesk agent email"),
      ZENDESK_API_TOKEN: await ask.text("ZENDESK_API_TOKEN", "Zendesk API token", true),
    };
    for (const [k, x] of Object.entries(v)) set(k, x);
    show("zendesk", await checkZendesk({ ...v, ZENDESK_SUBDOMAIN: v.ZENDESK_SUBDOMAIN || undefined, ZENDESK_BASE_URL: v.ZENDESK_BASE_URL || undefined }));
  } else show("zendesk", null);

  if (await ask.yes("Configure Intercom?", false, Boolean(env.INTERCOM_ACCESS_TOKEN?.trim()))) {
    const token = await ask.text("INTERCOM_ACCESS_TOKEN", "Intercom access token", true);
    const base = await ask.text("INTERCOM_BASE_URL", "Intercom base URL override (empty = https://api.intercom.io)");
    set("INTERCOM_ACCESS_TOKEN", token);
    set("INTERCOM_BASE_URL", base);
    show("intercom", await checkIntercom(token, base || undefined));
  } else show("intercom", null);

  if (await ask.yes("Configure Mixpanel?", false, Boolean(env.MIXPANEL_PROJECT_TOKEN?.trim()))) {
    for (const k of VENDOR_VARS.mixpanel) set(k, await ask.text(k, k.replace(/_/g, " ").toLowerCase(), k !== "MIXPANEL_PROJECT_ID"));
    // Mixpanel's project token is accepted by ingestion for anything; no read proves it without sending data.
    show("mixpanel", null, "credentials saved; not tested (Mixpanel has no harmless call for a project token)");
  } else show("mixpanel", null);

  if (await ask.yes("Configure SendGrid?", false, Boolean(env.SENDGRID_API_KEY?.trim()))) {
    const key = await ask.text("SENDGRID_API_KEY", "SendGrid API key", true);
    const from = await ask.text("SENDGRID_FROM_EMAIL", "Sender address");
    const base = await ask.text("SENDGRID_BASE_URL", "SendGrid base URL override (empty = https://api.sendgrid.com)");
    set("SENDGRID_API_KEY", key);
    set("SENDGRID_FROM_EMAIL", from);
    set("SENDGRID_BASE_URL", base);
    show("sendgrid", await checkSendGrid(key, from, base || undefined));
  } else show("sendgrid", null);

  const target = await ask.text("BACKUP_TARGET", "Backup target: a directory or s3://bucket/prefix (empty = none; schedule cs-mcp backup)");
  set("BACKUP_TARGET", target);

  const anyVendorSecret = values.some(([k]) => STORABLE_CREDENTIALS.includes(k));
  const credentialsIn = anyVendorSecret ? await ask.choose("Keep the vendor credentials in", CREDENTIALS_IN, credentialsFlag) : "env-file";
  return { values, results, credentialsIn };
}

export async function setupCommand(flags: Flags, env: Env = process.env, say: (line: string) => void = printOut): Promise<number> {
  const path = resolve(typeof flags.out === "string" ? flags.out : ".env");
  const force = Boolean(flags.force);
  if (!force) {
    // Refused before any question: nothing is asked for a file that will not be written.
    const { existsSync } = await import("node:fs");
    if (existsSync(path)) {
      printErr(new EnvFileExistsError(path).message);
      return 1;
    }
  }
  const merged: Env = { ...env };
  if (typeof flags["database-url"] === "string") merged.DATABASE_URL = flags["database-url"];
  if (typeof flags["redis-url"] === "string") merged.REDIS_URL = flags["redis-url"];
  const credentialsFlag = flags.credentials ?? "env-file";
  if (!CREDENTIALS_IN.includes(credentialsFlag as CredentialsIn)) {
    printErr(`cs-mcp setup: --credentials must be ${CREDENTIALS_IN.join(" or ")}`);
    return 2;
  }
  const answers = await collect(flags["non-interactive"] ? fromEnv(merged) : interactive(), merged, say, credentialsFlag as CredentialsIn);
  const { results } = answers;
  let values = answers.values;

  // The same validation as start-up: a .env the server would refuse is not written.
  try {
    loadConfig(Object.fromEntries(values));
  } catch (err) {
    printErr(`cs-mcp setup: ${(err as Error).message}\nnothing written`);
    return 1;
  }
  if (answers.credentialsIn === "database") {
    const stored = await storeInDatabase(values, merged, say);
    if (!stored) return 1;
    values = stored;
  }
  writeEnvFile(path, renderEnvFile(values, `Written by cs-mcp setup ${new Date().toISOString()}.\nHolds secrets: mode 0600, never commit it. Every setting: .env.example.`), force);
  const failing = results.filter((r) => r.ok === false).map((r) => r.check);
  say(`wrote ${path} (mode 0600, ${values.length} settings)${failing.length ? `; failing: ${failing.join(", ")} — fix them and run cs-mcp doctor` : "; run cs-mcp doctor to check"}`);
  return failing.length ? 1 : 0;
}

/**
 * Stores the vendor secrets in the chosen database (migrated first), sealed under CS_MCP_ENCRYPTION_KEY from
 * the environment or NAME_FILE, or under a new random key that goes into .env. Returns the settings left
 * for .env, or null (with the reason shown) when nothing may be written.
 */
async function storeInDatabase(values: Array<[string, string]>, env: Env, say: (line: string) => void): Promise<Array<[string, string]> | null> {
  const given = env.CS_MCP_ENCRYPTION_KEY?.trim() || readSecretFiles(env).values.CS_MCP_ENCRYPTION_KEY;
  const problem = given ? encryptionKeyProblem(given) : null;
  if (problem) {
    printErr(`cs-mcp setup: CS_MCP_ENCRYPTION_KEY: ${problem}\nnothing written`);
    return null;
  }
  const key = given || randomBytes(32).toString("base64");
  const secrets = Object.fromEntries(values.filter(([k]) => STORABLE_CREDENTIALS.includes(k)));
  const rest = values.filter(([k]) => !STORABLE_CREDENTIALS.includes(k));
  try {
    const config = loadConfig({ ...Object.fromEntries(rest), CS_MCP_ENCRYPTION_KEY: key, LOG_LEVEL: "silent" });
    const db = await openDatabase(config, createLogger("silent"), { migrate: true });
    try {
      const keyring = createKeyring(key);
      const names = await storeCredentials(db.prisma, keyring, secrets);
      say(`stored ${names.join(", ")} in the ${db.kind} database, sealed with AES-256-GCM under key ${keyring.currentId}`);
    } finally {
      await db.close();
    }
  } catch (err) {
    printErr(`cs-mcp setup: cannot store the vendor credentials in the database: ${describeConnectionError(err)}\nnothing written`);
    return null;
  }
  if (given) {
    say("CS_MCP_ENCRYPTION_KEY comes from your environment and is not written to .env: give it to the server the same way");
    return rest;
  }
  say("generated CS_MCP_ENCRYPTION_KEY and wrote it to .env: keep a copy in your secret store, without it the stored credentials cannot be read");
  return [...rest, ["CS_MCP_ENCRYPTION_KEY", key]];
}
