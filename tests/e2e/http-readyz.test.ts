// /readyz and cs_mcp_ready follow the database and Redis: the built server reaches the suite's PostgreSQL and
// Redis through loopback TCP proxies that the test cuts (every connection reset, new ones refused) and
// restores. PostgreSQL only: the embedded database lives inside the process and cannot go away.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_URL, postgresDatabase } from "../helpers/databases.ts";
import { startHttpServer, type HttpServerProcess } from "../helpers/http-server.ts";
import { tcpProxy, type TcpProxy } from "../helpers/tcp-proxy.ts";

const REDIS_URL = process.env.REDIS_URL;

async function probe(base: string): Promise<{ status: number; body: { ready: boolean; checks: { database: string; redis: string } }; gauge: string | undefined }> {
  const res = await fetch(`${base}/readyz`);
  const body = (await res.json()) as { ready: boolean; checks: { database: string; redis: string } };
  const metrics = await (await fetch(`${base}/metrics`)).text();
  return { status: res.status, body, gauge: /^cs_mcp_ready (\d)$/m.exec(metrics)?.[1] };
}

/** Polls /readyz until it answers `status` (the checks are bounded by the server, so each probe ends). */
async function until(base: string, status: number): Promise<Awaited<ReturnType<typeof probe>>> {
  for (;;) {
    const p = await probe(base);
    if (p.status === status) return p;
  }
}

async function listClients(base: string): Promise<number> {
  const res = await fetch(`${base}/mcp`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "list_clients", arguments: {} } }),
  });
  return res.status;
}

describe.skipIf(!ADMIN_URL)("/readyz when the database and Redis go away and come back (postgres)", () => {
  let pgProxy: TcpProxy;
  let redisProxy: TcpProxy | null = null;
  let drop: () => Promise<void>;
  let server: HttpServerProcess;
  beforeAll(async () => {
    const db = await postgresDatabase();
    drop = db.drop;
    const target = new URL(db.url);
    pgProxy = await tcpProxy(target.hostname, Number(target.port || 5432));
    const viaProxy = new URL(db.url);
    viaProxy.host = `127.0.0.1:${pgProxy.port}`;
    const env: Record<string, string> = { DATABASE_URL: viaProxy.toString(), CS_MCP_AUTO_MIGRATE: "true", CS_MCP_METRICS_PUBLIC: "true", LOG_LEVEL: "warn" };
    if (REDIS_URL) {
      const r = new URL(REDIS_URL);
      redisProxy = await tcpProxy(r.hostname, Number(r.port || 6379));
      r.host = `127.0.0.1:${redisProxy.port}`;
      env.REDIS_URL = r.toString();
    }
    server = await startHttpServer(env);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await pgProxy?.close();
    await redisProxy?.close();
    await drop?.();
  });

  it("is ready with everything up", async () => {
    const p = await probe(server.base);
    expect(p).toEqual({ status: 200, body: { ready: true, checks: { database: "ok", redis: REDIS_URL ? "ok" : "not configured" } }, gauge: "1" });
  });

  it("turns 503 when PostgreSQL goes away and 200 when it comes back; tool calls work again", async () => {
    pgProxy.cut();
    const down = await until(server.base, 503);
    expect(down.body).toEqual({ ready: false, checks: { database: "unreachable", redis: REDIS_URL ? "ok" : "not configured" } });
    expect(down.gauge).toBe("0");
    expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
    pgProxy.restore();
    const up = await until(server.base, 200);
    expect(up.body.ready).toBe(true);
    expect(up.gauge).toBe("1");
    expect(await listClients(server.base)).toBe(200);
    expect(server.proc.exitCode).toBeNull();
  });

  it.skipIf(!REDIS_URL)("turns 503 when Redis goes away and 200 when it comes back", async () => {
    redisProxy!.cut();
    const down = await until(server.base, 503);
    expect(down.body).toEqual({ ready: false, checks: { database: "ok", redis: "unreachable" } });
    expect(down.gauge).toBe("0");
    redisProxy!.restore();
    const up = await until(server.base, 200);
    expect(up.body).toEqual({ ready: true, checks: { database: "ok", redis: "ok" } });
    expect(up.gauge).toBe("1");
  });
});
