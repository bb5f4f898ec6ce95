// The Intercom client (intercom-client) against a loopback fake that checks every request against
// Intercom's published 2.14 description (tests/fixtures/contracts/intercom/api.intercom.io.yaml).
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.ts";
import { createIntercomClient, type IntercomApi } from "../../src/integrations/intercom/client.ts";
import { VendorError } from "../../src/integrations/types.ts";
import { checkContractAround, vendorError } from "./fakes/harness.ts";
import { closedPort, loopbackGuard } from "./fakes/contract-server.ts";
import { startIntercomFake, type IntercomFake } from "./fakes/intercom.ts";

const TOKEN = "ic-test-token";
const guard = loopbackGuard();
let fake: IntercomFake;
let client: IntercomApi;
const signal = () => new AbortController().signal;
const configFor = (baseUrl: string, token = TOKEN) => loadConfig({ INTERCOM_ACCESS_TOKEN: token, INTERCOM_BASE_URL: baseUrl, LOG_LEVEL: "silent" });

beforeAll(async () => {
  fake = await startIntercomFake();
  client = createIntercomClient(configFor(fake.url))!;
});
checkContractAround(() => fake, guard);

describe("intercom client against the 2.14 contract", () => {
  it("is not created without its token", () => {
    expect(createIntercomClient(loadConfig({ LOG_LEVEL: "silent" }))).toBeNull();
  });

  it("finds or creates a contact by email", async () => {
    const first = await client.findOrCreateContact("ana@acme.test", signal(), { name: "Ana" });
    expect(first.created).toBe(true);
    expect(first.contact).toMatchObject({ email: "ana@acme.test", role: "user" });
    const second = await client.findOrCreateContact("ana@acme.test", signal());
    expect(second).toMatchObject({ created: false, contact: { id: first.contact.id } });
    expect(fake.received.map((r) => r.operationId)).toEqual(["SearchContacts", "CreateContact", "SearchContacts"]);
    expect(fake.received[0]!.headers["intercom-version"]).toBe("2.14");
  });

  it("two lookups of a new contact side by side create it once (one search, one create)", async () => {
    const before = fake.received.length;
    const [a, b] = await Promise.all([client.findOrCreateContact("cy@acme.test", signal()), client.findOrCreateContact("CY@acme.test", signal())]);
    expect(a.contact.id).toBe(b.contact.id);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(fake.received.slice(before).map((r) => r.operationId)).toEqual(["SearchContacts", "CreateContact"]);
  });

  it("sends a message from the token's admin, adds a note, tags and untags", async () => {
    const { contact } = await client.findOrCreateContact("bo@acme.test", signal());
    fake.reset();
    const msg = await client.sendMessage({ contact_id: contact.id, body: "Your renewal is coming up" }, signal());
    expect(msg.id).toMatch(/\d+/);
    expect(fake.received.map((r) => r.operationId)).toEqual(["identifyAdmin", "createMessage"]);
    expect(fake.received[1]!.body).toMatchObject({ message_type: "in_app", body: "Your renewal is coming up", from: { type: "admin", id: 991267460 }, to: { type: "user", id: contact.id } });

    await client.sendMessage({ contact_id: contact.id, body: "Email body", subject: "QBR", message_type: "email" }, signal());
    expect(fake.received.at(-1)!.body).toMatchObject({ message_type: "email", subject: "QBR", template: "plain" });
    expect(fake.received.filter((r) => r.operationId === "identifyAdmin")).toHaveLength(1); // cached

    const note = await client.addNote({ contact_id: contact.id, body: "Champion left the company" }, signal());
    expect(note.id).toMatch(/\d+/);
    expect(fake.received.at(-1)).toMatchObject({ operationId: "createNote", body: { body: "Champion left the company", admin_id: "991267460" } });

    const tag = await client.tagContact(contact.id, "at-risk", signal());
    expect(tag.name).toBe("at-risk");
    expect(fake.tagsOf.get(contact.id)?.has(tag.id)).toBe(true);
    await client.untagContact(contact.id, "at-risk", signal());
    expect(fake.tagsOf.get(contact.id)?.has(tag.id)).toBe(false);
    expect(fake.received.slice(-4).map((r) => r.operationId)).toEqual(["createTag", "attachTagToContact", "createTag", "detachTagFromContact"]);
  });

  it("tracks an event; the same created_at is de-duplicated like Intercom does", async () => {
    const ev = { event_name: "qbr-scheduled", created_at: 1767225600, email: "ana@acme.test", metadata: { quarter: "Q1", seats: 12 } };
    await client.trackEvent(ev, signal());
    await client.trackEvent(ev, signal());
    expect(fake.received).toHaveLength(2);
    expect(fake.events.filter((e) => e.event_name === "qbr-scheduled")).toHaveLength(1);
    expect(fake.received[0]!.body).toEqual({ event_name: "qbr-scheduled", created_at: 1767225600, email: "ana@acme.test", metadata: { quarter: "Q1", seats: "12" } });
  });

  it("turns a 404 into a non-retryable VendorError with the status", async () => {
    const err = await vendorError(client.addNote({ contact_id: "404404", body: "x", admin_id: "1" }, signal()));
    expect(err).toMatchObject({ integration: "intercom", status: 404, retryable: false });
    expect(err.message).toContain("Resource Not Found");
  });

  it("turns a 401 into a non-retryable VendorError without the token", async () => {
    const bad = createIntercomClient(configFor(fake.url, "ic-wrong-secret"))!;
    const err = await vendorError(bad.trackEvent({ event_name: "x", created_at: 1, email: "a@acme.test" }, signal()));
    expect(err).toMatchObject({ status: 401, retryable: false });
    expect(err.message).not.toContain("ic-wrong-secret");
  });

  it("turns a 429 with Retry-After into a retryable VendorError with retryAfterMs (no package retries)", async () => {
    fake.failNext({ status: 429, headers: { "retry-after": "12" }, body: { type: "error.list", errors: [{ code: "rate_limit_exceeded", message: "Exceeded rate limit" }] } });
    const err = await vendorError(client.trackEvent({ event_name: "x", created_at: 1, email: "a@acme.test" }, signal()));
    expect(err).toMatchObject({ status: 429, retryable: true, retryAfterMs: 12_000 });
    expect(fake.received).toHaveLength(1);
  });

  it("turns a 500 into a retryable VendorError", async () => {
    fake.failNext({ status: 500, body: { type: "error.list", errors: [{ code: "server_error", message: "boom" }] } });
    expect(await vendorError(client.trackEvent({ event_name: "x", created_at: 1, email: "a@acme.test" }, signal()))).toMatchObject({ status: 500, retryable: true });
  });

  it("turns a closed port into status 0", async () => {
    const c = createIntercomClient(configFor(`http://127.0.0.1:${await closedPort()}`))!;
    expect(await vendorError(c.trackEvent({ event_name: "x", created_at: 1, email: "a@acme.test" }, signal()))).toMatchObject({ status: 0, retryable: true });
  });

  it("passes the AbortSignal to the request", async () => {
    fake.failNext({ status: 202, delayMs: 2_000 });
    const ac = new AbortController();
    const started = Date.now();
    setTimeout(() => ac.abort(new Error("deadline")), 100);
    await expect(client.trackEvent({ event_name: "x", created_at: 1, email: "a@acme.test" }, ac.signal)).rejects.toThrow("deadline");
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});
