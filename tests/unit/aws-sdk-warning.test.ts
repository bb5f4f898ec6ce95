// The AWS SDK's Node-version notice is silenced through the SDK's own switch when the code builds its clients
// (S3 for backups, Secrets Manager for secrets), while every other process warning still reaches stderr.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

/** Builds each client the way cs-mcp does (through the built modules), then emits an unrelated warning. */
function stderrOf(env: Record<string, string>): string {
  const script = `
    const { storeFor } = await import("./dist/src/backup/backup.js");
    const { fetchSecretSettings } = await import("./dist/src/config/secrets-manager.js");
    await storeFor({ BACKUP_TARGET: "s3://bucket/prefix", BACKUP_S3_REGION: "us-east-1", BACKUP_S3_ENDPOINT: "http://127.0.0.1:1" }).list().catch(() => {});
    await fetchSecretSettings({ CS_MCP_SECRETS_AWS_SECRET_ID: "x", CS_MCP_SECRETS_AWS_REGION: "us-east-1", CS_MCP_SECRETS_AWS_ENDPOINT: "http://127.0.0.1:1" }).catch(() => {});
    process.emitWarning("an unrelated warning");
  `;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", AWS_ACCESS_KEY_ID: "AKIDFAKE", AWS_SECRET_ACCESS_KEY: "fake", AWS_MAX_ATTEMPTS: "1", ...env },
    timeout: 60_000,
  });
  expect(r.status, r.stderr.toString()).toBe(0);
  return r.stderr.toString();
}

describe("AWS SDK Node version warning", () => {
  it("is not printed when cs-mcp builds its S3 and Secrets Manager clients; other warnings are", () => {
    const err = stderrOf({});
    expect(err).not.toContain("NodeVersionSupportWarning");
    expect(err).toContain("Warning: an unrelated warning");
  });

  it.runIf(Number(process.versions.node.split(".")[0]) < 22)("an operator who sets the SDK's switch to false still gets it", () => {
    expect(stderrOf({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "false" })).toContain("NodeVersionSupportWarning");
  });
});
