// Secret settings from AWS Secrets Manager through the real @aws-sdk/client-secrets-manager against a fake on
// 127.0.0.1: read at start, precedence (environment and NAME_FILE win), refusals that name the rule, and a
// rotation picked up by the running process — the next SendGrid delivery uses the new key, no restart.
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/load.ts";
import { loadConfigWithSecrets } from "../../src/config/secrets-manager.ts";
import { secretSources } from "../../src/config/secret-sources.ts";
import { createOperationRegistry } from "../../src/integrations/registry.ts";
import { VendorError } from "../../src/integrations/types.ts";
import type { Integration } from "../../src/integrations/status.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { startFakeSecretsManager, type FakeSecretsManager } from "./fakes/secrets-manager.ts";
import { startSendGridFake } from "./fakes/sendgrid.ts";
import { closedPort, type FakeServer } from "./fakes/contract-server.ts";
import { embeddedDataDir } from "../helpers/databases.ts";
import { CLI, serverEnv } from "../helpers/server.ts";

let sm: FakeSecretsManager;
let sg: FakeServer;
const dir = mkdtempSync(join(tmpdir(), "cs-mcp-sm-"));
const AWS = { AWS_ACCESS_KEY_ID: "AKIDFAKE", AWS_SECRET_ACCESS_KEY: "fake-secret-access-key", AWS_EC2_METADATA_DISABLED: "true" };

beforeAll(async () => {
  Object.assign(process.env, AWS);
  [sm, sg] = await Promise.all([startFakeSecretsManager(), startSendGridFake()]);
});
afterAll(async () => {
  await Promise.all([sm?.close(), sg?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

const awsEnv = (extra: Record<string, string> = {}) => ({ CS_MCP_SECRETS_AWS_SECRET_ID: "cs-mcp/prod", CS_MCP_SECRETS_AWS_ENDPOINT: sm.url, CS_MCP_SECRETS_AWS_REGION: "eu-west-1", LOG_LEVEL: "silent", ...extra });

async function refused(env: Record<string, string>): Promise<string> {
  const err = await loadConfigWithSecrets(env).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(ConfigError);
  return (err as ConfigError).message;
}

describe("AWS Secrets Manager", () => {
  it("fills secret settings from the secret's JSON; the environment and NAME_FILE take precedence", async () => {
    sm.put("cs-mcp/prod", JSON.stringify({ SENDGRID_API_KEY: "SG.from-aws", ZENDESK_API_TOKEN: "zd-aws", INTERCOM_ACCESS_TOKEN: "ic-aws" }));
    const file = join(dir, "ic");
    writeFileSync(file, "ic-file\n");
    const before = sm.reads;
    const { config } = await loadConfigWithSecrets(awsEnv({ ZENDESK_API_TOKEN: "zd-env", INTERCOM_ACCESS_TOKEN_FILE: file }));
    expect(sm.reads).toBe(before + 1);
    expect(sm.targets.at(-1)).toBe("secretsmanager.GetSecretValue");
    expect(config.SENDGRID_API_KEY).toBe("SG.from-aws");
    expect(config.ZENDESK_API_TOKEN).toBe("zd-env");
    expect(config.INTERCOM_ACCESS_TOKEN).toBe("ic-file");
    expect(secretSources(config)).toMatchObject({ SENDGRID_API_KEY: "aws-secrets-manager", ZENDESK_API_TOKEN: "env", INTERCOM_ACCESS_TOKEN: "file", REDIS_URL: "unset" });
  });

  it("refuses a missing secret, a non-JSON secret and a key that is not a secret setting", async () => {
    expect(await refused(awsEnv({ CS_MCP_SECRETS_AWS_SECRET_ID: "absent" }))).toContain("CS_MCP_SECRETS_AWS_SECRET_ID: cannot read secret absent from AWS Secrets Manager (ResourceNotFoundException");
    sm.put("plain", "just-a-token");
    const plain = await refused(awsEnv({ CS_MCP_SECRETS_AWS_SECRET_ID: "plain" }));
    expect(plain).toContain("secret plain must hold a JSON object of secret settings in its SecretString");
    expect(plain).not.toContain("just-a-token");
    sm.put("typo", JSON.stringify({ SENDGRID_KEY: "x", LOG_LEVEL: "debug" }));
    const typo = await refused(awsEnv({ CS_MCP_SECRETS_AWS_SECRET_ID: "typo" }));
    expect(typo).toContain("key SENDGRID_KEY of secret typo is not a secret setting");
    expect(typo).toContain("key LOG_LEVEL of secret typo is not a secret setting");
  });

  it("a value from the secret goes through the setting's rule, without echoing it", async () => {
    sm.put("bad-url", JSON.stringify({ DATABASE_URL: "mysql://u:topsecret@h/db" }));
    const msg = await refused(awsEnv({ CS_MCP_SECRETS_AWS_SECRET_ID: "bad-url" }));
    expect(msg).toContain("DATABASE_URL (--database-url): must be a postgres:// or postgresql:// URL");
    expect(msg).not.toContain("topsecret");
  });

  it("a rotated secret is used by the running process without a restart", async () => {
    sm.put("rotating", JSON.stringify({ SENDGRID_API_KEY: "SG.old-key" }));
    const loaded = await loadConfigWithSecrets(awsEnv({ CS_MCP_SECRETS_AWS_SECRET_ID: "rotating", CS_MCP_SECRETS_REFRESH_SECONDS: "1", SENDGRID_FROM_EMAIL: "cs@example.com", SENDGRID_BASE_URL: sg.url }));
    const resilience = { call: <T>(_i: Integration, fn: (s: AbortSignal) => Promise<T>) => fn(AbortSignal.timeout(10_000)) };
    const registry = createOperationRegistry(loaded.config, resilience, createLogger("silent"));
    const send = (key: string) => registry["sendgrid.send"]!.handler({ to: "ana@acme.test", subject: "Hi", text: "Hello" }, { idempotencyKey: key, signal: new AbortController().signal });

    // The fake SendGrid accepts only SG.test-key: the old key is refused...
    const err = await send("rot-1").then(() => null, (e: unknown) => e);
    expect((err as VendorError).status).toBe(401);
    expect(sg.received.at(-1)?.headers.authorization).toBe("Bearer SG.old-key");

    // ...the secret is rotated in the manager, the running refresher picks it up...
    sm.put("rotating", JSON.stringify({ SENDGRID_API_KEY: "SG.test-key" }));
    const stop = loaded.startRefresh(createLogger("silent"));
    try {
      const until = Date.now() + 30_000;
      while (loaded.config.SENDGRID_API_KEY !== "SG.test-key") {
        if (Date.now() > until) throw new Error("the refresher never picked up the rotated secret");
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      stop();
    }
    // ...and the same registry's next delivery uses the new key.
    const ok = await send("rot-2");
    expect(ok.external_id).toBeTruthy();
    expect(sg.received.at(-1)?.headers.authorization).toBe("Bearer SG.test-key");
  });

  it("refresh() keeps the running values when the rotated secret is invalid", async () => {
    sm.put("r2", JSON.stringify({ REDIS_URL: "redis://cache:6379" }));
    const loaded = await loadConfigWithSecrets(awsEnv({ CS_MCP_SECRETS_AWS_SECRET_ID: "r2" }));
    sm.put("r2", JSON.stringify({ REDIS_URL: "http://not-redis" }));
    await expect(loaded.refresh()).rejects.toThrow(/REDIS_URL \(--redis-url\): must be a redis:\/\/ or rediss:\/\/ URL/);
    expect(loaded.config.REDIS_URL).toBe("redis://cache:6379");
    sm.put("r2", JSON.stringify({ REDIS_URL: "redis://cache2:6379" }));
    expect(await loaded.refresh()).toEqual(["REDIS_URL"]);
    expect(loaded.config.REDIS_URL).toBe("redis://cache2:6379");
  });
});

describe("cs-mcp doctor", () => {
  it("reports where each secret came from and never prints a value", async () => {
    const { dir: dataDir, remove } = embeddedDataDir();
    try {
      sm.put("doctor", JSON.stringify({ ZENDESK_API_TOKEN: "zd-value-from-aws-7731" }));
      const file = join(dir, "sg-doctor");
      writeFileSync(file, "SG.value-from-file-4412\n");
      const key = Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 97 + 13) % 251)).toString("base64");
      // Spawned asynchronously: the fake Secrets Manager answers from this process's event loop.
      const child = spawn(process.execPath, [CLI, "doctor", "--json"], {
        env: serverEnv({
          ...AWS,
          LOG_LEVEL: "warn",
          CS_MCP_DATA_DIR: dataDir,
          CS_MCP_SECRETS_AWS_SECRET_ID: "doctor",
          CS_MCP_SECRETS_AWS_ENDPOINT: sm.url,
          SENDGRID_API_KEY_FILE: file,
          SENDGRID_FROM_EMAIL: "cs@example.com",
          SENDGRID_BASE_URL: sg.url,
          INTERCOM_ACCESS_TOKEN: "ic-value-from-env-9921",
          INTERCOM_BASE_URL: `http://127.0.0.1:${await closedPort()}`, // nothing listens: doctor's harmless call is refused
          CS_MCP_ENCRYPTION_KEY: key,
        }),
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
      const r = { status, stdout };
      const out = stdout + stderr;
      const report = JSON.parse(r.stdout.toString()) as { checks: Array<{ check: string; status: string; detail: string }> };
      // Doctor made each vendor's harmless call with the credentials from their sources: SendGrid's fake
      // refused the key from the file (it accepts only its own), Intercom could not be reached: exit 1.
      expect(report.checks.find((c) => c.check === "sendgrid")).toMatchObject({ status: "failing", detail: expect.stringMatching(/^credentials refused \(HTTP 401\); SENDGRID_API_KEY from file;/) });
      expect(report.checks.find((c) => c.check === "intercom")).toMatchObject({ status: "failing", detail: expect.stringMatching(/^connection refused; INTERCOM_ACCESS_TOKEN from env;/) });
      expect(r.status, out).toBe(1);
      const secrets = report.checks.find((c) => c.check === "secrets")!;
      expect(secrets.status).toBe("ok");
      for (const part of ["profile development", "DATABASE_URL=unset", "REDIS_URL=unset", "ZENDESK_API_TOKEN=aws-secrets-manager", "INTERCOM_ACCESS_TOKEN=env", "SENDGRID_API_KEY=file", "MIXPANEL_API_SECRET=unset", "CS_MCP_ENCRYPTION_KEY=env", "AWS secret doctor"]) {
        expect(secrets.detail).toContain(part);
      }
      for (const value of ["zd-value-from-aws-7731", "SG.value-from-file-4412", "ic-value-from-env-9921", key]) expect(out).not.toContain(value);
    } finally {
      remove();
    }
  });
});
