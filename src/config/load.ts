// Loads the configuration: defaults < .env file < environment < CLI flags, validated once at start-up.
// A bad value stops start-up with a message naming the variable (and its flag) and the rule it broke.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { SETTINGS } from "./settings.ts";
import { configSchema, type Config } from "./schema.ts";
import { PROFILE_DEFAULTS, type Profile } from "./profiles.ts";
import { readSecretFiles, recordSecretSources, SECRET_SETTINGS, type SecretSource } from "./secret-sources.ts";

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Reads `.env` from the working directory into process.env without overriding what is already set. */
export function loadDotEnv(file = resolve(process.cwd(), ".env")): void {
  if (existsSync(file)) process.loadEnvFile(file);
}

/** Turns CLI flags (--name value, --name=value, --flag for booleans) into env-keyed values. */
export function flagsToEnv(flags: Record<string, string | boolean | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of SETTINGS) {
    if (!("flag" in s) || !s.flag) continue;
    const v = flags[s.flag];
    if (v !== undefined) out[s.env] = String(v);
  }
  return out;
}

/**
 * Validates the configuration. Precedence: flag > environment (and .env) > NAME_FILE > AWS Secrets Manager
 * (`fromSecretsManager`, secret settings only) > the profile's defaults > the settings' defaults.
 */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  flags: Record<string, string | boolean | undefined> = {},
  fromSecretsManager: Record<string, string> = {},
): Config {
  const set = (v: string | undefined) => v !== undefined && v.trim() !== "";
  const input: Record<string, string | undefined> = {};
  for (const s of SETTINGS) input[s.env] = env[s.env];
  const files = readSecretFiles(env);
  const flagValues = flagsToEnv(flags);
  const origin: Record<string, SecretSource> = {};
  for (const name of SECRET_SETTINGS) {
    if (set(flagValues[name])) origin[name] = "flag";
    else if (set(input[name])) origin[name] = "env";
    else if (name in files.values) {
      input[name] = files.values[name];
      origin[name] = "file";
    } else if (set(fromSecretsManager[name])) {
      input[name] = fromSecretsManager[name];
      origin[name] = "aws-secrets-manager";
    } else origin[name] = "unset";
  }
  const profile = (input.CS_MCP_PROFILE?.trim() || "development") as Profile;
  for (const [k, v] of Object.entries(PROFILE_DEFAULTS[profile] ?? {})) if (!set(input[k]) && !set(flagValues[k])) input[k] = v;
  Object.assign(input, flagValues);
  const parsed = configSchema.safeParse(input);
  if (!parsed.success || files.problems.length) {
    throw new ConfigError([
      ...files.problems,
      ...(parsed.success ? [] : parsed.error.issues).map((issue) => {
        const key = String(issue.path[0] ?? "config");
        const setting = SETTINGS.find((s) => s.env === key);
        const flag = setting && "flag" in setting && setting.flag ? ` (--${setting.flag})` : "";
        // Never echo the rejected value: it may be a secret (a URL with a password, a token).
        return `${key}${flag}: ${issue.message}`;
      }),
    ]);
  }
  recordSecretSources(parsed.data, origin);
  return parsed.data;
}

export type { Config };
