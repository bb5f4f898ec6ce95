// Starts an MCP server as a child process over stdio with the SDK client, timing spawn → `initialize`
// answered, and runs the cs-mcp CLI's one-shot commands (demo, migrate). Children get a clean
// environment: PATH, HOME and what the bench passes, so a DATABASE_URL in the shell cannot leak in.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";

/** Built files, found from this module's own location (dist/bench/spawn.js). */
export const ECHO_SERVER = fileURLToPath(new URL("./echo-server.js", import.meta.url));
export const CS_MCP_CLI = fileURLToPath(new URL("../src/cli.js", import.meta.url));

/**
 * cs-mcp settings for every bench run: a rate limit that stays on the call path but never trips. The log
 * level is the default one (info: one audit line per call), as a user runs it.
 */
export const CS_MCP_BENCH_SETTINGS: Record<string, string> = { CS_MCP_RATE_LIMIT_PER_MINUTE: "1000000" };

export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...extra };
}

/** Resident set size of a process in MB (Linux /proc), or null where it cannot be read. */
export function rssMb(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb === undefined ? null : Math.round(Number(kb) / 102.4) / 10;
  } catch {
    return null;
  }
}

/** CPU time (user + system) a process has used so far in ms (Linux /proc), or null where it cannot be read. */
export function cpuMs(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (in parentheses, may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** USER_HZ: 100 on every Linux the bench runs on. */
const CLOCK_TICKS = 100;

export interface ServerSpec {
  label: string;
  script: string;
  args?: string[];
  env?: Record<string, string>;
  /** Working directory of the child (a bench temp dir, so no stray .env is read). */
  cwd: string;
}

export interface RunningServer {
  label: string;
  /** Spawn → initialize answered (client.connect resolved), in ms. */
  startupMs: number;
  /** The child's process id (for memory readings). */
  pid: number | null;
  /** One tools/call; throws when the tool reports an error. Returns the duration in ms and the result. */
  call(name: string, args?: Record<string, unknown>): Promise<{ ms: number; result: CallToolResult }>;
  stderr(): string;
  close(): Promise<void>;
  /** Every page of tools/list, as the client received it. */
  listTools(): Promise<Tool[]>;
}

const STDERR_KEEP = 64 * 1024;

export async function startServer(spec: ServerSpec): Promise<RunningServer> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [spec.script, ...(spec.args ?? [])],
    env: cleanEnv(spec.env),
    cwd: spec.cwd,
    stderr: "pipe",
  });
  let err = "";
  transport.stderr?.on("data", (d: Buffer) => {
    err = (err + d.toString()).slice(-STDERR_KEEP);
  });
  const client = new Client({ name: "cs-mcp-bench", version: "1.0.0" });
  const t0 = performance.now();
  try {
    await client.connect(transport);
  } catch (e) {
    await transport.close().catch(() => {});
    throw new Error(`${spec.label}: start-up failed: ${(e as Error).message}\n${err}`);
  }
  const startupMs = performance.now() - t0;
  return {
    label: spec.label,
    startupMs,
    pid: transport.pid,
    async call(name, args = {}) {
      const t = performance.now();
      const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
      const ms = performance.now() - t;
      if (result.isError) {
        const first = result.content[0];
        throw new Error(`${spec.label}: ${name} failed: ${first && first.type === "text" ? first.text : JSON.stringify(result)}`);
      }
      return { ms, result };
    },
    stderr: () => err,
    close: () => client.close(),
    async listTools() {
      const tools: Tool[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.listTools(cursor ? { cursor } : {});
        tools.push(...page.tools);
        cursor = page.nextCursor;
      } while (cursor);
      return tools;
    },
  };
}

/** Runs `cs-mcp <args>` to completion; resolves with its stdout, rejects with its stderr. */
export function runCli(args: string[], env: Record<string, string>, cwd: string, timeoutMs = 300_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [CS_MCP_CLI, ...args],
      { env: cleanEnv({ ...CS_MCP_BENCH_SETTINGS, ...env }), cwd, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`cs-mcp ${args.join(" ")} failed (${error.message.split("\n")[0]}):\n${stderr.slice(-4000)}`));
        else resolve(stdout);
      },
    );
  });
}
