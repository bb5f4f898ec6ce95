// The token budget of tools/list (issue 11 §1), on the built server's real listing over stdio, counted with
// both tokenizers: every toolset ≤ 30,000 tokens output schemas included, no tool over 1,200, and the
// default list (the default surface and its discovery tools) ≤ 12,000.
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { beforeAll, describe, expect, it } from "vitest";
import { TOKENIZERS, listAllTools, listToolsOf, measureListing } from "../../bench/tool-tokens.ts";
import { DEFAULT_TOOLS } from "../../src/tools/default-surface.ts";

export const FULL_LIST_BUDGET = 30_000;
export const TOOL_BUDGET = 1_200;
export const DEFAULT_LIST_BUDGET = 12_000;

describe("tools/list token budget", () => {
  let tools: Tool[];
  let defaults: Tool[];
  beforeAll(async () => {
    [tools, defaults] = await Promise.all([listAllTools().then((l) => l.tools), listToolsOf([])]);
  }, 120_000);

  it("the default list is the default surface plus the three discovery tools, at most 20", () => {
    expect(defaults.map((t) => t.name).sort()).toEqual([...DEFAULT_TOOLS, "discover_tools", "enable_toolsets", "call_tool"].sort());
    expect(defaults.length).toBeLessThanOrEqual(20);
  });

  it("lists every tool with an output schema", () => {
    expect(tools.length).toBeGreaterThanOrEqual(61);
    expect(tools.filter((t) => !t.outputSchema).map((t) => t.name)).toEqual([]);
  });

  for (const tokenizer of TOKENIZERS) {
    describe(tokenizer, () => {
      it(`every toolset enabled: ≤ ${FULL_LIST_BUDGET} tokens in total, output schemas included`, () => {
        const m = measureListing(tools, tokenizer);
        expect(m.output).toBeGreaterThan(0);
        expect(m.total).toBeLessThanOrEqual(FULL_LIST_BUDGET);
      });

      it(`no tool over ${TOOL_BUDGET} tokens`, () => {
        const over = measureListing(tools, tokenizer).tools.filter((t) => t.total > TOOL_BUDGET).map((t) => `${t.name}: ${t.total}`);
        expect(over).toEqual([]);
      });

      it(`the default list (what a client sees without configuration): ≤ ${DEFAULT_LIST_BUDGET} tokens, output schemas included`, () => {
        expect(measureListing(defaults, tokenizer).total).toBeLessThanOrEqual(DEFAULT_LIST_BUDGET);
      });
    });
  }
});
