// cs-mcp serve --http spawned as built, reached over loopback with the SDK's Streamable HTTP client and
// with raw HTTP requests for the hardening (Host, Origin, CORS, body limit, concurrency cap, SIGTERM).
import { mkdtempSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { spawnHttp, startHttpServer, type HttpServerProcess } from "../helpers/http-server.ts";
import { METRIC_NAMES } from "../monitoring/metric-names.ts";

const INIT = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } } });
const MCP_HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" };

function env(extra: Record<string, string> = {}): Record<string, string> {
  return { CS_MCP_DATA_DIR: mkdtempSync(join(tmpdir(), "cs-http-")), LOG_LEVEL: "warn", ...extra };
}

/** A raw request; `body` may be sent in part (`hold`) so that the request stays in flight. */
function raw(port: number, opts: { method?: string; path?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method: opts.method ?? "POST", path: opts.path ?? "/mcp", headers: opts.headers ?? {} }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

/** Starts a POST whose body is only half sent: the request is in flight until `finish()` sends the rest. */
function halfSent(port: number): { response: Promise<{ status: number; body: string }>; finish(): void; started: Promise<void> } {
  const head = INIT.slice(0, 20);
  const tail = INIT.slice(20);
  let onStarted: () => void = () => {};
  const started = new Promise<void>((r) => (onStarted = r));
  let finish: () => void = () => {};
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method: "POST", path: "/mcp", headers: { ...MCP_HEADERS, "content-length": String(Buffer.byteLength(INIT)) } }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.write(head, () => onStarted());
    finish = () => req.end(tail);
  });
  return { response, finish: () => finish(), started };
}

describe("cs-mcp serve --http", () => {
  let srv: HttpServerProcess;
  beforeAll(async () => {
    srv = await startHttpServer(env({ CS_MCP_HTTP_ALLOWED_ORIGINS: "http://app.example", CS_MCP_HTTP_MAX_BODY_BYTES: "4096" }));
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it("answers tools/list and tools/call through the SDK's Streamable HTTP client", async () => {
    const client = new Client({ name: "cs-http-test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${srv.base}/mcp`)));
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain("register_client");
    const created = (await client.callTool({ name: "register_client", arguments: { client_name: "Acme HTTP", company_name: "Acme HTTP", primary_contact_email: "ops@acme-http.example" } })) as CallToolResult;
    expect(created.isError, JSON.stringify(created.content)).toBeFalsy();
    const listed = (await client.callTool({ name: "list_clients", arguments: {} })) as CallToolResult;
    expect(JSON.stringify(listed.structuredContent)).toContain("Acme HTTP");
    await client.close();
  });

  it("refuses a disallowed Origin and a foreign Host with 403, before reading the body", async () => {
    const badOrigin = await raw(srv.port, { headers: { ...MCP_HEADERS, origin: "http://evil.example" }, body: INIT });
    expect(badOrigin.status).toBe(403);
    expect(badOrigin.body).toContain("Origin not allowed");
    const badHost = await raw(srv.port, { headers: { ...MCP_HEADERS, host: "evil.example:80" }, body: INIT });
    expect(badHost.status).toBe(403);
    expect(badHost.body).toContain("Host evil.example is not allowed");
    // A foreign page on a loopback port of its own is another origin; this server's own origin is not.
    const otherPort = await raw(srv.port, { headers: { ...MCP_HEADERS, origin: `http://127.0.0.1:${srv.port + 1}` }, body: INIT });
    expect(otherPort.status).toBe(403);
    const own = await raw(srv.port, { headers: { ...MCP_HEADERS, origin: `http://127.0.0.1:${srv.port}` }, body: INIT });
    expect(own.status).toBe(200);
  });

  it("answers a CORS preflight from an allowed origin, and refuses one from another", async () => {
    const ok = await raw(srv.port, { method: "OPTIONS", headers: { origin: "http://app.example", "access-control-request-method": "POST", "access-control-request-headers": "authorization, mcp-protocol-version" } });
    expect(ok.status).toBe(204);
    expect(ok.headers["access-control-allow-origin"]).toBe("http://app.example");
    const allowed = String(ok.headers["access-control-allow-headers"]).split(/,\s*/);
    for (const h of ["authorization", "content-type", "mcp-protocol-version", "mcp-session-id"]) expect(allowed).toContain(h);
    const post = await raw(srv.port, { headers: { ...MCP_HEADERS, origin: "http://app.example" }, body: INIT });
    expect(post.status).toBe(200);
    expect(String(post.headers["access-control-expose-headers"])).toContain("mcp-session-id");
    expect(String(post.headers["access-control-expose-headers"])).toContain("www-authenticate");
    const bad = await raw(srv.port, { method: "OPTIONS", headers: { origin: "http://evil.example", "access-control-request-method": "POST" } });
    expect(bad.status).toBe(403);
    expect(bad.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("sets security headers and refuses a body over CS_MCP_HTTP_MAX_BODY_BYTES with 413", async () => {
    const big = JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "list_clients", arguments: { pad: "x".repeat(5000) } } });
    const res = await raw(srv.port, { headers: MCP_HEADERS, body: big });
    expect(res.status).toBe(413);
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  });

  it("answers /healthz and /readyz, and GET /mcp with 405 (stateless)", async () => {
    expect((await raw(srv.port, { method: "GET", path: "/healthz" })).status).toBe(200);
    const ready = await raw(srv.port, { method: "GET", path: "/readyz" });
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({ ready: true, checks: { database: "ok", redis: "not configured" } });
    expect((await raw(srv.port, { method: "GET", path: "/mcp" })).status).toBe(405);
  });

  it("exports every agreed metric name on /metrics, counting tool calls by tool and outcome", async () => {
    const res = await raw(srv.port, { method: "GET", path: "/metrics" });
    expect(res.status).toBe(200);
    for (const name of [
      "cs_mcp_tool_calls_total", "cs_mcp_tool_call_duration_seconds_bucket", "cs_mcp_rate_limited_total", "cs_mcp_outbox_pending",
      "cs_mcp_outbox_oldest_age_seconds", "cs_mcp_outbox_dead", "cs_mcp_breaker_open", "cs_mcp_db_pool_in_use", "cs_mcp_db_pool_size",
      "cs_mcp_ready", "cs_mcp_backup_last_success_timestamp_seconds", "cs_mcp_http_requests_total", "cs_mcp_http_request_duration_seconds_bucket",
      "process_resident_memory_bytes", "nodejs_eventloop_lag_seconds",
    ]) expect(res.body, name).toMatch(new RegExp(`^${name}`, "m"));
    // Every series the alert rules and the Grafana dashboard read (deploy/monitoring) is one this server exports.
    const exported = new Set([...res.body.matchAll(/^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/gm)].map((m) => m[1]));
    expect(METRIC_NAMES.filter((n) => n !== "up" && !exported.has(n))).toEqual([]);
    // The first test made one successful register_client and one list_clients call.
    expect(res.body).toMatch(/^cs_mcp_tool_calls_total\{tool="register_client",outcome="ok"\} 1$/m);
    expect(res.body).toMatch(/^cs_mcp_ready 1$/m);
    expect(res.body).toMatch(/^cs_mcp_breaker_open\{vendor="zendesk"\} 0$/m);
  });
});

describe("cs-mcp serve --http limits and shutdown", () => {
  it("refuses to start on a non-loopback host without an authenticator", async () => {
    const { stderr, exited } = spawnHttp(env(), ["--host", "0.0.0.0", "--port", "0"]);
    const code = await exited;
    expect(code).not.toBe(0);
    expect(stderr()).toContain("refusing to serve HTTP on 0.0.0.0 without authentication");
    expect(stderr()).not.toContain("listening on");
  });

  it("caps requests in flight per principal with 429 and Retry-After", async () => {
    const srv = await startHttpServer(env({ CS_MCP_HTTP_MAX_CONCURRENT_PER_PRINCIPAL: "1" }));
    try {
      const first = halfSent(srv.port);
      await first.started;
      // The first request holds the only slot until its body is complete; poll until the server has it.
      let second = await raw(srv.port, { headers: MCP_HEADERS, body: INIT });
      while (second.status === 200) second = await raw(srv.port, { headers: MCP_HEADERS, body: INIT });
      expect(second.status).toBe(429);
      expect(second.headers["retry-after"]).toBe("1");
      first.finish();
      expect((await first.response).status).toBe(200);
      expect((await raw(srv.port, { headers: MCP_HEADERS, body: INIT })).status).toBe(200);
    } finally {
      await srv.stop();
    }
  });

  it("on SIGTERM finishes the request in flight, refuses new connections and exits 0", async () => {
    const srv = await startHttpServer(env({ CS_MCP_HTTP_MAX_CONCURRENT_PER_PRINCIPAL: "1" }));
    const inflight = halfSent(srv.port);
    await inflight.started;
    // Wait until the server counts it (a second request is refused by the cap of 1).
    while ((await raw(srv.port, { headers: MCP_HEADERS, body: INIT })).status !== 429) { /* poll */ }
    srv.proc.kill("SIGTERM");
    await new Promise<void>((resolve) => {
      const poll = () => raw(srv.port, { method: "GET", path: "/healthz" }).then(() => setImmediate(poll), () => resolve());
      poll();
    });
    inflight.finish();
    const answered = await inflight.response;
    expect(answered.status).toBe(200);
    expect(answered.body).toContain('"protocolVersion"');
    expect(await srv.exited).toBe(0);
  });
});
