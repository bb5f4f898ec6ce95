// A stdio transport that closes the gaps of the SDK's own (STACK.md): a line that is not JSON gets a
// -32700 answer, a message that is not JSON-RPC gets -32600 with its id, an oversized message is reported
// on stderr and ends the process with a non-zero code (via onOversize), and stdin's end closes the
// transport so the process can exit promptly; tools/call arguments that are not an object get -32602.
import type { Readable, Writable } from "node:stream";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { JSONRPCMessageSchema, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const INVALID_PARAMS = -32602;

type Id = string | number | null;

export interface StdioTransportOptions {
  maxMessageBytes: number;
  onOversize(bytes: number): void;
}

export class SafeStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private chunks: Buffer[] = [];
  private buffered = 0;
  private closed = false;

  constructor(
    private readonly stdin: Readable,
    private readonly stdout: Writable,
    private readonly options: StdioTransportOptions,
  ) {}

  private readonly onData = (chunk: Buffer) => {
    let start = 0;
    let nl = chunk.indexOf(0x0a, start);
    while (nl !== -1) {
      const part = chunk.subarray(start, nl);
      const size = this.buffered + part.length;
      if (size > this.options.maxMessageBytes) return this.oversize(size);
      const line = this.chunks.length ? Buffer.concat([...this.chunks, part]) : part;
      this.chunks = [];
      this.buffered = 0;
      this.handleLine(line.toString("utf8").replace(/\r$/, ""));
      if (this.closed) return;
      start = nl + 1;
      nl = chunk.indexOf(0x0a, start);
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.buffered += rest.length;
      if (this.buffered > this.options.maxMessageBytes) return this.oversize(this.buffered);
      this.chunks.push(rest);
    }
  };

  private readonly onEnd = () => {
    void this.close();
  };

  private readonly onError = (error: Error) => {
    this.onerror?.(error);
  };

  async start(): Promise<void> {
    this.stdin.on("data", this.onData);
    this.stdin.on("end", this.onEnd);
    this.stdin.on("close", this.onEnd);
    this.stdin.on("error", this.onError);
  }

  private oversize(bytes: number): void {
    this.chunks = [];
    this.buffered = 0;
    this.options.onOversize(bytes);
  }

  private handleLine(line: string): void {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      void this.sendError(null, PARSE_ERROR, `Parse error: ${(err as Error).message}`);
      return;
    }
    if (Array.isArray(value)) {
      void this.sendError(null, INVALID_REQUEST, "Invalid Request: JSON-RPC batches are not supported by MCP");
      return;
    }
    const id = idOf(value);
    if (typeof value !== "object" || value === null || (value as { jsonrpc?: unknown }).jsonrpc !== "2.0") {
      void this.sendError(id, INVALID_REQUEST, 'Invalid Request: "jsonrpc" must be "2.0"');
      return;
    }
    // The SDK copies params into new objects, where a "__proto__" key would silently become the copy's
    // prototype instead of reaching validation: refuse such keys here, by path, before anything runs.
    if (line.includes('"__proto__"')) {
      const path = protoKeyPath(value, "");
      if (path !== null) {
        void this.sendError(id, INVALID_PARAMS, `Invalid params: ${path}: keys named "__proto__" are not accepted`);
        return;
      }
    }
    // The SDK answers tools/call arguments that are not an object with a generic -32603: they are the
    // caller's invalid params, so say so, by name.
    const call = value as { method?: unknown; params?: { arguments?: unknown } };
    if (call.method === "tools/call" && call.params && typeof call.params === "object" && "arguments" in call.params) {
      const args = call.params.arguments;
      if (args === null || typeof args !== "object" || Array.isArray(args)) {
        void this.sendError(id, INVALID_PARAMS, `Invalid params: arguments: must be an object of the tool's named parameters, got ${args === null ? "null" : Array.isArray(args) ? "an array" : typeof args}`);
        return;
      }
    }
    const parsed = JSONRPCMessageSchema.safeParse(value);
    if (!parsed.success) {
      void this.sendError(id, INVALID_REQUEST, "Invalid Request: not a JSON-RPC request, notification or response");
      return;
    }
    this.onmessage?.(parsed.data);
  }

  private sendError(id: Id, code: number, message: string): Promise<void> {
    return this.write({ jsonrpc: "2.0", id, error: { code, message } });
  }

  send(message: JSONRPCMessage): Promise<void> {
    return this.write(message);
  }

  private write(message: unknown): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      if (this.stdout.write(`${JSON.stringify(message)}\n`)) resolve();
      else this.stdout.once("drain", resolve);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stdin.off("data", this.onData);
    this.stdin.off("end", this.onEnd);
    this.stdin.off("close", this.onEnd);
    this.stdin.off("error", this.onError);
    this.stdin.pause();
    this.chunks = [];
    this.onclose?.();
  }
}

/** The path of the first own "__proto__" key inside value (JSON.parse makes them own properties), or null. */
function protoKeyPath(value: unknown, path: string): string | null {
  if (value === null || typeof value !== "object") return null;
  for (const key of Object.keys(value)) {
    const here = path ? `${path}.${key}` : key;
    if (key === "__proto__") return here;
    const inner = protoKeyPath((value as Record<string, unknown>)[key], here);
    if (inner !== null) return inner;
  }
  return null;
}

function idOf(value: unknown): Id {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const id = (value as { id?: unknown }).id;
    if (typeof id === "string" || (typeof id === "number" && Number.isFinite(id))) return id;
  }
  return null;
}
