// The default tool surface over stdio, as a client sees it: 17 first-need tools plus discover_tools,
// enable_toolsets and call_tool; every other allowed tool found, listed on demand, or run through
// call_tool with the same pipeline (validation, read-only, exclusion, rate limit, audit) as tools/call.
import { afterEach, describe, expect, it } from "vitest";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { embeddedDataDir } from "../helpers/databases.ts";
import { dataOf, errorOf, startServer, type RunningServer } from "../helpers/server.ts";
import { ALL_TOOLS } from "../../src/tools/definitions.ts";
import { DEFAULT_TOOLS } from "../../src/tools/default-surface.ts";

const DISCOVERY = ["call_tool", "discover_tools", "enable_toolsets"];
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A server on the default surface (CS_MCP_TOOLSETS empty), with extra settings. */
async function defaultServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const { dir, remove } = embeddedDataDir();
  const server = await startServer({ CS_MCP_DATA_DIR: dir, CS_MCP_TOOLSETS: "", ...env });
  cleanups.push(async () => {
    await server.close();
    remove();
  });
  return server;
}

const names = async (s: RunningServer) => (await s.client.listTools()).tools.map((t) => t.name).sort();
const errorText = async (p: Promise<unknown>) => p.then(() => "no error", (e: Error) => e.message);

describe("default tool surface", () => {
  it("lists exactly the 17 default tools and the three discovery tools, and announces listChanged", async () => {
    const s = await defaultServer();
    expect(DEFAULT_TOOLS).toHaveLength(17);
    expect(await names(s)).toEqual([...DEFAULT_TOOLS, ...DISCOVERY].sort());
    expect(s.client.getServerCapabilities()?.tools?.listChanged).toBe(true);
    for (const n of DEFAULT_TOOLS) expect(ALL_TOOLS.map((t) => t.name)).toContain(n);
  });

  it("--toolsets all lists every tool statically, without discovery tools", async () => {
    const s = await defaultServer({ CS_MCP_TOOLSETS: "all" });
    expect(await names(s)).toEqual(ALL_TOOLS.map((t) => t.name).sort());
    expect(s.client.getServerCapabilities()?.tools?.listChanged).toBe(false);
  });

  it("discover_tools ranks by words over names and descriptions, bounded, with input schemas", async () => {
    const s = await defaultServer();
    const found = dataOf<{ tools: Array<{ name: string; toolset: string; listed: boolean; input_schema: { type: string; properties: Record<string, unknown> } }>; total: number; more: string[] }>(
      await s.call("discover_tools", { query: "onboarding plan" }),
    );
    expect(found.tools[0]!.name).toBe("create_onboarding_plan");
    expect(found.tools[0]!.listed).toBe(false);
    expect(found.tools[0]!.toolset).toBe("onboarding");
    expect(found.tools[0]!.input_schema.type).toBe("object");
    expect(Object.keys(found.tools[0]!.input_schema.properties)).toContain("client_id");
    expect(found.tools.length).toBeLessThanOrEqual(5);
    expect(found.total).toBe(found.tools.length + found.more.length);

    const system = dataOf<{ tools: Array<{ name: string }>; more: string[]; total: number }>(await s.call("discover_tools", { toolset: "system" }));
    expect([...system.tools.map((t) => t.name), ...system.more].sort()).toEqual(ALL_TOOLS.filter((t) => t.toolset === "system").map((t) => t.name).sort());

    const everything = dataOf<{ tools: Array<{ name: string }>; more: string[]; total: number }>(await s.call("discover_tools", {}));
    expect(everything.total).toBe(ALL_TOOLS.length);
    expect([...everything.tools.map((t) => t.name), ...everything.more].sort()).toEqual(ALL_TOOLS.map((t) => t.name).sort());

    expect(errorOf(await s.call("discover_tools", { toolset: "magic" })).message).toMatch(/^invalid arguments: toolset: /);
  });

  it("enable_toolsets adds a toolset to this session's list and sends notifications/tools/list_changed", async () => {
    const s = await defaultServer();
    let changed = 0;
    s.client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      changed++;
    });
    const onboarding = ALL_TOOLS.filter((t) => t.toolset === "onboarding").map((t) => t.name);
    const out = dataOf<{ enabled: string[]; added: string[]; listed: number }>(await s.call("enable_toolsets", { toolsets: ["onboarding"] }));
    expect(out.added.sort()).toEqual(onboarding.sort());
    expect(out.listed).toBe(DEFAULT_TOOLS.length + onboarding.length);
    await expect.poll(() => changed).toBe(1);
    expect(await names(s)).toEqual([...DEFAULT_TOOLS, ...DISCOVERY, ...onboarding].sort());

    // Nothing new: no notification.
    expect(dataOf<{ added: string[] }>(await s.call("enable_toolsets", { toolsets: ["onboarding"] })).added).toEqual([]);
    const bad = errorOf(await s.call("enable_toolsets", { toolsets: ["health", "magic"] }));
    expect(bad.code).toBe("validation_error");
    expect(bad.message).toBe("toolsets: unknown toolset 'magic'; known: core, health, onboarding, retention, communication, support, expansion, feedback, system");
    expect(await names(s)).not.toContain("segment_customers"); // the bad call enabled nothing
    expect(changed).toBe(1);
  });

  it("call_tool and a direct tools/call of an unlisted tool run the same pipeline and give the same answers", async () => {
    const s = await defaultServer();
    const direct = await s.call("health_check_liveness", {});
    const viaCallTool = await s.call("call_tool", { name: "health_check_liveness", arguments: {} });
    expect(Object.keys(dataOf(viaCallTool)).sort()).toEqual(Object.keys(dataOf(direct)).sort());
    expect(dataOf<{ status: string }>(viaCallTool).status).toBe(dataOf<{ status: string }>(direct).status);

    // The called tool's own validation, word for word.
    const bad = { limit: 0 };
    expect(errorOf(await s.call("call_tool", { name: "list_clients", arguments: bad }))).toEqual(errorOf(await s.call("list_clients", bad)));
    // call_tool's own arguments.
    expect(errorOf(await s.call("call_tool", { arguments: {} })).message).toBe("invalid arguments: name: is required");
    expect(errorOf(await s.call("call_tool", { name: "discover_tools", arguments: {} })).message).toBe("name: 'discover_tools' is not run through call_tool");
    // A name the server does not have: the same protocol error either way.
    expect(await errorText(s.call("call_tool", { name: "delete_everything" }))).toBe(await errorText(s.call("delete_everything", {})));
    expect(await errorText(s.call("delete_everything", {}))).toMatch(/Unknown tool: delete_everything$/);

    // The audit line names the tool that ran, whichever way it was called.
    await expect.poll(() => s.stderr().match(/"tool":"health_check_liveness"[^\n]*"msg":"tool call"/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
  });

  it("read-only and excluded tools are refused the same way through tools/call, call_tool, discover_tools and enable_toolsets", async () => {
    const s = await defaultServer({ CS_MCP_READ_ONLY: "true", CS_MCP_EXCLUDE_TOOLS: "track_renewals,segment_customers" });
    const listed = await names(s);
    const expected = DEFAULT_TOOLS.filter((n) => {
      const t = ALL_TOOLS.find((x) => x.name === n)!;
      return (t.annotations.readOnlyHint || t.readOnlyCompute) && n !== "track_renewals";
    });
    expect(listed).toEqual([...expected, ...DISCOVERY].sort());
    expect(listed).toContain("calculate_health_score");
    expect(listed).not.toContain("register_client");
    const tools = (await s.client.listTools()).tools;
    expect(tools.find((t) => t.name === "calculate_health_score")!.annotations?.readOnlyHint).toBe(true);

    const writer = { client_name: "a", company_name: "b", primary_contact_email: "c@d.io" };
    const direct = await errorText(s.call("register_client", writer));
    expect(direct).toMatch(/Unknown tool: register_client \(it writes data and the server is read-only\)$/);
    expect(await errorText(s.call("call_tool", { name: "register_client", arguments: writer }))).toBe(direct);
    const excluded = await errorText(s.call("track_renewals", {}));
    expect(excluded).toMatch(/Unknown tool: track_renewals \(hidden by CS_MCP_EXCLUDE_TOOLS\)$/);
    expect(await errorText(s.call("call_tool", { name: "track_renewals", arguments: {} }))).toBe(excluded);

    const found = dataOf<{ tools: Array<{ name: string }>; more: string[] }>(await s.call("discover_tools", {}));
    const all = [...found.tools.map((t) => t.name), ...found.more];
    expect(all).not.toContain("register_client");
    expect(all).not.toContain("track_renewals");
    expect(all).toContain("identify_churn_risk");

    const added = dataOf<{ added: string[] }>(await s.call("enable_toolsets", { toolsets: ["health"] })).added;
    expect(added).not.toContain("segment_customers");
    expect(added).not.toContain("manage_lifecycle_stages");
    for (const n of added) {
      const t = ALL_TOOLS.find((x) => x.name === n)!;
      expect(t.annotations.readOnlyHint || t.readOnlyCompute).toBe(true);
    }
  });

  it("call_tool counts against the same rate limit as direct calls", async () => {
    const s = await defaultServer({ CS_MCP_RATE_LIMIT_PER_MINUTE: "2" });
    dataOf(await s.call("call_tool", { name: "health_check_liveness", arguments: {} }));
    dataOf(await s.call("health_check_liveness", {}));
    expect(errorOf(await s.call("call_tool", { name: "health_check_liveness", arguments: {} })).code).toBe("rate_limited");
    expect(errorOf(await s.call("health_check_liveness", {})).code).toBe("rate_limited");
  });
});
