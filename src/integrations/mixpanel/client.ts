// Mixpanel on the official `mixpanel` package for ingestion (track, profile set), plain fetch for import and
// the raw event export.
//
// What the package cannot do, and how it is covered:
// - No AbortSignal and no HTTP status or Retry-After in its callback (only "Mixpanel Server Error: <body>").
//   Its requests go through node:http, which publishes every new request on the diagnostics channel
//   "http.client.request.start" synchronously inside the caller's async context. One subscriber looks up
//   the AsyncLocalStorage scope of the call that created the request: it destroys the request when the
//   call's signal aborts, and records the response status and Retry-After for classification.
// - /import: the package refuses API-secret authentication over plain http (proxies, the loopback fakes)
//   and would need a service account for anything else; the export API is not in the package at all.
//   Both are plain fetch with the same classification.
import { AsyncLocalStorage } from "node:async_hooks";
import dc from "node:diagnostics_channel";
import type { ClientRequest, IncomingMessage } from "node:http";
import mixpanel from "mixpanel";
import type { Config } from "../../config/load.ts";
import { basicAuth, fetchText, httpError, networkError, throwIfAborted } from "../vendor-http.ts";
import { VendorError } from "../types.ts";

export interface MixpanelEvent {
  event: string;
  properties: { time: number; distinct_id: string; $insert_id?: string; [key: string]: unknown };
}

export interface ImportResult {
  num_records_imported: number;
}

export interface ExportQuery {
  /** yyyy-mm-dd, inclusive (UTC for projects created after 2023). */
  from_date: string;
  to_date: string;
  /** Event names to export; default all. */
  events?: string[];
  /** A segmentation expression, e.g. properties["account_id"] == "acme". */
  where?: string;
  limit?: number;
}

/** What the services call. Every method takes the call's AbortSignal. */
export interface MixpanelApi {
  /** `insertId` ($insert_id) makes a redelivery a duplicate Mixpanel drops; pass the outbox key. */
  track(event: string, distinctId: string, properties: Record<string, unknown>, ctx: { insertId: string; time?: number; signal: AbortSignal }): Promise<void>;
  setProfile(distinctId: string, properties: Record<string, unknown>, signal: AbortSignal): Promise<void>;
  /** Needs MIXPANEL_API_SECRET. Up to 2,000 events per request (Mixpanel's limit); larger lists are split. */
  import(events: MixpanelEvent[], signal: AbortSignal): Promise<ImportResult>;
  /** Needs MIXPANEL_API_SECRET. Returns the export's JSON lines, parsed. */
  exportEvents(query: ExportQuery, signal: AbortSignal): Promise<ExportedEvent[]>;
}

export interface ExportedEvent {
  event: string;
  properties: Record<string, unknown> & { time?: number; distinct_id?: string };
}

export const IMPORT_BATCH = 2000;

interface Endpoints {
  protocol: "http" | "https";
  /** host[:port] for ingestion (the package's `host`). */
  host: string;
  ingestionBase: string;
  exportBase: string;
}

/** MIXPANEL_API_HOST: api.mixpanel.com by default; api-eu / api-in for data residency; a loopback host uses http. */
export function mixpanelEndpoints(apiHost: string | undefined): Endpoints {
  let raw = (apiHost ?? "").trim() || "api.mixpanel.com";
  let protocol: "http" | "https" | undefined;
  const m = /^(https?):\/\/(.+?)\/*$/.exec(raw);
  if (m) {
    protocol = m[1] as "http" | "https";
    raw = m[2]!;
  }
  const hostname = raw.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  protocol ??= ["127.0.0.1", "localhost", "::1"].includes(hostname) ? "http" : "https";
  const exportHost = /^api(-[a-z]+)?\.mixpanel\.com$/.test(raw) ? raw.replace(/^api/, "data") : raw;
  return { protocol, host: raw, ingestionBase: `${protocol}://${raw}`, exportBase: `${protocol}://${exportHost}/api/2.0` };
}

/** Returns null when Mixpanel is not configured (integrationStatus names the missing variables). */
export function createMixpanelClient(config: Config): MixpanelApi | null {
  if (!config.MIXPANEL_PROJECT_TOKEN) return null;
  return new MixpanelClient(config.MIXPANEL_PROJECT_TOKEN, config.MIXPANEL_API_SECRET, config.MIXPANEL_PROJECT_ID, mixpanelEndpoints(config.MIXPANEL_API_HOST));
}

// ---- status capture and abort for the package's node:http requests ----------------------------------
interface CallScope {
  signal: AbortSignal;
  status?: number;
  retryAfter?: string;
}
const scope = new AsyncLocalStorage<CallScope>();
let subscribed = false;
function subscribeOnce(): void {
  if (subscribed) return;
  subscribed = true;
  dc.subscribe("http.client.request.start", (msg) => {
    const call = scope.getStore();
    if (!call) return;
    const request = (msg as { request: ClientRequest }).request;
    const abort = () => request.destroy(call.signal.reason instanceof Error ? call.signal.reason : new Error("aborted"));
    if (call.signal.aborted) abort();
    else {
      call.signal.addEventListener("abort", abort, { once: true });
      request.once("close", () => call.signal.removeEventListener("abort", abort));
    }
    request.once("response", (res: IncomingMessage) => {
      call.status = res.statusCode;
      const ra = res.headers["retry-after"];
      call.retryAfter = Array.isArray(ra) ? ra[0] : ra;
    });
  });
}

class MixpanelClient implements MixpanelApi {
  private readonly mp: ReturnType<typeof mixpanel.init>;
  private readonly secrets: string[];

  constructor(
    private readonly token: string,
    private readonly secret: string | undefined,
    private readonly projectId: string | undefined,
    private readonly endpoints: Endpoints,
  ) {
    subscribeOnce();
    this.secrets = [token, secret ?? ""];
    // Not verbose: the published description documents only the text/plain 1/0 answer of /track and /engage.
    this.mp = mixpanel.init(token, { host: endpoints.host, protocol: endpoints.protocol, keepAlive: false, verbose: false, geolocate: false });
  }

  /** Runs one package call in its own scope and classifies the outcome from the recorded status. */
  private async viaPackage(signal: AbortSignal, fn: (cb: (err: Error | undefined) => void) => void): Promise<void> {
    throwIfAborted(signal);
    const call: CallScope = { signal };
    const err = await new Promise<Error | undefined>((resolve) => {
      scope.run(call, () => {
        try {
          fn((e) => resolve(e ?? undefined));
        } catch (e) {
          resolve(e as Error);
        }
      });
    });
    if (signal.aborted) throw networkError("mixpanel", err, signal);
    if (call.status !== undefined && (call.status < 200 || call.status >= 300)) {
      throw httpError("mixpanel", { status: call.status, retryAfter: call.retryAfter, body: err ? err.message.replace(/^Mixpanel Server Error:\s*/, "") : undefined }, this.secrets);
    }
    if (!err) return;
    if (call.status !== undefined) {
      // 200 with body 0: Mixpanel rejected the data itself; resending it will not help.
      throw new VendorError("mixpanel", 400, `mixpanel rejected the request: ${err.message.replace(/^Mixpanel Server Error:\s*/, "").slice(0, 200)}`);
    }
    throw networkError("mixpanel", err, signal);
  }

  async track(event: string, distinctId: string, properties: Record<string, unknown>, ctx: { insertId: string; time?: number; signal: AbortSignal }): Promise<void> {
    const props = { ...properties, distinct_id: distinctId, $insert_id: ctx.insertId, ...(ctx.time !== undefined ? { time: ctx.time } : {}) };
    await this.viaPackage(ctx.signal, (cb) => this.mp.track(event, props, cb));
  }

  async setProfile(distinctId: string, properties: Record<string, unknown>, signal: AbortSignal): Promise<void> {
    // $ip 0: do not geolocate the profile to this server's address.
    await this.viaPackage(signal, (cb) => this.mp.people.set(distinctId, properties as never, { $ip: "0" } as never, cb));
  }

  private needSecret(what: string): string {
    if (!this.secret) throw new VendorError("mixpanel", 401, `mixpanel ${what} needs MIXPANEL_API_SECRET`);
    return this.secret;
  }

  async import(events: MixpanelEvent[], signal: AbortSignal): Promise<ImportResult> {
    const secret = this.needSecret("import");
    let imported = 0;
    for (let i = 0; i < events.length; i += IMPORT_BATCH) {
      const qs = new URLSearchParams({ strict: "1", ...(this.projectId ? { project_id: this.projectId } : {}) });
      const res = await fetchText(
        "mixpanel",
        `${this.endpoints.ingestionBase}/import?${qs}`,
        {
          method: "POST",
          headers: { authorization: basicAuth(secret, ""), "content-type": "application/json", accept: "application/json" },
          body: JSON.stringify(events.slice(i, i + IMPORT_BATCH)),
          signal,
        },
        this.secrets,
      );
      try {
        imported += Number((JSON.parse(res.text) as { num_records_imported?: unknown }).num_records_imported ?? 0);
      } catch {
        /* a 200 without the JSON summary: count nothing */
      }
    }
    return { num_records_imported: imported };
  }

  async exportEvents(query: ExportQuery, signal: AbortSignal): Promise<ExportedEvent[]> {
    const secret = this.needSecret("export");
    const qs = new URLSearchParams({ from_date: query.from_date, to_date: query.to_date });
    if (this.projectId) qs.set("project_id", this.projectId);
    if (query.events?.length) qs.set("event", JSON.stringify(query.events));
    if (query.where) qs.set("where", query.where);
    if (query.limit !== undefined) qs.set("limit", String(query.limit));
    const res = await fetchText(
      "mixpanel",
      `${this.endpoints.exportBase}/export?${qs}`,
      // Accept-Encoding: the description allows only "gzip" (fetch would send "gzip, deflate, br"); fetch decompresses.
      { method: "GET", headers: { authorization: basicAuth(secret, ""), accept: "text/plain", "accept-encoding": "gzip" }, signal },
      this.secrets,
    );
    return parseExportLines(res.text);
  }
}

/** Parses JSONL export output; blank and unparsable lines are skipped. */
export function parseExportLines(text: string): ExportedEvent[] {
  const out: ExportedEvent[] = [];
  for (const line of text.split("\n")) {
    const t = line.trim();
    if (!t) continue;
    try {
      const v = JSON.parse(t) as ExportedEvent;
      if (v && typeof v.event === "string" && v.properties && typeof v.properties === "object") out.push(v);
    } catch {
      /* skip */
    }
  }
  return out;
}
