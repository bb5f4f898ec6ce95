#!/usr/bin/env node
// cs-mcp: serve (default, MCP over stdio) | migrate | doctor | call | demo | import | worker | backup | restore | keys | secrets | setup | model.
import { ConfigError, loadConfig, loadDotEnv } from "./config/load.ts";
import { createLogger } from "./observability/logger.ts";
import { parseCli } from "./cli/args.ts";
import { helpText } from "./cli/help.ts";
import { printErr, printOut } from "./cli/output.ts";
import { SERVER_VERSION } from "./version.ts";
import { serializeError } from "./server/errors.ts";

const COMMANDS = ["serve", "migrate", "doctor", "call", "demo", "import", "worker", "backup", "restore", "keys", "secrets", "setup", "model"];

async function main(argv: string[]): Promise<number | "serving"> {
  let parsed;
  try {
    parsed = parseCli(argv);
  } catch (err) {
    printErr(`${(err as Error).message}\nRun cs-mcp --help for the commands and flags.`);
    return 2;
  }
  const { command, positionals, flags } = parsed;
  if (flags.version) {
    printOut(SERVER_VERSION);
    return 0;
  }
  if (flags.help) {
    printOut(helpText(SERVER_VERSION));
    return 0;
  }
  if (!COMMANDS.includes(command)) {
    printErr(`unknown command '${command}'. Commands: ${COMMANDS.join(", ")}. Run cs-mcp --help.`);
    return 2;
  }
  // setup writes the configuration: it runs before (and without) loading one.
  if (command === "setup") return await (await import("./cli/setup.ts")).setupCommand(flags);
  loadDotEnv();
  let config;
  let secrets: import("./config/secrets-manager.ts").LoadedConfig | undefined;
  try {
    // Commands other than serve talk to a person: quieter logs unless LOG_LEVEL says otherwise.
    const env = command !== "serve" && command !== "worker" && !process.env.LOG_LEVEL && !flags["log-level"] ? { ...process.env, LOG_LEVEL: "warn" } : process.env;
    config = loadConfig(env, flags);
    if (config.CS_MCP_SECRETS_AWS_SECRET_ID) {
      // The AWS SDK is loaded only when a secret id is configured.
      secrets = await (await import("./config/secrets-manager.ts")).loadConfigWithSecrets(env, flags);
      config = secrets.config;
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      printErr(`cs-mcp: ${err.message}`);
      return 2;
    }
    throw err;
  }
  const logger = createLogger(config.LOG_LEVEL);
  // Long-running processes pick up rotated secrets without a restart.
  if (secrets && (command === "serve" || command === "worker")) secrets.startRefresh(logger);
  try {
    switch (command) {
      // Each command's code is loaded only when it runs: start-up stays short.
      case "serve": {
        // Over stdio the database starts opening while the server's modules load (both imports run at
        // once): PGlite's WebAssembly compiles on other threads and its files are read meanwhile.
        // The embedded database's thread starts first (a light module): it boots while everything else loads.
        const embedded = config.CS_MCP_HTTP || config.DATABASE_URL ? undefined : import("./db/embedded-start.ts").then((m) => m.startEmbedded(config));
        const serving = import("./cli/serve.ts");
        const database = config.CS_MCP_HTTP
          ? undefined
          : import("./db/database.ts").then(async (m) => m.openDatabase(config, logger, { migrate: config.CS_MCP_AUTO_MIGRATE, ...(embedded ? { embedded: await embedded } : {}) }));
        // Awaited (and its failure reported) by serve; handled here so that an early failure is not an unhandled rejection.
        embedded?.catch(() => {});
        database?.catch(() => {});
        await (await serving).serve(config, logger, { demo: Boolean(flags.demo), ...(database ? { database } : {}) });
        return "serving";
      }
      case "migrate":
        return await (await import("./cli/migrate.ts")).migrateCommand(config, logger);
      case "doctor":
        return await (await import("./cli/doctor.ts")).doctor(config, logger, Boolean(flags.json));
      case "call":
        return await (await import("./cli/call.ts")).call(config, logger, positionals[0], positionals[1]);
      case "demo":
        return await (await import("./cli/demo.ts")).demoCommand(config, logger, flags);
      case "worker":
        return await (await import("./cli/worker.ts")).worker(config, logger);
      case "import":
        return await (await import("./cli/import.ts")).importCommand(config, logger, positionals, flags);
      case "backup":
        return await (await import("./cli/backup.ts")).backupCommand(config, logger, flags);
      case "restore":
        return await (await import("./cli/backup.ts")).restoreCommand(config, logger, flags);
      case "keys":
        return await (await import("./cli/keys.ts")).keysCommand(config, logger, positionals, flags);
      case "secrets":
        return await (await import("./cli/secrets.ts")).secretsCommand(config, logger, positionals, flags);
      case "model":
        return await (await import("./cli/model.ts")).modelCommand(config, logger, positionals, flags);
    }
  } catch (err) {
    if (err instanceof ConfigError) printErr(`cs-mcp: ${err.message}`);
    else {
      logger.error({ err: serializeError(err) }, `${command} failed`);
      printErr(`cs-mcp ${command}: ${serializeError(err).message}`);
    }
    return 1;
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== "serving") process.exitCode = code;
    if (code !== "serving") setTimeout(() => process.exit(code), 100).unref();
  },
  (err) => {
    printErr(`cs-mcp: ${serializeError(err).message}`);
    process.exit(1);
  },
);
