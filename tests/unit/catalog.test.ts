// The tool catalog is a contract (tests/fixtures/tool-catalog.yaml, the project's own list): every catalog
// tool is registered in its toolset, each toolset holds exactly the catalog's tools, and the annotations say
// what the legend says: R read-only, W writes, X may call an outside service, D destroys data.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import YAML from "yaml";
import { describe, expect, it } from "vitest";
import { TOOLSETS } from "../../src/server/define-tool.ts";
import { ALL_TOOLS } from "../../src/tools/definitions.ts";

const CATALOG = YAML.parse(readFileSync(resolve(import.meta.dirname, "../fixtures/tool-catalog.yaml"), "utf8")) as Record<string, Record<string, string>>;

/** toolset → [name, legend] */
function catalog(): Map<string, Array<{ name: string; legend: string[] }>> {
  return new Map(
    Object.entries(CATALOG).map(([toolset, tools]) => [toolset, Object.entries(tools).map(([name, legend]) => ({ name, legend: legend.split("/") }))]),
  );
}

describe("the tool catalog", () => {
  const spec = catalog();
  const domain = [...spec].filter(([toolset]) => toolset !== "system");

  it("lists 55 domain tools in 8 toolsets, plus the system toolset, each legend made of R, W, X, D", () => {
    expect(domain.map(([toolset]) => toolset).sort()).toEqual(["communication", "core", "expansion", "feedback", "health", "onboarding", "retention", "support"]);
    expect(domain.flatMap(([, tools]) => tools)).toHaveLength(55);
    expect([...spec.keys()].sort()).toEqual([...TOOLSETS].sort());
    for (const { name, legend } of [...spec.values()].flat()) expect({ name, legend: legend.filter((l) => !["R", "W", "X", "D"].includes(l)) }).toEqual({ name, legend: [] });
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
        if (a.openWorldHint !== legend.includes("X")) wrong.push(`${name}: openWorldHint ${a.openWorldHint} vs ${legend.join("/")}`);
        if (legend.includes("D") && !a.destructiveHint) wrong.push(`${name}: destructiveHint missing`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
