// The MCP Inspector against the built server, over stdio (the Inspector spawns dist/src/cli.js) and over
// Streamable HTTP (`cs-mcp serve --http --port 0` on 127.0.0.1): resources, resource templates, prompts
// and tools through its one-shot `--cli` mode, completions through its connection CLI (mcpdo, the same
// package: `--cli` has no completion method). The Inspector is @modelcontextprotocol/inspector, pinned in
// package.json; it needs Node ≥ 22, so on an older Node it runs on the `node` registry package through
// npx (cached after the first run; .ci/run fetches it). The server itself runs on this Node.
// Expected figures are read from the database the demo loader filled, not from the server.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.ts";
import { openDatabase } from "../../src/db/database.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { CLI, serverEnv } from "../helpers/server.ts";
import { startHttpServer, type HttpServerProcess } from "../helpers/http-server.ts";

const run = promisify(execFile);
const INSPECTOR = resolve("node_modules/@modelcontextprotocol/inspector/clients");
/** The Node the Inspector runs on: this one when it is 22 or newer, else the pinned registry package. */
export const NODE22_PACKAGE = "node@22.23.3";
const node22 = Number(process.versions.node.split(".")[0]) >= 22 ? [process.execPath] : ["npx", "-y", "-p", NODE22_PACKAGE, "node"];

let dir: string;
let home: string;
const expected = { accounts: 0, arr: 0, ids: [] as string[], companies: new Map<string, string>() };

/** Runs one Inspector command; its stdout is JSON. Fails with the Inspector's own output. */
async function inspector(bin: "launcher/build/index.js" | "mcpdo/build/mcp-bin.js", args: string[]): Promise<any> {
  const [cmd, ...pre] = node22;
  try {
    const { stdout } = await run(cmd!, [...pre, join(INSPECTOR, bin), ...args], {
      // A private HOME: mcpdo keeps its connection daemon, catalog and secret store there.
      env: { PATH: process.env.PATH ?? "", HOME: home, npm_config_cache: process.env.npm_config_cache ?? join(process.env.HOME ?? "/root", ".npm"), npm_config_update_notifier: "false" },
      timeout: 240_000,
      maxBuffer: 32 * 1024 * 1024,
    });
    return stdout.trim() ? JSON.parse(stdout) : null;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`inspector ${args.join(" ")}: ${err.message}\n${err.stdout ?? ""}\n${err.stderr ?? ""}`);
  }
}

/** The Inspector's --cli against a target: stdio spawns this Node on dist/src/cli.js; http takes the URL. */
type Target = { kind: "stdio" } | { kind: "http"; url: string };
function targetArgs(t: Target): string[] {
  return t.kind === "http"
    ? ["--transport", "http", "--server-url", t.url]
    : ["-e", `CS_MCP_DATA_DIR=${dir}`, "-e", "LOG_LEVEL=warn", "-e", "CS_MCP_TOOLSETS=all", "--", process.execPath, CLI];
}
const cli = (t: Target, method: string[]) => inspector("launcher/build/index.js", ["--cli", "--method", ...method, ...targetArgs(t)]);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cs-inspector-"));
  home = mkdtempSync(join(tmpdir(), "cs-inspector-home-"));
  await run(process.execPath, [CLI, "demo", "--accounts", "20", "--seed", "3"], { env: serverEnv({ CS_MCP_DATA_DIR: dir, LOG_LEVEL: "warn" }), timeout: 240_000 });
  const db = await openDatabase(loadConfig({ CS_MCP_DATA_DIR: dir, LOG_LEVEL: "silent" }), createLogger("silent"));
  try {
    const rows = await db.query<{ id: string; company_name: string; status: string; arr: string }>(`SELECT id, company_name, status::text AS status, arr::text AS arr FROM accounts ORDER BY id`);
    const active = rows.filter((r) => r.status !== "churned");
    expected.accounts = rows.length;
    expected.arr = Math.round(active.reduce((s, r) => s + Number(r.arr) * 100, 0)) / 100;
    expected.ids = rows.map((r) => r.id);
    for (const r of rows) expected.companies.set(r.id, r.company_name);
  } finally {
    await db.close();
  }
}, 300_000);

afterAll(async () => {
  // Stops mcpdo's connection daemon (it would otherwise outlive the test), then removes what the test made.
  if (home) await inspector("mcpdo/build/mcp-bin.js", ["daemon", "stop"]).catch(() => {});
  for (const d of [dir, home]) if (d) rmSync(d, { recursive: true, force: true });
});

function suite(name: string, target: () => Target) {
  it(`${name}: resources/read cs://portfolio/summary gives the portfolio's figures`, async () => {
    const r = await cli(target(), ["resources/read", "--uri", "cs://portfolio/summary"]);
    expect(r.contents[0].mimeType).toBe("application/json");
    const summary = JSON.parse(r.contents[0].text);
    expect(summary.accounts.total).toBe(expected.accounts);
    expect(summary.arr.current).toBe(expected.arr);
  }, 300_000);

  it(`${name}: resources/templates/list names cs://clients/{client_id}, and reading one instance gives that account`, async () => {
    const t = await cli(target(), ["resources/templates/list"]);
    expect(t.resourceTemplates.map((x: { uriTemplate: string }) => x.uriTemplate)).toContain("cs://clients/{client_id}");
    const id = expected.ids[3]!;
    const r = await cli(target(), ["resources/read", "--uri", `cs://clients/${id}`]);
    const overview = JSON.parse(r.contents[0].text);
    expect([overview.client_id, overview.profile.company_name]).toEqual([id, expected.companies.get(id)]);
  }, 300_000);

  it(`${name}: prompts/get account_review renders the account into steps that name real tools`, async () => {
    const id = expected.ids[0]!;
    const [prompt, tools] = [await cli(target(), ["prompts/get", "--prompt-name", "account_review", "--prompt-args", `client_id=${id}`]), await cli(target(), ["tools/list"])];
    const text = prompt.messages.map((m: { content: { text: string } }) => m.content.text).join("\n");
    expect(text).toContain(id);
    const named = [...text.matchAll(/^\d+\. ([a-z_]+) /gm)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThanOrEqual(3);
    const listed = new Set(tools.tools.map((x: { name: string }) => x.name));
    for (const n of named) expect(listed.has(n), n).toBe(true);
  }, 300_000);

  it(`${name}: tools/call list_clients counts every account`, async () => {
    const r = await cli(target(), ["tools/call", "--tool-name", "list_clients", "--tool-arg", "limit=5"]);
    expect(r.isError ?? false).toBe(false);
    expect([r.structuredContent.total, r.structuredContent.clients.length]).toEqual([expected.accounts, 5]);
  }, 300_000);

  it(`${name}: completion of account_review's client_id gives the matching client ids`, async () => {
    const t = target();
    const conn = `cs-${t.kind}`;
    const connectTarget = t.kind === "http" ? ["--transport", "http", "--server-url", t.url] : ["-e", `CS_MCP_DATA_DIR=${dir}`, "-e", "LOG_LEVEL=warn", "--", process.execPath, CLI];
    await inspector("mcpdo/build/mcp-bin.js", ["--connection", conn, "--format", "json", "connect", ...connectTarget]);
    try {
      const r = await inspector("mcpdo/build/mcp-bin.js", ["--connection", conn, "--format", "json", "prompts/complete", "--complete-ref-type", "ref/prompt", "--complete-ref", "account_review", "--complete-arg-name", "client_id", "--complete-arg-value", "iron"]);
      const matching = expected.ids.filter((id) => id.includes("iron") || expected.companies.get(id)!.toLowerCase().includes("iron"));
      expect(matching.length).toBeGreaterThan(1);
      expect([...r.values].sort()).toEqual(matching.sort());
    } finally {
      await inspector("mcpdo/build/mcp-bin.js", ["--connection", conn, "disconnect"]).catch(() => {});
    }
  }, 300_000);
}

describe("MCP Inspector over stdio", () => {
  suite("stdio", () => ({ kind: "stdio" }));
});

describe("MCP Inspector over Streamable HTTP", () => {
  let srv: HttpServerProcess;
  beforeAll(async () => {
    srv = await startHttpServer({ CS_MCP_DATA_DIR: dir, LOG_LEVEL: "warn" });
  }, 120_000);
  afterAll(async () => {
    await srv?.stop();
  });
  suite("http", () => ({ kind: "http", url: `${srv.base}/mcp` }));
});
