// A fake vendor on 127.0.0.1 for the chaos tests (node:http). Each request gets a behaviour from the
// test: answer, fail with 500, 429 with Retry-After, 400, hang (never answer), or accept-then-hang
// (records the side effect, then never answers: a crash between "vendor accepted" and "we recorded it").
// Like a real vendor with idempotency keys, it applies a side effect once per Idempotency-Key and answers
// a repeated key with the first result. Bounded: at most `maxRequests` requests, and it closes itself
// after `lifetimeMs`.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { VendorError, type OperationHandler } from "../../src/integrations/types.ts";
import type { Integration } from "../../src/integrations/status.ts";

export type Behaviour =
  | { kind: "ok" }
  | { kind: "status"; status: number; retryAfterSeconds?: number }
  | { kind: "hang" }
  | { kind: "accept_then_hang" };

export interface SeenRequest {
  key: string | null;
  at: number;
  /** The client closed the connection before an answer (its request was aborted). */
  aborted: boolean;
  answered: boolean;
}

export interface FakeVendor {
  url: string;
  requests: SeenRequest[];
  /** Side effects applied, per idempotency key: exactly-once means every value is 1. */
  effects: Map<string, number>;
  /** Chooses the behaviour of the n-th request (0-based). Default: ok. */
  behave: (n: number, key: string | null) => Behaviour;
  waitForRequests(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeVendor(options: { maxRequests?: number; lifetimeMs?: number } = {}): Promise<FakeVendor> {
  const maxRequests = options.maxRequests ?? 5_000;
  const results = new Map<string, string>();
  const held = new Set<ServerResponse>();
  let nextId = 1;
  const fake: FakeVendor = {
    url: "",
    requests: [],
    effects: new Map(),
    behave: () => ({ kind: "ok" }),
    async waitForRequests(n, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (fake.requests.length < n) {
        if (Date.now() > until) throw new Error(`fake vendor: ${fake.requests.length} requests seen, waited for ${n}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: () => close(),
  };

  const apply = (key: string | null): string => {
    if (key && results.has(key)) return results.get(key)!; // a redelivery: same answer, no new effect
    const id = `fake_${nextId++}`;
    if (key) {
      results.set(key, id);
      fake.effects.set(key, (fake.effects.get(key) ?? 0) + 1);
    }
    return id;
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const n = fake.requests.length;
    const key = (req.headers["idempotency-key"] as string | undefined) ?? null;
    const seen: SeenRequest = { key, at: Date.now(), aborted: false, answered: false };
    fake.requests.push(seen);
    res.on("close", () => {
      held.delete(res);
      if (!res.writableFinished) seen.aborted = true;
    });
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (n >= maxRequests) {
        res.writeHead(503).end();
        return;
      }
      const b = fake.behave(n, key);
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        seen.answered = true;
        res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
      };
      switch (b.kind) {
        case "ok":
          send(200, { id: apply(key) });
          return;
        case "status":
          send(b.status, { error: `status ${b.status}` }, b.retryAfterSeconds !== undefined ? { "retry-after": String(b.retryAfterSeconds) } : {});
          return;
        case "accept_then_hang":
          apply(key);
          held.add(res);
          return;
        case "hang":
          held.add(res);
          return;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let closed: Promise<void> | null = null;
  const close = () => {
    closed ??= new Promise<void>((resolve) => {
      for (const r of held) r.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    });
    return closed;
  };
  setTimeout(() => void close(), options.lifetimeMs ?? 120_000).unref();
  return fake;
}

/** A port nothing listens on (bound, then released): connection refused. */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * A client the way the vendor clients are written: the idempotency key in a header, the signal on the
 * request, every failure classified as VendorError (status 0 for the network).
 */
export function httpHandler(baseUrl: string | (() => string), integration: Integration): OperationHandler {
  return async (payload, ctx) => {
    const url = typeof baseUrl === "function" ? baseUrl() : baseUrl;
    let res: Response;
    try {
      res = await fetch(`${url}/deliver`, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": ctx.idempotencyKey, authorization: "Bearer sk_live_secret_token_123" },
        body: JSON.stringify(payload),
        signal: ctx.signal,
      });
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new VendorError(integration, 0, `network error calling ${url} with Bearer sk_live_secret_token_123: ${cause}`);
    }
    if (!res.ok) {
      const ra = res.headers.get("retry-after");
      await res.body?.cancel();
      throw new VendorError(integration, res.status, `${integration} answered HTTP ${res.status}`, ra ? Number(ra) * 1000 : undefined);
    }
    const body = (await res.json()) as { id: string };
    return { external_id: body.id, result: { id: body.id } };
  };
}
