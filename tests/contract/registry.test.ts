// The outbox operation registry over the real clients and the contract-checking fakes: each operation goes
// through resilience.call and returns { external_id, result }; a bad payload is a non-retryable failure;
// an unconfigured integration's operation fails retryably with the variables to set.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { createOperationRegistry, mixpanelInsertId } from "../../src/integrations/registry.ts";
import { VendorError, type OperationRegistry } from "../../src/integrations/types.ts";
import type { Integration } from "../../src/integrations/status.ts";
import { loopbackGuard, type FakeServer } from "./fakes/contract-server.ts";
import { startSendGridFake } from "./fakes/sendgrid.ts";
import { startZendeskFake, type ZendeskFake } from "./fakes/zendesk.ts";
import { startIntercomFake, type IntercomFake } from "./fakes/intercom.ts";
import { startMixpanelFake, type MixpanelFake } from "./fakes/mixpanel.ts";

const guard = loopbackGuard();
let sg: FakeServer;
let zd: ZendeskFake;
let ic: IntercomFake;
let mp: MixpanelFake;
let registry: OperationRegistry;
const calls: Integration[] = [];
const resilience = {
  call<T>(integration: Integration, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    calls.push(integration);
    return fn(AbortSignal.timeout(10_000));
  },
};
const ctx = (key: string) => ({ idempotencyKey: key, signal: new AbortController().signal });

beforeAll(async () => {
  [sg, zd, ic, mp] = await Promise.all([startSendGridFake(), startZendeskFake(), startIntercomFake(), startMixpanelFake({ token: "mp-test-token", secret: "mp-test-secret" })]);
  const config = loadConfig({
    LOG_LEVEL: "silent",
    SENDGRID_API_KEY: "SG.test-key",
    SENDGRID_FROM_EMAIL: "cs@example.com",
    SENDGRID_BASE_URL: sg.url,
    ZENDESK_BASE_URL: zd.url,
    ZENDESK_EMAIL: "agent@acme.test",
    ZENDESK_API_TOKEN: "zd-test-token",
    INTERCOM_ACCESS_TOKEN: "ic-test-token",
    INTERCOM_BASE_URL: ic.url,
    MIXPANEL_PROJECT_TOKEN: "mp-test-token",
    MIXPANEL_API_HOST: `127.0.0.1:${mp.port}`,
  });
  registry = createOperationRegistry(config, resilience, createLogger("silent"));
});
afterAll(async () => {
  await Promise.all([sg, zd, ic, mp].map((f) => f?.stop()));
  for (const f of [sg, zd, ic, mp]) expect(f.violations).toEqual([]);
  guard.dispose();
  expect(guard.offenders).toEqual([]);
});

describe("operation registry", () => {
  it("maps every operation name to its integration", () => {
    expect(Object.fromEntries(Object.entries(registry).map(([k, v]) => [k, v.integration]))).toEqual({
      "zendesk.create_ticket": "zendesk",
      "zendesk.update_ticket": "zendesk",
      "zendesk.add_comment": "zendesk",
      "intercom.send_message": "intercom",
      "intercom.add_note": "intercom",
      "intercom.track_event": "intercom",
      "mixpanel.track": "mixpanel",
      "mixpanel.set_profile": "mixpanel",
      "sendgrid.send": "sendgrid",
      "sendgrid.send_template": "sendgrid",
      "sendgrid.send_batch": "sendgrid",
    });
  });

  it("marks idempotent only the operations whose vendor makes a second request with the same key a no-op", () => {
    // Only these are re-sent after a dispatcher died mid-request; SendGrid mail send and the rest wait as unknown_outcome.
    const idempotent = Object.entries(registry).filter(([, e]) => e.idempotent === true).map(([k]) => k);
    expect(idempotent.sort()).toEqual(["mixpanel.set_profile", "mixpanel.track", "zendesk.create_ticket"]);
  });

  it("delivers Zendesk operations through resilience.call with the ticket id as external_id", async () => {
    calls.length = 0;
    const created = await registry["zendesk.create_ticket"]!.handler({ subject: "Escalation", body: "P1 outage", requester_email: "ana@acme.test", priority: "urgent" }, ctx("reg-zd-1"));
    expect(created.external_id).toMatch(/^\d+$/);
    const again = await registry["zendesk.create_ticket"]!.handler({ subject: "Escalation", body: "P1 outage", requester_email: "ana@acme.test", priority: "urgent" }, ctx("reg-zd-1"));
    expect(again.external_id).toBe(created.external_id);
    await registry["zendesk.update_ticket"]!.handler({ ticket_id: Number(created.external_id), status: "open" }, ctx("reg-zd-2"));
    const c = await registry["zendesk.add_comment"]!.handler({ ticket_id: created.external_id, body: "Working on it" }, ctx("reg-zd-3"));
    expect(c.external_id).toBe(created.external_id);
    expect(calls).toEqual(["zendesk", "zendesk", "zendesk", "zendesk"]);
  });

  it("delivers SendGrid operations", async () => {
    const one = await registry["sendgrid.send"]!.handler({ to: "ana@acme.test", subject: "Hi", text: "Hello" }, ctx("reg-sg-1"));
    expect(one.external_id).toMatch(/\S+/);
    const tpl = await registry["sendgrid.send_template"]!.handler({ to: [{ email: "bo@acme.test" }], template_id: "d-1", dynamic_template_data: { a: 1 } }, ctx("reg-sg-2"));
    expect(tpl.result).toMatchObject({ recipients: 1 });
    const batch = await registry["sendgrid.send_batch"]!.handler({ template_id: "d-2", recipients: Array.from({ length: 1001 }, (_, i) => ({ email: `u${i}@acme.test` })) }, ctx("reg-sg-3"));
    expect(batch.result).toMatchObject({ requests: 2, recipients: 1001 });
  });

  it("delivers Intercom operations, finding the contact by email", async () => {
    const m = await registry["intercom.send_message"]!.handler({ email: "new@acme.test", body: "Welcome" }, ctx("reg-ic-1"));
    expect(m.external_id).toMatch(/\d+/);
    const n = await registry["intercom.add_note"]!.handler({ email: "new@acme.test", body: "Kickoff done" }, ctx("reg-ic-2"));
    expect(n.result).toMatchObject({ contact_id: m.result!.contact_id });
    await registry["intercom.track_event"]!.handler({ event_name: "kickoff", email: "new@acme.test", created_at: 1767225600 }, ctx("reg-ic-3"));
    expect(ic.events.some((e) => e.event_name === "kickoff")).toBe(true);
  });

  it("delivers Mixpanel operations with the idempotency key as $insert_id", async () => {
    const key = "outbox:mixpanel.track:acme:2026-05-04:login:with-a-long-key";
    const r = await registry["mixpanel.track"]!.handler({ event: "login", distinct_id: "u1", time: 1767225600, properties: { account_id: "acme" } }, ctx(key));
    expect(r.external_id).toBe(mixpanelInsertId(key));
    expect(r.external_id).toMatch(/^[A-Za-z0-9-]{1,36}$/);
    await registry["mixpanel.set_profile"]!.handler({ distinct_id: "u1", properties: { plan: "pro" } }, ctx("reg-mp-2"));
    expect(mp.profiles.get("u1")).toEqual({ plan: "pro" });
  });

  it("rejects a payload that cannot be delivered as a non-retryable VendorError", async () => {
    const err = await registry["zendesk.create_ticket"]!.handler({ subject: "no body" }, ctx("x")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VendorError);
    expect(err).toMatchObject({ status: 422, retryable: false });
  });

  it("fails an unconfigured integration's operation retryably, naming the variables", async () => {
    const r = createOperationRegistry(loadConfig({ LOG_LEVEL: "silent" }), resilience, createLogger("silent"));
    const err = (await r["sendgrid.send"]!.handler({ to: "a@acme.test", subject: "s", text: "t" }, ctx("x")).catch((e: unknown) => e)) as VendorError;
    expect(err).toBeInstanceOf(VendorError);
    expect(err).toMatchObject({ status: 503, retryable: true });
    expect(err.message).toContain("SENDGRID_API_KEY");
  });
});
