// Secret settings from AWS Secrets Manager: one secret whose SecretString is a JSON object of secret
// settings ({"SENDGRID_API_KEY": "...", "DATABASE_URL": "..."}). Read at start-up, then re-read every
// CS_MCP_SECRETS_REFRESH_SECONDS by serve and worker: a rotated value replaces the old one in the running
// configuration (vendor clients are rebuilt on their next call; see secretsGeneration). DATABASE_URL and
// REDIS_URL feed connection pools opened at start-up, so a rotated one is used by the next process (rolling
// restart); the refresh logs which settings changed, never their values.
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { Logger } from "../observability/logger.ts";
import { silenceAwsNodeVersionWarning } from "./aws-sdk.ts";
import { ConfigError, loadConfig } from "./load.ts";
import type { Config } from "./schema.ts";
import { bumpSecretsGeneration, recordSecretSources, SECRET_SETTINGS, secretSources } from "./secret-sources.ts";

type Env = Record<string, string | undefined>;
type Flags = Record<string, string | boolean | undefined>;

/** Reads the secret and checks its shape; errors name the secret id and the rule, never a value. */
export async function fetchSecretSettings(config: Pick<Config, "CS_MCP_SECRETS_AWS_SECRET_ID" | "CS_MCP_SECRETS_AWS_REGION" | "CS_MCP_SECRETS_AWS_ENDPOINT">): Promise<Record<string, string>> {
  const id = config.CS_MCP_SECRETS_AWS_SECRET_ID;
  if (!id) return {};
  silenceAwsNodeVersionWarning();
  const client = new SecretsManagerClient({
    region: config.CS_MCP_SECRETS_AWS_REGION,
    ...(config.CS_MCP_SECRETS_AWS_ENDPOINT ? { endpoint: config.CS_MCP_SECRETS_AWS_ENDPOINT } : {}),
    maxAttempts: 3,
  });
  let text: string | undefined;
  try {
    text = (await client.send(new GetSecretValueCommand({ SecretId: id }))).SecretString;
  } catch (err) {
    throw new ConfigError([`CS_MCP_SECRETS_AWS_SECRET_ID: cannot read secret ${id} from AWS Secrets Manager (${(err as Error).name}: ${(err as Error).message})`]);
  } finally {
    client.destroy();
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text ?? "");
  } catch {
    throw new ConfigError([`CS_MCP_SECRETS_AWS_SECRET_ID: secret ${id} must hold a JSON object of secret settings in its SecretString`]);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new ConfigError([`CS_MCP_SECRETS_AWS_SECRET_ID: secret ${id} must hold a JSON object of secret settings`]);
  const out: Record<string, string> = {};
  const problems: string[] = [];
  for (const [k, v] of Object.entries(parsed)) {
    if (!SECRET_SETTINGS.includes(k)) problems.push(`CS_MCP_SECRETS_AWS_SECRET_ID: key ${k} of secret ${id} is not a secret setting (allowed: ${SECRET_SETTINGS.join(", ")})`);
    else if (typeof v !== "string") problems.push(`CS_MCP_SECRETS_AWS_SECRET_ID: key ${k} of secret ${id} must be a string`);
    else out[k] = v;
  }
  if (problems.length) throw new ConfigError(problems);
  return out;
}

export interface LoadedConfig {
  config: Config;
  /** Re-reads the secret and updates the running configuration in place; resolves to the names that changed. */
  refresh(): Promise<string[]>;
  /** Refreshes every CS_MCP_SECRETS_REFRESH_SECONDS (no-op without a secret id or with 0); returns stop. */
  startRefresh(logger: Logger): () => void;
}

export async function loadConfigWithSecrets(env: Env = process.env, flags: Flags = {}): Promise<LoadedConfig> {
  const first = loadConfig(env, flags);
  const config = first.CS_MCP_SECRETS_AWS_SECRET_ID ? loadConfig(env, flags, await fetchSecretSettings(first)) : first;
  const refresh = async (): Promise<string[]> => {
    if (!config.CS_MCP_SECRETS_AWS_SECRET_ID) return [];
    // Validated as a whole before anything changes: a bad rotated value leaves the running one in place.
    const next = loadConfig(env, flags, await fetchSecretSettings(config));
    const target = config as Record<string, unknown>;
    // A credential read from the database (applyStoredCredentials) stays while the secret does not name it.
    const fromDatabase = secretSources(config);
    const changed = SECRET_SETTINGS.filter((k) => target[k] !== (next as Record<string, unknown>)[k] && !(fromDatabase[k] === "database (encrypted)" && secretSources(next)[k] === "unset"));
    for (const k of changed) target[k] = (next as Record<string, unknown>)[k];
    if (changed.length) {
      recordSecretSources(config, { ...fromDatabase, ...Object.fromEntries(changed.map((k) => [k, secretSources(next)[k]!])) });
      bumpSecretsGeneration(config);
    }
    return changed;
  };
  return {
    config,
    refresh,
    startRefresh(logger) {
      const seconds = config.CS_MCP_SECRETS_REFRESH_SECONDS;
      if (!config.CS_MCP_SECRETS_AWS_SECRET_ID || seconds === 0) return () => {};
      let running = false;
      const timer = setInterval(() => {
        if (running) return;
        running = true;
        refresh()
          .then((changed) => {
            if (changed.length) logger.info({ changed }, "secrets refreshed from AWS Secrets Manager");
          })
          .catch((err: unknown) => logger.warn({ err: (err as Error).message }, "secret refresh failed; the current values stay in use"))
          .finally(() => {
            running = false;
          });
      }, seconds * 1000);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
