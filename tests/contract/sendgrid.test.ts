// The SendGrid client against a loopback fake that checks every request against SendGrid's published
// Mail Send description (tests/fixtures/contracts/sendgrid/tsg_mail_v3.yaml).
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.ts";
import { createSendGridClient, type SendGridApi } from "../../src/integrations/sendgrid/client.ts";
import { VendorError } from "../../src/integrations/types.ts";
import { checkContractAround, vendorError } from "./fakes/harness.ts";
import { closedPort, loopbackGuard, type FakeServer } from "./fakes/contract-server.ts";
import { startSendGridFake } from "./fakes/sendgrid.ts";

const KEY = "SG.test-key";
const guard = loopbackGuard();
let fake: FakeServer;
let client: SendGridApi;
const ctx = (key = "outbox-key-1") => ({ idempotencyKey: key, signal: new AbortController().signal });

function configFor(baseUrl: string) {
  return loadConfig({ SENDGRID_API_KEY: KEY, SENDGRID_FROM_EMAIL: "cs@example.com", SENDGRID_FROM_NAME: "Customer Success", SENDGRID_BASE_URL: baseUrl, LOG_LEVEL: "silent" });
}

beforeAll(async () => {
  fake = await startSendGridFake();
  client = createSendGridClient(configFor(fake.url))!;
});
checkContractAround(() => fake, guard);

describe("sendgrid client against the Mail Send contract", () => {
  it("is not created without its settings", () => {
    expect(createSendGridClient(loadConfig({ LOG_LEVEL: "silent" }))).toBeNull();
    expect(createSendGridClient(loadConfig({ SENDGRID_API_KEY: KEY, LOG_LEVEL: "silent" }))).toBeNull();
  });

  it("sends one mail with the idempotency key as custom_arg and header", async () => {
    const r = await client.send({ to: { email: "ana@acme.test", name: "Ana" }, subject: "Your QBR", text: "See you Tuesday", html: "<p>See you Tuesday</p>" }, ctx("k-send-1"));
    expect(r.status).toBe(202);
    expect(r.message_id).toMatch(/\S+/);
    expect(fake.received).toHaveLength(1);
    const req = fake.received[0]!;
    expect(req.path).toBe("/v3/mail/send");
    expect(req.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(req.headers["x-idempotency-key"]).toBe("k-send-1");
    const body = req.body as any;
    expect(body.from).toEqual({ email: "cs@example.com", name: "Customer Success" });
    expect(body.personalizations).toEqual([{ to: [{ email: "ana@acme.test", name: "Ana" }], custom_args: { idempotency_key: "k-send-1" } }]);
    expect(body.headers).toEqual({ "X-Idempotency-Key": "k-send-1" });
    expect(body.content).toEqual([
      { type: "text/plain", value: "See you Tuesday" },
      { type: "text/html", value: "<p>See you Tuesday</p>" },
    ]);
  });

  it("sends a template mail with dynamic_template_data", async () => {
    await client.sendTemplate({ to: [{ email: "bo@acme.test" }], template_id: "d-0123456789abcdef", dynamic_template_data: { first_name: "Bo", score: 72, items: [1, 2] } }, ctx("k-tpl"));
    const body = fake.received[0]!.body as any;
    expect(body.template_id).toBe("d-0123456789abcdef");
    expect(body.personalizations).toEqual([{ to: [{ email: "bo@acme.test" }], dynamic_template_data: { first_name: "Bo", score: 72, items: [1, 2] }, custom_args: { idempotency_key: "k-tpl" } }]);
  });

  it("splits 2,500 recipients into 3 requests of at most 1,000 personalizations", async () => {
    const recipients = Array.from({ length: 2500 }, (_, i) => ({ email: `user${i}@acme.test`, dynamic_template_data: { n: i } }));
    const r = await client.sendBatch({ recipients, template_id: "d-batch" }, ctx("k-batch"));
    expect(r).toMatchObject({ requests: 3, recipients: 2500 });
    expect(fake.received).toHaveLength(3);
    const sizes = fake.received.map((q) => (q.body as any).personalizations.length);
    expect(sizes).toEqual([1000, 1000, 500]);
    const emails = fake.received.flatMap((q) => (q.body as any).personalizations.map((p: any) => p.to[0].email));
    expect(new Set(emails).size).toBe(2500);
    expect(fake.received.map((q) => (q.body as any).personalizations[0].custom_args)).toEqual([
      { idempotency_key: "k-batch", batch_part: "1/3" },
      { idempotency_key: "k-batch", batch_part: "2/3" },
      { idempotency_key: "k-batch", batch_part: "3/3" },
    ]);
    expect((fake.received[2]!.body as any).personalizations[499]).toEqual({ to: [{ email: "user2499@acme.test" }], dynamic_template_data: { n: 2499 }, custom_args: { idempotency_key: "k-batch", batch_part: "3/3" } });
  });

  it("sends a plain batch with per-recipient substitutions ({{key}} wrappers added by @sendgrid/mail)", async () => {
    await client.sendBatch({ recipients: [{ email: "a@acme.test", substitutions: { name: "A" } }, { email: "b@acme.test" }], subject: "Hi {{name}}", text: "Hello {{name}}" }, ctx("k-plain"));
    const body = fake.received[0]!.body as any;
    expect(body.subject).toBe("Hi {{name}}");
    const args = { idempotency_key: "k-plain", batch_part: "1/1" };
    expect(body.personalizations).toEqual([{ to: [{ email: "a@acme.test" }], substitutions: { "{{name}}": "A" }, custom_args: args }, { to: [{ email: "b@acme.test" }], custom_args: args }]);
  });

  it("turns a 400 into a non-retryable VendorError with the status, without the key", async () => {
    fake.failNext({ status: 400, body: { errors: [{ field: "from.email", message: "The from email does not contain a valid address." }] } });
    const err = await vendorError(client.send({ to: { email: "x@acme.test" }, subject: "s", text: "t" }, ctx()));
    expect(err).toMatchObject({ integration: "sendgrid", status: 400, retryable: false });
    expect(err.message).toContain("from email does not contain a valid address");
    expect(err.message).not.toContain(KEY);
  });

  it("turns a 401 into a non-retryable VendorError that does not echo the credential", async () => {
    const bad = createSendGridClient(loadConfig({ SENDGRID_API_KEY: "SG.wrong-secret", SENDGRID_FROM_EMAIL: "cs@example.com", SENDGRID_BASE_URL: fake.url, LOG_LEVEL: "silent" }))!;
    const err = await vendorError(bad.send({ to: { email: "x@acme.test" }, subject: "s", text: "t" }, ctx()));
    expect(err).toMatchObject({ status: 401, retryable: false });
    expect(err.message).not.toContain("wrong-secret");
  });

  it("turns a 429 with Retry-After into a retryable VendorError with retryAfterMs", async () => {
    fake.failNext({ status: 429, headers: { "retry-after": "7" }, body: { errors: [{ message: "too many requests" }] } });
    const err = await vendorError(client.send({ to: { email: "x@acme.test" }, subject: "s", text: "t" }, ctx()));
    expect(err).toMatchObject({ status: 429, retryable: true, retryAfterMs: 7000 });
  });

  it("turns a 5xx into a retryable VendorError", async () => {
    fake.failNext({ status: 503, body: { errors: [{ message: "unavailable" }] } });
    const err = await vendorError(client.sendTemplate({ to: { email: "x@acme.test" }, template_id: "d-x" }, ctx()));
    expect(err).toMatchObject({ status: 503, retryable: true });
  });

  it("turns a closed port into status 0", async () => {
    const c = createSendGridClient(configFor(`http://127.0.0.1:${await closedPort()}`))!;
    const err = await vendorError(c.send({ to: { email: "x@acme.test" }, subject: "s", text: "t" }, ctx()));
    expect(err).toMatchObject({ status: 0, retryable: true });
  });

  it("passes the AbortSignal to the request", async () => {
    fake.failNext({ status: 202, delayMs: 2_000 });
    const ac = new AbortController();
    const started = Date.now();
    setTimeout(() => ac.abort(new Error("deadline")), 100);
    await expect(client.send({ to: { email: "x@acme.test" }, subject: "s", text: "t" }, { idempotencyKey: "k", signal: ac.signal })).rejects.toThrow("deadline");
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});
