// Request checks of the HTTP mode that run before anything is parsed: the Host header (DNS rebinding:
// a page on evil.example resolving to 127.0.0.1 still sends Host: evil.example), the Origin (a browser
// page may only call us from an allowed origin), CORS answers for those origins, and security headers.
import type { IncomingMessage, ServerResponse } from "node:http";

const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"];

export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export interface GuardConfig {
  allowedHosts: readonly string[];
  allowedOrigins: readonly string[];
}

export function guardConfig(hosts: readonly string[], origins: readonly string[]): GuardConfig {
  return { allowedHosts: (hosts.length ? hosts : LOOPBACK_NAMES).map((h) => h.toLowerCase()), allowedOrigins: origins.map((o) => o.replace(/\/$/, "").toLowerCase()) };
}

/** The reason a request is refused (403), or null. Same hostname parsing as the SDK's hostHeaderValidation. */
export function refusal(req: IncomingMessage, guard: GuardConfig): string | null {
  const host = req.headers.host;
  if (!host) return "missing Host header";
  let hostname: string;
  try {
    hostname = new URL(`http://${host}`).hostname.toLowerCase();
  } catch {
    return "invalid Host header";
  }
  if (!guard.allowedHosts.includes(hostname)) return `Host ${hostname} is not allowed (CS_MCP_HTTP_ALLOWED_HOSTS)`;
  const origin = req.headers.origin;
  if (origin !== undefined && !guard.allowedOrigins.includes(origin.toLowerCase()) && !sameOrigin(origin, host)) return "Origin not allowed (CS_MCP_HTTP_ALLOWED_ORIGINS)";
  return null;
}

/**
 * A page on this server's own origin (scheme http(s), host and port of the allowed Host header). A browser
 * sets Origin itself, so a rebinding page carries its own name (refused above by the Host check anyway),
 * and nothing but this server answers on its own origin.
 */
function sameOrigin(origin: string, host: string): boolean {
  try {
    const u = new URL(origin);
    return (u.protocol === "http:" || u.protocol === "https:") && u.host === new URL(`${u.protocol}//${host}`).host;
  } catch {
    return false;
  }
}

const SECURITY_HEADERS: Record<string, string> = {
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
  "Cache-Control": "no-store",
};

export function securityHeaders(res: ServerResponse): void {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
}

/** CORS headers for an allowed Origin (refusal() has already refused any other). */
export function corsHeaders(req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  if (!origin) return;
  res.setHeader("Access-Control-Allow-Origin", origin);
  res.setHeader("Vary", "Origin");
  res.setHeader("Access-Control-Expose-Headers", "mcp-session-id, mcp-protocol-version, www-authenticate");
}

/** The answer to a CORS preflight from an allowed origin. */
export function preflight(res: ServerResponse): void {
  res.setHeader("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS");
  res.setHeader("Access-Control-Allow-Headers", "authorization, content-type, mcp-protocol-version, mcp-session-id, last-event-id");
  res.setHeader("Access-Control-Max-Age", "600");
  res.writeHead(204).end();
}
