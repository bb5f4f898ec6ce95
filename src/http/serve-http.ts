// `cs-mcp serve --http`: opens the runtime once (database, Redis, services) and shares it across all
// requests; delivers the outbox as stdio serve does; prints "cs-mcp: listening on http://HOST:PORT/mcp"
// on stderr once bound. On SIGTERM/SIGINT it stops accepting, lets in-flight requests finish within
// CS_MCP_HTTP_SHUTDOWN_GRACE_MS, closes the database and exits 0.
import type { AddressInfo } from "node:net";
import type { Config } from "../config/load.ts";
import type { Logger } from "../observability/logger.ts";
import { Metrics } from "../observability/metrics.ts";
import { PromMetrics } from "../observability/prometheus.ts";
import { ToolPipeline } from "../server/pipeline.ts";
import { toolSurface } from "../tools/index.ts";
import { createMcpServer } from "../server/create-server.ts";
import { serverResources } from "../server/resources/catalogue.ts";
import { createAuthenticator, type Authenticator } from "../auth/authenticator.ts";
import { backupGauges } from "../backup/status.ts";
import type { OutboxDispatcher } from "../integrations/outbox-dispatcher.ts";
import type { Principal } from "../auth/principal.ts";
import { SERVER_VERSION } from "../version.ts";
import { guardConfig, isLoopback } from "./guards.ts";
import { productionHttpProblem } from "../config/profiles.ts";
import { readiness } from "./readiness.ts";
import { OpenModeLatch } from "./auth-mode.ts";
import { createHttpServer, type Authenticate } from "./server.ts";

/** Without an authenticator every caller is this one: allowed only on loopback. */
const LOCAL_PRINCIPAL: Principal = { subject: "local", via: "local", scopes: ["cs:read", "cs:write", "cs:admin"] };

export class StartRefused extends Error {}

export async function serveHttp(config: Config, logger: Logger, options: { authenticate?: Authenticate } = {}): Promise<void> {
  const host = config.CS_MCP_HTTP_HOST;
  const surface = toolSurface(config);
  const tools = surface.allowed;
  const metrics = new Metrics();
  const { openRuntime } = await import("../app.ts");
  const rt = await openRuntime(config, logger, metrics);
  // Callers authenticate (API keys from `cs-mcp keys`, or OAuth tokens) whenever an issuer is configured, a
  // key exists, or the server is reachable beyond this machine; only a loopback server with neither starts
  // open, and a key created while it runs closes it (auth-mode.ts).
  // Its default resource URL names the bound port (known once listening; port 0 picks a free one).
  let authenticator: Authenticator | null = null;
  const authenticatorOf = () => {
    if (!authenticator) throw new Error("the HTTP server answered before it was listening");
    return authenticator;
  };
  const keys = await rt.db.prisma.apiKey.count({ where: { revoked_at: null } });
  const authConfigured = Boolean(options.authenticate) || Boolean(config.CS_MCP_AUTH_ISSUER) || keys > 0;
  const profileRefusal = productionHttpProblem(config.CS_MCP_PROFILE, true, authConfigured);
  if (profileRefusal) {
    await rt.close();
    throw new StartRefused(`${profileRefusal} (create one with cs-mcp keys create, or set CS_MCP_AUTH_ISSUER)`);
  }
  if (!authConfigured && !isLoopback(host)) {
    await rt.close();
    throw new StartRefused(`refusing to serve HTTP on ${host} without authentication: bind 127.0.0.1 (CS_MCP_HTTP_HOST), create an API key (cs-mcp keys create) or configure OAuth (CS_MCP_AUTH_ISSUER)`);
  }
  // Open mode (loopback, no key, no issuer) ends once a key exists; a credential presented is always verified.
  const latch = new OpenModeLatch(
    () => rt.db.prisma.apiKey.count({ where: { revoked_at: null } }),
    () => logger.warn("an API key exists: authentication is now required on this server (open mode ended)"),
  );
  const authenticate: Authenticate =
    options.authenticate ??
    (authConfigured
      ? (header) => authenticatorOf().authenticate(header)
      : async (header) => (header !== undefined || (await latch.authRequired()) ? authenticatorOf().authenticate(header) : LOCAL_PRINCIPAL));
  let dispatcher: OutboxDispatcher | null = null;
  if (config.OUTBOX_DISPATCH_IN_SERVER && !config.CS_MCP_READ_ONLY) {
    const { startDispatcher } = await import("../cli/worker.ts");
    dispatcher = await startDispatcher(config, logger, rt);
  }
  const pipeline = new ToolPipeline(tools, { services: rt.services, limiter: rt.limiter, logger, metrics, timeoutMs: config.CS_MCP_TOOL_TIMEOUT_MS, readOnly: config.CS_MCP_READ_ONLY });
  const resources = serverResources(config);
  const ready = () => readiness(rt);
  // While the database is away the outbox gauges keep their last values: a failing collector would fail the
  // whole scrape, and cs_mcp_ready 0 (the series that says why) would never reach Prometheus.
  let lastOutbox = { pending: 0, oldestAgeSeconds: 0, dead: 0 };
  const prom = new PromMetrics({
    outbox: () => readOutbox().then((o) => (lastOutbox = o), () => lastOutbox),
    breakers: () => rt.resilience.states(),
    pool: () => rt.db.pool(),
    ready: async () => (await ready()).ready,
    backup: () => backupGauges(config),
  });
  async function readOutbox() {
    const [row] = await rt.db.query<{ pending: string; age: string | null; dead: string }>(
      `SELECT count(*) FILTER (WHERE status IN ('pending', 'in_flight')) AS pending,
              EXTRACT(EPOCH FROM now() - min(created_at) FILTER (WHERE status IN ('pending', 'in_flight'))) AS age,
              count(*) FILTER (WHERE status IN ('failed', 'unknown_outcome')) AS dead
         FROM outbox_messages`,
    );
    return { pending: Number(row?.pending ?? 0), oldestAgeSeconds: Number(row?.age ?? 0), dead: Number(row?.dead ?? 0) };
  }
  prom.observe(metrics);

  const http = createHttpServer({
    pipeline,
    mcpServer: () => createMcpServer(pipeline, { surface, services: rt.services, resources, logger }),
    protectedResource: () => ({ paths: authenticatorOf().metadataPaths(), body: authenticatorOf().metadata() }),
    authenticate,
    guard: guardConfig(config.CS_MCP_HTTP_ALLOWED_HOSTS, config.CS_MCP_HTTP_ALLOWED_ORIGINS),
    prom,
    readiness: ready,
    logger,
    maxBodyBytes: config.CS_MCP_HTTP_MAX_BODY_BYTES,
    maxConcurrentPerPrincipal: config.CS_MCP_HTTP_MAX_CONCURRENT_PER_PRINCIPAL,
    metricsPublic: config.CS_MCP_METRICS_PUBLIC,
    // On PostgreSQL, one call per pool connection at a time, waiting at most as long as one query would wait
    // for a connection (bench:http: let in unbounded, calls timed out at the pool; see admission.ts).
    ...(rt.db.pool() ? { admission: { limit: rt.db.pool()!.max, maxWaitMs: config.DB_CONNECT_TIMEOUT_MS } } : {}),
  });
  const { server } = http;
  server.headersTimeout = config.CS_MCP_HTTP_HEADERS_TIMEOUT_MS;
  server.requestTimeout = config.CS_MCP_HTTP_REQUEST_TIMEOUT_MS;
  // Longer than a load balancer's idle timeout (60 s on most), so the balancer, not we, closes idle connections.
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    // Node's default backlog (511) overflows when thousands of clients connect at once (SYN cookies, timeouts).
    server.listen({ port: config.CS_MCP_HTTP_PORT, host, backlog: config.CS_MCP_HTTP_BACKLOG }, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shown = host.includes(":") ? `[${host}]` : host;
  authenticator = createAuthenticator(config, { db: rt.db, resourceUrl: config.CS_MCP_RESOURCE_URL ?? `http://${shown}:${port}/mcp` });
  logger.info({ version: SERVER_VERSION, tools: tools.length, database: rt.db.kind, redis: Boolean(rt.redis), port, auth: authConfigured ? "required" : "open" }, "serving MCP over Streamable HTTP");
  if (!authConfigured) logger.warn({ auth: "open" }, "open mode: no API key and no OAuth issuer, so every caller on this machine is the local user with every scope; creating a key (cs-mcp keys create) ends it without a restart");
  process.stderr.write(`cs-mcp: listening on http://${shown}:${port}/mcp\n`);

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    logger.info({ in_flight: http.inFlight() }, "stopping: no new connections, finishing requests in flight");
    // The process ends even if something hangs past the grace period and the close that follows it.
    setTimeout(() => process.exit(1), config.CS_MCP_HTTP_SHUTDOWN_GRACE_MS + 5_000).unref();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    // Keep-alive connections become idle as their last response ends: close them as that happens.
    const idle = setInterval(() => server.closeIdleConnections(), 50);
    const grace = new Promise<void>((resolve) => setTimeout(resolve, config.CS_MCP_HTTP_SHUTDOWN_GRACE_MS).unref());
    void Promise.race([closed, grace]).then(async () => {
      clearInterval(idle);
      server.closeAllConnections();
      await dispatcher?.stop(500);
      await rt.close();
      logger.info("stopped");
      process.exit(0);
    });
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}
