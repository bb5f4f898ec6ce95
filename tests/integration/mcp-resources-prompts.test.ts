// Resources, prompts and completions through the SDK client, against the server wired as `serve` wires
// it (in process, over the SDK's in-memory transport): resources/list pages, the client template,
// the portfolio summary against figures computed here from the stored rows, the five prompts (every
// step names a real tool with arguments its schema accepts) and client_id completion.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { Resource } from "@modelcontextprotocol/sdk/types.js";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { call } from "../helpers/pipeline.ts";
import { createServices, type Services } from "../../src/services/index.ts";
import { Metrics } from "../../src/observability/metrics.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { createRateLimiter } from "../../src/server/rate-limit.ts";
import { ToolPipeline } from "../../src/server/pipeline.ts";
import { createMcpServer } from "../../src/server/create-server.ts";
import { FIXED_RESOURCES, ResourceRegistry } from "../../src/server/resources/index.ts";
import { toolSurface } from "../../src/tools/index.ts";
import { ALL_TOOLS } from "../../src/tools/definitions.ts";
import { loadConfig } from "../../src/config/load.ts";
import { loadDemo } from "../../src/services/demo/load.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const PAGE = 25;

async function connect(t: TestDb, services: Services, env: Record<string, string> = {}) {
  const surface = toolSurface(loadConfig({ ...t.env, ...env }));
  const pipeline = new ToolPipeline(surface.allowed, { services, logger: createLogger("silent"), metrics: new Metrics(), limiter: createRateLimiter(0, null), timeoutMs: 30_000 });
  const server = createMcpServer(pipeline, { surface, services, resources: new ResourceRegistry(FIXED_RESOURCES, PAGE), logger: createLogger("silent") });
  const [a, b] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: "test", version: "1" });
  await Promise.all([server.connect(b), client.connect(a)]);
  return { client, pipeline, close: async () => { await client.close(); await server.close(); } };
}

/** Every `tool {json}` step of a prompt's text, with its arguments parsed. */
function steps(text: string): Array<{ tool: string; args: Record<string, unknown> }> {
  const out: Array<{ tool: string; args: Record<string, unknown> }> = [];
  const re = /\b([a-z]+(?:_[a-z]+)+) \{/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const start = m.index + m[0].length - 1;
    let depth = 0;
    let end = start;
    for (; end < text.length; end++) {
      if (text[end] === "{") depth++;
      else if (text[end] === "}" && --depth === 0) break;
    }
    out.push({ tool: m[1]!, args: JSON.parse(text.slice(start, end + 1)) as Record<string, unknown> });
    re.lastIndex = end;
  }
  return out;
}

describe.each(BACKENDS)("resources, prompts and completions (%s)", (backend) => {
  let t: TestDb;
  let services: Services;
  let mcp: Awaited<ReturnType<typeof connect>>;
  let someId: string;

  beforeAll(async () => {
    t = await openTestDb(backend);
    await loadDemo(t.db, { seed: 3, accounts: 40, now: NOW });
    await t.db.query(
      `INSERT INTO accounts (id, client_name, company_name, company_key, arr, created_at, updated_at)
       SELECT 'cs_1800000000_bulk_' || g, 'Bulk ' || g, 'Bulk Works ' || g, 'bulk works ' || g, 1000, now(), now() FROM generate_series(1, 120) g`,
    );
    await t.db.query(
      `INSERT INTO accounts (id, client_name, company_name, company_key, created_at, updated_at) VALUES
       ('cs_1700000002_zz_holding', 'Qacmeq Holding', 'Holding Qacmeq', 'holding qacmeq', now(), now()),
       ('cs_1700000001_qacmeq', 'Q', 'Qacmeq', 'qacmeq', now(), now()),
       ('cs_1700000003_zephyr', 'Z', 'Zephyr Labs', 'zephyr labs', now(), now()),
       ('cs_1700000004_big', 'B', 'Big Zephyr', 'big zephyr', now(), now())`,
    );
    services = createServices({ db: t.db, redis: null, config: t.config, metrics: new Metrics(), now: () => NOW });
    mcp = await connect(t, services);
    // Stored health and churn, so the summary has every band and level to count.
    await call(mcp.pipeline, "calculate_health_score", { all: true });
    await call(mcp.pipeline, "identify_churn_risk", {});
    someId = (await t.db.query<{ id: string }>(`SELECT id FROM accounts WHERE is_demo ORDER BY id LIMIT 1`))[0]!.id;
  });
  afterAll(async () => {
    await mcp?.close();
    await t?.cleanup();
  });

  it("lists the fixed resources and one resource per account, page by page", async () => {
    const seen: Resource[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await mcp.client.listResources(cursor ? { cursor } : {});
      expect(page.resources.length).toBeLessThanOrEqual(PAGE);
      seen.push(...page.resources);
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    const ids = (await t.db.query<{ id: string }>(`SELECT id FROM accounts`)).map((r) => r.id);
    expect(seen.length).toBe(2 + ids.length);
    expect(pages).toBe(Math.ceil((2 + ids.length) / PAGE));
    expect(seen.slice(0, 2).map((r) => r.uri)).toEqual(["cs://portfolio/summary", "cs://docs/formulas"]);
    expect(seen.slice(2).map((r) => r.uri).sort()).toEqual(ids.map((id) => `cs://clients/${id}`).sort());
    await expect(mcp.client.listResources({ cursor: "bm9wZQ" })).rejects.toThrow(/cursor: not a cursor this server gave/);

    const { resourceTemplates } = await mcp.client.listResourceTemplates();
    expect(resourceTemplates.map((r) => r.uriTemplate)).toEqual(["cs://clients/{client_id}"]);
  });

  it("cs://clients/{client_id} is the overview get_client_overview returns", async () => {
    const read = await mcp.client.readResource({ uri: `cs://clients/${someId}` });
    const content = read.contents[0] as { uri: string; mimeType: string; text: string };
    expect(content.mimeType).toBe("application/json");
    expect(JSON.parse(content.text)).toEqual(await call(mcp.pipeline, "get_client_overview", { client_id: someId }));
    await expect(mcp.client.readResource({ uri: "cs://clients/cs_1_nobody" })).rejects.toThrow(/Resource not found: cs:\/\/clients\/cs_1_nobody/);
    await expect(mcp.client.readResource({ uri: "cs://elsewhere" })).rejects.toMatchObject({ code: -32002 });
  });

  it("cs://portfolio/summary equals the figures computed here from the stored rows", async () => {
    const read = await mcp.client.readResource({ uri: "cs://portfolio/summary" });
    const summary = JSON.parse((read.contents[0] as { text: string }).text);

    const accounts = await t.db.query<{ id: string; status: string; arr: string; health_score: number | null }>(`SELECT id, status::text, arr::text, health_score FROM accounts`);
    const predictions = await t.db.query<{ account_id: string; probability: string; predicted_at: Date; id: string }>(`SELECT account_id, probability::text, predicted_at, id FROM churn_predictions`);
    const latest = new Map<string, { p: number; at: number; id: string }>();
    for (const p of predictions) {
      const at = new Date(p.predicted_at).getTime();
      const cur = latest.get(p.account_id);
      if (!cur || at > cur.at || (at === cur.at && p.id > cur.id)) latest.set(p.account_id, { p: Number(p.probability), at, id: p.id });
    }
    const active = accounts.filter((a) => a.status !== "churned");
    const cents = (xs: string[]) => xs.reduce((s, x) => s + Math.round(Number(x) * 100), 0) / 100;
    const band = (s: number | null) => (s === null ? "unscored" : s >= 90 ? "champion" : s >= 75 ? "healthy" : s < 50 ? "at_risk" : "needs_attention");
    const level = (p: number | undefined) => (p === undefined ? "no_prediction" : p >= 0.7 ? "high" : p >= 0.4 ? "medium" : p >= 0.15 ? "low" : "minimal");
    const tally = (keys: string[], all: string[]) => Object.fromEntries(keys.map((k) => [k, all.filter((x) => x === k).length]));
    const levels = active.map((a) => level(latest.get(a.id)?.p));

    const contracts = await t.db.query<{ account_id: string; value: string; due: string | null; status: string }>(
      `SELECT account_id, contract_value::text AS value, to_char(COALESCE(renewal_date, end_date), 'YYYY-MM-DD') AS due, status FROM contracts`,
    );
    const activeIds = new Set(active.map((a) => a.id));
    const renewing = contracts.filter((c) => c.status === "active" && activeIds.has(c.account_id) && c.due !== null && c.due >= "2026-06-15" && c.due <= "2026-09-13");

    expect(summary.accounts).toEqual({ total: accounts.length, active: active.length, churned: accounts.length - active.length });
    expect(summary.arr.current).toBe(cents(active.map((a) => a.arr)));
    expect(summary.arr.churned).toBe(cents(accounts.filter((a) => a.status === "churned").map((a) => a.arr)));
    expect(summary.arr.at_risk).toBe(cents(active.filter((_, i) => levels[i] === "high" || levels[i] === "medium").map((a) => a.arr)));
    expect(summary.health_bands).toEqual(tally(["at_risk", "needs_attention", "healthy", "champion", "unscored"], active.map((a) => band(a.health_score))));
    expect(summary.churn_levels).toEqual(tally(["high", "medium", "low", "minimal", "no_prediction"], levels));
    expect(summary.renewals_next_90_days).toEqual({ from: "2026-06-15", to: "2026-09-13", renewals: renewing.length, arr: cents(renewing.map((c) => c.value)) });
    // The data exercises what is counted: scored and unscored accounts, predictions, renewals.
    expect(summary.health_bands.unscored).toBeGreaterThan(0);
    expect(active.length - summary.health_bands.unscored).toBeGreaterThan(0);
    expect(summary.renewals_next_90_days.renewals).toBeGreaterThan(0);
  });

  it("cs://docs/formulas is markdown covering every family of figures", async () => {
    const read = await mcp.client.readResource({ uri: "cs://docs/formulas" });
    const c = read.contents[0] as { mimeType: string; text: string };
    expect(c.mimeType).toBe("text/markdown");
    for (const h of ["## Health score", "## Churn risk", "## Support SLA", "## Satisfaction", "## Revenue", "## Renewal forecast", "## Customer lifetime value"]) expect(c.text).toContain(h);
    expect(c.text).toContain("GRR = (starting ARR − churned ARR − contraction) ÷ starting ARR");
  });

  it("renders the five prompts; every step names a reachable tool with arguments its schema accepts", async () => {
    const { prompts } = await mcp.client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(["account_review", "churn_review", "renewal_prep", "qbr_prep", "weekly_digest"]);
    const args: Record<string, Record<string, string>> = { account_review: { client_id: someId }, qbr_prep: { client_id: someId }, renewal_prep: { days: "60" }, churn_review: {}, weekly_digest: {} };
    const viaCallTool = new Set<string>();
    for (const p of prompts) {
      const got = await mcp.client.getPrompt({ name: p.name, arguments: args[p.name]! });
      const text = (got.messages[0]!.content as { text: string }).text;
      const found = steps(text);
      expect(found.length).toBeGreaterThanOrEqual(3);
      for (const s of found) {
        const name = s.tool === "call_tool" ? (s.args.name as string) : s.tool;
        const toolArgs = s.tool === "call_tool" ? (s.args.arguments as Record<string, unknown>) : s.args;
        if (s.tool === "call_tool") viaCallTool.add(name);
        const tool = ALL_TOOLS.find((x) => x.name === name);
        expect(tool, `${p.name} names ${name}`).toBeDefined();
        const concrete = JSON.parse(JSON.stringify(toolArgs).replaceAll("<client_id>", someId));
        const parsed = tool!.input.safeParse(concrete);
        expect(parsed.success, `${p.name}: ${name} ${JSON.stringify(concrete)} ${parsed.success ? "" : parsed.error.message}`).toBe(true);
      }
    }
    // Tools outside the default list are written as call_tool steps; listed ones are called directly.
    expect([...viaCallTool].sort()).toEqual(["analyze_product_usage", "execute_retention_campaign", "negotiate_renewals", "score_risk_factors"]);
    await expect(mcp.client.getPrompt({ name: "account_review", arguments: {} })).rejects.toThrow(/client_id: is required/);
    await expect(mcp.client.getPrompt({ name: "renewal_prep", arguments: { days: "soon" } })).rejects.toThrow(/days: must be a whole number from 1 to 365/);
  });

  it("a server with every toolset listed writes the steps as direct calls", async () => {
    const all = await connect(t, services, { CS_MCP_TOOLSETS: "all" });
    try {
      const got = await all.client.getPrompt({ name: "churn_review", arguments: {} });
      const text = (got.messages[0]!.content as { text: string }).text;
      expect(text).not.toContain("call_tool");
      expect(text).toContain('score_risk_factors {"client_id":"<client_id>"}');
    } finally {
      await all.close();
    }
  });

  it("completes client_id on ids and names, prefix matches first, at most 100", async () => {
    const byPrompt = await mcp.client.complete({ ref: { type: "ref/prompt", name: "account_review" }, argument: { name: "client_id", value: "qacmeq" } });
    // 'Qacmeq' starts with the text; 'Holding Qacmeq' / 'Qacmeq Holding' (client name) — the client name starts with it too.
    expect(byPrompt.completion.values.sort()).toEqual(["cs_1700000001_qacmeq", "cs_1700000002_zz_holding"]);
    const mid = await mcp.client.complete({ ref: { type: "ref/resource", uri: "cs://clients/{client_id}" }, argument: { name: "client_id", value: "olding q" } });
    expect(mid.completion.values).toEqual(["cs_1700000002_zz_holding"]);

    const bulk = await mcp.client.complete({ ref: { type: "ref/resource", uri: "cs://clients/{client_id}" }, argument: { name: "client_id", value: "BULK" } });
    expect(bulk.completion.values).toHaveLength(100);
    expect(bulk.completion.total).toBe(120);
    expect(bulk.completion.hasMore).toBe(true);

    // Prefix before substring, although 'Big Zephyr' sorts before 'Zephyr Labs' by name.
    const zephyr = await mcp.client.complete({ ref: { type: "ref/prompt", name: "account_review" }, argument: { name: "client_id", value: "zeph" } });
    expect(zephyr.completion.values).toEqual(["cs_1700000003_zephyr", "cs_1700000004_big"]);
    expect(zephyr.completion.total).toBe(2);
    expect(zephyr.completion.hasMore).toBe(false);
    // Ids match too.
    const ranked = await mcp.client.complete({ ref: { type: "ref/prompt", name: "qbr_prep" }, argument: { name: "client_id", value: "cs_1800000000_bulk_11" } });
    expect(ranked.completion.values.sort()).toEqual(["cs_1800000000_bulk_11", "cs_1800000000_bulk_110", "cs_1800000000_bulk_111", "cs_1800000000_bulk_112", "cs_1800000000_bulk_113", "cs_1800000000_bulk_114", "cs_1800000000_bulk_115", "cs_1800000000_bulk_116", "cs_1800000000_bulk_117", "cs_1800000000_bulk_118", "cs_1800000000_bulk_119"]);
    const order = await mcp.client.complete({ ref: { type: "ref/prompt", name: "qbr_prep" }, argument: { name: "client_id", value: "holding" } });
    // Company 'Holding Qacmeq' starts with it; the demo's '… Holdings' companies only contain it.
    expect(order.completion.values[0]).toBe("cs_1700000002_zz_holding");
    expect(order.completion.values.length).toBeGreaterThan(1);
    const sub = await mcp.client.complete({ ref: { type: "ref/prompt", name: "qbr_prep" }, argument: { name: "client_id", value: "acmeq" } });
    expect(sub.completion.values.sort()).toEqual(["cs_1700000001_qacmeq", "cs_1700000002_zz_holding"]);
    // A literal '_' is not LIKE's wildcard.
    expect((await mcp.client.complete({ ref: { type: "ref/prompt", name: "qbr_prep" }, argument: { name: "client_id", value: "k_w" } })).completion.values).toEqual([]);
    // Arguments that are not client ids complete to nothing.
    expect((await mcp.client.complete({ ref: { type: "ref/prompt", name: "weekly_digest" }, argument: { name: "days", value: "1" } })).completion.values).toEqual([]);
  });
});
