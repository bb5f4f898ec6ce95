// The hosted mode as a team uses it: `cs-mcp keys create` then `cs-mcp serve --http`, spawned from the build,
// on two set-ups: one instance on the embedded database, and (when DATABASE_URL and REDIS_URL are given) two
// instances on the shared PostgreSQL and Redis behind HAProxy running deploy/proxy/haproxy.cfg with round robin,
// so consecutive requests land on alternate instances. Through the front door: no credential gets 401 with
// the RFC 9728 pointer, a bad Origin gets 403, a read key sees and runs only read tools, a write key writes
// and an admin-only tool refuses it, an OAuth token from an issuer run here is accepted for this resource and
// refused for another audience, the per-person rate limit holds across instances, and the audit log names
// who did each write.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_URL, type Backend } from "../helpers/databases.ts";
import { csBackend, runCli, type CsBackend } from "../helpers/cs-e2e.ts";
import { startHttpServer, type HttpServerProcess } from "../helpers/http-server.ts";
import { errorOf } from "../helpers/server.ts";
import { loadConfig } from "../../src/config/load.ts";
import { openDatabase } from "../../src/db/database.ts";
import { createLogger } from "../../src/observability/logger.ts";

const RATE_LIMIT = 8;
const MCP_HEADERS = { "Content-Type": "application/json", Accept: "application/json, text/event-stream" };

interface Setup {
  name: string;
  backend: Backend;
  instances: 1 | 2;
}
const SETUPS: Setup[] = [
  { name: "one instance, embedded", backend: "embedded", instances: 1 },
  ...(ADMIN_URL && process.env.REDIS_URL ? [{ name: "two instances behind HAProxy, PostgreSQL + Redis", backend: "postgres" as const, instances: 2 as const }] : []),
];

async function createKey(b: CsBackend, name: string, scopes: string): Promise<string> {
  const r = await runCli(["keys", "create", "--name", name, "--scopes", scopes, "--json"], b.env);
  expect(r.code, r.err).toBe(0);
  return (JSON.parse(r.out) as { key: string }).key;
}

async function connect(base: string, credential: string): Promise<Client> {
  const client = new Client({ name: "http-auth-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${credential}` } } }));
  return client;
}

/** One tools/call as its own POST (stateless server: no initialize needed), answered as JSON or one SSE event. */
async function callOnce(base: string, credential: string, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  const res = await fetch(`${base}/mcp`, {
    method: "POST",
    headers: { ...MCP_HEADERS, Authorization: `Bearer ${credential}` },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: args } }),
  });
  expect(res.status).toBe(200);
  const text = await res.text();
  const json = text.startsWith("{") ? text : /^data: (.*)$/m.exec(text)![1]!;
  return (JSON.parse(json) as { result: CallToolResult }).result;
}

/** A port free on 127.0.0.1 now (bound with port 0 and released), for a process that cannot report its own. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/** An OAuth authorization server on 127.0.0.1: RFC 8414 metadata naming a JWKS of a key made here. */
async function startIssuer(): Promise<{ issuer: string; sign(aud: string, sub: string, scope: string): Promise<string>; close(): Promise<void> }> {
  const pair = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  let issuer = "";
  const server: Server = createServer((req, res) => {
    const body = req.url === "/.well-known/oauth-authorization-server" ? { issuer, jwks_uri: `${issuer}/jwks.json` } : req.url === "/jwks.json" ? { keys: [jwk] } : null;
    res.writeHead(body ? 200 : 404, { "content-type": "application/json" }).end(JSON.stringify(body ?? {}));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const key: CryptoKey = pair.privateKey;
  return {
    issuer,
    sign: (aud, sub, scope) =>
      new SignJWT({ scope }).setProtectedHeader({ alg: "RS256", kid: "k1", typ: "at+jwt" }).setIssuer(issuer).setAudience(aud).setSubject(sub).setIssuedAt().setExpirationTime("10m").sign(key),
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** HAProxy in the foreground on deploy/proxy/haproxy.cfg; resolves once a request through it reaches an instance. */
async function startHaproxy(port: number, upstreams: number[]): Promise<ChildProcess> {
  const env = { PATH: process.env.PATH ?? "", CS_MCP_PROXY_BIND: `127.0.0.1:${port}`, CS_MCP_UPSTREAM_1: `127.0.0.1:${upstreams[0]}`, CS_MCP_UPSTREAM_2: `127.0.0.1:${upstreams[1]}` };
  const cfg = resolve("deploy/proxy/haproxy.cfg");
  const check = spawnSync("haproxy", ["-c", "-f", cfg], { env, encoding: "utf8" });
  if (check.error) throw new Error(`haproxy is not installed (Debian package haproxy; .ci/run installs it): ${check.error.message}`);
  expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
  const proc = spawn("haproxy", ["-db", "-f", cfg], { env, stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  proc.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`haproxy exited (${proc.exitCode}): ${err}`);
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status === 200, () => false);
    if (ok) return proc;
  }
}

/** A counter of one instance's /metrics (0 when the series is absent). */
async function counter(instance: HttpServerProcess, credential: string, series: string): Promise<number> {
  const text = await (await fetch(`${instance.base}/metrics`, { headers: { Authorization: `Bearer ${credential}` } })).text();
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.split(" ")[1]) : 0;
}

describe.each(SETUPS)("hosted mode for a team: $name", (setup) => {
  let b: CsBackend;
  let issuer: Awaited<ReturnType<typeof startIssuer>>;
  let instances: HttpServerProcess[] = [];
  let proxy: ChildProcess | null = null;
  /** Where the team connects: the proxy, or the only instance. */
  let base: string;
  let readKey: string;
  let writeKey: string;
  let counterKey: string;
  beforeAll(async () => {
    b = await csBackend(setup.backend);
    readKey = await createKey(b, "reader", "read");
    writeKey = await createKey(b, "writer", "read,write");
    counterKey = await createKey(b, "counter", "read");
    issuer = await startIssuer();
    const env = { ...b.env, CS_MCP_TOOLSETS: "all", CS_MCP_AUTH_ISSUER: issuer.issuer, CS_MCP_RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT), ...(setup.backend === "postgres" ? { REDIS_URL: process.env.REDIS_URL! } : {}) };
    if (setup.instances === 1) {
      // The resource URL (the tokens' audience) is configured with the issuer, so the port is chosen first.
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      instances = [await startHttpServer({ ...env, CS_MCP_RESOURCE_URL: `${base}/mcp` }, ["--port", String(port)])];
    } else {
      const proxyPort = await freePort();
      base = `http://127.0.0.1:${proxyPort}`;
      instances = await Promise.all([0, 1].map(() => startHttpServer({ ...env, CS_MCP_RESOURCE_URL: `${base}/mcp` })));
      proxy = await startHaproxy(proxyPort, instances.map((i) => i.port));
    }
  }, 300_000);
  afterAll(async () => {
    proxy?.kill("SIGTERM");
    await Promise.all(instances.map((i) => i.stop()));
    await issuer?.close();
    await b?.cleanup();
  });

  it("a call without a credential gets 401 pointing at the protected-resource metadata, which is served there", async () => {
    const res = await fetch(`${base}/mcp`, { method: "POST", headers: MCP_HEADERS, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }) });
    expect(res.status).toBe(401);
    const challenge = res.headers.get("www-authenticate") ?? "";
    const pointer = /resource_metadata="([^"]+)"/.exec(challenge)?.[1];
    expect(pointer).toBe(`${base}/.well-known/oauth-protected-resource/mcp`);
    const meta = await fetch(pointer!);
    expect(meta.status).toBe(200);
    expect(await meta.json()).toMatchObject({ resource: `${base}/mcp`, authorization_servers: [issuer.issuer], scopes_supported: ["cs:read", "cs:write", "cs:admin"], bearer_methods_supported: ["header"] });
  });

  it("a wrong key gets 401 invalid_token, and a bad Origin 403 even with a good key", async () => {
    const res = await fetch(`${base}/mcp`, { method: "POST", headers: { ...MCP_HEADERS, Authorization: "Bearer csmcp_notakey" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }) });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain('error="invalid_token"');
    const evil = await fetch(`${base}/mcp`, { method: "POST", headers: { ...MCP_HEADERS, Authorization: `Bearer ${writeKey}`, Origin: "http://evil.example" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }) });
    expect(evil.status).toBe(403);
    expect(await evil.text()).toContain("Origin not allowed");
  });

  it("a read key lists only read tools and cannot write", async () => {
    const client = await connect(base, readKey);
    try {
      const { tools } = await client.listTools();
      expect(tools.length).toBeGreaterThan(10);
      expect(tools.filter((t) => t.annotations?.readOnlyHint !== true).map((t) => t.name)).toEqual([]);
      const refused = (await client.callTool({ name: "register_client", arguments: { client_name: "Reader", company_name: "Reader Co", primary_contact_email: "r@reader.test" } })) as CallToolResult;
      expect(errorOf(refused).code).toBe("forbidden");
      expect(errorOf(refused).message).toContain("cs:write");
    } finally {
      await client.close();
    }
  });

  it("a write key writes, and an admin-only tool refuses it", async () => {
    const client = await connect(base, writeKey);
    try {
      const created = (await client.callTool({ name: "register_client", arguments: { client_name: "Writer", company_name: "Writer Co", primary_contact_email: "w@writer.test" } })) as CallToolResult;
      expect(created.isError, JSON.stringify(created.content)).toBeFalsy();
      const admin = (await client.callTool({ name: "retry_outbox_delivery", arguments: { id: "00000000-0000-7000-8000-000000000000" } })) as CallToolResult;
      expect(errorOf(admin).code).toBe("forbidden");
      expect(errorOf(admin).message).toContain("cs:admin");
    } finally {
      await client.close();
    }
  });

  it("an OAuth token for this resource writes as its subject; one for another audience gets 401", async () => {
    const good = await issuer.sign(`${base}/mcp`, "alice@example.test", "cs:read cs:write");
    const created = await callOnce(base, good, "register_client", { client_name: "Alice Co", company_name: "Alice Co", primary_contact_email: "a@alice.test" });
    expect(created.isError, JSON.stringify(created.content)).toBeFalsy();
    const foreign = await issuer.sign("https://other.example/mcp", "alice@example.test", "cs:read cs:write");
    const res = await fetch(`${base}/mcp`, { method: "POST", headers: { ...MCP_HEADERS, Authorization: `Bearer ${foreign}` }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }) });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain('error="invalid_token"');
    expect(res.headers.get("www-authenticate")).toContain("issued for another resource");
  });

  it(`holds one person to ${RATE_LIMIT} calls a minute across every instance`, async () => {
    const calls = RATE_LIMIT + 4;
    const outcomes: string[] = [];
    for (let i = 0; i < calls; i++) {
      const r = await callOnce(base, counterKey, "list_clients", {});
      outcomes.push(r.isError ? errorOf(r).code : "ok");
    }
    expect(outcomes.filter((o) => o === "ok")).toHaveLength(RATE_LIMIT);
    expect(outcomes.filter((o) => o === "rate_limited")).toHaveLength(calls - RATE_LIMIT);
    // Each instance answered some of them (round robin), so the limit is the shared one, not per instance.
    const served = await Promise.all(instances.map(async (i) => (await counter(i, counterKey, 'cs_mcp_tool_calls_total{tool="list_clients",outcome="ok"}')) + (await counter(i, counterKey, 'cs_mcp_tool_calls_total{tool="list_clients",outcome="rate_limited"}'))));
    expect(served.reduce((a, n) => a + n, 0)).toBe(calls);
    for (const n of served) expect(n).toBeGreaterThan(0);
    // Another person is not held back by the first one's calls.
    expect((await callOnce(base, readKey, "list_clients", {})).isError).toBeFalsy();
  });

  it("the audit log names who did each write", async () => {
    // The embedded database is one process's: read it once the server is gone.
    if (setup.backend === "embedded") await Promise.all(instances.map((i) => i.stop()));
    const db = await openDatabase(loadConfig({ ...b.env, LOG_LEVEL: "silent" }), createLogger("silent"), { migrate: false });
    try {
      const rows = await db.query<{ actor: string; tool: string }>("SELECT actor, tool FROM audit_log WHERE tool = 'register_client' ORDER BY actor");
      expect(rows).toEqual([
        { actor: "alice@example.test", tool: "register_client" },
        { actor: "key:writer", tool: "register_client" },
      ]);
    } finally {
      await db.close();
    }
  });
});
