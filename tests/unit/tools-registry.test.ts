import { describe, it, expect } from "vitest";
import { z } from "zod";
import { ConfigError, loadConfig } from "../../src/config/load.ts";
import { selectTools } from "../../src/tools/index.ts";
import { ALL_TOOLS } from "../../src/tools/definitions.ts";
import { TOOLSETS, defineTool, type AnyTool } from "../../src/server/define-tool.ts";
import { SELF_DESCRIBING_FIELDS } from "../../src/tools/shared/self-describing.ts";
import { toToolJsonSchema } from "../../src/server/json-schema.ts";

const names = (tools: readonly { name: string }[]) => tools.map((t) => t.name);
const cfg = (over: Partial<{ CS_MCP_TOOLSETS: string[]; CS_MCP_EXCLUDE_TOOLS: string[]; CS_MCP_READ_ONLY: boolean }> = {}) => ({
  CS_MCP_TOOLSETS: [],
  CS_MCP_EXCLUDE_TOOLS: [],
  CS_MCP_READ_ONLY: false,
  ...over,
});

const CORE = ["register_client", "get_client_overview", "update_client_info", "list_clients", "get_client_timeline"];

describe("selectTools", () => {
  it("exposes every tool by default (from a default config)", () => {
    const selected = selectTools(loadConfig({}));
    expect(names(selected)).toEqual(names(ALL_TOOLS));
    expect(selected.length).toBeGreaterThanOrEqual(CORE.length + 3);
  });

  it("CS_MCP_TOOLSETS=['core'] gives exactly the core tools", () => {
    const selected = selectTools(cfg({ CS_MCP_TOOLSETS: ["core"] }));
    expect(names(selected).sort()).toEqual([...CORE].sort());
    expect(names(selected).sort()).toEqual(names(ALL_TOOLS.filter((t) => t.toolset === "core")).sort());
  });

  it("several toolsets give their union", () => {
    const selected = selectTools(loadConfig({ CS_MCP_TOOLSETS: "core,system" }));
    expect(names(selected).sort()).toEqual(names(ALL_TOOLS.filter((t) => t.toolset === "core" || t.toolset === "system")).sort());
    expect(names(selected)).toContain("health_check_liveness");
  });

  it("a known toolset with no tools yet gives no tools", () => {
    const empty = TOOLSETS.filter((s) => !ALL_TOOLS.some((t) => t.toolset === s));
    for (const s of empty) expect(selectTools(cfg({ CS_MCP_TOOLSETS: [s] }))).toEqual([]);
  });

  it("read-only keeps the tools whose readOnlyHint is true and those that compute without storing", () => {
    const expected = ALL_TOOLS.filter((t) => t.annotations.readOnlyHint === true || t.readOnlyCompute === true).map((t) => t.name);
    const selected = selectTools(cfg({ CS_MCP_READ_ONLY: true }));
    expect(names(selected)).toEqual(expected);
    expect(names(selected)).not.toContain("register_client");
    expect(names(selected)).not.toContain("update_client_info");
    expect(names(selected)).toContain("get_client_overview");
    expect(names(selected.filter((t) => !t.annotations.readOnlyHint)).sort()).toEqual(["calculate_health_score", "forecast_renewals", "identify_churn_risk"]);
  });

  it("read-only combines with a toolset", () => {
    const selected = selectTools(loadConfig({}, { "read-only": true, toolsets: "core" }));
    expect(names(selected).sort()).toEqual(["get_client_overview", "get_client_timeline", "list_clients"]);
  });

  it("exclude removes the named tools and only them", () => {
    const selected = selectTools(cfg({ CS_MCP_EXCLUDE_TOOLS: ["list_clients", "health_check_deep"] }));
    expect(names(selected)).toEqual(names(ALL_TOOLS).filter((n) => n !== "list_clients" && n !== "health_check_deep"));
  });

  it("refuses an unknown toolset naming CS_MCP_TOOLSETS and the bad value", () => {
    let err: unknown;
    try {
      selectTools(cfg({ CS_MCP_TOOLSETS: ["core", "bogus"] }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain("CS_MCP_TOOLSETS (--toolsets)");
    expect(problems[0]).toContain("'bogus'");
    expect(problems[0]).not.toContain("'core'");
  });

  it("refuses an unknown tool name naming CS_MCP_EXCLUDE_TOOLS", () => {
    expect(() => selectTools(cfg({ CS_MCP_EXCLUDE_TOOLS: ["no_such_tool"] }))).toThrow(ConfigError);
    try {
      selectTools(cfg({ CS_MCP_EXCLUDE_TOOLS: ["no_such_tool"] }));
    } catch (e) {
      expect((e as ConfigError).problems).toEqual(["CS_MCP_EXCLUDE_TOOLS (--exclude-tools): unknown tool 'no_such_tool'"]);
    }
  });

  it("reports both problems at once", () => {
    try {
      selectTools(cfg({ CS_MCP_TOOLSETS: ["x"], CS_MCP_EXCLUDE_TOOLS: ["y"] }));
      expect.unreachable();
    } catch (e) {
      expect((e as ConfigError).problems).toHaveLength(2);
    }
  });

  it("filters a custom list when given one", () => {
    const mk = (name: string, readOnly: boolean) =>
      defineTool({
        name,
        toolset: "feedback",
        title: name,
        description: name,
        input: z.strictObject({}),
        output: z.object({}),
        annotations: { readOnlyHint: readOnly, destructiveHint: false, openWorldHint: false },
        handler: async () => ({ data: {}, text: "" }),
      }) as AnyTool;
    const list = [mk("a_tool", true), mk("b_tool", false)];
    expect(names(selectTools(cfg({ CS_MCP_READ_ONLY: true }), list))).toEqual(["a_tool"]);
    expect(names(selectTools(cfg({ CS_MCP_TOOLSETS: ["core"] }), list))).toEqual([]);
    // a name valid in ALL_TOOLS but not in the custom list is unknown there
    expect(() => selectTools(cfg({ CS_MCP_EXCLUDE_TOOLS: ["list_clients"] }), list)).toThrow(ConfigError);
  });
});

describe("tool registry (every tool in ALL_TOOLS)", () => {
  it("has at least the core and system tools", () => {
    expect(names(ALL_TOOLS)).toEqual(expect.arrayContaining([...CORE, "health_check_liveness", "health_check_readiness", "health_check_deep"]));
  });

  it("names are unique snake_case", () => {
    const n = names(ALL_TOOLS);
    expect(new Set(n).size).toBe(n.length);
    for (const name of n) expect(name).toMatch(/^[a-z][a-z0-9]*(_[a-z0-9]+)+$/);
  });

  describe.each(ALL_TOOLS.map((t) => [t.name, t] as const))("%s", (_name, tool) => {
    it("has a known toolset, a title and a description of at least 80 characters", () => {
      expect(TOOLSETS).toContain(tool.toolset);
      expect(typeof tool.title).toBe("string");
      expect(tool.title.trim().length).toBeGreaterThan(0);
      expect(tool.description.length).toBeGreaterThanOrEqual(80);
    });

    it("sets all three annotation hints as booleans", () => {
      expect(typeof tool.annotations.readOnlyHint).toBe("boolean");
      expect(typeof tool.annotations.destructiveHint).toBe("boolean");
      expect(typeof tool.annotations.openWorldHint).toBe("boolean");
      if (tool.annotations.readOnlyHint) expect(tool.annotations.destructiveHint).toBe(false);
    });

    it("has a strict input object that refuses unknown keys", () => {
      const r = tool.input.safeParse({ zzz_unknown: 1 });
      expect(r.success).toBe(false);
      const issue = r.error!.issues.find((i: { code: string }) => i.code === "unrecognized_keys");
      expect(issue).toBeDefined();
      expect((issue as { keys: string[] }).keys).toEqual(["zzz_unknown"]);
    });

    it("describes every top-level input field whose name does not say it", () => {
      const shape = tool.input.shape as Record<string, z.ZodType>;
      const undescribed = Object.keys(shape).filter((k) => !SELF_DESCRIBING_FIELDS.includes(k) && (!shape[k]!.description || shape[k]!.description!.trim().length < 3));
      expect(undescribed).toEqual([]);
    });

    it("converts input and output to a JSON Schema object without $schema", () => {
      for (const [schema, io] of [
        [tool.input, "input"],
        [tool.output, "output"],
      ] as const) {
        const json = toToolJsonSchema(schema, io);
        expect(json.type).toBe("object");
        expect(json).not.toHaveProperty("$schema");
        expect(JSON.parse(JSON.stringify(json))).toEqual(json);
      }
      const input = toToolJsonSchema(tool.input, "input") as { additionalProperties?: unknown; properties?: Record<string, { description?: string }> };
      expect(input.additionalProperties).toBe(false);
      for (const k of Object.keys(tool.input.shape).filter((k) => !SELF_DESCRIBING_FIELDS.includes(k))) expect(input.properties?.[k]?.description, k).toBeTruthy();
    });
  });
});

describe("toToolJsonSchema", () => {
  it("marks defaulted input fields optional and keeps them required in output io", () => {
    const s = z.strictObject({ a: z.number().default(1).describe("A"), b: z.string().describe("B") });
    const input = toToolJsonSchema(s, "input") as unknown as { required?: string[]; properties: Record<string, unknown> };
    expect(input.required).toEqual(["b"]);
    expect(input.properties.a).toMatchObject({ type: "number", default: 1, description: "A" });
    const output = toToolJsonSchema(s, "output") as { required?: string[] };
    expect([...(output.required ?? [])].sort()).toEqual(["a", "b"]);
  });
});
