// The admission gate of /mcp (src/http/admission.ts) on the built server: with a pool of one connection and
// DB_CONNECT_TIMEOUT_MS of 1 s, the test holds a lock on PostgreSQL so that one call (register_client, whose
// queries run one after another on one connection) keeps the only connection busy; a second call then waits at the door, is refused with 503 and Retry-After and writes nothing; once the
// lock is released the first call completes and new calls succeed. Without the gate the second call would
// queue at the pool instead and fail there (a tool error or a 500 after part of the work), never a 503.
// PostgreSQL only: the gate guards a connection pool, which the embedded database does not have.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_URL, postgresDatabase } from "../helpers/databases.ts";
import { startHttpServer, type HttpServerProcess } from "../helpers/http-server.ts";

interface RpcAnswer {
  status: number;
  retryAfter: string | null;
  body: { result?: { isError?: boolean; structuredContent?: Record<string, unknown>; content?: Array<{ text?: string }> }; error?: { code: number; message: string } };
}

/** One stateless JSON-RPC call; the answer is JSON or a one-event SSE stream. */
async function call(base: string, id: number, name: string, args: Record<string, unknown>): Promise<RpcAnswer> {
  const res = await fetch(`${base}/mcp`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
    body: JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } }),
  });
  const text = await res.text();
  const json = /^data: (.*)$/m.exec(text)?.[1] ?? text;
  return { status: res.status, retryAfter: res.headers.get("retry-after"), body: JSON.parse(json) as RpcAnswer["body"] };
}

describe.skipIf(!ADMIN_URL)("admission gate: a call that cannot get a pool connection in time gets 503 (postgres)", () => {
  let server: HttpServerProcess;
  let url: string;
  let drop: () => Promise<void>;
  let admin: pg.Client;
  beforeAll(async () => {
    const db = await postgresDatabase();
    url = db.url;
    drop = db.drop;
    server = await startHttpServer({
      DATABASE_URL: url,
      CS_MCP_AUTO_MIGRATE: "true",
      DB_POOL_MAX: "1",
      DB_CONNECT_TIMEOUT_MS: "1000",
      OUTBOX_DISPATCH_IN_SERVER: "false",
      LOG_LEVEL: "warn",
    });
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
  }, 120_000);
  afterAll(async () => {
    await admin?.end().catch(() => {});
    await server?.stop();
    await drop?.();
  });

  const accountsNamed = async (name: string) => Number((await admin.query<{ n: string }>("SELECT count(*) AS n FROM accounts WHERE company_name = $1", [name])).rows[0]!.n);

  it("refuses the waiting call with 503 + Retry-After, writes nothing, and serves again after the release", async () => {
    const first = await call(server.base, 1, "register_client", { client_name: "Before Co", company_name: "Before Co", primary_contact_email: "a@before.test" });
    expect(first.status).toBe(200);
    expect(first.body.result?.isError).toBeFalsy();

    // The test's transaction holds the accounts table: a register_client call takes the pool's only connection and waits on the lock.
    await admin.query("BEGIN");
    await admin.query("LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE");
    const held = call(server.base, 2, "register_client", { client_name: "Held Co", company_name: "Held Co", primary_contact_email: "h@held.test" });
    for (;;) {
      const { rows } = await admin.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()");
      if (Number(rows[0]!.n) > 0) break;
    }

    const refused = await call(server.base, 3, "register_client", { client_name: "Refused Co", company_name: "Refused Co", primary_contact_email: "r@refused.test" });
    expect(refused.status, `${JSON.stringify(refused.body)}\n${server.stderr().slice(-3000)}`).toBe(503);
    expect(refused.retryAfter).toBe("1");
    expect(refused.body).toEqual({ jsonrpc: "2.0", error: { code: -32000, message: "server busy: too many requests waiting, try again shortly" }, id: null });

    await admin.query("ROLLBACK");
    const heldAnswer = await held;
    expect(heldAnswer.status).toBe(200);
    expect(heldAnswer.body.result?.isError, JSON.stringify(heldAnswer.body)).toBeFalsy();
    expect(await accountsNamed("Held Co")).toBe(1);

    const after = await call(server.base, 4, "register_client", { client_name: "After Co", company_name: "After Co", primary_contact_email: "a@after.test" });
    expect(after.status).toBe(200);
    expect(after.body.result?.isError).toBeFalsy();
    expect(await accountsNamed("After Co")).toBe(1);
    expect(await accountsNamed("Refused Co")).toBe(0);
  });
});
