// Spawns the built `cs-mcp` over stdio and connects the SDK client to it, as Claude Desktop would.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { resolve } from "node:path";

export const CLI = resolve("dist/src/cli.js");

export interface RunningServer {
  client: Client;
  transport: StdioClientTransport;
  stderr: () => string;
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  close(): Promise<void>;
}

/**
 * Environment for a spawned server: PATH and HOME only, plus what the test gives (no DATABASE_URL leak).
 * Every toolset listed (CS_MCP_TOOLSETS=all) unless the test says otherwise: tests of the default
 * surface pass CS_MCP_TOOLSETS: "" themselves.
 */
export function serverEnv(extra: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", LOG_LEVEL: "info", CS_MCP_TOOLSETS: "all", ...extra };
}

export async function startServer(env: Record<string, string>, args: string[] = []): Promise<RunningServer> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, ...args], env: serverEnv(env), stderr: "pipe" });
  let err = "";
  transport.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const client = new Client({ name: "cs-mcp-tests", version: "1.0.0" });
  await client.connect(transport);
  return {
    client,
    transport,
    stderr: () => err,
    call: (name, a = {}) => client.callTool({ name, arguments: a }) as Promise<CallToolResult>,
    close: () => client.close(),
  };
}

/** The `{error: {...}}` body of an isError result. */
export function errorOf(result: CallToolResult): { code: string; message: string; hint?: string } {
  if (!result.isError) throw new Error(`expected an error, got ${JSON.stringify(result.structuredContent)}`);
  const first = result.content[0];
  if (!first || first.type !== "text") throw new Error("error result without text");
  return (JSON.parse(first.text) as { error: { code: string; message: string; hint?: string } }).error;
}

export function dataOf<T = Record<string, unknown>>(result: CallToolResult): T {
  if (result.isError) throw new Error(`tool failed: ${JSON.stringify(result.content)}`);
  return result.structuredContent as T;
}
