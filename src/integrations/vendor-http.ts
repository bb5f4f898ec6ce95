// Shared by the four vendor clients: turning an HTTP answer (or its absence) into a VendorError, parsing
// Retry-After, keeping credentials out of messages, and plain-fetch calls for the few requests the
// official packages cannot make (Mixpanel export and import).
import { VendorError } from "./types.ts";
import type { Integration } from "./status.ts";

/** Retry-After is either delta-seconds or an HTTP date; returns milliseconds, or undefined when absent/unparsable. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value == null) return undefined;
  const v = String(value).trim();
  if (v === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Replaces every occurrence of the given secrets (and anything that looks like a bearer/basic credential). */
export function redact(text: string, secrets: ReadonlyArray<string | undefined | null>): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 4) out = out.split(s).join("[redacted]");
  }
  return out.replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, "$1 [redacted]");
}

/** A short, safe summary of a vendor's error body (their `error`/`message`/`description` fields). */
export function errorDetail(body: unknown): string | undefined {
  if (body == null) return undefined;
  if (typeof body === "string") {
    const t = body.trim();
    if (!t) return undefined;
    try {
      return errorDetail(JSON.parse(t));
    } catch {
      return t.slice(0, 200);
    }
  }
  if (typeof body !== "object") return String(body).slice(0, 200);
  const b = body as Record<string, unknown>;
  const parts: string[] = [];
  const pick = (v: unknown) => {
    if (typeof v === "string" && v.trim()) parts.push(v.trim());
    else if (v && typeof v === "object" && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      for (const k of ["title", "message", "description"]) if (typeof o[k] === "string") parts.push(o[k] as string);
    }
  };
  pick(b.error);
  pick(b.description);
  pick(b.message);
  if (Array.isArray(b.errors)) {
    for (const e of b.errors.slice(0, 3)) {
      if (e && typeof e === "object") {
        const o = e as Record<string, unknown>;
        const msg = [o.code, o.field, o.message].filter((x) => typeof x === "string" && x).join(" ");
        if (msg) parts.push(msg);
      } else if (typeof e === "string") parts.push(e);
    }
  }
  const joined = [...new Set(parts)].join("; ");
  return joined ? joined.slice(0, 300) : undefined;
}

export interface HttpFailure {
  status: number;
  retryAfter?: string | null;
  body?: unknown;
}

/** A VendorError for an HTTP answer outside 2xx. The message never includes request headers or credentials. */
export function httpError(integration: Integration, failure: HttpFailure, secrets: ReadonlyArray<string | undefined | null> = []): VendorError {
  const detail = errorDetail(failure.body);
  const message = redact(`${integration} answered HTTP ${failure.status}${detail ? `: ${detail}` : ""}`, secrets);
  return new VendorError(integration, failure.status, message, parseRetryAfter(failure.retryAfter ?? undefined));
}

/**
 * A failure with no HTTP answer. When our own signal was aborted, its reason is rethrown unchanged (the
 * resilience wrapper owns the deadline and recognises its own reason); anything else is a network failure,
 * status 0. The underlying error's code (ECONNREFUSED…) is kept, its text is not (it may hold a URL).
 */
export function networkError(integration: Integration, err: unknown, signal?: AbortSignal): Error {
  if (err instanceof VendorError) return err;
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    return reason instanceof Error ? reason : new DOMException("The operation was aborted", "AbortError");
  }
  const code = networkCode(err);
  return new VendorError(integration, 0, `${integration} could not be reached${code ? ` (${code})` : ""}`);
}

function networkCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === "object" && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[A-Z_]+$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Throws when the signal is already aborted, before any request is made. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    throw reason instanceof Error ? reason : new DOMException("The operation was aborted", "AbortError");
  }
}

/** fetch with the signal, classification into VendorError, and the body read as text. */
export async function fetchText(
  integration: Integration,
  url: string,
  init: RequestInit & { signal: AbortSignal },
  secrets: ReadonlyArray<string | undefined | null> = [],
): Promise<{ status: number; headers: Headers; text: string }> {
  throwIfAborted(init.signal);
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, init);
    text = await res.text();
  } catch (err) {
    throw networkError(integration, err, init.signal);
  }
  if (res.status < 200 || res.status >= 300) {
    throw httpError(integration, { status: res.status, retryAfter: res.headers.get("retry-after"), body: text }, secrets);
  }
  return { status: res.status, headers: res.headers, text };
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}
