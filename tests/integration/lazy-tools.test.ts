// A catalog tool's definition is imported on its first call, through the same pipeline as every call: the
// first call and later ones answer the same (and the same as the definition itself), and a module that
// fails to load is an error naming the tool that changes nothing; the next call tries the import again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { call, pipelineFor } from "../helpers/pipeline.ts";
import { TOOL_CATALOG } from "../../src/tools/index.ts";
import { ALL_TOOLS } from "../../src/tools/definitions.ts";
import { defineTool, type AnyTool, type CatalogTool } from "../../src/server/define-tool.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const entry = (name: string) => TOOL_CATALOG.find((t) => t.name === name)!;

describe.each(BACKENDS)("tools loaded on first call (%s)", (backend) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(backend);
  });
  afterAll(async () => t?.cleanup());

  it("answers the first call of a catalog tool as later calls and as its definition do", async () => {
    const lazy = pipelineFor(t, [entry("register_client"), entry("get_client_overview"), entry("list_clients")], NOW);
    const eager = pipelineFor(t, ALL_TOOLS, NOW);
    const { client_id } = await call(lazy, "register_client", { client_name: "Acme", company_name: "Acme Corp", primary_contact_email: "jane@acme.example", contract_value: 48000 });
    const first = await call(lazy, "get_client_overview", { client_id });
    expect(first.client_id).toBe(client_id);
    expect(first.profile.arr).toBe(48000);
    expect(await call(lazy, "get_client_overview", { client_id })).toEqual(first);
    expect(await call(eager, "get_client_overview", { client_id })).toEqual(first);
    const listed = await call(lazy, "list_clients", {});
    expect(listed.clients.map((c: { client_id: string }) => c.client_id)).toEqual([client_id]);
    expect(await call(lazy, "list_clients", {})).toEqual(listed);
  });

  it("refuses a call whose module does not load, naming the tool, runs nothing, and loads on a later call", async () => {
    let runs = 0;
    let loads = 0;
    const definition = defineTool({
      name: "flaky_tool",
      toolset: "core",
      title: "Flaky",
      description: "A tool whose module fails to import once.",
      input: z.strictObject({ n: z.number().int() }),
      output: z.object({ n: z.number().int() }),
      annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
      handler: async ({ n }) => {
        runs += 1;
        return { data: { n }, text: `n=${n}` };
      },
    }) as AnyTool;
    const flaky: CatalogTool = {
      name: definition.name,
      toolset: definition.toolset,
      title: definition.title,
      description: definition.description,
      annotations: definition.annotations,
      inputSchema: { type: "object" },
      outputSchema: { type: "object" },
      load: async () => {
        loads += 1;
        if (loads === 1) throw new Error("Cannot find module '/x/dist/src/tools/core/flaky.js' imported from /x/dist/src/tools/catalog.generated.js");
        return definition;
      },
    };
    const p = pipelineFor(t, [flaky], NOW);
    const refused = await p.call("flaky_tool", { n: 1 });
    expect(refused.isError).toBe(true);
    expect(JSON.parse((refused.content[0] as { text: string }).text).error).toEqual({
      code: "unavailable",
      message: "tool 'flaky_tool' could not be loaded: Cannot find module '/x/dist/src/tools/core/flaky.js' imported from /x/dist/src/tools/catalog.generated.js",
      hint: "a fault of this server's installation, not of the arguments; nothing was changed",
    });
    expect(runs).toBe(0);
    expect(await call(p, "flaky_tool", { n: 2 })).toEqual({ n: 2 });
    expect(await call(p, "flaky_tool", { n: 3 })).toEqual({ n: 3 });
    expect({ loads, runs }).toEqual({ loads: 2, runs: 2 });
  });

  it("refuses a catalog entry whose module defines another tool (a stale catalog)", async () => {
    const stale: CatalogTool = { ...entry("list_clients"), name: "renamed_tool", load: entry("list_clients").load };
    const p = pipelineFor(t, [stale], NOW);
    const r = await p.call("renamed_tool", {});
    expect(JSON.parse((r.content[0] as { text: string }).text).error.message).toBe(
      "tool 'renamed_tool' could not be loaded: its module defines 'list_clients': the tool catalog is stale (npm run gen:catalog)",
    );
  });
});
