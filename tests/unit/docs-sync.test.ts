// .env.example and the README's configuration table are renderings of the settings table: a setting
// added or changed without regenerating them (npm run gen:env) fails here.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderConfigTable, renderEnvExample } from "../../src/config/render.ts";
import { SETTINGS } from "../../src/config/settings.ts";

describe("configuration documents", () => {
  it(".env.example is the rendering of SETTINGS and lists every variable", () => {
    const file = readFileSync(".env.example", "utf8");
    expect(file).toBe(renderEnvExample());
    for (const s of SETTINGS) expect(file).toMatch(new RegExp(`^${s.env}=`, "m"));
  });

  it("README.md carries the rendered configuration table", () => {
    expect(readFileSync("README.md", "utf8")).toContain(renderConfigTable());
  });

  it("README.md starts with the two commands: run the server, run the tests", () => {
    const lines = readFileSync("README.md", "utf8").split("\n");
    expect(lines[2]).toBe("```sh");
    expect(lines[3]).toMatch(/^npm ci && npm run build && node dist\/src\/cli\.js --demo\s+#/);
    expect(lines[4]).toMatch(/^npm ci && npm test\s+#/);
  });
});
