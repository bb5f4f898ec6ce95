// End to end over stdio, as an MCP client sees the server: the built cs-mcp spawned with the SDK client.
// The core flow on each back end, and persistence across a restart.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, embeddedDataDir, postgresDatabase } from "../helpers/databases.ts";
import { ALL_TOOLS } from "../../src/tools/definitions.ts";
import { dataOf, errorOf, startServer, type RunningServer } from "../helpers/server.ts";

interface Env {
  env: Record<string, string>;
  args: string[];
  cleanup(): Promise<void>;
}

async function backendEnv(backend: string): Promise<Env> {
  const redis: Record<string, string> = process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {};
  if (backend === "embedded") {
    const { dir, remove } = embeddedDataDir();
    return { env: { CS_MCP_DATA_DIR: dir, ...redis }, args: [], cleanup: async () => remove() };
  }
  const { url, drop } = await postgresDatabase();
  return { env: { DATABASE_URL: url, ...redis }, args: ["--migrate"], cleanup: drop };
}

describe.each(BACKENDS)("core flow over stdio on %s", (backend) => {
  let setup: Env;
  let server: RunningServer;
  let clientId = "";

  beforeAll(async () => {
    setup = await backendEnv(backend);
    server = await startServer(setup.env, setup.args);
  });
  afterAll(async () => {
    await server?.close();
    await setup?.cleanup();
  });

  it("lists every registered tool with complete definitions", async () => {
    const { tools } = await server.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(ALL_TOOLS.map((t) => t.name).sort());
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(["register_client", "get_client_overview", "update_client_info", "list_clients", "get_client_timeline", "health_check_liveness", "health_check_readiness", "health_check_deep"]));
    for (const t of tools) {
      expect(t.description!.length).toBeGreaterThan(80);
      expect(t.inputSchema.type).toBe("object");
      expect(t.outputSchema?.type).toBe("object");
      expect(typeof t.annotations?.readOnlyHint).toBe("boolean");
      expect(typeof t.annotations?.destructiveHint).toBe("boolean");
      expect(typeof t.annotations?.openWorldHint).toBe("boolean");
    }
  });

  it("registers a client and reads its overview", async () => {
    const reg = dataOf<{ client_id: string; arr: number; contract: { renewal_date: string } }>(
      await server.call("register_client", {
        client_name: "Jane Doe",
        company_name: "Acme Corp",
        primary_contact_email: "Jane@Acme.com",
        tier: "professional",
        contract_value: 48000,
        contract_start_date: "2026-01-01",
        contract_end_date: "2026-12-31",
      }),
    );
    expect(reg.client_id).toMatch(/^cs_\d+_acme_corp$/);
    expect(reg.arr).toBe(48000);
    expect(reg.contract.renewal_date).toBe("2026-12-31");
    clientId = reg.client_id;

    const overview = dataOf<{ profile: { primary_contact: { email: string }; tier: string }; health: unknown; missing_data: Array<{ section: string }> }>(
      await server.call("get_client_overview", { client_id: clientId }),
    );
    expect(overview.profile.primary_contact.email).toBe("jane@acme.com");
    expect(overview.profile.tier).toBe("professional");
    expect(overview.health).toBeNull();
    expect(overview.missing_data.map((m) => m.section)).toContain("health");
  });

  it("refuses a second registration of the same company and contact", async () => {
    const err = errorOf(await server.call("register_client", { client_name: "Again", company_name: "acme corp", primary_contact_email: "jane@acme.com" }));
    expect(err.code).toBe("conflict");
    expect(err.message).toContain(clientId);
    const list = dataOf<{ total: number }>(await server.call("list_clients", {}));
    expect(list.total).toBe(1);
  });

  it("lists, updates and reads the timeline", async () => {
    const list = dataOf<{ total: number; clients: Array<{ client_id: string }> }>(await server.call("list_clients", { tier_filter: "professional" }));
    expect(list.total).toBe(1);
    expect(list.clients[0]!.client_id).toBe(clientId);

    const upd = dataOf<{ changed: Array<{ field: string; from: unknown; to: unknown }> }>(
      await server.call("update_client_info", { client_id: clientId, updates: { tier: "enterprise", seats: 40 }, reason: "expansion" }),
    );
    expect(upd.changed).toEqual([
      { field: "tier", from: "professional", to: "enterprise" },
      { field: "seats", from: null, to: 40 },
    ]);

    const tl = dataOf<{ events: Array<{ event_type: string; data: Record<string, unknown> }> }>(await server.call("get_client_timeline", { client_id: clientId }));
    expect(tl.events.map((e) => e.event_type)).toEqual(["updated", "updated", "registered", "contract_started"]);
    expect(tl.events.find((e) => e.data.field === "tier")!.data).toMatchObject({ field: "tier", reason: "expansion" });
  });

  it("reports readiness of the database and Redis", async () => {
    const r = dataOf<{ status: string; checks: { database: { kind: string; status: string }; redis: { status: string } } }>(await server.call("health_check_readiness"));
    expect(r.status).toBe("ready");
    expect(r.checks.database).toMatchObject({ kind: backend, status: "ok" });
    expect(r.checks.redis.status).toBe(process.env.REDIS_URL ? "ok" : "not_configured");
    const deep = dataOf<{ tool_metrics: Array<{ tool: string; calls: number }> }>(await server.call("health_check_deep"));
    expect(deep.tool_metrics.find((m) => m.tool === "register_client")?.calls).toBe(2);
  });

  it("finds everything again after a restart", async () => {
    await server.close();
    server = await startServer(setup.env, setup.args);
    const o = dataOf<{ profile: { tier: string; seats: number } }>(await server.call("get_client_overview", { client_id: clientId }));
    expect(o.profile).toMatchObject({ tier: "enterprise", seats: 40 });
    const tl = dataOf<{ total: number }>(await server.call("get_client_timeline", { client_id: clientId }));
    expect(tl.total).toBe(4);
  });
});
