// The hosted mode as a team uses it: `cs-mcp keys create` then `cs-mcp serve --http`, spawned from the build.
// Once a key exists every /mcp call must authenticate: no credential gets 401 with the RFC 9728 pointer, the
// metadata is served where it points, a read key sees and runs only read tools, a write key writes and is the
// audit actor of its write, an admin-only tool refuses it.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS } from "../helpers/databases.ts";
import { csBackend, runCli, type CsBackend } from "../helpers/cs-e2e.ts";
import { startHttpServer, type HttpServerProcess } from "../helpers/http-server.ts";
import { errorOf } from "../helpers/server.ts";
import { loadConfig } from "../../src/config/load.ts";
import { openDatabase } from "../../src/db/database.ts";
import { createLogger } from "../../src/observability/logger.ts";

async function createKey(b: CsBackend, name: string, scopes: string): Promise<string> {
  const r = await runCli(["keys", "create", "--name", name, "--scopes", scopes, "--json"], b.env);
  expect(r.code, r.err).toBe(0);
  return (JSON.parse(r.out) as { key: string }).key;
}

async function connect(base: string, key: string): Promise<Client> {
  const client = new Client({ name: "http-auth-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${key}` } } }));
  return client;
}

describe.each(BACKENDS)("hosted mode with API keys (%s)", (backend) => {
  let b: CsBackend;
  let server: HttpServerProcess;
  let readKey: string;
  let writeKey: string;
  beforeAll(async () => {
    b = await csBackend(backend);
    readKey = await createKey(b, "reader", "read");
    writeKey = await createKey(b, "writer", "read,write");
    server = await startHttpServer({ ...b.env, CS_MCP_TOOLSETS: "all" });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await b?.cleanup();
  });

  it("a call without a credential gets 401 pointing at the protected-resource metadata, which is served there", async () => {
    const res = await fetch(`${server.base}/mcp`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(res.status).toBe(401);
    const challenge = res.headers.get("www-authenticate") ?? "";
    const pointer = /resource_metadata="([^"]+)"/.exec(challenge)?.[1];
    expect(pointer).toBe(`${server.base}/.well-known/oauth-protected-resource/mcp`);
    const meta = await fetch(`${server.base}${new URL(pointer!).pathname}`);
    expect(meta.status).toBe(200);
    expect(await meta.json()).toMatchObject({ scopes_supported: ["cs:read", "cs:write", "cs:admin"], bearer_methods_supported: ["header"] });
  });

  it("a wrong key gets 401 invalid_token", async () => {
    const res = await fetch(`${server.base}/mcp`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream", Authorization: "Bearer csmcp_notakey" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  it("a read key lists only read tools and cannot write", async () => {
    const client = await connect(server.base, readKey);
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

  it("a write key writes, the audit log names it, and an admin tool refuses it", async () => {
    const client = await connect(server.base, writeKey);
    try {
      const created = (await client.callTool({ name: "register_client", arguments: { client_name: "Writer", company_name: "Writer Co", primary_contact_email: "w@writer.test" } })) as CallToolResult;
      expect(created.isError, JSON.stringify(created.content)).toBeFalsy();
      const admin = (await client.callTool({ name: "retry_outbox_delivery", arguments: { id: "00000000-0000-7000-8000-000000000000" } })) as CallToolResult;
      expect(errorOf(admin).code).toBe("forbidden");
    } finally {
      await client.close();
    }
    await server.stop();
    const db = await openDatabase(loadConfig({ ...b.env, LOG_LEVEL: "silent" }), createLogger("silent"), { migrate: false });
    try {
      const rows = await db.query<{ actor: string; tool: string }>("SELECT actor, tool FROM audit_log WHERE tool = 'register_client'");
      expect(rows).toEqual([{ actor: "key:writer", tool: "register_client" }]);
    } finally {
      await db.close();
    }
  });
});
