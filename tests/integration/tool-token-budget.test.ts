// The token budget of tools/list (issue 11 §1), on the built server's real listing over stdio, counted with
// both tokenizers: every toolset ≤ 30,000 tokens output schemas included, no tool over 1,200, and the
// default surface's domain tools ≤ 10,500 so the discovery tools fit in the default list's 12,000.
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { beforeAll, describe, expect, it } from "vitest";
import { TOKENIZERS, listAllTools, measureListing } from "../../bench/tool-tokens.ts";

export const FULL_LIST_BUDGET = 30_000;
export const TOOL_BUDGET = 1_200;
export const DEFAULT_DOMAIN_BUDGET = 10_500;

/** The domain tools of the default surface (the discovery tools take the rest of its 12,000). */
export const DEFAULT_DOMAIN_TOOLS = [
  "get_client_overview",
  "list_clients",
  "register_client",
  "update_client_info",
  "get_client_timeline",
  "calculate_health_score",
  "identify_churn_risk",
  "monitor_satisfaction",
  "manage_escalations",
  "track_renewals",
  "forecast_renewals",
  "identify_expansion_opportunities",
  "analyze_support_performance",
  "handle_support_ticket",
  "collect_feedback",
  "track_cs_metrics",
  "conduct_executive_review",
] as const;

describe("tools/list token budget", () => {
  let tools: Tool[];
  beforeAll(async () => {
    tools = (await listAllTools()).tools;
  }, 120_000);

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

      it(`the default surface's domain tools: ≤ ${DEFAULT_DOMAIN_BUDGET} tokens together`, () => {
        const rows = measureListing(tools, tokenizer).tools.filter((t) => (DEFAULT_DOMAIN_TOOLS as readonly string[]).includes(t.name));
        expect(rows.map((r) => r.name).sort()).toEqual([...DEFAULT_DOMAIN_TOOLS].sort());
        expect(rows.reduce((s, r) => s + r.total, 0)).toBeLessThanOrEqual(DEFAULT_DOMAIN_BUDGET);
      });
    });
  }
});
