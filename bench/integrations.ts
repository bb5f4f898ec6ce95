// Integrations bench: (1) how long a call takes to answer while its vendor hangs, as a ratio to the same
// call with the vendor healthy: before the breaker opens it returns at its deadline, after it fails fast;
// (2) deliveries per second of the outbox dispatcher against a healthy fake vendor on loopback.
// The fake is a node:http server on 127.0.0.1 started and stopped here. The dispatcher runs on a fresh
// embedded database, or on a throwaway PostgreSQL database when DATABASE_URL is set.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { loadConfig } from "../src/config/load.ts";
import { openDatabase } from "../src/db/database.ts";
import { createLogger } from "../src/observability/logger.ts";
import { createResilience } from "../src/integrations/resilience/index.ts";
import { OutboxDispatcher } from "../src/integrations/outbox-dispatcher.ts";
import { VendorError, type OperationHandler } from "../src/integrations/types.ts";

export interface IntegrationsBenchResult {
  hang: {
    deadline_ms: number;
    healthy_median_ms: number;
    hanging_until_breaker_opens_median_ms: number;
    hanging_with_breaker_open_median_ms: number;
    ratio_hanging_to_healthy: number;
    ratio_breaker_open_to_healthy: number;
  };
  dispatcher: { database: "embedded" | "postgres"; deliveries: number; seconds: number; deliveries_per_second: number; batch_size: number; concurrency: number };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

async function fakeVendor(mode: { hang: boolean }): Promise<{ url: string; server: Server; seen: Set<string> }> {
  const seen = new Set<string>();
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      if (mode.hang) return; // never answers; the client's abort closes the socket
      const key = req.headers["idempotency-key"];
      if (typeof key === "string") seen.add(key);
      res.writeHead(200, { "content-type": "application/json" }).end('{"id":"x"}');
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, seen };
}

const stop = (s: Server) =>
  new Promise<void>((r) => {
    s.closeAllConnections();
    s.close(() => r());
  });

function handler(url: string): OperationHandler {
  return async (payload, ctx) => {
    let res: Response;
    try {
      res = await fetch(`${url}/send`, { method: "POST", headers: { "idempotency-key": ctx.idempotencyKey, "content-type": "application/json" }, body: JSON.stringify(payload), signal: ctx.signal });
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      throw new VendorError("sendgrid", 0, "network error");
    }
    if (!res.ok) throw new VendorError("sendgrid", res.status, `HTTP ${res.status}`);
    const body = (await res.json()) as { id: string };
    return { external_id: body.id };
  };
}

async function hangBench(): Promise<IntegrationsBenchResult["hang"]> {
  const deadlineMs = 250;
  const threshold = 5;
  const mode = { hang: false };
  const fake = await fakeVendor(mode);
  const config = loadConfig({
    SENDGRID_TIMEOUT_MS: "1000",
    INTEGRATION_DEADLINE_MS: String(deadlineMs),
    INTEGRATION_BREAKER_THRESHOLD: String(threshold),
    INTEGRATION_BREAKER_RESET_MS: "60000",
    LOG_LEVEL: "silent",
  });
  const resilience = createResilience(config, createLogger("silent"));
  const call = async () => {
    const t0 = performance.now();
    await resilience.call("sendgrid", (signal) => handler(fake.url)({}, { idempotencyKey: randomBytes(8).toString("hex"), signal })).catch(() => {});
    return performance.now() - t0;
  };
  try {
    for (let i = 0; i < 20; i++) await call(); // warm-up (keep-alive connection, JIT)
    const healthy: number[] = [];
    for (let i = 0; i < 200; i++) healthy.push(await call());
    mode.hang = true;
    const hanging: number[] = [];
    for (let i = 0; i < threshold; i++) hanging.push(await call());
    if (resilience.breakerState("sendgrid") !== "open") throw new Error("bench: the breaker did not open at its threshold");
    const open: number[] = [];
    for (let i = 0; i < 200; i++) open.push(await call());
    const h = median(healthy);
    return {
      deadline_ms: deadlineMs,
      healthy_median_ms: round(h, 3),
      hanging_until_breaker_opens_median_ms: round(median(hanging), 1),
      hanging_with_breaker_open_median_ms: round(median(open), 3),
      ratio_hanging_to_healthy: round(median(hanging) / h, 1),
      ratio_breaker_open_to_healthy: round(median(open) / h, 3),
    };
  } finally {
    await resilience.close();
    await stop(fake.server);
  }
}

async function dispatcherBench(): Promise<IntegrationsBenchResult["dispatcher"]> {
  const deliveries = 2_000;
  const fake = await fakeVendor({ hang: false });
  const logger = createLogger("silent");
  const admin = process.env.DATABASE_URL;
  let cleanup: () => Promise<void>;
  let env: Record<string, string>;
  if (admin) {
    const name = `cs_bench_${randomBytes(5).toString("hex")}`;
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`CREATE DATABASE ${name}`);
    await c.end();
    const url = new URL(admin);
    url.pathname = `/${name}`;
    env = { DATABASE_URL: url.toString() };
    cleanup = async () => {
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    };
  } else {
    const dir = mkdtempSync(join(tmpdir(), "cs-mcp-bench-outbox-"));
    env = { CS_MCP_DATA_DIR: dir };
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  }
  const config = loadConfig({ ...env, LOG_LEVEL: "silent", OUTBOX_BATCH_SIZE: "50" });
  const db = await openDatabase(config, logger, { migrate: true });
  const resilience = createResilience(config, logger);
  const concurrency = 10;
  try {
    await db.prisma.outboxMessage.createMany({
      data: Array.from({ length: deliveries }, (_, i) => ({ integration: "sendgrid", operation: "bench.send", payload: { n: i }, idempotency_key: `bench-${i}` })),
    });
    const dispatcher = new OutboxDispatcher({
      prisma: db.prisma,
      registry: { "bench.send": { integration: "sendgrid", handler: handler(fake.url) } },
      resilience,
      logger,
      config,
      options: { concurrency },
    });
    const t0 = performance.now();
    while ((await dispatcher.runOnce()).length > 0) {
      /* next batch */
    }
    const seconds = (performance.now() - t0) / 1000;
    const delivered = await db.prisma.outboxMessage.count({ where: { status: "delivered" } });
    if (delivered !== deliveries || fake.seen.size !== deliveries) throw new Error(`bench: ${delivered} delivered, ${fake.seen.size} seen, expected ${deliveries}`);
    return { database: db.kind, deliveries, seconds: round(seconds, 2), deliveries_per_second: Math.round(deliveries / seconds), batch_size: config.OUTBOX_BATCH_SIZE, concurrency };
  } finally {
    await resilience.close();
    await db.close();
    await stop(fake.server);
    await cleanup();
  }
}

export async function runIntegrationsBench(): Promise<IntegrationsBenchResult> {
  const hang = await hangBench();
  const dispatcher = await dispatcherBench();
  return { hang, dispatcher };
}
