// Per principal, in the pipeline: scopes (read / write / admin) and per-key restrictions refuse a call
// with `forbidden` and change nothing; the audit log names who wrote; the rate limit is per principal and
// shared by two pipelines ("instances") through one Redis. No principal (stdio) behaves as before.
import { readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { pipelineFor } from "../helpers/pipeline.ts";
import { ALL_TOOLS } from "../../src/tools/definitions.ts";
import { ADMIN_TOOLS, requiredScope, toolVisibleTo } from "../../src/auth/scopes.ts";
import type { Principal } from "../../src/auth/principal.ts";
import { ToolPipeline } from "../../src/server/pipeline.ts";
import { createServices } from "../../src/services/index.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { Metrics } from "../../src/observability/metrics.ts";
import { createRateLimiter } from "../../src/server/rate-limit.ts";
import { closeRedis, createRedis } from "../../src/state/redis.ts";
import { loadConfig } from "../../src/config/load.ts";

const NOW = new Date("2026-09-01T12:00:00.000Z");
const reader: Principal = { subject: "key:reader", via: "api_key", scopes: ["cs:read"] };
const writer: Principal = { subject: "key:writer", via: "api_key", scopes: ["cs:read", "cs:write"] };
const alice: Principal = { subject: "alice@example.test", via: "oauth", scopes: ["cs:write"] };

const client = (n: string) => ({ client_name: `Acct ${n}`, company_name: `Company ${n}`, primary_contact_email: `p${n}@company.test` });

function errorBody(r: { isError?: boolean; content: unknown[] }): { code: string; message: string; details?: Record<string, unknown> } {
  expect(r.isError).toBe(true);
  return JSON.parse((r.content[0] as { text: string }).text).error;
}

describe("the scope each tool needs (tests/fixtures/tool-catalog.yaml)", () => {
  const catalog = parse(readFileSync("tests/fixtures/tool-catalog.yaml", "utf8")) as Record<string, Record<string, string>>;
  const letters = Object.assign({}, ...Object.values(catalog)) as Record<string, string>;

  it("admin tools exist; every other tool needs cs:read when the catalog says it only reads (R), cs:write otherwise", () => {
    for (const name of Object.keys(ADMIN_TOOLS)) expect(letters[name], name).toBeDefined();
    for (const tool of ALL_TOOLS) {
      const expected = Object.hasOwn(ADMIN_TOOLS, tool.name) ? "cs:admin" : letters[tool.name]!.startsWith("R") ? "cs:read" : "cs:write";
      expect(requiredScope(tool), tool.name).toBe(expected);
    }
    expect(Object.keys(ADMIN_TOOLS).sort()).toEqual(["erase_personal_data", "export_personal_data", "retry_outbox_delivery", "train_churn_model"]);
  });

  it("toolVisibleTo: a read key sees only read tools; a toolset key only its toolsets; no principal sees all", () => {
    const visible = (p: Principal | undefined) => ALL_TOOLS.filter((t) => toolVisibleTo(p, t)).map((t) => t.name);
    expect(visible(undefined)).toHaveLength(ALL_TOOLS.length);
    expect(visible(reader)).toEqual(ALL_TOOLS.filter((t) => letters[t.name]!.startsWith("R") && !Object.hasOwn(ADMIN_TOOLS, t.name)).map((t) => t.name));
    expect(visible({ ...writer, toolsets: ["health"] })).toEqual(ALL_TOOLS.filter((t) => t.toolset === "health").map((t) => t.name));
    expect(visible({ ...writer, readOnly: true })).toEqual(visible(reader));
  });
});

describe.each(BACKENDS)("per principal in the pipeline (%s)", (backend) => {
  let t: TestDb;
  let p: ToolPipeline;
  beforeAll(async () => {
    t = await openTestDb(backend);
    p = pipelineFor(t, ALL_TOOLS, NOW);
  });
  afterAll(async () => t?.cleanup());

  const accounts = () => t.db.prisma.account.count();
  const audits = () => t.db.prisma.auditLog.count();

  it("a read key cannot write: forbidden, naming cs:write, and nothing is stored", async () => {
    const [a0, l0] = [await accounts(), await audits()];
    const err = errorBody(await p.call("register_client", client("r"), { principal: reader }));
    expect(err.code).toBe("forbidden");
    expect(err.message).toBe("register_client needs the cs:write scope, which API key 'reader' does not hold");
    expect(err.details).toEqual({ required_scope: "cs:write" });
    expect([await accounts(), await audits()]).toEqual([a0, l0]);
    expect((await p.call("list_clients", {}, { principal: reader })).isError).toBeUndefined();
  });

  it("the audit log names the key, the token subject, or mcp-client over stdio", async () => {
    const byKey = (await p.call("register_client", client("k"), { principal: writer })).structuredContent as { client_id: string };
    const byToken = (await p.call("register_client", client("t"), { principal: alice })).structuredContent as { client_id: string };
    const byStdio = (await p.call("register_client", client("s"))).structuredContent as { client_id: string };
    const actor = async (id: string) => (await t.db.prisma.auditLog.findMany({ where: { entity_id: id }, select: { actor: true } })).map((r) => r.actor);
    expect(await actor(byKey.client_id)).toEqual(["key:writer"]);
    expect(await actor(byToken.client_id)).toEqual(["alice@example.test"]);
    expect(await actor(byStdio.client_id)).toEqual(["mcp-client"]);
  });

  it("an admin-only tool refuses a write key, and changes nothing", async () => {
    const id = (await p.call("register_client", client("e"), { principal: writer })).structuredContent as { client_id: string };
    const l0 = await audits();
    const err = errorBody(await p.call("erase_personal_data", { client_id: id.client_id, confirm: id.client_id }, { principal: writer }));
    expect(err.code).toBe("forbidden");
    expect(err.message).toBe("erase_personal_data needs the cs:admin scope, which API key 'writer' does not hold");
    expect(await audits()).toBe(l0);
    expect(await t.db.prisma.account.count({ where: { id: id.client_id } })).toBe(1);
  });

  it("a key's toolsets and read-only flag narrow its scopes", async () => {
    const healthOnly: Principal = { ...writer, subject: "key:health", toolsets: ["health"] };
    expect(errorBody(await p.call("list_clients", {}, { principal: healthOnly })).message).toBe(
      "list_clients is in the core toolset, which API key 'health' may not use (allowed: health)",
    );
    const readOnly: Principal = { ...writer, subject: "key:ro", readOnly: true };
    const a0 = await accounts();
    expect(errorBody(await p.call("register_client", client("ro"), { principal: readOnly })).message).toBe("register_client writes, and API key 'ro' is read-only");
    expect(await accounts()).toBe(a0);
  });
});

describe.skipIf(!process.env.REDIS_URL)("the rate limit per principal, shared through Redis", () => {
  let t: TestDb;
  const redises: Array<ReturnType<typeof createRedis>> = [];
  afterAll(async () => {
    for (const r of redises) await closeRedis(r);
    await t?.cleanup();
  });

  it("holds across two instances and leaves other principals alone", async () => {
    t = await openTestDb("embedded");
    const logger = createLogger("silent");
    const instance = () => {
      const redis = createRedis(loadConfig({ REDIS_URL: process.env.REDIS_URL!, LOG_LEVEL: "silent" }), logger);
      redises.push(redis);
      return new ToolPipeline(ALL_TOOLS, {
        services: createServices({ db: t.db, redis: null, config: t.config, metrics: new Metrics(), now: () => NOW }),
        logger,
        metrics: new Metrics(),
        limiter: createRateLimiter(3, redis),
        timeoutMs: 30_000,
      });
    };
    const [a, b] = [instance(), instance()];
    // A fresh subject per run: the Redis is shared with other runs.
    const bob: Principal = { subject: `bob-${randomUUID()}`, via: "oauth", scopes: ["cs:read"] };
    const carol: Principal = { ...bob, subject: `carol-${randomUUID()}` };
    const ok = async (pl: ToolPipeline, who: Principal) => (await pl.call("list_clients", {}, { principal: who })).isError;
    expect([await ok(a, bob), await ok(b, bob), await ok(a, bob)]).toEqual([undefined, undefined, undefined]);
    expect(errorBody(await b.call("list_clients", {}, { principal: bob })).code).toBe("rate_limited");
    expect(errorBody(await a.call("list_clients", {}, { principal: bob })).code).toBe("rate_limited");
    expect(await ok(b, carol)).toBeUndefined();
  });
});

describe("the MCP server hands the transport's principal to the pipeline", () => {
  it("a tools/call carrying authInfo.extra.principal is authorised as that principal; without it, as stdio", async () => {
    const { InMemoryTransport } = await import("@modelcontextprotocol/sdk/inMemory.js");
    const { createMcpServer } = await import("../../src/server/create-server.ts");
    const t = await openTestDb("embedded");
    try {
      const server = createMcpServer(pipelineFor(t, ALL_TOOLS, NOW));
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      const answers = new Map<number, { result?: { isError?: boolean; content: Array<{ text: string }> } }>();
      clientSide.onmessage = (m) => answers.set((m as { id: number }).id, m as never);
      await server.connect(serverSide);
      await clientSide.start();
      const callAs = async (id: number, principal?: Principal) => {
        await clientSide.send(
          { jsonrpc: "2.0", id, method: "tools/call", params: { name: "register_client", arguments: client(`m${id}`) } },
          principal ? { authInfo: { token: "", clientId: principal.subject, scopes: [...principal.scopes], extra: { principal } } } : {},
        );
        await expect.poll(() => answers.has(id)).toBe(true);
        return answers.get(id)!.result!;
      };
      const refused = await callAs(1, reader);
      expect(JSON.parse(refused.content[0]!.text).error.code).toBe("forbidden");
      expect((await callAs(2)).isError).toBeUndefined();
      await server.close();
    } finally {
      await t.cleanup();
    }
  });
});
