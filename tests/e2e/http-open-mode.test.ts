// A loopback HTTP server started with no API key and no OAuth issuer runs in "open" mode (every caller is the
// local user, said at start on stderr). A key created while it runs (`cs-mcp keys create` from another
// process, on the shared PostgreSQL database) closes it without a restart: from then on a call without a
// credential gets 401, and the key works. PostgreSQL only: the embedded database admits one process at a
// time, so no key can be created while an embedded server runs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_URL } from "../helpers/databases.ts";
import { csBackend, runCli, type CsBackend } from "../helpers/cs-e2e.ts";
import { startHttpServer, type HttpServerProcess } from "../helpers/http-server.ts";

const LIST = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" });
const MCP_HEADERS = { "Content-Type": "application/json", Accept: "application/json, text/event-stream" };

function post(base: string, authorization?: string): Promise<Response> {
  return fetch(`${base}/mcp`, { method: "POST", headers: { ...MCP_HEADERS, ...(authorization ? { Authorization: authorization } : {}) }, body: LIST });
}

describe.skipIf(!ADMIN_URL)("open mode ends when a key is created (postgres)", () => {
  let b: CsBackend;
  let server: HttpServerProcess;
  beforeAll(async () => {
    b = await csBackend("postgres");
    server = await startHttpServer({ ...b.env, LOG_LEVEL: "info" });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await b?.cleanup();
  });

  it("is open at start and says so", async () => {
    // Log lines are written asynchronously (pino, sync: false): the warning may follow the "listening" line.
    await expect.poll(() => server.stderr(), { timeout: 10_000 }).toMatch(/"auth":"open"/);
    expect(server.stderr()).toContain("no API key and no OAuth issuer");
    expect((await post(server.base)).status).toBe(200);
  });

  it("verifies a credential that is presented even while open", async () => {
    const res = await post(server.base, "Bearer csmcp_notakey");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  it("requires authentication once a key exists, without a restart", async () => {
    const created = await runCli(["keys", "create", "--name", "late", "--scopes", "read", "--json"], b.env);
    expect(created.code, created.err).toBe(0);
    const key = (JSON.parse(created.out) as { key: string }).key;
    // The key check is cached for a moment: poll until the server has seen the new key.
    let res = await post(server.base);
    while (res.status === 200) res = await post(server.base);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp"$/);
    expect(server.stderr()).toContain("an API key exists: authentication is now required");
    expect((await post(server.base, `Bearer ${key}`)).status).toBe(200);
  });
});
