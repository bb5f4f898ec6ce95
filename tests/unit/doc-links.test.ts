// The documentation sends readers only to files that are in the repository: every relative markdown link
// and every markdown file named in the text (`docs/support.md`, SECURITY.md…) in README.md, SECURITY.md and
// docs/ resolves, from the repository root or from the document's own folder.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";

const DOCS = ["README.md", "SECURITY.md", "docker/README.md", ...readdirSync("docs").filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`), ...readdirSync("docs/runbooks").map((f) => `docs/runbooks/${f}`)].filter((f) => existsSync(f));

/** Relative link targets, backticked file names ending in .md and upper-case ones (DOMAIN.md), without anchors. */
function referencedFiles(markdown: string): string[] {
  const links = [...markdown.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((t) => !/^[a-z]+:/i.test(t) && !t.startsWith("#"));
  const named = [...markdown.matchAll(/`([\w./-]+\.md)`|(?<![\w./-])([A-Z][A-Z_]*\.md)\b/g)].map((m) => (m[1] ?? m[2])!);
  return [...new Set([...links, ...named].map((t) => t.split("#")[0]!).filter(Boolean))];
}

describe("links in the documentation", () => {
  it("finds link targets and file names", () => {
    expect(referencedFiles("see [tools](docs/tools.md#list_clients), `SECURITY.md`, [x](https://a.b/c.md), [y](#z), `TOOLS.md`, rule (DOMAIN.md)")).toEqual(["docs/tools.md", "SECURITY.md", "TOOLS.md", "DOMAIN.md"]);
  });

  it.each(DOCS)("%s names only files in the repository", (doc) => {
    const missing = referencedFiles(readFileSync(doc, "utf8")).filter((f) => !existsSync(f) && !existsSync(join(dirname(doc), f)));
    expect(missing).toEqual([]);
  });
});
