// The operator's path through the built CLI, against the vendor fakes on 127.0.0.1 and the test PostgreSQL and
// Redis when the environment has them: `cs-mcp setup --credentials database` stores the vendor secrets sealed in
// the database (not in .env), `cs-mcp backup` makes the first backup, `cs-mcp doctor` shows every part green
// with where each secret came from, and `cs-mcp secrets rotate-key` re-seals them under a new key (a wrong
// previous key changes nothing). No output ever holds a secret or a key.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSendGridFake } from "../contract/fakes/sendgrid.ts";
import { startZendeskFake, type ZendeskFake } from "../contract/fakes/zendesk.ts";
import { startIntercomFake, type IntercomFake } from "../contract/fakes/intercom.ts";
import type { FakeServer } from "../contract/fakes/contract-server.ts";
import { ADMIN_URL, postgresDatabase } from "../helpers/databases.ts";
import { CLI, serverEnv } from "../helpers/server.ts";

const REDIS = process.env.REDIS_URL;
let sg: FakeServer;
let zd: ZendeskFake;
let ic: IntercomFake;
const root = mkdtempSync(join(tmpdir(), "cs-mcp-creds-"));
const cleanups: Array<() => unknown> = [];

beforeAll(async () => {
  [sg, zd, ic] = await Promise.all([startSendGridFake(), startZendeskFake(), startIntercomFake()]);
});
afterAll(async () => {
  await Promise.all([sg, zd, ic].map((f) => f?.stop()));
  for (const c of cleanups.reverse()) await c();
  rmSync(root, { recursive: true, force: true });
});

/** Runs the built CLI in `cwd` (where its .env is read from), asynchronously: the fakes answer from this process. */
async function cli(cwd: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: serverEnv({ LOG_LEVEL: "warn", ...env }), cwd });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  return { code, out, err };
}

const SECRETS = { ZENDESK_API_TOKEN: "zd-test-token", INTERCOM_ACCESS_TOKEN: "ic-test-token", SENDGRID_API_KEY: "SG.test-key" };
type Report = { ok: boolean; checks: Array<{ check: string; status: string; detail: string }> };

describe.each(ADMIN_URL ? ["embedded", "postgres"] : ["embedded"])("setup → backup → doctor → rotate-key on %s", (backend) => {
  it("stores the vendor secrets sealed in the database, doctor is green with their source, rotation re-seals them", async () => {
    const cwd = join(root, backend);
    mkdirSync(cwd);
    let database: Record<string, string>;
    if (backend === "postgres") {
      const { url, drop } = await postgresDatabase();
      cleanups.push(drop);
      database = { DATABASE_URL: url };
    } else database = { CS_MCP_DATA_DIR: join(cwd, "data") };
    const backups = join(cwd, "backups");
    const setupEnv = {
      ...database,
      ...(REDIS ? { REDIS_URL: REDIS } : {}),
      ...SECRETS,
      ZENDESK_BASE_URL: zd.url,
      ZENDESK_EMAIL: "agent@acme.test",
      INTERCOM_BASE_URL: ic.url,
      SENDGRID_FROM_EMAIL: "cs@example.com",
      SENDGRID_BASE_URL: sg.url,
      BACKUP_TARGET: backups,
    };
    const setup = await cli(cwd, ["setup", "--non-interactive", "--credentials", "database"], setupEnv);
    expect(setup.code, setup.out + setup.err).toBe(0);
    expect(setup.out).toMatch(new RegExp(`^stored INTERCOM_ACCESS_TOKEN, SENDGRID_API_KEY, ZENDESK_API_TOKEN in the ${backend} database, sealed with AES-256-GCM under key [0-9a-f]{8}$`, "m"));
    expect(setup.out).toContain("generated CS_MCP_ENCRYPTION_KEY and wrote it to .env");
    const envFile = join(cwd, ".env");
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    const written = parseEnv(readFileSync(envFile, "utf8"));
    for (const name of Object.keys(SECRETS)) expect(written[name]).toBeUndefined();
    expect(written).toMatchObject({ ZENDESK_BASE_URL: zd.url, INTERCOM_BASE_URL: ic.url, SENDGRID_FROM_EMAIL: "cs@example.com", BACKUP_TARGET: backups, ...database });
    const oldKey = written.CS_MCP_ENCRYPTION_KEY!;
    expect(Buffer.from(oldKey, "base64")).toHaveLength(32);
    const secretsAndKeys = [...Object.values(SECRETS), oldKey];

    const backup = await cli(cwd, ["backup"]);
    expect(backup.code, backup.out + backup.err).toBe(0);

    // Only the .env setup wrote configures this process: doctor reads it from the working directory.
    const doctor = await cli(cwd, ["doctor", "--json"]);
    expect(doctor.code, doctor.out + doctor.err).toBe(0);
    const report = JSON.parse(doctor.out) as Report;
    expect(report.checks.map((c) => [c.check, c.status])).toEqual([
      ["config", "ok"],
      ["database", "ok"],
      ["migrations", "ok"],
      ["portfolio size", "ok"],
      ["redis", REDIS ? "ok" : "not_configured"],
      ["encryption", "ok"],
      ["zendesk", "ok"],
      ["intercom", "ok"],
      ["mixpanel", "not_configured"],
      ["sendgrid", "ok"],
      ["backup", "ok"],
      ["secrets", "ok"],
    ]);
    const detail = (check: string) => report.checks.find((c) => c.check === check)!.detail;
    expect(detail("encryption")).toMatch(/^3 stored credential\(s\) open with key [0-9a-f]{8}$/);
    expect(detail("zendesk")).toMatch(/^credentials accepted .*; ZENDESK_API_TOKEN from database \(encrypted\); circuit breaker closed/);
    expect(detail("intercom")).toMatch(/^credentials accepted \(HTTP 200\); INTERCOM_ACCESS_TOKEN from database \(encrypted\);/);
    expect(detail("sendgrid")).toMatch(/^credentials accepted \(HTTP 202\); SENDGRID_API_KEY from database \(encrypted\);/);
    expect(detail("secrets")).toContain("ZENDESK_API_TOKEN=database (encrypted)");
    expect(detail("secrets")).toContain("CS_MCP_ENCRYPTION_KEY=env");
    expect(detail("backup")).toMatch(/^newest backup \S+ is 0\.0 h old/);
    // The fakes checked the credentials: the stored values reached them.
    expect(ic.received.filter((q) => q.operationId === "identifyAdmin").length).toBeGreaterThanOrEqual(2);

    // Rotation: the new key from the environment, the old one from a file (NAME_FILE); never a flag.
    const newKey = randomBytes(32).toString("base64");
    const wrongFile = join(cwd, "wrong.key");
    writeFileSync(wrongFile, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600 });
    const before = await cli(cwd, ["secrets", "list", "--json"]);
    const wrong = await cli(cwd, ["secrets", "rotate-key"], { CS_MCP_ENCRYPTION_KEY: newKey, CS_MCP_ENCRYPTION_KEY_PREVIOUS_FILE: wrongFile });
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/^cs-mcp secrets rotate-key: stored credential INTERCOM_ACCESS_TOKEN is sealed under key [0-9a-f]{8}, but CS_MCP_ENCRYPTION_KEY_PREVIOUS is key [0-9a-f]{8}: give the key it was sealed with; nothing changed$/m);
    expect((await cli(cwd, ["secrets", "list", "--json"])).out).toBe(before.out);
    expect((await cli(cwd, ["secrets", "rotate-key", "--encryption-key", newKey])).code).toBe(2); // no such flag

    const oldFile = join(cwd, "old.key");
    writeFileSync(oldFile, `${oldKey}\n`, { mode: 0o600 });
    const rotated = await cli(cwd, ["secrets", "rotate-key"], { CS_MCP_ENCRYPTION_KEY: newKey, CS_MCP_ENCRYPTION_KEY_PREVIOUS_FILE: oldFile });
    expect(rotated.code, rotated.err).toBe(0);
    expect(rotated.out).toMatch(/^re-sealed 3 stored credential\(s\) from key ([0-9a-f]{8}) to key (?!\1)[0-9a-f]{8}$/m);
    const listed = JSON.parse((await cli(cwd, ["secrets", "list", "--json"])).out) as Array<{ name: string; key_id: string }>;
    expect(listed.map((c) => c.name)).toEqual(["INTERCOM_ACCESS_TOKEN", "SENDGRID_API_KEY", "ZENDESK_API_TOKEN"]);
    expect(new Set(listed.map((c) => c.key_id)).size).toBe(1);
    expect(listed[0]!.key_id).not.toBe((JSON.parse(before.out) as Array<{ key_id: string }>)[0]!.key_id);

    // The new key alone opens them; the old one (still in .env) no longer does and doctor says so.
    const withNew = JSON.parse((await cli(cwd, ["doctor", "--json"], { CS_MCP_ENCRYPTION_KEY: newKey })).out) as Report;
    expect(withNew.checks.filter((c) => ["encryption", "zendesk", "intercom", "sendgrid"].includes(c.check)).map((c) => c.status)).toEqual(["ok", "ok", "ok", "ok"]);
    const withOld = await cli(cwd, ["doctor", "--json"]);
    expect(withOld.code).toBe(1);
    const stale = JSON.parse(withOld.out) as Report;
    expect(stale.checks.find((c) => c.check === "encryption")).toMatchObject({ status: "failing", detail: expect.stringMatching(/^3 stored credential\(s\) cannot be read: stored credential INTERCOM_ACCESS_TOKEN: sealed under key [0-9a-f]{8}, which is neither/) });
    expect(stale.checks.find((c) => c.check === "sendgrid")).toMatchObject({ status: "not_configured" });

    for (const r of [setup, backup, doctor, wrong, rotated, withOld]) for (const s of [...secretsAndKeys, newKey]) expect(r.out + r.err).not.toContain(s);
  }, 600_000);
});
