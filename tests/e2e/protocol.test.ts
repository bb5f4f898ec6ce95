// The stdio gaps of the SDK, closed by our transport and process handling, checked on the raw byte
// stream of the spawned server: malformed lines are answered, stdout carries only JSON-RPC, an
// oversized message ends the process non-zero, EOF ends it promptly with the database closed.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { embeddedDataDir } from "../helpers/databases.ts";
import { CLI, serverEnv } from "../helpers/server.ts";

interface Raw {
  child: ChildProcessWithoutNullStreams;
  lines: string[];
  stderr: () => string;
  next(predicate: (msg: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  send(line: string): void;
  exited: Promise<{ code: number | null; ms: number }>;
  dir: string;
}

const running: Array<{ raw: Raw; remove: () => void }> = [];

function startRaw(extraEnv: Record<string, string> = {}, args: string[] = []): Raw {
  const { dir, remove } = embeddedDataDir();
  const child = spawn(process.execPath, [CLI, ...args], { env: serverEnv({ CS_MCP_DATA_DIR: dir, ...extraEnv }) });
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  let buf = "";
  let err = "";
  let closedAt = 0;
  child.stdout.on("data", (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      lines.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
    for (const w of waiters.splice(0)) w();
  });
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; ms: number }>((resolve) =>
    child.on("exit", (code) => resolve({ code, ms: closedAt ? Date.now() - closedAt : -1 })),
  );
  const raw: Raw = {
    child,
    lines,
    dir,
    stderr: () => err,
    exited,
    send(line) {
      child.stdin.write(`${line}\n`);
    },
    async next(predicate, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      let seen = 0;
      for (;;) {
        for (; seen < lines.length; seen++) {
          const msg = JSON.parse(lines[seen]!) as Record<string, unknown>;
          if (predicate(msg)) return msg;
        }
        if (Date.now() > deadline) throw new Error(`no matching message; stdout: ${lines.join("\n")}\nstderr: ${err}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 200);
        });
      }
    },
  };
  child.stdin.on("close", () => (closedAt = Date.now()));
  const origEnd = child.stdin.end.bind(child.stdin);
  child.stdin.end = ((...a: unknown[]) => {
    closedAt = Date.now();
    return (origEnd as (...x: unknown[]) => unknown)(...a);
  }) as typeof child.stdin.end;
  running.push({ raw, remove });
  return raw;
}

async function initialize(raw: Raw): Promise<void> {
  raw.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } } }));
  await raw.next((m) => m.id === 1);
  raw.send(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }));
}

afterEach(async () => {
  for (const { raw, remove } of running.splice(0)) {
    if (raw.child.exitCode === null) {
      raw.child.kill("SIGKILL");
      await raw.exited;
    }
    remove();
  }
});

describe("stdio protocol hygiene", () => {
  it("answers a line that is not JSON with -32700 and keeps serving", async () => {
    const raw = startRaw();
    await initialize(raw);
    raw.send("this is not json");
    const err = await raw.next((m) => (m.error as { code?: number } | undefined)?.code === -32700);
    expect(err).toMatchObject({ jsonrpc: "2.0", id: null });
    raw.send(JSON.stringify({ jsonrpc: "2.0", id: 2, method: "ping" }));
    expect(await raw.next((m) => m.id === 2)).toMatchObject({ result: {} });
  });

  it("answers a message without jsonrpc with -32600 carrying its id", async () => {
    const raw = startRaw();
    await initialize(raw);
    raw.send(JSON.stringify({ id: 5, method: "ping" }));
    expect(await raw.next((m) => m.id === 5)).toMatchObject({ jsonrpc: "2.0", id: 5, error: { code: -32600 } });
    raw.send(JSON.stringify([{ jsonrpc: "2.0", id: 6, method: "ping" }]));
    expect(await raw.next((m) => (m.error as { code?: number } | undefined)?.code === -32600 && m.id === null)).toBeTruthy();
  });

  it("writes nothing but JSON-RPC messages to stdout, errors included", async () => {
    const raw = startRaw({ LOG_LEVEL: "trace" });
    await initialize(raw);
    raw.send(JSON.stringify({ jsonrpc: "2.0", id: 10, method: "tools/list" }));
    raw.send(JSON.stringify({ jsonrpc: "2.0", id: 11, method: "tools/call", params: { name: "list_clients", arguments: { limit: "x" } } }));
    raw.send(JSON.stringify({ jsonrpc: "2.0", id: 12, method: "tools/call", params: { name: "health_check_deep", arguments: {} } }));
    await raw.next((m) => m.id === 12);
    await raw.next((m) => m.id === 11);
    for (const line of raw.lines) {
      const msg = JSON.parse(line) as Record<string, unknown>;
      expect(msg.jsonrpc).toBe("2.0");
    }
    // Log lines leave in batches (src/observability/logger.ts): wait for the audit line.
    await expect.poll(() => raw.stderr()).toContain('"msg":"tool call"');
  });

  it("reports an oversized message on stderr and exits non-zero", async () => {
    const raw = startRaw({ CS_MCP_MAX_MESSAGE_BYTES: "2048" });
    await initialize(raw);
    raw.send(JSON.stringify({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "list_clients", arguments: { cursor: "x".repeat(5000) } } }));
    const { code } = await raw.exited;
    expect(code).toBe(2);
    expect(raw.stderr()).toContain("message larger than CS_MCP_MAX_MESSAGE_BYTES");
  });

  it("exits with code 0 within 2 s of stdin closing, releasing the database", async () => {
    const raw = startRaw();
    await initialize(raw);
    raw.send(JSON.stringify({ jsonrpc: "2.0", id: 4, method: "tools/call", params: { name: "list_clients", arguments: {} } }));
    await raw.next((m) => m.id === 4);
    expect(existsSync(join(raw.dir, "cs-mcp.lock"))).toBe(true);
    raw.child.stdin.end();
    const { code, ms } = await raw.exited;
    expect(code).toBe(0);
    expect(ms).toBeLessThan(2000);
    expect(existsSync(join(raw.dir, "cs-mcp.lock"))).toBe(false);
  });

  it("refuses to open an embedded database another server holds", async () => {
    const first = startRaw();
    await initialize(first);
    const second = spawn(process.execPath, [CLI], { env: serverEnv({ CS_MCP_DATA_DIR: first.dir }) });
    let err = "";
    second.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => second.on("exit", r));
    expect(code).toBe(1);
    expect(err).toContain(`in use by another cs-mcp process (pid ${first.child.pid})`);
  });
});

describe("refused requests and start-up failures", () => {
  it("answers tools/call whose arguments are not an object with -32602, naming the field", async () => {
    const raw = startRaw();
    await initialize(raw);
    const bad: unknown[] = ["a string", [1, 2], 5, null];
    bad.forEach((args, i) => raw.send(JSON.stringify({ jsonrpc: "2.0", id: 10 + i, method: "tools/call", params: { name: "list_clients", arguments: args } })));
    for (let i = 0; i < bad.length; i++) {
      const m = (await raw.next((x) => x.id === 10 + i)) as { error?: { code: number; message: string } };
      expect(m.error?.code).toBe(-32602);
      expect(m.error?.message).toMatch(/arguments: must be an object/);
    }
  });

  it("does not deliver queued side effects when read-only (delivery is a change)", async () => {
    const raw = startRaw({ CS_MCP_READ_ONLY: "true" });
    await initialize(raw);
    raw.send(JSON.stringify({ jsonrpc: "2.0", id: 20, method: "tools/call", params: { name: "list_clients", arguments: {} } }));
    await raw.next((m) => m.id === 20);
    while (!raw.stderr().includes('"serving MCP over stdio"')) await new Promise((r) => setTimeout(r, 50));
    const serving = raw.stderr().split("\n").filter((l) => l.includes('"serving MCP over stdio"')).map((l) => JSON.parse(l) as { outbox_dispatch?: boolean });
    expect(serving).toHaveLength(1);
    expect(serving[0]!.outbox_dispatch).toBe(false);
  });

  it("exits non-zero with one clear stderr line when its PostgreSQL cannot be reached", async () => {
    const raw = startRaw({ DATABASE_URL: "postgresql://cs:secret-pw@127.0.0.1:1/cs" });
    await initialize(raw);
    const { code } = await raw.exited;
    expect(code).toBe(1);
    expect(raw.stderr()).toMatch(/^cs-mcp: cannot open the database: .*ECONNREFUSED/m);
    expect(raw.stderr()).not.toContain("secret-pw");
  });

  it("exits non-zero when its embedded data directory cannot be created", async () => {
    const parent = mkdtempSync(join(tmpdir(), "cs-mcp-not-a-dir-"));
    writeFileSync(join(parent, "file"), "a file where the data directory's parent should be");
    const raw = startRaw({ CS_MCP_DATA_DIR: join(parent, "file", "data") });
    await initialize(raw);
    const { code } = await raw.exited;
    rmSync(parent, { recursive: true, force: true });
    expect(code).toBe(1);
    expect(raw.stderr()).toMatch(/^cs-mcp: cannot open the database: ENOTDIR/m);
  });
});

describe("process guards", () => {
  it("logs an unhandled rejection and a timer exception without dying", async () => {
    const script = `
      const { installProcessGuards } = await import(${JSON.stringify(join(process.cwd(), "dist/src/cli/process-guards.js"))});
      const { createLogger } = await import(${JSON.stringify(join(process.cwd(), "dist/src/observability/logger.js"))});
      installProcessGuards(createLogger("info"), () => {});
      Promise.reject(new Error("rejected in a tool"));
      setTimeout(() => { throw new Error("thrown in a timer"); }, 10);
      console.log("diverted from stdout");
      setTimeout(() => { process.stderr.write("still alive\\n"); process.exit(0); }, 200);
    `;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script]);
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => child.on("exit", r));
    expect(code).toBe(0);
    expect(out).toBe("");
    expect(err).toContain("rejected in a tool");
    expect(err).toContain("thrown in a timer");
    expect(err).toContain("diverted from stdout");
    expect(err).toContain("still alive");
  });
});
