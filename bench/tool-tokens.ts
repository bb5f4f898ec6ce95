// What a model pays for our tools/list: the real listing, read from the built server over stdio with
// the SDK client, counted with real tokenizers (js-tiktoken). Each part is counted as the JSON a client
// sends on: the description string, the input schema, the output schema, and the whole tool definition.
// Used by `npm run tokens` (docs/tool-tokens.md) and by the budget test.
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { getEncoding, type Tiktoken } from "js-tiktoken";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "./spawn.ts";

/** The built server: beside this module when it runs from dist/bench, else dist/ of the repository (tests run the source). */
export const BUILT_CLI = fileURLToPath(new URL(import.meta.url.includes("/dist/bench/") ? "../src/cli.js" : "../dist/src/cli.js", import.meta.url));

export const TOKENIZERS = ["cl100k_base", "o200k_base"] as const;
export type Tokenizer = (typeof TOKENIZERS)[number];

/** Every toolset by name: accepted by the server before and after `--toolsets all` exists. */
export const EVERY_TOOLSET = "core,health,onboarding,retention,communication,support,expansion,feedback,system";

export interface ToolTokens {
  name: string;
  description: number;
  input: number;
  output: number;
  /** The whole definition: name, title, description, schemas, annotations, _meta. */
  total: number;
}

export interface ListingTokens {
  tokenizer: Tokenizer;
  tools: ToolTokens[];
  /** Parts summed over the tools. */
  description: number;
  input: number;
  output: number;
  /** The tools/list result `{tools: [...]}` as one JSON text. */
  total: number;
}

const encoders = new Map<Tokenizer, Tiktoken>();
function encoder(name: Tokenizer): Tiktoken {
  let e = encoders.get(name);
  if (!e) encoders.set(name, (e = getEncoding(name)));
  return e;
}

export const countTokens = (tokenizer: Tokenizer, text: string): number => encoder(tokenizer).encode(text).length;

export function measureListing(tools: readonly Tool[], tokenizer: Tokenizer): ListingTokens {
  const count = (v: unknown) => (v === undefined ? 0 : countTokens(tokenizer, typeof v === "string" ? v : JSON.stringify(v)));
  const rows = tools.map((t) => ({ name: t.name, description: count(t.description), input: count(t.inputSchema), output: count(t.outputSchema), total: count(t) }));
  const sum = (k: "description" | "input" | "output") => rows.reduce((s, r) => s + r[k], 0);
  return { tokenizer, tools: rows, description: sum("description"), input: sum("input"), output: sum("output"), total: count({ tools }) };
}

/** tools/list of the built server (dist/src/cli.js) started with these arguments on a throwaway embedded database. */
export async function listToolsOf(args: readonly string[]): Promise<Tool[]> {
  const dir = mkdtempSync(join(tmpdir(), "cs-mcp-tokens-"));
  try {
    const server = await startServer({ label: `cs-mcp ${args.join(" ")}`.trim(), script: BUILT_CLI, args: [...args], cwd: dir, env: { CS_MCP_DATA_DIR: join(dir, "data") } });
    try {
      return await server.listTools();
    } finally {
      await server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The full list: `--toolsets all` where the server knows it, else every toolset named. */
export async function listAllTools(): Promise<{ args: string[]; tools: Tool[] }> {
  try {
    const args = ["--toolsets", "all"];
    return { args, tools: await listToolsOf(args) };
  } catch {
    const args = ["--toolsets", EVERY_TOOLSET];
    return { args, tools: await listToolsOf(args) };
  }
}
