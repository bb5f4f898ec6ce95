// The Mixpanel client (mixpanel package for ingestion, fetch for import and export) against a loopback
// fake that checks every request against descriptions of the ingestion and export operations it uses,
// written from Mixpanel's reference (tests/fixtures/contracts/mixpanel), and the export landing in
// usage_events on both database back ends.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.ts";
import { createMixpanelClient, mixpanelEndpoints, type MixpanelApi } from "../../src/integrations/mixpanel/client.ts";
import { importMixpanelUsage, syncMixpanelUsage } from "../../src/integrations/mixpanel/usage.ts";
import { VendorError } from "../../src/integrations/types.ts";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { checkContractAround, vendorError } from "./fakes/harness.ts";
import { closedPort, loopbackGuard } from "./fakes/contract-server.ts";
import { startMixpanelFake, type MixpanelFake } from "./fakes/mixpanel.ts";

const TOKEN = "mp-test-token";
const SECRET = "mp-test-secret";
const guard = loopbackGuard();
let fake: MixpanelFake;
let client: MixpanelApi;
const signal = () => new AbortController().signal;
const configFor = (host: string, extra: Record<string, string> = {}) =>
  loadConfig({ MIXPANEL_PROJECT_TOKEN: TOKEN, MIXPANEL_API_SECRET: SECRET, MIXPANEL_PROJECT_ID: "4242", MIXPANEL_API_HOST: host, LOG_LEVEL: "silent", ...extra });

beforeAll(async () => {
  fake = await startMixpanelFake({ token: TOKEN, secret: SECRET });
  client = createMixpanelClient(configFor(`127.0.0.1:${fake.port}`))!;
});
checkContractAround(() => fake, guard);

describe("mixpanel client against the ingestion and export contracts", () => {
  it("is not created without its token; hosts resolve per region", () => {
    expect(createMixpanelClient(loadConfig({ LOG_LEVEL: "silent" }))).toBeNull();
    expect(mixpanelEndpoints(undefined)).toMatchObject({ ingestionBase: "https://api.mixpanel.com", exportBase: "https://data.mixpanel.com/api/2.0" });
    expect(mixpanelEndpoints("api-eu.mixpanel.com")).toMatchObject({ exportBase: "https://data-eu.mixpanel.com/api/2.0" });
    expect(mixpanelEndpoints("127.0.0.1:9")).toMatchObject({ protocol: "http", host: "127.0.0.1:9", exportBase: "http://127.0.0.1:9/api/2.0" });
  });

  it("tracks an event with $insert_id; a redelivery is de-duplicated", async () => {
    const time = 1767225600;
    await client.track("qbr_scheduled", "user-1", { account_id: "acme", plan: "pro" }, { insertId: "ob-track-1", time, signal: signal() });
    await client.track("qbr_scheduled", "user-1", { account_id: "acme", plan: "pro" }, { insertId: "ob-track-1", time, signal: signal() });
    expect(fake.received).toHaveLength(2);
    expect(fake.received[0]!.operationId).toBe("track-event");
    expect(fake.events).toHaveLength(1);
    expect(fake.events[0]).toMatchObject({ event: "qbr_scheduled", properties: { distinct_id: "user-1", $insert_id: "ob-track-1", time, token: TOKEN, account_id: "acme" } });
  });

  it("sets profile properties", async () => {
    await client.setProfile("user-2", { $email: "bo@acme.test", health: 71 }, signal());
    expect(fake.received[0]!.operationId).toBe("profile-set");
    expect(fake.received[0]!.body).toEqual([{ $token: TOKEN, $distinct_id: "user-2", $set: { $email: "bo@acme.test", health: 71 }, $ip: "0" }]);
    expect(fake.profiles.get("user-2")).toEqual({ $email: "bo@acme.test", health: 71 });
  });

  it("imports events with the API secret", async () => {
    const events = Array.from({ length: 3 }, (_, i) => ({ event: "login", properties: { time: 1767225600 + i, distinct_id: `u${i}`, $insert_id: `imp-${i}` } }));
    expect(await client.import(events, signal())).toEqual({ num_records_imported: 3 });
    const req = fake.received[0]!;
    expect(req.operationId).toBe("import-events");
    expect(req.query.get("strict")).toBe("1");
    expect(req.query.get("project_id")).toBe("4242");
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from(`${SECRET}:`).toString("base64")}`);
  });

  it("turns a 401 on import into a non-retryable VendorError without the secret", async () => {
    const bad = createMixpanelClient(configFor(`127.0.0.1:${fake.port}`, { MIXPANEL_API_SECRET: "mp-wrong-secret" }))!;
    const err = await vendorError(bad.import([{ event: "x", properties: { time: 1, distinct_id: "u", $insert_id: "i" } }], signal()));
    expect(err).toMatchObject({ status: 401, retryable: false });
    expect(err.message).not.toContain("mp-wrong-secret");
  });

  it("turns a 400 on import into a non-retryable VendorError", async () => {
    fake.failNext({ status: 400, body: { code: 400, error: "some data points in the request failed validation", failed_records: [], num_records_imported: 0, status: "Bad Request" } });
    const err = await vendorError(client.import([{ event: "x", properties: { time: 1, distinct_id: "u", $insert_id: "i" } }], signal()));
    expect(err).toMatchObject({ status: 400, retryable: false });
    expect(err.message).toContain("failed validation");
  });

  it("turns a 429 with Retry-After into a retryable VendorError, through the package and through fetch", async () => {
    fake.failNext({ status: 429, headers: { "retry-after": "30" }, body: { code: 429, error: "rate limited", status: "Too Many Requests" } });
    expect(await vendorError(client.track("x", "u", {}, { insertId: "i", signal: signal() }))).toMatchObject({ status: 429, retryable: true, retryAfterMs: 30_000 });
    fake.failNext({ status: 429, headers: { "retry-after": "2" }, body: "rate limited" });
    expect(await vendorError(client.exportEvents({ from_date: "2026-01-01", to_date: "2026-01-02" }, signal()))).toMatchObject({ status: 429, retryable: true, retryAfterMs: 2_000 });
  });

  it("turns a 5xx from the package path into a retryable VendorError", async () => {
    fake.failNext({ status: 502, body: "bad gateway" });
    expect(await vendorError(client.setProfile("u", { a: 1 }, signal()))).toMatchObject({ status: 502, retryable: true });
  });

  it("turns a closed port into status 0 (package and fetch)", async () => {
    const c = createMixpanelClient(configFor(`127.0.0.1:${await closedPort()}`))!;
    expect(await vendorError(c.track("x", "u", {}, { insertId: "i", signal: signal() }))).toMatchObject({ status: 0, retryable: true });
    expect(await vendorError(c.exportEvents({ from_date: "2026-01-01", to_date: "2026-01-02" }, signal()))).toMatchObject({ status: 0, retryable: true });
  });

  it("passes the AbortSignal to the package's request", async () => {
    fake.failNext({ status: 200, delayMs: 2_000, body: "1" });
    const ac = new AbortController();
    const started = Date.now();
    setTimeout(() => ac.abort(new Error("deadline")), 100);
    await expect(client.track("x", "u", {}, { insertId: "i", signal: ac.signal })).rejects.toThrow("deadline");
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});

describe.each(BACKENDS)("mixpanel export → usage_events on %s", (backend) => {
  let t: TestDb;
  const ACCOUNT = "cs_1767225600_acme";
  beforeAll(async () => {
    t = await openTestDb(backend);
    await t.db.prisma.account.create({ data: { id: ACCOUNT, client_name: "Acme", company_name: "Acme", company_key: "acme", created_at: new Date("2026-01-01T00:00:00Z") } });
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("lands the export lines of one account as usage_events; re-running adds nothing", async () => {
    const day = Date.parse("2026-05-04T09:00:00Z") / 1000;
    fake.exportable.length = 0;
    fake.exportable.push(
      { event: "login", properties: { time: day, distinct_id: "u1", account_id: ACCOUNT, $insert_id: "a1" } },
      { event: "report_run", properties: { time: day + 60, distinct_id: "u1", account_id: ACCOUNT, feature: "reports", $insert_id: "a2" } },
      { event: "login", properties: { time: day + 86_400, distinct_id: "u2", account_id: ACCOUNT, $insert_id: "a3" } },
      { event: "login", properties: { time: day, distinct_id: "x9", account_id: "someone_else", $insert_id: "b1" } },
      { event: "login", properties: { time: day + 10 * 86_400, distinct_id: "u1", account_id: ACCOUNT, $insert_id: "late" } },
    );
    const first = await syncMixpanelUsage(t.db.prisma, client, ACCOUNT, { from_date: "2026-05-04", to_date: "2026-05-06" }, signal());
    expect(first).toEqual({ received: 3, inserted: 3, skipped: 0 });
    const req = fake.received.at(-1)!;
    expect(req.operationId).toBe("raw-event-export");
    expect(req.query.get("where")).toBe(`properties["account_id"] == "${ACCOUNT}"`);
    expect(req.headers["accept-encoding"]).toBe("gzip");

    const rows = await t.db.prisma.usageEvent.findMany({ where: { account_id: ACCOUNT }, orderBy: [{ occurred_at: "asc" }, { event: "asc" }] });
    expect(rows.map((r) => ({ user: r.user_id, event: r.event, feature: r.feature, at: r.occurred_at.toISOString(), source: r.source }))).toEqual([
      { user: "u1", event: "login", feature: null, at: "2026-05-04T09:00:00.000Z", source: "mixpanel" },
      { user: "u1", event: "report_run", feature: "reports", at: "2026-05-04T09:01:00.000Z", source: "mixpanel" },
      { user: "u2", event: "login", feature: null, at: "2026-05-05T09:00:00.000Z", source: "mixpanel" },
    ]);

    const again = await syncMixpanelUsage(t.db.prisma, client, ACCOUNT, { from_date: "2026-05-04", to_date: "2026-05-06" }, signal());
    expect(again).toEqual({ received: 3, inserted: 0, skipped: 0 });
    expect(await t.db.prisma.usageEvent.count({ where: { account_id: ACCOUNT } })).toBe(3);
  });

  it("skips lines without a user or time, and reads millisecond times", async () => {
    const r = await importMixpanelUsage(t.db.prisma, ACCOUNT, [
      { event: "login", properties: { time: 1767225600123, distinct_id: "u5" } },
      { event: "login", properties: { distinct_id: "u6" } },
      { event: "login", properties: { time: 1767225600 } },
    ]);
    expect(r).toEqual({ received: 3, inserted: 1, skipped: 2 });
    const row = await t.db.prisma.usageEvent.findFirst({ where: { account_id: ACCOUNT, user_id: "u5" } });
    expect(row?.occurred_at.toISOString()).toBe("2026-01-01T00:00:00.123Z");
  });
});
