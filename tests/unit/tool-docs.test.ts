// docs/tools.md is the rendering of the tool registry: a tool added, renamed, re-annotated or re-described
// without regenerating it (npm run docs:tools) fails here.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { describeType, mdText, renderToolReference } from "../../src/tools/reference.ts";
import { ALL_TOOLS } from "../../src/tools/definitions.ts";

describe("the tool reference (docs/tools.md)", () => {
  const file = readFileSync("docs/tools.md", "utf8");

  it("is the current rendering of the registry", () => {
    expect(file).toBe(renderToolReference());
  });

  it("has one entry per registered tool, with its title, description and every input field", () => {
    const entries = [...file.matchAll(/^### `([a-z_]+)`$/gm)].map((m) => m[1]);
    expect(entries.sort()).toEqual(ALL_TOOLS.map((t) => t.name).sort());
    const erase = file.slice(file.indexOf("### `erase_personal_data`"));
    expect(erase).toMatch(/^### `erase_personal_data`\n\n\*\*[^*]+\*\* — writes · destructive/);
    for (const t of ALL_TOOLS) {
      const entry = file.slice(file.indexOf(`### \`${t.name}\``)).split("\n### ")[0]!;
      expect(entry).toContain(`**${mdText(t.title)}**`);
      expect(entry).toContain(mdText(t.description.trim()));
      for (const field of Object.keys(t.input.shape)) expect(entry, `${t.name}.${field}`).toContain(`| \`${field}\` |`);
    }
  });

  it("writes types an agent author can read", () => {
    expect(describeType({ type: "integer", minimum: 1, maximum: 500 })).toBe("integer (1–500)");
    expect(describeType({ type: "string", enum: ["a", "b"] })).toBe("one of `a`, `b`");
    expect(describeType({ type: "array", items: { type: "string", maxLength: 40 }, maxItems: 25 })).toBe("array of string (≤ 40 chars) (≤ 25 items)");
    expect(describeType({ anyOf: [{ type: "string", format: "date" }, { type: "string", format: "date-time" }] })).toBe("string (date) or string (date-time)");
    expect(describeType({ type: "object", properties: { a: {}, b: {} } })).toBe("object {a, b}");
    expect(describeType({ type: "boolean", const: true })).toBe("`true`");
    expect(mdText("cs_<digits>_<slug>")).toBe("cs_\\<digits>_\\<slug>");
  });
});
