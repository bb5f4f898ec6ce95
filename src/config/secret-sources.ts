// Where each secret setting's value comes from: the environment (or .env), a command-line flag, a file named
// by NAME_FILE (how Docker and Kubernetes mount secrets), AWS Secrets Manager, or (vendor credentials only)
// the database, sealed with AES-256-GCM (src/security/credential-store.ts). The values are never kept
// here, only their origin, so `cs-mcp doctor` can say where a secret came from without showing it.
import { readFileSync } from "node:fs";
import { SETTINGS } from "./settings.ts";
import type { Config } from "./schema.ts";

export type SecretSource = "env" | "flag" | "file" | "aws-secrets-manager" | "database (encrypted)" | "unset";

export const SECRET_SETTINGS: readonly string[] = SETTINGS.filter((s) => "secret" in s && s.secret).map((s) => s.env);

const sources = new WeakMap<object, Record<string, SecretSource>>();
const generations = new WeakMap<object, number>();

export function recordSecretSources(config: Config, map: Record<string, SecretSource>): void {
  sources.set(config, map);
}

/** Origin of each secret setting of this configuration (unset when the configuration was built elsewhere). */
export function secretSources(config: Config): Record<string, SecretSource> {
  return sources.get(config) ?? Object.fromEntries(SECRET_SETTINGS.map((k) => [k, (config as Record<string, unknown>)[k] === undefined ? "unset" : "env"]));
}

/** Bumped each time a refresh changes a secret in place: holders of derived clients rebuild them. */
export function secretsGeneration(config: Config): number {
  return generations.get(config) ?? 0;
}

export function bumpSecretsGeneration(config: Config): void {
  generations.set(config, secretsGeneration(config) + 1);
}

/**
 * Reads NAME_FILE for every secret NAME: the file's content with one trailing newline removed. Setting both
 * NAME and NAME_FILE is refused (which one wins would be a guess), as is a file that cannot be read; the
 * messages name the variable and the path, never a value.
 */
export function readSecretFiles(env: Record<string, string | undefined>): { values: Record<string, string>; problems: string[] } {
  const values: Record<string, string> = {};
  const problems: string[] = [];
  for (const name of SECRET_SETTINGS) {
    const path = env[`${name}_FILE`];
    if (path === undefined || path.trim() === "") continue;
    if (env[name] !== undefined && env[name]!.trim() !== "") {
      problems.push(`${name}_FILE: ${name} is set as well; set one of them`);
      continue;
    }
    try {
      values[name] = readFileSync(path, "utf8").replace(/\r?\n$/, "");
    } catch (err) {
      problems.push(`${name}_FILE: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? "error"})`);
    }
  }
  return { values, problems };
}
