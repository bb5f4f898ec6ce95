// What the model is told to do next must exist: every string the server code can produce (error hints,
// missing-data notes, descriptions) is scanned for tool names and `cs-mcp import <kind>` commands, and each must
// be a registered tool or an import kind. And a tool that marks an account churned says it is destructive.
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import ts from "typescript";
import { z } from "zod";
import { describe, expect, it } from "vitest";
import { ALL_TOOLS } from "../../src/tools/definitions.ts";
import { IMPORT_KINDS } from "../../src/import/kinds/types.ts";
import { WORKFLOW_ACTION_TYPES } from "../../src/services/communication/workflows.ts";

const SRC = resolve(import.meta.dirname, "../../src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === "generated" ? [] : sourceFiles(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [p] : [];
  });
}

/** A substitution inside a template literal. */
const HOLE = "\u0000";

/** Every string literal and template literal in the source (substitutions as HOLE), with where it is. */
function strings(): Array<{ text: string; where: string }> {
  const out: Array<{ text: string; where: string }> = [];
  for (const file of sourceFiles(SRC)) {
    const sf = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node) => {
      const at = () => `${file.slice(SRC.length + 1)}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
      if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) out.push({ text: node.text, where: at() });
      else if (ts.isTemplateExpression(node)) out.push({ text: [node.head.text, ...node.templateSpans.map((x) => x.literal.text)].join(HOLE), where: at() });
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return out;
}

/** Enum values and property names of every tool's arguments: action names such as 'list_newsletters' are not tools. */
function argumentWords(): Set<string> {
  const words = new Set<string>();
  const walk = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== "object") return;
    for (const [k, x] of Object.entries(v)) {
      if (k === "enum" && Array.isArray(x)) x.forEach((e) => typeof e === "string" && words.add(e));
      if (k === "const" && typeof x === "string") words.add(x);
      if (k === "properties" && x && typeof x === "object") Object.keys(x).forEach((p) => words.add(p));
      walk(x);
    }
  };
  for (const t of ALL_TOOLS) walk(z.toJSONSchema(t.input, { io: "input", unrepresentable: "any" }));
  return words;
}

describe("hints name only what exists", () => {
  const all = strings();
  const tools = new Set(ALL_TOOLS.map((t) => t.name));

  it("every `cs-mcp import <kind>` names an import kind", () => {
    const wrong: string[] = [];
    for (const s of all) {
      for (const m of s.text.matchAll(/cs-mcp import +([a-z_]+|\u0000)/g)) {
        // A kind computed at run time was never checked against the import kinds.
        if (m[1] === HOLE) wrong.push(`${s.where}: cs-mcp import <computed kind>`);
        else if (!(IMPORT_KINDS as readonly string[]).includes(m[1]!)) wrong.push(`${s.where}: cs-mcp import ${m[1]}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(all.filter((s) => s.text.includes("cs-mcp import ")).length).toBeGreaterThan(20); // the scan sees the hints
  });

  it("every tool-like name in a string is a registered tool (or an argument value of one)", () => {
    // A tool-like name: snake_case starting with a verb some tool starts with (list_, get_, update_, …).
    const verbs = new Set([...tools].map((n) => n.split("_")[0]!));
    const args = new Set([...argumentWords(), ...WORKFLOW_ACTION_TYPES]);
    const wrong = new Set<string>();
    // Sentences only (a bare identifier such as an audit action or an operation name is not a hint), and no SQL.
    for (const s of all.filter((x) => x.text.includes(" ") && !/\b(SELECT|UPDATE|INSERT|DELETE)\b/.test(x.text))) {
      for (const m of s.text.matchAll(/\b([a-z]+)_[a-z_]*[a-z]\b/g)) {
        const name = m[0];
        if (!verbs.has(m[1]!) || tools.has(name) || args.has(name)) continue;
        wrong.add(`${s.where}: ${name}`);
      }
    }
    expect([...wrong].filter((w) => !NOT_TOOLS.has(w.split(": ")[1]!))).toEqual([]);
  });

  it("the scan catches a hint naming a tool that does not exist", () => {
    const probe = "use list_client_accounts to find it";
    const verbs = new Set([...tools].map((n) => n.split("_")[0]!));
    const found = [...probe.matchAll(/\b([a-z]+)_[a-z_]*[a-z]\b/g)].map((m) => m[0]).filter((n) => verbs.has(n.split("_")[0]!) && !tools.has(n));
    expect(found).toEqual(["list_client_accounts"]);
  });
});

/** Strings that look like tool names but are something else, each with what it is. */
const NOT_TOOLS = new Set<string>([
  "health_scores", // the table calculate_health_score writes, named in missing-data notes
  "segment_ids", // a result field of segment_customers
  "health_source", // a result field naming where a health score came from (current-health.ts)
]);

describe("annotations tell the truth", () => {
  it("analyze_churn_postmortem is destructive: it marks the account churned and cancels its campaigns", () => {
    const t = ALL_TOOLS.find((x) => x.name === "analyze_churn_postmortem")!;
    expect(t.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
  });
});
