// `npm run tokens`: counts the tokens of the built server's tools/list, default configuration and every
// toolset, with cl100k_base and o200k_base, and writes docs/tool-tokens.md (per-tool table and totals).
import { writeFileSync } from "node:fs";
import { TOKENIZERS, listAllTools, listToolsOf, measureListing, type ListingTokens } from "./tool-tokens.ts";

/** The listing before the token budget (commit 518b118, where the default was every toolset), measured with this script. */
const BEFORE: Record<"default" | "all", Record<(typeof TOKENIZERS)[number], { tools: number; description: number; input: number; output: number; total: number; largest: string }>> = {
  default: {
    cl100k_base: { tools: 61, description: 14_254, input: 33_204, output: 74_325, total: 125_821, largest: "conduct_executive_review (7,682)" },
    o200k_base: { tools: 61, description: 14_270, input: 34_259, output: 77_735, total: 130_363, largest: "conduct_executive_review (7,985)" },
  },
  all: {
    cl100k_base: { tools: 61, description: 14_254, input: 33_204, output: 74_325, total: 125_821, largest: "conduct_executive_review (7,682)" },
    o200k_base: { tools: 61, description: 14_270, input: 34_259, output: 77_735, total: 130_363, largest: "conduct_executive_review (7,985)" },
  },
};

const n = (v: number) => v.toLocaleString("en-US");

function largest(m: ListingTokens): string {
  const top = [...m.tools].sort((a, b) => b.total - a.total)[0];
  return top ? `${top.name} (${n(top.total)})` : "–";
}

function totalsRow(label: string, m: ListingTokens): string {
  return `| ${label} | ${m.tokenizer} | ${m.tools.length} | ${n(m.description)} | ${n(m.input)} | ${n(m.output)} | ${n(m.total)} | ${largest(m)} |`;
}

async function main(): Promise<void> {
  const defaultTools = await listToolsOf([]);
  const all = await listAllTools();
  const measured = {
    default: TOKENIZERS.map((t) => measureListing(defaultTools, t)),
    all: TOKENIZERS.map((t) => measureListing(all.tools, t)),
  };
  const [cl, o200] = measured.all as [ListingTokens, ListingTokens];
  const byName = new Map(o200.tools.map((r) => [r.name, r]));
  const lines = [
    "# Tool list tokens",
    "",
    `What a model pays, per turn, for this server's \`tools/list\`: measured ${new Date().toISOString().slice(0, 10)} by \`npm run tokens\``,
    "on the built server over stdio, with js-tiktoken's `cl100k_base` and `o200k_base`. Each part is counted as the JSON",
    "a client forwards: description string, input schema, output schema; a tool's total is its whole definition",
    "(name, title, annotations included); a list's total is the `tools/list` result as one JSON text.",
    "",
    "Budgets (enforced by tests/integration/tool-token-budget.test.ts): every toolset ≤ 30,000 tokens, output schemas",
    "included; no tool over 1,200; the default list ≤ 12,000. Formulas moved out of descriptions are in",
    "[formulas.md](formulas.md); every result still carries its own `formula` fields.",
    "",
    "## Totals",
    "",
    "| List | Tokenizer | Tools | Descriptions | Input schemas | Output schemas | Total | Largest tool |",
    "|---|---|---:|---:|---:|---:|---:|---|",
    ...measured.default.map((m) => totalsRow("default", m)),
    ...measured.all.map((m) => totalsRow(`\`${all.args.join(" ")}\``, m)),
    "",
    "Before the budget (commit 518b118, the same script):",
    "",
    "| List | Tokenizer | Tools | Descriptions | Input schemas | Output schemas | Total | Largest tool |",
    "|---|---|---:|---:|---:|---:|---:|---|",
    ...(["default", "all"] as const).flatMap((list) =>
      TOKENIZERS.map((t) => {
        const b = BEFORE[list][t];
        return `| ${list} | ${t} | ${b.tools} | ${n(b.description)} | ${n(b.input)} | ${n(b.output)} | ${n(b.total)} | ${b.largest} |`;
      }),
    ),
    "",
    "## Per tool (every toolset)",
    "",
    "| Tool | Description | Input | Output | Total cl100k | Total o200k |",
    "|---|---:|---:|---:|---:|---:|",
    ...cl.tools.map((r) => `| ${r.name} | ${n(r.description)} | ${n(r.input)} | ${n(r.output)} | ${n(r.total)} | ${n(byName.get(r.name)?.total ?? 0)} |`),
    "",
    "Description, input and output columns are cl100k_base.",
    "",
  ];
  writeFileSync("docs/tool-tokens.md", lines.join("\n"));
  for (const m of [...measured.default, ...measured.all]) console.error(`${m.tokenizer}: ${m.tools.length} tools, ${n(m.total)} tokens (largest ${largest(m)})`);
  console.error("wrote docs/tool-tokens.md");
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
