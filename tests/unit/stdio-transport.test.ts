import { describe, it, expect, afterEach } from "vitest";
import { PassThrough } from "node:stream";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { INVALID_REQUEST, PARSE_ERROR, SafeStdioTransport } from "../../src/server/stdio-transport.ts";

const tick = () => new Promise((r) => setImmediate(r));
async function settle() {
  for (let i = 0; i < 5; i++) await tick();
}

interface Harness {
  stdin: PassThrough;
  stdout: PassThrough;
  transport: SafeStdioTransport;
  messages: JSONRPCMessage[];
  /** Every line written to stdout, parsed. */
  written(): Array<Record<string, any>>;
  oversize: number[];
  closes: number;
}

const open: Harness[] = [];

async function harness(maxMessageBytes = 1024): Promise<Harness> {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  let out = "";
  stdout.on("data", (c: Buffer) => (out += c.toString("utf8")));
  const h: Harness = {
    stdin,
    stdout,
    messages: [],
    oversize: [],
    closes: 0,
    written: () =>
      out
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l)),
    transport: undefined as unknown as SafeStdioTransport,
  };
  h.transport = new SafeStdioTransport(stdin, stdout, { maxMessageBytes, onOversize: (n) => h.oversize.push(n) });
  h.transport.onmessage = (m) => h.messages.push(m);
  h.transport.onclose = () => (h.closes += 1);
  await h.transport.start();
  open.push(h);
  return h;
}

afterEach(async () => {
  for (const h of open.splice(0)) await h.transport.close();
});

const ping = { jsonrpc: "2.0", id: 1, method: "ping" };

describe("SafeStdioTransport: reading", () => {
  it("delivers a valid request line, parsed", async () => {
    const h = await harness();
    h.stdin.write(`${JSON.stringify(ping)}\n`);
    await settle();
    expect(h.messages).toEqual([ping]);
    expect(h.written()).toEqual([]);
  });

  it("delivers notifications and responses too", async () => {
    const h = await harness();
    const note = { jsonrpc: "2.0", method: "notifications/initialized" };
    const resp = { jsonrpc: "2.0", id: "a", result: {} };
    h.stdin.write(`${JSON.stringify(note)}\n${JSON.stringify(resp)}\n`);
    await settle();
    expect(h.messages).toEqual([note, resp]);
  });

  it("answers a line that is not JSON with -32700 and id null", async () => {
    const h = await harness();
    h.stdin.write("this is not json\n");
    await settle();
    expect(h.messages).toEqual([]);
    const out = h.written();
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32700 } });
    expect(out[0]!.error.code).toBe(PARSE_ERROR);
    expect(typeof out[0]!.error.message).toBe("string");
    expect(Object.keys(out[0]!).sort()).toEqual(["error", "id", "jsonrpc"]);
  });

  it("answers a message without jsonrpc with -32600 and its id", async () => {
    const h = await harness();
    h.stdin.write('{"id":7,"method":"x"}\n');
    await settle();
    expect(h.messages).toEqual([]);
    expect(h.written()).toEqual([{ jsonrpc: "2.0", id: 7, error: { code: INVALID_REQUEST, message: expect.any(String) } }]);
    expect(INVALID_REQUEST).toBe(-32600);
  });

  it("keeps a string id and answers a jsonrpc 2.0 object that is no JSON-RPC message with -32600", async () => {
    const h = await harness();
    h.stdin.write('{"jsonrpc":"2.0","id":"req-9"}\n');
    await settle();
    expect(h.messages).toEqual([]);
    expect(h.written()).toEqual([{ jsonrpc: "2.0", id: "req-9", error: { code: -32600, message: expect.any(String) } }]);
  });

  it("answers a JSON array (batch) with -32600 and id null", async () => {
    const h = await harness();
    h.stdin.write(`[${JSON.stringify(ping)}]\n`);
    await settle();
    expect(h.messages).toEqual([]);
    expect(h.written()).toEqual([{ jsonrpc: "2.0", id: null, error: { code: -32600, message: expect.any(String) } }]);
  });

  it("answers JSON scalars with -32600", async () => {
    const h = await harness();
    h.stdin.write('42\n"x"\nnull\n');
    await settle();
    expect(h.written().map((m) => [m.id, m.error.code])).toEqual([
      [null, -32600],
      [null, -32600],
      [null, -32600],
    ]);
  });

  it("reassembles a message split across several chunks", async () => {
    const h = await harness();
    const line = `${JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "list_clients", arguments: { limit: 5 } } })}\n`;
    for (const part of [line.slice(0, 10), line.slice(10, 30), line.slice(30, 31), line.slice(31)]) {
      h.stdin.write(part);
      await settle();
    }
    expect(h.messages).toEqual([{ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "list_clients", arguments: { limit: 5 } } }]);
  });

  it("reassembles a multi-byte UTF-8 character split between chunks", async () => {
    const h = await harness();
    const buf = Buffer.from(`${JSON.stringify({ jsonrpc: "2.0", id: 3, method: "x", params: { q: "Zürich €" } })}\n`, "utf8");
    const cut = buf.indexOf(Buffer.from("€")) + 1; // inside the 3-byte euro sign
    h.stdin.write(buf.subarray(0, cut));
    await settle();
    h.stdin.write(buf.subarray(cut));
    await settle();
    expect(h.messages).toEqual([{ jsonrpc: "2.0", id: 3, method: "x", params: { q: "Zürich €" } }]);
  });

  it("delivers two messages that arrive in one chunk, in order", async () => {
    const h = await harness();
    const a = { jsonrpc: "2.0", id: 1, method: "a" };
    const b = { jsonrpc: "2.0", id: 2, method: "b" };
    h.stdin.write(`${JSON.stringify(a)}\n${JSON.stringify(b)}\n`);
    await settle();
    expect(h.messages).toEqual([a, b]);
  });

  it("handles CRLF line endings and ignores blank lines", async () => {
    const h = await harness();
    h.stdin.write(`${JSON.stringify(ping)}\r\n\r\n\n${JSON.stringify({ ...ping, id: 2 })}\r\n`);
    await settle();
    expect(h.messages).toEqual([ping, { ...ping, id: 2 }]);
    expect(h.written()).toEqual([]);
  });

  it("keeps an unterminated line until its newline arrives", async () => {
    const h = await harness();
    h.stdin.write(JSON.stringify(ping));
    await settle();
    expect(h.messages).toEqual([]);
    h.stdin.write("\n");
    await settle();
    expect(h.messages).toEqual([ping]);
  });
});

describe("SafeStdioTransport: size limit", () => {
  it("reports a line longer than maxMessageBytes and does not deliver it", async () => {
    const h = await harness(1024);
    const big = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "x", params: { pad: "p".repeat(2000) } });
    h.stdin.write(`${big}\n`);
    await settle();
    expect(h.oversize).toHaveLength(1);
    expect(h.oversize[0]).toBeGreaterThan(1024);
    expect(h.oversize[0]).toBe(Buffer.byteLength(big));
    expect(h.messages).toEqual([]);
  });

  it("accepts a line of exactly maxMessageBytes", async () => {
    const h = await harness(1024);
    const head = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "x", params: { pad: "" } });
    const line = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "x", params: { pad: "p".repeat(1024 - Buffer.byteLength(head)) } });
    expect(Buffer.byteLength(line)).toBe(1024);
    h.stdin.write(`${line}\n`);
    await settle();
    expect(h.oversize).toEqual([]);
    expect(h.messages).toHaveLength(1);
  });

  it("reports a partial line (no newline yet) that grows past the limit", async () => {
    const h = await harness(1024);
    h.stdin.write("x".repeat(600));
    await settle();
    expect(h.oversize).toEqual([]);
    h.stdin.write("y".repeat(600));
    await settle();
    expect(h.oversize).toEqual([1200]);
    expect(h.messages).toEqual([]);
  });

  it("counts the buffered part when the newline finally arrives", async () => {
    const h = await harness(1024);
    h.stdin.write("z".repeat(1000));
    await settle();
    h.stdin.write(`${"z".repeat(100)}\n`);
    await settle();
    expect(h.oversize).toEqual([1100]);
  });
});

describe("SafeStdioTransport: writing and closing", () => {
  it("send writes one JSON line", async () => {
    const h = await harness();
    await h.transport.send({ jsonrpc: "2.0", id: 5, result: { ok: true } });
    await settle();
    expect(h.written()).toEqual([{ jsonrpc: "2.0", id: 5, result: { ok: true } }]);
  });

  it("calls onclose once when stdin ends", async () => {
    const h = await harness();
    h.stdin.end();
    await settle();
    expect(h.closes).toBe(1);
    await h.transport.close();
    expect(h.closes).toBe(1);
  });

  it("stops delivering and writing after close", async () => {
    const h = await harness();
    await h.transport.close();
    expect(h.closes).toBe(1);
    h.stdin.write(`${JSON.stringify(ping)}\n`);
    await h.transport.send({ jsonrpc: "2.0", id: 1, result: {} });
    await settle();
    expect(h.messages).toEqual([]);
    expect(h.written()).toEqual([]);
  });

  it("forwards stdin errors to onerror", async () => {
    const h = await harness();
    const errors: Error[] = [];
    h.transport.onerror = (e) => errors.push(e);
    h.stdin.emit("error", new Error("EPIPE"));
    expect(errors.map((e) => e.message)).toEqual(["EPIPE"]);
  });
});
