// The harmless calls `cs-mcp setup` makes to show that each part works: `SELECT version()` on PostgreSQL,
// PING on Redis, a read (or a sandboxed send) at each vendor. Results carry a short detail, never a secret.
import pg from "pg";
import { Redis } from "ioredis";
import { describeConnectionError } from "../server/errors.ts";
import { createZendeskClient } from "../integrations/zendesk/client.ts";
import type { Config } from "../config/load.ts";

export interface CheckResult {
  ok: boolean;
  detail: string;
}

const TIMEOUT_MS = 5_000;

export async function checkPostgres(url: string): Promise<CheckResult> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: TIMEOUT_MS, statement_timeout: TIMEOUT_MS });
  try {
    await client.connect();
    const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    return { ok: true, detail: `PostgreSQL ${rows[0]?.v ?? "?"} answered` };
  } catch (err) {
    return { ok: false, detail: describeConnectionError(err) };
  } finally {
    await client.end().catch(() => {});
  }
}

export async function checkRedis(url: string): Promise<CheckResult> {
  const redis = new Redis(url, { connectTimeout: TIMEOUT_MS, maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: () => null });
  redis.on("error", () => {}); // reported through the failed command below
  try {
    await redis.connect();
    const answer = await redis.ping();
    return { ok: answer === "PONG", detail: `PING answered ${answer}` };
  } catch (err) {
    return { ok: false, detail: describeConnectionError(err) };
  } finally {
    redis.disconnect();
  }
}

async function http(url: string, init: RequestInit): Promise<CheckResult> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
    await res.arrayBuffer();
    if (res.ok) return { ok: true, detail: `credentials accepted (HTTP ${res.status})` };
    if (res.status === 401 || res.status === 403) return { ok: false, detail: `credentials refused (HTTP ${res.status})` };
    return { ok: false, detail: `unexpected answer HTTP ${res.status}` };
  } catch (err) {
    // fetch rejects with "fetch failed"; the network error (ECONNREFUSED, ENOTFOUND…) is its cause.
    return { ok: false, detail: describeConnectionError((err as { cause?: unknown }).cause ?? err) };
  }
}

/** Zendesk: searches users for the agent's own email (a read). */
export async function checkZendesk(config: Pick<Config, "ZENDESK_BASE_URL" | "ZENDESK_SUBDOMAIN" | "ZENDESK_EMAIL" | "ZENDESK_API_TOKEN">): Promise<CheckResult> {
  const client = createZendeskClient(config as Config);
  if (!client) return { ok: false, detail: "ZENDESK_SUBDOMAIN (or ZENDESK_BASE_URL), ZENDESK_EMAIL and ZENDESK_API_TOKEN are needed" };
  try {
    const user = await client.findUserByEmail(config.ZENDESK_EMAIL!, AbortSignal.timeout(TIMEOUT_MS));
    return { ok: true, detail: `credentials accepted (agent ${user ? "found" : "not found"} by email search)` };
  } catch (err) {
    const status = (err as { status?: number }).status;
    return { ok: false, detail: status === 401 || status === 403 ? `credentials refused (HTTP ${status})` : describeConnectionError(err) };
  }
}

/** Intercom: GET /me, the admin the token belongs to (a read). */
export function checkIntercom(token: string, baseUrl = "https://api.intercom.io"): Promise<CheckResult> {
  return http(`${baseUrl.replace(/\/+$/, "")}/me`, { headers: { authorization: `Bearer ${token}`, accept: "application/json" } });
}

/** SendGrid: a mail send in sandbox mode, which SendGrid validates and never delivers. */
export function checkSendGrid(apiKey: string, from: string, baseUrl = "https://api.sendgrid.com"): Promise<CheckResult> {
  return http(`${baseUrl.replace(/\/+$/, "")}/v3/mail/send`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({
      personalizations: [{ to: [{ email: from }] }],
      from: { email: from },
      subject: "cs-mcp setup check (sandbox, not delivered)",
      content: [{ type: "text/plain", value: "sandbox check" }],
      mail_settings: { sandbox_mode: { enable: true } },
    }),
  });
}
