// `cs-mcp setup` driven as an operator drives it, against the vendor fakes on 127.0.0.1 and the test
// PostgreSQL/Redis when the environment has them: --non-interactive through the built CLI, and the
// interactive wizard through @inquirer/testing's screen (its prompts' test mode). Checks the .env written
// (content and mode 0600), that no secret is echoed, and that an existing .env is kept without --force.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { screen } from "@inquirer/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setupCommand } from "../../src/cli/setup.ts";
import { closedPort, type FakeServer } from "../contract/fakes/contract-server.ts";
import { startSendGridFake } from "../contract/fakes/sendgrid.ts";
import { startZendeskFake, type ZendeskFake } from "../contract/fakes/zendesk.ts";
import { startIntercomFake, type IntercomFake } from "../contract/fakes/intercom.ts";
import { CLI, serverEnv } from "../helpers/server.ts";

const PG = process.env.DATABASE_URL;
const REDIS = process.env.REDIS_URL;
let sg: FakeServer;
let zd: ZendeskFake;
let ic: IntercomFake;
const dir = mkdtempSync(join(tmpdir(), "cs-mcp-setup-"));

beforeAll(async () => {
  [sg, zd, ic] = await Promise.all([startSendGridFake(), startZendeskFake(), startIntercomFake()]);
});
afterAll(async () => {
  await Promise.all([sg, zd, ic].map((f) => f?.stop()));
  for (const f of [sg, zd, ic]) expect(f.violations).toEqual([]);
  rmSync(dir, { recursive: true, force: true });
});

async function runSetup(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  // Spawned asynchronously: the fakes answer from this process's event loop.
  const child = spawn(process.execPath, [CLI, "setup", ...args], { env: serverEnv({ LOG_LEVEL: "warn", ...env }), cwd: dir });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  return { code, out };
}

const vendorEnv = () => ({
  ZENDESK_BASE_URL: zd.url,
  ZENDESK_EMAIL: "agent@acme.test",
  ZENDESK_API_TOKEN: "zd-test-token",
  INTERCOM_ACCESS_TOKEN: "ic-test-token",
  INTERCOM_BASE_URL: ic.url,
  SENDGRID_API_KEY: "SG.test-key",
  SENDGRID_FROM_EMAIL: "cs@example.com",
  SENDGRID_BASE_URL: sg.url,
});

describe("cs-mcp setup --non-interactive", () => {
  it("tests each part, shows the results, writes .env with mode 0600 and never echoes a secret", async () => {
    const out = join(dir, "a.env");
    const env = { ...vendorEnv(), ...(PG ? { DATABASE_URL: PG } : {}), ...(REDIS ? { REDIS_URL: REDIS } : {}) };
    const r = await runSetup(["--non-interactive", "--out", out], env);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(PG ? /^ok\s+database\s+PostgreSQL \d+.* answered$/m : /^ok\s+database\s+embedded PGlite/m);
    if (REDIS) expect(r.out).toMatch(/^ok\s+redis\s+PING answered PONG$/m);
    expect(r.out).toMatch(/^ok\s+zendesk\s+credentials accepted/m);
    expect(r.out).toMatch(/^ok\s+intercom\s+credentials accepted \(HTTP 200\)$/m);
    expect(r.out).toMatch(/^ok\s+sendgrid\s+credentials accepted \(HTTP 202\)$/m);
    expect(r.out).toMatch(/^skipped\s+mixpanel\s+not configured$/m);
    for (const secret of ["zd-test-token", "ic-test-token", "SG.test-key", ...(PG ? [new URL(PG).password].filter(Boolean) : [])]) expect(r.out).not.toContain(secret);

    // The fakes saw the harmless calls with the given credentials: a user search, GET /me, a sandboxed send.
    expect(zd.received.map((q) => q.operationId)).toEqual(["SearchUsers"]);
    expect(ic.received.map((q) => q.operationId)).toEqual(["identifyAdmin"]);
    const send = sg.received.find((q) => q.path === "/v3/mail/send");
    expect((send?.body as { mail_settings?: { sandbox_mode?: { enable?: boolean } } }).mail_settings?.sandbox_mode?.enable).toBe(true);

    expect(statSync(out).mode & 0o777).toBe(0o600);
    const written = parseEnv(readFileSync(out, "utf8"));
    expect(written).toMatchObject({ CS_MCP_PROFILE: "development", ...vendorEnv(), ...(PG ? { DATABASE_URL: PG } : {}), ...(REDIS ? { REDIS_URL: REDIS } : {}) });
  });

  it("refuses to overwrite an existing .env without --force, and overwrites it (mode 0600) with it", async () => {
    const out = join(dir, "existing.env");
    writeFileSync(out, "KEEP=me\n", { mode: 0o644 });
    const refused = await runSetup(["--non-interactive", "--out", out], vendorEnv());
    expect(refused.code).toBe(1);
    expect(refused.out).toContain(`${out} exists: cs-mcp setup does not overwrite it; move it away or pass --force`);
    expect(readFileSync(out, "utf8")).toBe("KEEP=me\n");
    const forced = await runSetup(["--non-interactive", "--force", "--out", out], { SENDGRID_API_KEY: "SG.test-key", SENDGRID_FROM_EMAIL: "cs@example.com", SENDGRID_BASE_URL: sg.url });
    expect(forced.code, forced.out).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(parseEnv(readFileSync(out, "utf8"))).toEqual({ CS_MCP_PROFILE: "development", SENDGRID_API_KEY: "SG.test-key", SENDGRID_FROM_EMAIL: "cs@example.com", SENDGRID_BASE_URL: sg.url });
  });

  it("shows failing parts: an unreachable PostgreSQL, refused credentials; exits 1", async () => {
    const out = join(dir, "failing.env");
    const port = await closedPort();
    const r = await runSetup(["--non-interactive", "--out", out, "--database-url", `postgres://cs:pw-9931@127.0.0.1:${port}/cs`], { ...vendorEnv(), INTERCOM_ACCESS_TOKEN: "ic-wrong-token-5521" });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^failing\s+database\s+connection refused$/m);
    expect(r.out).toMatch(/^failing\s+intercom\s+credentials refused \(HTTP 401\)$/m);
    expect(r.out).toContain("failing: database, intercom");
    expect(r.out).not.toContain("pw-9931");
    expect(r.out).not.toContain("ic-wrong-token-5521");
    expect(statSync(out).mode & 0o777).toBe(0o600);
  });

  it("writes nothing the server would refuse: production with the embedded database", async () => {
    const out = join(dir, "prod.env");
    const r = await runSetup(["--non-interactive", "--out", out], { CS_MCP_PROFILE: "production" });
    expect(r.code).toBe(1);
    expect(r.out).toContain("DATABASE_URL (--database-url): is required in the production profile");
    expect(r.out).toContain("nothing written");
    expect(() => statSync(out)).toThrow();
  });
});

describe("cs-mcp setup, interactive", () => {
  it("asks each question, masks the secrets, tests and writes .env", async () => {
    const out = join(dir, "interactive.env");
    const said: string[] = [];
    const done = setupCommand({ out }, {}, (l) => said.push(l));

    const answer = async (expected: string, keys: Array<string | { name: string }>) => {
      const until = Date.now() + 20_000;
      while (!screen.getScreen().includes(expected)) {
        if (Date.now() > until) throw new Error(`prompt "${expected}" never shown; screen: ${screen.getScreen()}`);
        await Promise.race([screen.next(), new Promise((r) => setTimeout(r, 200))]);
      }
      for (const k of keys) typeof k === "string" ? screen.type(k) : screen.keypress(k.name);
    };
    const enter = { name: "enter" };
    await answer("Profile", [enter]); // development
    await answer("Database", [enter]); // embedded
    await answer("Data directory", [join(dir, "data"), enter]);
    await answer("Use Redis", ["n", enter]);
    await answer("Configure Zendesk?", ["n", enter]);
    await answer("Configure Intercom?", ["y", enter]);
    await answer("Intercom access token", ["ic-test-token"]);
    // The token is masked on screen.
    expect(screen.getScreen()).not.toContain("ic-test-token");
    screen.keypress("enter");
    await answer("Intercom base URL", [ic.url, enter]);
    await answer("Configure Mixpanel?", ["n", enter]);
    await answer("Configure SendGrid?", ["n", enter]);
    await answer("Backup target", [enter]); // none
    await answer("Keep the vendor credentials in", [enter]); // env-file
    expect(await done).toBe(0);

    expect(said.join("\n")).toMatch(/^ok\s+intercom\s+credentials accepted \(HTTP 200\)$/m);
    expect(said.join("\n")).not.toContain("ic-test-token");
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(parseEnv(readFileSync(out, "utf8"))).toEqual({ CS_MCP_PROFILE: "development", CS_MCP_DATA_DIR: join(dir, "data"), INTERCOM_ACCESS_TOKEN: "ic-test-token", INTERCOM_BASE_URL: ic.url });
  });
});
