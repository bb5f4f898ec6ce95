// The advertised output schema is the shape without prose: it must accept every value the strict zod
// schema accepts (the SDK client validates structuredContent with the same validator it uses here), and it
// must stay small: nested objects collapse to their type, value constraints and descriptions go.
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { toOutputJsonSchema, toToolJsonSchema } from "../../src/server/json-schema.ts";
import { ALL_TOOLS } from "../../src/tools/definitions.ts";

const sample = z.object({
  id: z.uuid(),
  day: z.iso.date(),
  score: z.number().int().min(0).max(100).nullable().describe("Health score 0–100"),
  band: z.enum(["healthy", "at_risk"]),
  level: z.enum(["low", "high"]).nullable(),
  kind: z.literal("report"),
  either: z.union([z.string(), z.number(), z.boolean(), z.null()]),
  nested: z.object({ deep: z.object({ deeper: z.string() }), list: z.array(z.number()) }).nullable(),
  rows: z.array(z.object({ name: z.string(), tags: z.array(z.string()) })),
  bag: z.record(z.string(), z.unknown()),
  optional: z.string().optional(),
  picked: z.discriminatedUnion("t", [z.object({ t: z.literal("a"), a: z.number() }), z.object({ t: z.literal("b"), b: z.string() })]),
});

const values: Array<z.input<typeof sample>> = [
  {
    id: "0197a0c2-7b1e-7000-8000-000000000001",
    day: "2026-12-03",
    score: 71,
    band: "healthy",
    level: null,
    kind: "report",
    either: null,
    nested: { deep: { deeper: "x" }, list: [1, 2.5] },
    rows: [{ name: "a", tags: [] }],
    bag: { any: [1, { two: 2 }] },
    picked: { t: "a", a: 1 },
  },
  { id: "0197a0c2-7b1e-7000-8000-000000000002", day: "2026-01-31", score: null, band: "at_risk", level: "high", kind: "report", either: 3, nested: null, rows: [], bag: {}, optional: "o", picked: { t: "b", b: "x" } },
];

describe("toOutputJsonSchema", () => {
  const schema = toOutputJsonSchema(sample);
  const validate = new AjvJsonSchemaValidator().getValidator(schema);

  it("accepts every value the zod schema accepts", () => {
    for (const v of values) {
      const parsed = sample.parse(v);
      expect(validate(parsed)).toMatchObject({ valid: true });
    }
  });

  it("still refuses what is not the shape: a wrong type, an unknown enum value", () => {
    const good = sample.parse(values[0]);
    expect(validate({ ...good, score: "71" }).valid).toBe(false);
    expect(validate({ ...good, nested: [] }).valid).toBe(false);
    expect(validate({ ...good, band: "unknown" }).valid).toBe(false);
  });

  it("lists top-level fields with types only: no prose, no bounds, no required list, nested objects collapsed", () => {
    const props = (schema as unknown as { properties: Record<string, unknown> }).properties;
    expect(props.score).toEqual({ type: ["integer", "null"] });
    expect(props.level).toEqual({ anyOf: [{ type: "string", enum: ["low", "high"] }, { type: "null" }] });
    expect(props.nested).toEqual({ type: ["object", "null"] });
    expect(props.rows).toEqual({ type: "array" });
    expect(props.id).toEqual({ type: "string" });
    expect(JSON.stringify(schema)).not.toMatch(/description|pattern|minimum|maximum|additionalProperties|required/);
  });

  it("renders every tool's output schema without prose", () => {
    for (const t of ALL_TOOLS) expect(JSON.stringify(toOutputJsonSchema(t.output)), t.name).not.toContain("description");
  });
});

describe("toToolJsonSchema", () => {
  it("drops zod's regex where a format names the rule, and keeps patterns of its own", () => {
    const s = toToolJsonSchema(z.strictObject({ d: z.iso.date(), u: z.uuid(), c: z.string().regex(/^cs_\d+$/), pattern: z.string(), format: z.string() }), "input") as unknown as {
      properties: Record<string, Record<string, unknown>>;
    };
    expect(s.properties.d).toEqual({ type: "string", format: "date" });
    expect(s.properties.u).toEqual({ type: "string", format: "uuid" });
    expect(s.properties.c).toMatchObject({ pattern: "^cs_\\d+$" });
    expect(Object.keys(s.properties)).toEqual(["d", "u", "c", "pattern", "format"]);
  });
});
