// The Zendesk client (node-zendesk) against a loopback fake that checks every request against a description
// of the Support API operations it uses, written from Zendesk's reference (tests/fixtures/contracts/zendesk).
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.ts";
import { createZendeskClient, zendeskEndpoint, type ZendeskApi } from "../../src/integrations/zendesk/client.ts";
import { VendorError } from "../../src/integrations/types.ts";
import { checkContractAround, vendorError } from "./fakes/harness.ts";
import { closedPort, loopbackGuard } from "./fakes/contract-server.ts";
import { startZendeskFake, type ZendeskFake } from "./fakes/zendesk.ts";

const TOKEN = "zd-test-token";
const guard = loopbackGuard();
let fake: ZendeskFake;
let client: ZendeskApi;
const signal = () => new AbortController().signal;

function configFor(baseUrl: string, token = TOKEN) {
  return loadConfig({ ZENDESK_BASE_URL: baseUrl, ZENDESK_EMAIL: "agent@acme.test", ZENDESK_API_TOKEN: token, LOG_LEVEL: "silent" });
}
beforeAll(async () => {
  fake = await startZendeskFake();
  client = createZendeskClient(configFor(`${fake.url}/api/v2`))!;
});
checkContractAround(() => fake, guard);

describe("zendesk client against the Support API contract", () => {
  it("is not created without its settings; the endpoint ends in /api/v2", () => {
    expect(createZendeskClient(loadConfig({ LOG_LEVEL: "silent" }))).toBeNull();
    expect(createZendeskClient(loadConfig({ ZENDESK_SUBDOMAIN: "acme", ZENDESK_EMAIL: "a@acme.test", LOG_LEVEL: "silent" }))).toBeNull();
    expect(zendeskEndpoint({ ZENDESK_SUBDOMAIN: "acme", ZENDESK_BASE_URL: undefined })).toBe("https://acme.zendesk.com/api/v2");
    expect(zendeskEndpoint({ ZENDESK_SUBDOMAIN: undefined, ZENDESK_BASE_URL: "http://127.0.0.1:1/" })).toBe("http://127.0.0.1:1/api/v2");
  });

  it("creates a ticket with the Idempotency-Key header; the same key returns the same ticket", async () => {
    const input = { subject: "Renewal at risk", body: "Usage dropped 40% this month", requester_email: "ana@acme.test", priority: "high" as const, tags: ["churn_risk"] };
    const t = await client.createTicket(input, { idempotencyKey: "ob-123", signal: signal() });
    expect(t).toMatchObject({ id: expect.any(Number), subject: "Renewal at risk", priority: "high", status: "new", tags: ["churn_risk"] });
    const req = fake.received[0]!;
    expect(req.method).toBe("POST");
    expect(req.contractPath).toBe("/api/v2/tickets");
    expect(req.headers["idempotency-key"]).toBe("ob-123");
    expect(req.body).toEqual({ ticket: { subject: "Renewal at risk", comment: { body: "Usage dropped 40% this month", public: true }, requester: { email: "ana@acme.test" }, priority: "high", tags: ["churn_risk"] } });

    const again = await client.createTicket(input, { idempotencyKey: "ob-123", signal: signal() });
    expect(again.id).toBe(t.id);
    expect(fake.tickets.size).toBe(1);

    const err = await vendorError(client.createTicket({ ...input, subject: "Other" }, { idempotencyKey: "ob-123", signal: signal() }));
    expect(err).toMatchObject({ status: 400, retryable: false });
    expect(err.message).toContain("IdempotentRequestError");
  });

  it("shows, updates and comments on a ticket", async () => {
    const t = await client.createTicket({ subject: "Onboarding blocked", body: "SSO fails", requester_id: 501 }, { idempotencyKey: "ob-2", signal: signal() });
    expect((await client.showTicket(t.id, signal())).subject).toBe("Onboarding blocked");

    const u = await client.updateTicket(t.id, { status: "pending", priority: "urgent", tags: ["sso"] }, signal());
    expect(u).toMatchObject({ id: t.id, status: "pending", priority: "urgent", tags: ["sso"] });

    await client.addComment(t.id, { body: "Escalated to engineering", public: false }, signal());
    const [, show, update, comment] = fake.received;
    expect(show).toMatchObject({ method: "GET", contractPath: `/api/v2/tickets/${t.id}`, operationId: "ShowTicket" });
    expect(update).toMatchObject({ method: "PUT", operationId: "UpdateTicket", body: { ticket: { status: "pending", priority: "urgent", tags: ["sso"] } } });
    expect(comment).toMatchObject({ method: "PUT", operationId: "UpdateTicket", body: { ticket: { comment: { body: "Escalated to engineering", public: false } } } });
  });

  it("finds a user by email, or null", async () => {
    expect(await client.findUserByEmail("bo@acme.test", signal())).toMatchObject({ id: 502, email: "bo@acme.test" });
    expect(await client.findUserByEmail("nobody@acme.test", signal())).toBeNull();
    expect(fake.received[0]).toMatchObject({ operationId: "SearchUsers" });
    expect(fake.received[0]!.query.get("query")).toBe("email:bo@acme.test");
  });

  it("searches", async () => {
    await client.createTicket({ subject: "Invoice question", body: "?", requester_id: 501 }, { idempotencyKey: "ob-3", signal: signal() });
    const r = await client.search("type:ticket status<solved", signal());
    expect(r.results.length).toBeGreaterThan(0);
    expect(fake.received.at(-1)).toMatchObject({ operationId: "ListSearchResults" });
    expect(fake.received.at(-1)!.query.get("query")).toBe("type:ticket status<solved");
  });

  it("turns a 404 into a non-retryable VendorError with the status", async () => {
    const err = await vendorError(client.showTicket(999999, signal()));
    expect(err).toMatchObject({ integration: "zendesk", status: 404, retryable: false });
    expect(err.message).toContain("RecordNotFound");
  });

  it("turns a 401 into a non-retryable VendorError without the credential", async () => {
    const bad = createZendeskClient(configFor(fake.url, "zd-wrong-secret"))!;
    const err = await vendorError(bad.showTicket(1, signal()));
    expect(err).toMatchObject({ status: 401, retryable: false });
    expect(err.message).not.toContain("zd-wrong-secret");
    expect(err.message).not.toMatch(/Basic [A-Za-z0-9+/=]{8,}/);
  });

  it("turns a 422 on create into a non-retryable VendorError", async () => {
    fake.failNext({ status: 422, body: { error: "RecordInvalid", description: "Record validation errors", details: { base: [{ description: "Requester: Email is invalid" }] } } });
    const err = await vendorError(client.createTicket({ subject: "x", body: "y", requester_email: "bad@acme.test" }, { idempotencyKey: "ob-4", signal: signal() }));
    expect(err).toMatchObject({ status: 422, retryable: false });
  });

  it("turns a 429 with Retry-After into a retryable VendorError with retryAfterMs", async () => {
    fake.failNext({ status: 429, headers: { "retry-after": "93" }, body: { error: "TooManyRequests" } });
    const err = await vendorError(client.search("type:ticket", signal()));
    expect(err).toMatchObject({ status: 429, retryable: true, retryAfterMs: 93_000 });
  });

  it("turns 502/503 (statuses node-zendesk itself would pass through) into retryable VendorErrors", async () => {
    fake.failNext({ status: 502, body: "<html>bad gateway</html>", headers: { "content-type": "text/html" } }, { status: 503, headers: { "retry-after": "5" } });
    expect(await vendorError(client.showTicket(1, signal()))).toMatchObject({ status: 502, retryable: true });
    expect(await vendorError(client.showTicket(1, signal()))).toMatchObject({ status: 503, retryable: true, retryAfterMs: 5000 });
  });

  it("turns a closed port into status 0", async () => {
    const c = createZendeskClient(configFor(`http://127.0.0.1:${await closedPort()}`))!;
    const err = await vendorError(c.showTicket(1, signal()));
    expect(err).toMatchObject({ status: 0, retryable: true });
    expect(err.message).toContain("ECONNREFUSED");
  });

  it("passes the AbortSignal to the request", async () => {
    fake.failNext({ status: 200, delayMs: 2_000, body: { ticket: { id: 1, subject: "slow", requester_id: 501 } } });
    const ac = new AbortController();
    const started = Date.now();
    setTimeout(() => ac.abort(new Error("deadline")), 100);
    await expect(client.showTicket(1, ac.signal)).rejects.toThrow("deadline");
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});
