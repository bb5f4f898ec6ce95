// The two tools of the health/churn work keep the house rules even before the health toolset's index
// reaches ALL_TOOLS: strict input with every field described, JSON Schema conversion, annotations set.
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { toToolJsonSchema } from "../../src/server/json-schema.ts";
import { calculateHealthScore } from "../../src/tools/health/calculate-health-score.ts";
import { identifyChurnRisk } from "../../src/tools/retention/identify-churn-risk.ts";
import type { AnyTool } from "../../src/server/define-tool.ts";
import { SELF_DESCRIBING_FIELDS } from "../../src/tools/shared/self-describing.ts";

describe.each([calculateHealthScore, identifyChurnRisk].map((t) => [t.name, t as AnyTool] as const))("%s definition", (_n, tool) => {
  it("is a write tool, closed-world, not destructive, with a long description", () => {
    expect(tool.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false, openWorldHint: false });
    expect(tool.description.length).toBeGreaterThanOrEqual(80);
  });

  it("refuses unknown keys and describes every field", () => {
    const r = tool.input.safeParse({ zzz_unknown: 1 });
    expect(r.success).toBe(false);
    expect(r.error!.issues.some((i: { code: string }) => i.code === "unrecognized_keys")).toBe(true);
    const shape = tool.input.shape as Record<string, z.ZodType>;
    const described = Object.keys(shape).filter((k) => !SELF_DESCRIBING_FIELDS.includes(k));
    expect(described.filter((k) => !shape[k]!.description)).toEqual([]);
    const json = toToolJsonSchema(tool.input, "input") as unknown as { additionalProperties?: unknown; properties: Record<string, { description?: string }> };
    expect(json.additionalProperties).toBe(false);
    for (const k of described) expect(json.properties[k]?.description, k).toBeTruthy();
    expect(toToolJsonSchema(tool.output, "output").type).toBe("object");
  });
});

describe("calculate_health_score input rules", () => {
  const parse = (v: unknown) => calculateHealthScore.input.safeParse(v);
  const paths = (v: unknown) => {
    const r = parse(v);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };
  it("needs exactly one of client_id, client_ids, all", () => {
    expect(paths({})).toEqual(["client_id: give exactly one of client_id, client_ids or all: true"]);
    expect(paths({ client_id: "cs_1_a", client_ids: ["cs_1_b"] })[0]).toMatch(/^client_id: /);
    expect(parse({ all: true }).success).toBe(true);
    expect(parse({ client_ids: Array.from({ length: 501 }, (_, i) => `cs_1_a${i}`) }).success).toBe(false);
  });
  it("checks the custom weights and the lookback range", () => {
    expect(paths({ client_id: "cs_1_a", scoring_model: "custom" })).toEqual(["component_weights: is required when scoring_model is 'custom'"]);
    expect(paths({ client_id: "cs_1_a", scoring_model: "custom", component_weights: { usage: 0.7, payment: 0.2 } })).toEqual(["component_weights: must sum to 1 ± 0.01 (they sum to 0.9000)"]);
    expect(parse({ client_id: "cs_1_a", scoring_model: "custom", component_weights: { usage: 0.7, payment: 0.295 } }).success).toBe(true);
    expect(paths({ client_id: "cs_1_a", component_weights: { usage: 1 } })).toEqual(["scoring_model: must be 'custom' when component_weights are given"]);
    expect(paths({ client_id: "cs_1_a", lookback_period_days: 6 })[0]).toMatch(/^lookback_period_days: /);
    expect(paths({ client_id: "cs_1_a", lookback_period_days: 366 })[0]).toMatch(/^lookback_period_days: /);
  });
});
