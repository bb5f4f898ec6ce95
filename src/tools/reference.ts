// Renders docs/tools.md, the tool reference, from the registry itself: name, toolset, title, annotations,
// description and input fields, exactly as an MCP client sees them in tools/list. A test compares the
// committed file with this rendering, so a tool changed without `npm run docs:tools` fails the suite.
import { TOOLSETS, type AnyTool } from "../server/define-tool.ts";
import { toToolJsonSchema } from "../server/json-schema.ts";
import { ALL_TOOLS } from "./definitions.ts";

type Schema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
  description?: string;
};

/** Prose as markdown text: `<slug>` in a description is text, not an HTML tag for the renderer to swallow. */
export const mdText = (s: string): string => s.replace(/</g, "\\<");
const cell = (s: string): string => mdText(s.replace(/\s*\n\s*/g, " ").replace(/\|/g, "\\|"));
const code = (v: unknown): string => `\`${typeof v === "string" ? v : JSON.stringify(v)}\``;

function range(lo: number | undefined, hi: number | undefined, unit: string): string {
  if (lo !== undefined && hi !== undefined) return lo === hi ? ` (${lo}${unit})` : ` (${lo}–${hi}${unit})`;
  if (hi !== undefined) return ` (≤ ${hi}${unit})`;
  if (lo !== undefined) return ` (≥ ${lo}${unit})`;
  return "";
}

/** A short type for a table cell: `one of a, b`, `integer (1–500)`, `array of string (≤ 25 items)`, `object {a, b}`. */
export function describeType(s: Schema): string {
  if (s.const !== undefined) return code(s.const);
  if (s.enum) return `one of ${s.enum.map(code).join(", ")}`;
  const alts = s.anyOf ?? s.oneOf;
  if (alts) return alts.map(describeType).filter((t, i, all) => all.indexOf(t) === i).join(" or ");
  const type = Array.isArray(s.type) ? s.type.join(" or ") : (s.type ?? "any");
  switch (type) {
    case "string":
      return `string${s.format ? ` (${s.format})` : ""}${range(s.minLength, s.maxLength, " chars")}`;
    case "integer":
    case "number":
      return `${type}${range(s.minimum, s.maximum, "")}`;
    case "array":
      return `array of ${s.items ? describeType(s.items) : "any"}${range(s.minItems, s.maxItems, " items")}`;
    case "object": {
      const keys = Object.keys(s.properties ?? {});
      return keys.length ? `object {${keys.join(", ")}}` : "object";
    }
    default:
      return type;
  }
}

function annotationLine(t: AnyTool): string {
  const a = t.annotations;
  const parts = [a.readOnlyHint ? "read-only" : "writes"];
  if (a.destructiveHint) parts.push("destructive");
  if (a.openWorldHint) parts.push("calls outside services");
  if (a.idempotentHint) parts.push("idempotent");
  return parts.join(" · ");
}

function renderTool(t: AnyTool): string[] {
  const input = toToolJsonSchema(t.input, "input") as Schema;
  const required = new Set(input.required ?? []);
  const out = [`### \`${t.name}\``, "", `**${mdText(t.title)}** — ${annotationLine(t)}`, "", mdText(t.description.trim()), ""];
  const fields = Object.entries(input.properties ?? {});
  if (fields.length === 0) return [...out, "No input fields.", ""];
  out.push("| field | type | required | meaning |", "|---|---|---|---|");
  for (const [name, s] of fields) {
    const dflt = s.default !== undefined ? ` Default ${code(s.default)}.` : "";
    const meaning = `${s.description ?? ""}${s.description?.includes("default") ? "" : dflt}`.trim();
    out.push(`| \`${name}\` | ${cell(describeType(s))} | ${required.has(name) ? "yes" : ""} | ${cell(meaning)} |`);
  }
  out.push("");
  return out;
}

export function renderToolReference(tools: readonly AnyTool[] = ALL_TOOLS): string {
  const domain = tools.filter((t) => t.toolset !== "system").length;
  const sets = TOOLSETS.map((s) => [s, tools.filter((t) => t.toolset === s)] as const).filter(([, list]) => list.length > 0);
  const out = [
    "# Tool reference",
    "",
    "<!-- Generated from the tool registry (src/tools/) by `npm run docs:tools`; do not edit by hand. -->",
    "",
    `${tools.length} tools: ${domain} domain tools in ${sets.length - 1} toolsets, and the system toolset. Each entry is`,
    "what an MCP client reads in `tools/list`: the name, the title, the annotations (read-only or writes,",
    "destructive, calls outside services, idempotent), the description and the input fields. Every input is",
    "strict: a field not listed here is refused by name. `--toolsets`, `--exclude-tools` and `--read-only`",
    "choose which of these a server exposes (see the README).",
    "",
    "| toolset | tools |",
    "|---|---|",
    ...sets.map(([s, list]) => `| [${s}](#${s}) | ${list.map((t) => `[\`${t.name}\`](#${t.name})`).join(", ")} |`),
    "",
  ];
  for (const [s, list] of sets) {
    out.push(`## ${s}`, "");
    for (const t of list) out.push(...renderTool(t));
  }
  return `${out.join("\n").trimEnd()}\n`;
}
