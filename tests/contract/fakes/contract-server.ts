// The common part of every vendor fake: an HTTP server on 127.0.0.1 (random port) that checks each request
// against the vendor's OpenAPI description (tests/fixtures/contracts, sources in its SOURCES.md) with openapi-backend, records it, and lets a test
// queue failures (a 4xx, a 429 with Retry-After…). A request that does not match the description is
// answered 400 with the validation errors and kept in `violations`; the tests assert that list is empty.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import dc from "node:diagnostics_channel";
import YAML from "yaml";
import { OpenAPIBackend } from "openapi-backend";

/** The vendor descriptions, kept in the repository with where each came from (SOURCES.md there). */
export const CONTRACTS_DIR = fileURLToPath(new URL("../../fixtures/contracts/", import.meta.url));

/**
 * Loads a description once. `quick` mode: openapi-backend skips its own check of the document (the
 * Intercom 2.14 and SendGrid descriptions fail it: `$ref` with sibling keys, `info.summary` in a 3.0
 * document…) and compiles a validator only for the operations actually called (Intercom's full
 * description is large). `transform` may trim or repair the parsed document first.
 */
export async function loadContract(file: string, opts: { apiRoot?: string; transform?: (doc: any) => any } = {}): Promise<OpenAPIBackend> {
  let doc = YAML.parse(readFileSync(CONTRACTS_DIR + file, "utf8"), { maxAliasCount: -1 });
  if (opts.transform) doc = opts.transform(doc);
  const api = new OpenAPIBackend({
    definition: doc,
    quick: true,
    strict: true,
    apiRoot: opts.apiRoot ?? "/",
    ajvOpts: { strict: false, logger: false } as never,
  });
  await api.init();
  return api;
}

export interface ReceivedRequest {
  method: string;
  path: string;
  /** The path as validated (after a fake's normalisation, e.g. without `.json`). */
  contractPath: string;
  operationId: string | undefined;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  rawBody: string;
  body: unknown;
}

export interface FakeAnswer {
  status: number;
  /** Hold the answer this long (to test deadlines and aborts). */
  delayMs?: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface Normalized {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string | string[]>;
  body: unknown;
}

export interface FakeOptions {
  name: string;
  api: OpenAPIBackend;
  /** Maps the request as sent to the request as described (e.g. strip `.json`). Default: as is. */
  normalize?: (req: Normalized) => Normalized;
  /** When one server fakes several descriptions (Mixpanel ingestion + export): which one a request belongs to. */
  pick?: (req: Normalized) => OpenAPIBackend;
  /** Answers a valid request. `operationId` is the matched operation. */
  answer: (req: ReceivedRequest, fake: FakeServer) => FakeAnswer | Promise<FakeAnswer>;
}

export class FakeServer {
  readonly received: ReceivedRequest[] = [];
  readonly violations: Array<{ method: string; path: string; errors: unknown }> = [];
  /** Answers returned (validated by the fake against the description's response schema) that did not match. */
  readonly answerViolations: Array<{ operationId: string; status: number; errors: unknown }> = [];
  private queued: FakeAnswer[] = [];
  private server: Server | null = null;
  port = 0;

  constructor(private readonly opts: FakeOptions) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get api(): OpenAPIBackend {
    return this.opts.api;
  }

  /** The next valid requests get these answers instead of the normal one. */
  failNext(...answers: FakeAnswer[]): void {
    this.queued.push(...answers);
  }

  reset(): void {
    this.received.length = 0;
    this.violations.length = 0;
    this.answerViolations.length = 0;
    this.queued = [];
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err) => {
        // A bug in the fake itself: fail the test with it rather than hide it behind a 500.
        this.violations.push({ method: req.method ?? "", path: req.url ?? "", errors: `fake error: ${(err as Error)?.stack ?? String(err)}` });
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ fake_error: String(err) }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.port = (this.server!.address() as { port: number }).port;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let buf = Buffer.concat(chunks);
    if (req.headers["content-encoding"] === "gzip") buf = gunzipSync(buf);
    const rawBody = buf.toString("utf8");
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const ctype = String(req.headers["content-type"] ?? "");
    let body: unknown = rawBody === "" ? undefined : rawBody;
    if (rawBody && ctype.includes("json")) {
      try {
        body = JSON.parse(rawBody);
      } catch {
        body = rawBody;
      }
    }
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([, v]) => v !== undefined)) as Record<string, string | string[]>;
    let n: Normalized = { method: req.method ?? "GET", path: url.pathname, query: url.search.slice(1), headers, body };
    if (this.opts.normalize) n = this.opts.normalize(n);

    const api = this.opts.pick ? this.opts.pick(n) : this.opts.api;
    const operation = api.matchOperation({ method: n.method, path: n.path, headers: n.headers, query: n.query });
    const record: ReceivedRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      contractPath: n.path,
      operationId: operation?.operationId,
      query: url.searchParams,
      headers: req.headers,
      rawBody,
      body: n.body,
    };
    if (!operation?.operationId) {
      this.violations.push({ method: n.method, path: n.path, errors: "no operation in the description matches this method and path" });
      return send(res, { status: 404, body: { contract_violation: `no operation for ${n.method} ${n.path}` } });
    }
    const result = api.validateRequest({ method: n.method, path: n.path, headers: n.headers, query: n.query, body: n.body as never }, operation);
    if (!result.valid) {
      this.violations.push({ method: n.method, path: n.path, errors: result.errors });
      return send(res, { status: 400, body: { contract_violation: result.errors } });
    }
    this.received.push(record);
    const answer = this.queued.shift() ?? (await this.opts.answer(record, this));
    // Self-check: the fake's own successful JSON answers must match the description's response schema.
    if (answer.status < 300 && answer.body !== undefined && typeof answer.body === "object") {
      const check = api.validateResponse(answer.body, operation, answer.status);
      if (!check.valid) this.answerViolations.push({ operationId: operation.operationId, status: answer.status, errors: check.errors });
    }
    if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
    if (!res.destroyed) send(res, answer);
  }
}

function send(res: ServerResponse, a: FakeAnswer): void {
  const headers = { ...a.headers };
  let payload = "";
  if (a.body !== undefined) {
    if (typeof a.body === "string") payload = a.body;
    else {
      payload = JSON.stringify(a.body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) headers["content-type"] = "application/json; charset=utf-8";
    }
  }
  res.writeHead(a.status, headers);
  res.end(payload);
}

/** A port nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

/**
 * Records every outgoing HTTP request of this process (node:http clients such as axios and the mixpanel
 * package, and fetch through undici) whose host is not loopback. The tests assert the list stays empty.
 */
export function loopbackGuard(): { offenders: string[]; dispose(): void } {
  const offenders: string[] = [];
  const onHttp = (msg: unknown) => {
    const req = (msg as { request: { host?: string; getHeader(n: string): unknown } }).request;
    const host = String(req.host ?? req.getHeader("host") ?? "").replace(/:\d+$/, "");
    if (!LOOPBACK.has(host)) offenders.push(`http ${host}`);
  };
  const onUndici = (msg: unknown) => {
    const origin = String((msg as { request: { origin?: string } }).request.origin ?? "");
    try {
      const host = new URL(origin).hostname;
      if (!LOOPBACK.has(host)) offenders.push(`fetch ${origin}`);
    } catch {
      offenders.push(`fetch ${origin}`);
    }
  };
  dc.subscribe("http.client.request.start", onHttp);
  dc.subscribe("undici:request:create", onUndici);
  return {
    offenders,
    dispose() {
      dc.unsubscribe("http.client.request.start", onHttp);
      dc.unsubscribe("undici:request:create", onUndici);
    },
  };
}

/** Formats violations for a failing assertion message. */
export function describeViolations(fake: FakeServer): string {
  return JSON.stringify([...fake.violations, ...fake.answerViolations], null, 2).slice(0, 4000);
}
