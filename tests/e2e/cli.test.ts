// The CLI commands as a person or a script runs them: doctor, migrate, call, version and usage errors.
import { spawnSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { ADMIN_URL, embeddedDataDir, postgresDatabase } from "../helpers/databases.ts";
import { CLI, serverEnv } from "../helpers/server.ts";
import { readMigrations } from "../../src/db/migrate.ts";

const cleanups: Array<() => unknown> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

function run(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: serverEnv({ LOG_LEVEL: "warn", ...env }), timeout: 60_000 });
  return { code: r.status, out: r.stdout.toString(), err: r.stderr.toString() };
}

describe("cs-mcp CLI", () => {
  const { dir, remove } = embeddedDataDir();
  cleanups.push(remove);

  it("doctor reports each check and exits 0 on a healthy embedded setup", () => {
    const r = run(["doctor", "--json"], { CS_MCP_DATA_DIR: dir });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as { ok: boolean; checks: Array<{ check: string; status: string; detail: string }> };
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => [c.check, c.status])).toEqual([
      ["config", "ok"],
      ["database", "ok"],
      ["migrations", "ok"],
      ["portfolio size", "ok"],
      ["redis", "not_configured"],
      ["encryption", "not_configured"],
      ["zendesk", "not_configured"],
      ["intercom", "not_configured"],
      ["mixpanel", "not_configured"],
      ["sendgrid", "not_configured"],
      ["backup", "not_configured"],
      ["secrets", "ok"],
    ]);
    expect(report.checks.find((c) => c.check === "sendgrid")?.detail).toBe("set SENDGRID_API_KEY, SENDGRID_FROM_EMAIL");
    expect(report.checks.find((c) => c.check === "portfolio size")?.detail).toMatch(/^0 active accounts, ~0 usage events: within the embedded database's range \(up to 5,000 accounts or 1,000,000 usage events; above that, use PostgreSQL\)$/);
  });

  it("doctor fails with the reason when PostgreSQL or Redis cannot be reached, without printing secrets", () => {
    const r = run(["doctor"], { DATABASE_URL: "postgresql://cs:topsecret@127.0.0.1:1/cs", REDIS_URL: "redis://:redispw@127.0.0.1:1", DB_CONNECT_TIMEOUT_MS: "2000" });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^failing\s+database\s+connection refused$/m);
    expect(r.out).toMatch(/^failing\s+redis\s+/m);
    expect(r.out + r.err).not.toContain("topsecret");
    expect(r.out + r.err).not.toContain("redispw");
  });

  it("call prints the structured result, and exits 1 with the error for bad input", () => {
    const ok = run(["call", "register_client", JSON.stringify({ client_name: "C", company_name: "Cli Co", primary_contact_email: "c@cli.co" })], { CS_MCP_DATA_DIR: dir });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ company_name: "Cli Co", lifecycle_stage: "onboarding" });
    const bad = run(["call", "list_clients", '{"limit": 0}'], { CS_MCP_DATA_DIR: dir });
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.out)).toMatchObject({ error: { code: "validation_error" } });
    expect(run(["call", "list_clients", "{not json"], { CS_MCP_DATA_DIR: dir }).code).toBe(2);
    expect(run(["call", "no_such_tool"], { CS_MCP_DATA_DIR: dir }).err).toContain("unknown tool 'no_such_tool'");
  });

  it("--version prints the package version; unknown commands and flags exit 2", () => {
    expect(run(["--version"], {}).out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(run(["frobnicate"], {}).code).toBe(2);
    const r = run(["--no-such-flag"], {});
    expect(r.code).toBe(2);
    expect(r.err).toContain("--no-such-flag");
  });

  it.skipIf(!ADMIN_URL)("migrate applies migrations to a new PostgreSQL database, then reports it up to date", async () => {
    const { url, drop } = await postgresDatabase();
    cleanups.push(drop);
    const before = run(["doctor"], { DATABASE_URL: url });
    expect(before.code).toBe(1);
    expect(before.out).toMatch(/pending migration\(s\); run cs-mcp migrate/);
    const first = run(["migrate"], { DATABASE_URL: url });
    expect(first.code).toBe(0);
    expect(first.out).toMatch(new RegExp(`^applied ${readMigrations().length} migration\\(s\\) to postgres database`));
    expect(first.out).not.toContain("postgres@");
    const second = run(["migrate"], { DATABASE_URL: url });
    expect(second.out).toContain(`is up to date (${readMigrations().length} migration(s) applied)`);
    expect(run(["doctor"], { DATABASE_URL: url }).code).toBe(0);
  });
});
