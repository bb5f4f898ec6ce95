// src/tools/catalog.generated.ts is what the server lists and refuses tools from without loading them: it
// must be the rendering of today's definitions (a definition changed without `npm run gen:catalog` fails
// here), and each entry must load exactly the definition it describes.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderCatalog, servicesRead } from "../../src/tools/catalog-render.ts";
import { TOOL_CATALOG } from "../../src/tools/index.ts";
import { ALL_TOOLS } from "../../src/tools/definitions.ts";
import { describeTool } from "../../src/server/describe-tool.ts";

describe("the build-time tool catalog", () => {
  it("is the current rendering of the definitions", async () => {
    expect(readFileSync("src/tools/catalog.generated.ts", "utf8")).toBe(await renderCatalog());
  });

  it("has every tool in registry order, each listed as its definition is and loading that very definition", async () => {
    expect(TOOL_CATALOG.map((t) => t.name)).toEqual(ALL_TOOLS.map((t) => t.name));
    for (const [i, entry] of TOOL_CATALOG.entries()) {
      const def = ALL_TOOLS[i]!;
      expect(await entry.load()).toBe(def);
      for (const readOnly of [false, true]) expect(JSON.stringify(describeTool(entry, readOnly))).toBe(JSON.stringify(describeTool(def, readOnly)));
      expect({ name: entry.name, readOnlyCompute: entry.readOnlyCompute }).toEqual({ name: def.name, readOnlyCompute: def.readOnlyCompute });
    }
  });

  it("names the services a tool module reads, and refuses a module it cannot follow", () => {
    const src = "async handler(args, { services, signal }) { await services.retention.campaigns.run(); return services.clients.list(services.config); }";
    expect(servicesRead(src, "x.ts")).toEqual(["clients", "retention"]);
    expect(() => servicesRead("handler(a, { services }) { return helper(a, services); }", "x.ts")).toThrow(/x\.ts: the services container is passed on/);
    expect(() => servicesRead("services.nope.run()", "x.ts")).toThrow("x.ts: services.nope is not a service of src/services/container.ts");
  });
});
