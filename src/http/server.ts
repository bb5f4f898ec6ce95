// The HTTP server of `cs-mcp serve --http`: Streamable HTTP at /mcp through the SDK's transport in
// stateless mode (a new Server and transport per request, as the SDK's stateless example does, so any
// instance behind a plain load balancer can answer any request), plus /healthz, /readyz and /metrics.
// Every route but the probes goes through the Host/Origin checks first; /mcp and /metrics then through
// authentication, and /mcp through the per-principal concurrency cap.
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import type { Principal } from "../auth/principal.ts";
import type { Logger } from "../observability/logger.ts";
import type { PromMetrics } from "../observability/prometheus.ts";
import { createMcpServer } from "../server/create-server.ts";
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { ToolPipeline } from "../server/pipeline.ts";
import { serializeError } from "../server/errors.ts";
import { AdmissionGate } from "./admission.ts";
import { ConcurrencyCap } from "./concurrency.ts";
import { corsHeaders, preflight, refusal, securityHeaders, type GuardConfig } from "./guards.ts";
import type { Readiness } from "./readiness.ts";

/** Resolves the caller from the Authorization header; throws an error carrying `status` (401/403). */
export type Authenticate = (authorizationHeader: string | undefined) => Promise<Principal>;

export interface HttpDeps {
  pipeline: ToolPipeline;
  /** One MCP server per request (stateless): the session surface, resources and prompts over the shared runtime. */
  mcpServer?: () => Server;
  /** RFC 9728 protected-resource metadata and where it is served. */
  protectedResource?: () => { paths: readonly string[]; body: Record<string, unknown> };
  authenticate: Authenticate;
  guard: GuardConfig;
  prom: PromMetrics;
  readiness(): Promise<Readiness>;
  logger: Logger;
  maxBodyBytes: number;
  maxConcurrentPerPrincipal: number;
  metricsPublic: boolean;
  /** MCP requests served at once by this instance (the rest wait in order, see admission.ts); absent = no gate. */
  admission?: { limit: number; maxWaitMs: number };
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { "Content-Type": "application/json", ...headers }).end(JSON.stringify(body));
}

/** A JSON-RPC error body, the shape MCP clients read from a refused HTTP request. */
function rpcError(message: string, code = -32000): unknown {
  return { jsonrpc: "2.0", error: { code, message }, id: null };
}

async function principalOf(req: IncomingMessage, res: ServerResponse, authenticate: Authenticate): Promise<Principal | null> {
  try {
    return await authenticate(req.headers.authorization);
  } catch (err) {
    const e = err as { status?: number; wwwAuthenticate?: string; message?: string };
    if (e.status !== 401 && e.status !== 403) throw err;
    sendJson(res, e.status, rpcError(e.message ?? "unauthorized"), e.wwwAuthenticate ? { "WWW-Authenticate": e.wwwAuthenticate } : {});
    return null;
  }
}

export interface McpHttpServer {
  server: HttpServer;
  /** MCP requests being answered now. */
  inFlight(): number;
}

export function createHttpServer(deps: HttpDeps): McpHttpServer {
  const cap = new ConcurrencyCap(deps.maxConcurrentPerPrincipal);
  const gate = deps.admission ? new AdmissionGate(deps.admission.limit, deps.admission.maxWaitMs) : null;
  const { logger } = deps;

  async function mcp(req: IncomingMessage & { auth?: AuthInfo }, res: ServerResponse): Promise<void> {
    if (req.method !== "POST") {
      // Stateless: no standalone SSE stream (GET) and no session to end (DELETE).
      sendJson(res, 405, rpcError("Method not allowed: this server is stateless, POST JSON-RPC messages to /mcp"), { Allow: "POST, OPTIONS" });
      return;
    }
    if (gate) {
      // Before authentication: checking a key is a query on the same pool.
      const ticket = gate.enter();
      res.once("close", ticket.cancel);
      const admitted = await ticket.ready;
      if (!admitted) {
        if (!res.destroyed) sendJson(res, 503, rpcError("server busy: too many requests waiting, try again shortly"), { "Retry-After": "1" });
        return;
      }
      if (res.closed) return admitted(); // the client left as its turn came
      res.once("close", admitted);
    }
    const principal = await principalOf(req, res, deps.authenticate);
    if (!principal) return;
    const release = cap.acquire(principal.subject);
    if (!release) {
      sendJson(res, 429, rpcError(`too many requests in flight for ${principal.subject} (CS_MCP_HTTP_MAX_CONCURRENT_PER_PRINCIPAL)`), { "Retry-After": "1" });
      return;
    }
    res.on("close", release);
    req.auth = { token: "", clientId: principal.subject, scopes: [...principal.scopes], extra: { principal } };
    const server = deps.mcpServer ? deps.mcpServer() : createMcpServer(deps.pipeline);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, maxRequestBodySize: deps.maxBodyBytes });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    securityHeaders(res);
    const path = (req.url ?? "/").split("?")[0];
    // Probes come from load balancers and orchestrators that address the instance by IP: no Host check.
    if (path === "/healthz") return sendJson(res, 200, { status: "alive" });
    if (path === "/readyz") {
      const r = await deps.readiness();
      return sendJson(res, r.ready ? 200 : 503, r);
    }
    const refused = refusal(req, deps.guard);
    if (refused) return sendJson(res, 403, rpcError(refused));
    corsHeaders(req, res);
    if (req.method === "OPTIONS") return preflight(res);
    const resource = deps.protectedResource?.();
    if (path !== undefined && resource?.paths.includes(path)) return sendJson(res, 200, resource.body);
    if (path === "/mcp") return mcp(req, res);
    if (path === "/metrics") {
      if (!deps.metricsPublic && !(await principalOf(req, res, deps.authenticate))) return;
      const body = await deps.prom.registry.metrics();
      res.writeHead(200, { "Content-Type": deps.prom.registry.contentType }).end(body);
      return;
    }
    sendJson(res, 404, rpcError(`no route ${path}: MCP is served at /mcp`));
  }

  const server = createServer((req, res) => {
    const started = performance.now();
    res.on("finish", () => deps.prom.httpRequest(res.statusCode, (performance.now() - started) / 1000));
    route(req, res).catch((err: unknown) => {
      logger.error({ err: serializeError(err) }, "HTTP request failed");
      sendJson(res, 500, rpcError("internal error", -32603));
    });
  });
  return { server, inFlight: () => cap.total };
}
