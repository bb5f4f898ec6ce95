// Mixpanel fake for ingestion (/track, /engage, /import: mixpanel/ingestion.yaml) and the raw event export
// (/api/2.0/export: mixpanel/export.yaml) on one loopback port. Both descriptions are this project's, written
// from Mixpanel's reference for the operations its client uses (see the fixtures' SOURCES.md).
//
// The official `mixpanel` package sends /track and /engage as GET with the payload base64-encoded in a
// `data` query parameter (Mixpanel's legacy encoding, still served by the API), which the reference does
// not document (it lists only POST with a JSON array body). The fake decodes `data` and validates the
// payload as that POST body, plus the remaining query parameters (ip, verbose) against the operation.
// Events are de-duplicated like Mixpanel: same (event, time, distinct_id, $insert_id) is stored once.
import { FakeServer, loadContract, type Normalized } from "./contract-server.ts";

export interface MixpanelFake extends FakeServer {
  events: Array<{ event: string; properties: Record<string, any> }>;
  profiles: Map<string, Record<string, unknown>>;
  /** What the export endpoint serves (filtered by date and by a properties["x"] == "y" where clause). */
  exportable: Array<{ event: string; properties: Record<string, any> }>;
}

export async function startMixpanelFake(opts: { token: string; secret: string }): Promise<MixpanelFake> {
  const ingestion = await loadContract("mixpanel/ingestion.yaml");
  const exportApi = await loadContract("mixpanel/export.yaml", { apiRoot: "/api/2.0" });
  const events: MixpanelFake["events"] = [];
  const profiles = new Map<string, Record<string, unknown>>();
  const exportable: MixpanelFake["exportable"] = [];
  const seen = new Set<string>();
  const basic = `Basic ${Buffer.from(`${opts.secret}:`).toString("base64")}`;
  const store = (e: { event: string; properties: Record<string, any> }) => {
    const p = e.properties;
    const key = `${e.event}|${p.time}|${p.distinct_id}|${p.$insert_id}`;
    if (p.$insert_id !== undefined && seen.has(key)) return false;
    seen.add(key);
    events.push(e);
    return true;
  };

  const normalize = (n: Normalized): Normalized => {
    if (n.method === "GET" && (n.path === "/track" || n.path === "/engage")) {
      const q = new URLSearchParams(n.query);
      const data = q.get("data");
      q.delete("data");
      let body: unknown = undefined;
      if (data !== null) {
        try {
          const decoded = JSON.parse(Buffer.from(data, "base64").toString("utf8"));
          body = Array.isArray(decoded) ? decoded : [decoded];
        } catch {
          body = data;
        }
      }
      return { ...n, method: "POST", query: q.toString(), headers: { ...n.headers, "content-type": "application/json" }, body };
    }
    return n;
  };

  const fake = new FakeServer({
    name: "mixpanel",
    api: ingestion,
    pick: (n) => (n.path.startsWith("/api/2.0/") ? exportApi : ingestion),
    normalize,
    answer(req) {
      const body = req.body as any;
      switch (req.operationId) {
        case "track-event": {
          const ok = (body as any[]).every((e) => e.properties?.token === opts.token);
          if (!ok) return { status: 401, body: { error: "Invalid project token", status: 0 } };
          for (const e of body) store(e);
          return { status: 200, headers: { "content-type": "text/plain" }, body: "1" };
        }
        case "profile-set": {
          for (const u of body as any[]) {
            if (u.$token !== opts.token) return { status: 401, body: { error: "Invalid project token", status: 0 } };
            profiles.set(u.$distinct_id, { ...profiles.get(u.$distinct_id), ...u.$set });
          }
          return { status: 200, headers: { "content-type": "text/plain" }, body: "1" };
        }
        case "import-events": {
          if (req.headers.authorization !== basic) return { status: 401, body: { code: 401, error: "Invalid credentials", status: "Unauthorized" } };
          let n = 0;
          for (const e of body as any[]) if (store(e)) n++;
          return { status: 200, body: { code: 200, num_records_imported: (body as any[]).length, status: "OK" } };
        }
        case "raw-event-export": {
          if (req.headers.authorization !== basic) return { status: 401, body: "Unauthorized" };
          const from = Date.parse(`${req.query.get("from_date")}T00:00:00Z`) / 1000;
          const to = Date.parse(`${req.query.get("to_date")}T00:00:00Z`) / 1000 + 86_400;
          const where = /^properties\["([^"]+)"\] == "([^"]*)"$/.exec(req.query.get("where") ?? "");
          const lines = exportable
            .filter((e) => e.properties.time >= from && e.properties.time < to)
            .filter((e) => !where || String(e.properties[where[1]!]) === where[2])
            .map((e) => JSON.stringify(e));
          return { status: 200, headers: { "content-type": "text/plain; charset=utf-8" }, body: lines.join("\n") + (lines.length ? "\n" : "") };
        }
        default:
          return { status: 404, body: { error: "not faked" } };
      }
    },
  });
  return Object.assign(await fake.start(), { events, profiles, exportable }) as MixpanelFake;
}
