// The tool catalog is a contract (../shared/spec/TOOLS.md): every catalog tool is registered in its toolset,
// each toolset holds exactly the catalog's tools (system tools aside), and the annotations say what the
// legend says: R read-only, W writes, X may call an outside service, D destroys data.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ALL_TOOLS } from "../../src/tools/index.ts";

const SPEC = readFileSync(resolve(import.meta.dirname, "../../../shared/spec/TOOLS.md"), "utf8");

/** toolset → [name, legend] from "## toolset (n)" sections and "- `name` LEGEND —" lines. */
function catalog(): Map<string, Array<{ name: string; legend: string[] }>> {
  const out = new Map<string, Array<{ name: string; legend: string[] }>>();
  let current = "";
  for (const line of SPEC.split("\n")) {
    const h = /^## ([a-z]+)/.exec(line);
    if (h) current = h[1]!;
    const t = /^- `([a-z_]+)` ([RWXD/]+)/.exec(line);
    if (t && current && current !== "system") {
      const list = out.get(current) ?? [];
      list.push({ name: t[1]!, legend: t[2]!.split("/") });
      out.set(current, list);
    }
  }
  return out;
}

// Tools that may reach an outside service although the catalog lists them W only: they send an optional
// notification through the outbox (closing a feedback loop emails the submitter).
const EXTRA_OPEN_WORLD = new Set(["manage_voice_of_customer"]);

describe("the tool catalog", () => {
  const spec = catalog();

  it("lists 54 domain tools in 8 toolsets", () => {
    expect([...spec.keys()].sort()).toEqual(["communication", "core", "expansion", "feedback", "health", "onboarding", "retention", "support"]);
    expect([...spec.values()].flat()).toHaveLength(54);
  });

  it("every toolset registers exactly its catalog tools", () => {
    for (const [toolset, tools] of spec) {
      const registered = ALL_TOOLS.filter((t) => t.toolset === toolset).map((t) => t.name).sort();
      expect({ toolset, tools: registered }).toEqual({ toolset, tools: tools.map((t) => t.name).sort() });
    }
  });

  it("annotations follow the legend", () => {
    const wrong: string[] = [];
    for (const tools of spec.values()) {
      for (const { name, legend } of tools) {
        const a = ALL_TOOLS.find((t) => t.name === name)!.annotations;
        // R/W reads, and writes only in an optional mode: either annotation is honest for it.
        const readOnly = legend.includes("R") ? (legend.includes("W") ? a.readOnlyHint : true) : false;
        if (a.readOnlyHint !== readOnly) wrong.push(`${name}: readOnlyHint ${a.readOnlyHint} vs ${legend.join("/")}`);
        if (a.openWorldHint !== (legend.includes("X") || EXTRA_OPEN_WORLD.has(name))) wrong.push(`${name}: openWorldHint ${a.openWorldHint} vs ${legend.join("/")}`);
        if (legend.includes("D") && !a.destructiveHint) wrong.push(`${name}: destructiveHint missing`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
