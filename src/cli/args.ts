// Command-line parsing with node:util parseArgs: every setting that has a flag, plus each command's own.
import { parseArgs } from "node:util";
import { SETTINGS } from "../config/settings.ts";

type OptionSpec = { type: "string" | "boolean"; short?: string };

const BOOLEAN_SETTING_FLAGS = new Set(["read-only", "migrate", "http"]);

export const COMMAND_OPTIONS: Record<string, OptionSpec> = {
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
  demo: { type: "boolean" },
  remove: { type: "boolean" },
  seed: { type: "string" },
  accounts: { type: "string" },
  json: { type: "boolean" },
  "dry-run": { type: "boolean" },
  strict: { type: "boolean" },
  format: { type: "string" },
  verify: { type: "boolean" },
  force: { type: "boolean" },
  from: { type: "string" },
  id: { type: "string" },
  name: { type: "string" },
  scopes: { type: "string" },
  "non-interactive": { type: "boolean" },
  out: { type: "string" },
  credentials: { type: "string" },
};

export function settingOptions(): Record<string, OptionSpec> {
  const out: Record<string, OptionSpec> = {};
  for (const s of SETTINGS) {
    if ("flag" in s && s.flag) out[s.flag] = { type: BOOLEAN_SETTING_FLAGS.has(s.flag) ? "boolean" : "string" };
  }
  return out;
}

export interface ParsedArgs {
  command: string;
  positionals: string[];
  flags: Record<string, string | boolean | undefined>;
}

export function parseCli(argv: string[]): ParsedArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { ...settingOptions(), ...COMMAND_OPTIONS },
    allowPositionals: true,
    strict: true,
  });
  const [command = "serve", ...rest] = positionals;
  return { command, positionals: rest, flags: values as Record<string, string | boolean | undefined> };
}
