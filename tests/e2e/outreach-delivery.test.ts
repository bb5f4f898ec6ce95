// The whole path of a side effect, over stdio: a tool queues an email in the outbox, the dispatcher
// inside the server delivers it through the real SendGrid client to a loopback fake that checks the
// request against SendGrid's published description — once, with the outbox's idempotency key — and the
// admin tool shows it delivered. Without credentials the same tool says not_configured and queues nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embeddedDataDir } from "../helpers/databases.ts";
import { dataOf, startServer, type RunningServer } from "../helpers/server.ts";
import { startSendGridFake } from "../contract/fakes/sendgrid.ts";
import type { FakeServer } from "../contract/fakes/contract-server.ts";

async function waitFor<T>(fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function registerAccount(server: RunningServer, company: string): Promise<string> {
  return dataOf<{ client_id: string }>(
    await server.call("register_client", { client_name: "Dana", company_name: company, primary_contact_email: "dana@example.com", primary_contact_name: "Dana" }),
  ).client_id;
}

describe("outreach delivered through the outbox", () => {
  let fake: FakeServer;
  let server: RunningServer;
  let remove: () => void;

  beforeAll(async () => {
    fake = await startSendGridFake();
    const d = embeddedDataDir();
    remove = d.remove;
    server = await startServer({
      CS_MCP_DATA_DIR: d.dir,
      SENDGRID_API_KEY: "SG.test-key", // the key the fake accepts
      SENDGRID_FROM_EMAIL: "cs@vendor.example",
      SENDGRID_BASE_URL: fake.url,
      OUTBOX_POLL_MS: "100",
    });
  });
  afterAll(async () => {
    await server?.close();
    await fake?.stop();
    remove?.();
  });

  it("queues the campaign email, delivers it once, and reports it delivered", async () => {
    const id = await registerAccount(server, "Outreach Co");
    const campaign = dataOf<{ outreach: { status: string; idempotency_key: string; outbox_id: string } }>(
      await server.call("execute_retention_campaign", { client_id: id, campaign_type: "re_engagement", intervention_level: "medium" }),
    );
    expect(campaign.outreach.status).toBe("queued");

    const delivered = await waitFor(async () => {
      const list = dataOf<{ deliveries: Array<{ id: string; status: string; external_id: string | null; attempts: number }> }>(
        await server.call("list_outbox_deliveries", { integration: "sendgrid" }),
      );
      const row = list.deliveries.find((d) => d.id === campaign.outreach.outbox_id);
      return row?.status === "delivered" ? row : undefined;
    });
    expect(delivered.attempts).toBe(1);

    const mails = fake.received.filter((r) => r.path === "/v3/mail/send");
    expect(mails).toHaveLength(1);
    expect(fake.violations).toEqual([]);
    const body = mails[0]!.body as { personalizations: Array<{ to: Array<{ email: string }>; custom_args?: Record<string, string> }> };
    expect(body.personalizations[0]!.to[0]!.email).toBe("dana@example.com");
    expect(JSON.stringify(mails[0]!.body) + JSON.stringify(mails[0]!.headers)).toContain(campaign.outreach.idempotency_key);
  });
});

describe("outreach without credentials", () => {
  it("does the database part and says which variables to set", async () => {
    const d = embeddedDataDir();
    const server = await startServer({ CS_MCP_DATA_DIR: d.dir });
    try {
      const id = await registerAccount(server, "Quiet Co");
      const campaign = dataOf<{ campaign_id: string; outreach: { status: string; missing_variables: string[] } }>(
        await server.call("execute_retention_campaign", { client_id: id, campaign_type: "value_review", intervention_level: "low" }),
      );
      expect(campaign.outreach).toEqual({ integration: "sendgrid", status: "not_configured", missing_variables: ["SENDGRID_API_KEY", "SENDGRID_FROM_EMAIL"] });
      expect(campaign.campaign_id).toBeTruthy();
      const list = dataOf<{ total: number }>(await server.call("list_outbox_deliveries", {}));
      expect(list.total).toBe(0);
    } finally {
      await server.close();
      d.remove();
    }
  });
});
