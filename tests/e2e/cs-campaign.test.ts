// An email campaign over stdio, as a CS manager's agent runs it against the built server: accounts imported
// from the CRM (`cs-mcp import accounts`), send_personalized_email to the enterprise tier → the server's
// dispatcher sends one batch to the contract-checking SendGrid fake, one personalization per contact with the
// HTML part escaped → the Event Webhook payload SendGrid would post (built here from the email_send_id custom
// args the fake received) is loaded with `cs-mcp import email_events` → the campaign report counts exactly
// those opens, clicks and the unsubscribe → the next campaign to the same tier leaves the unsubscribed
// contact out.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS } from "../helpers/databases.ts";
import { dataOf, startServer, type RunningServer } from "../helpers/server.ts";
import { addDays, csBackend, csv, importFile, utcDay, waitFor, ymd, type CsBackend } from "../helpers/cs-e2e.ts";
import { startSendGridFake } from "../contract/fakes/sendgrid.ts";
import type { FakeServer, ReceivedRequest } from "../contract/fakes/contract-server.ts";

const TODAY = utcDay(new Date());
const ACCOUNTS = [
  { external_id: "ENT-1", company_name: "Smith & <Sons>", tier: "enterprise", contract_value: "120000", renewal_date: ymd(addDays(TODAY, 200)), primary_contact_email: "ann@smith.example", primary_contact_name: "Ann O'Neil" },
  { external_id: "ENT-2", company_name: "Orbit Labs", tier: "enterprise", contract_value: "95000.5", renewal_date: ymd(addDays(TODAY, 120)), primary_contact_email: "raj@orbit.example", primary_contact_name: "Raj Mehta" },
  { external_id: "ENT-3", company_name: "Quartz AG", tier: "enterprise", contract_value: "80000", renewal_date: ymd(addDays(TODAY, 300)), primary_contact_email: "lena@quartz.example", primary_contact_name: "Lena Vogel" },
  { external_id: "PRO-1", company_name: "Pine LLC", tier: "professional", contract_value: "20000", renewal_date: ymd(addDays(TODAY, 90)), primary_contact_email: "paul@pine.example", primary_contact_name: "Paul Pine" },
];
const SENDGRID = { SENDGRID_API_KEY: "SG.test-key", SENDGRID_FROM_EMAIL: "cs@vendor.example", OUTBOX_POLL_MS: "100" }; // the key the fake accepts

const SUBJECT = "{{company_name}}: your renewal on {{renewal_date}}";
const HTML = "<p>Hi {{first_name}},</p><p>{{company_name}} renews on {{renewal_date}} at {{arr}} {{currency}}.</p>";
const TEXT = "Hi {{first_name}}, {{company_name}} renews on {{renewal_date}}.";

interface Personalization {
  to: Array<{ email: string; name?: string }>;
  substitutions: Record<string, string>;
  custom_args: Record<string, string>;
}
interface MailBody {
  subject: string;
  content: Array<{ type: string; value: string }>;
  personalizations: Personalization[];
  custom_args?: Record<string, string>;
  tracking_settings?: { open_tracking?: { enable: boolean }; click_tracking?: { enable: boolean } };
}

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
/** "120000" → "120,000.00", "95000.5" → "95,000.50" (how the arr token is shown). */
const money = (s: string) => Number(s).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
/** The substitution of a personalization whose key names `part` (the SendGrid client wraps the keys). */
const sub = (p: Personalization, part: string) => Object.entries(p.substitutions).find(([k]) => k.includes(part))![1];

describe.each(BACKENDS)("personalized campaign, events and unsubscribe over stdio on %s", (backend) => {
  let b: CsBackend;
  let fake: FakeServer;
  let server: RunningServer;
  let env: Record<string, string>;
  const mails = () => fake.received.filter((r) => r.path === "/v3/mail/send");

  beforeAll(async () => {
    fake = await startSendGridFake();
    b = await csBackend(backend);
    const imported = await importFile(b, "accounts", "accounts.csv", csv(Object.keys(ACCOUNTS[0]!), ACCOUNTS));
    expect(imported.created).toBe(ACCOUNTS.length);
    env = { ...b.env, ...SENDGRID, SENDGRID_BASE_URL: fake.url };
    server = await startServer(env);
  });
  afterAll(async () => {
    await server?.close();
    await fake?.stop();
    await b?.cleanup();
  });

  async function sendAndDeliver(name: string): Promise<{ campaign: { campaign_id: string; resolution: { recipients: number; skipped: Record<string, number> }; sends_recorded: number; delivery: { status: string; batches: Array<{ recipients: number }> } }; mail: ReceivedRequest }> {
    const before = mails().length;
    const campaign = dataOf<{ campaign_id: string; resolution: { recipients: number; skipped: Record<string, number> }; sends_recorded: number; delivery: { status: string; batches: Array<{ recipients: number; delivery: { outbox_id: string } }> } }>(
      await server.call("send_personalized_email", { campaign_name: name, template_type: "renewal_reminder", subject_line: SUBJECT, body_html: HTML, body_text: TEXT, target_tier: "enterprise" }),
    );
    const outboxIds = campaign.delivery.batches.map((x) => x.delivery.outbox_id);
    await waitFor(async () => {
      const list = dataOf<{ deliveries: Array<{ id: string; status: string }> }>(await server.call("list_outbox_deliveries", { integration: "sendgrid" }));
      return outboxIds.every((id) => list.deliveries.find((d) => d.id === id)?.status === "delivered") ? true : undefined;
    }, `campaign ${name} delivered`);
    expect(mails()).toHaveLength(before + 1);
    return { campaign, mail: mails()[before]! };
  }

  /** `cs-mcp import email_events`: with the embedded database the server must let go of it meanwhile. */
  async function importEvents(events: unknown[]) {
    if (b.exclusive) await server.close();
    try {
      return await importFile(b, "email_events", "sendgrid-events.json", JSON.stringify(events));
    } finally {
      if (b.exclusive) server = await startServer(env);
    }
  }

  it("sends one batch to the tier, counts the imported opens and clicks, and honours the unsubscribe on the next send", async () => {
    const tier = ACCOUNTS.filter((a) => a.tier === "enterprise");
    const { campaign, mail } = await sendAndDeliver("Renewal heads-up");
    expect(campaign.resolution.recipients).toBe(tier.length);
    expect(campaign.sends_recorded).toBe(tier.length);
    expect(campaign.delivery.status).toBe("queued");
    expect(campaign.delivery.batches.map((x) => x.recipients)).toEqual([tier.length]);

    // What SendGrid received: one request, one personalization per contact, valid against its description.
    expect(fake.violations).toEqual([]);
    const body = mail.body as MailBody;
    expect(body.tracking_settings).toMatchObject({ open_tracking: { enable: true }, click_tracking: { enable: true } });
    expect(body.personalizations.map((p) => p.to[0]!.email).sort()).toEqual(tier.map((a) => a.primary_contact_email).sort());
    for (const a of tier) {
      const p = body.personalizations.find((x) => x.to[0]!.email === a.primary_contact_email)!;
      const first = a.primary_contact_name.split(" ")[0]!;
      expect(p.to[0]!.name).toBe(a.primary_contact_name);
      // Values are HTML-escaped in the HTML part only; subject and text carry them as written.
      expect(sub(p, "html")).toBe(`<p>Hi ${escapeHtml(first)},</p><p>${escapeHtml(a.company_name)} renews on ${a.renewal_date} at ${money(a.contract_value)} USD.</p>`);
      expect(sub(p, "subject")).toBe(`${a.company_name}: your renewal on ${a.renewal_date}`);
      expect(sub(p, "text")).toBe(`Hi ${first}, ${a.company_name} renews on ${a.renewal_date}.`);
      expect(p.custom_args).toMatchObject({ campaign_id: campaign.campaign_id, email_send_id: expect.any(String) });
    }
    expect(sub(body.personalizations.find((x) => x.to[0]!.email === "ann@smith.example")!, "html")).toContain("Smith &amp; &lt;Sons&gt;");
    expect(new Set(body.personalizations.map((p) => p.custom_args.email_send_id)).size).toBe(tier.length);

    // The Event Webhook payload for that mail: delivered to all; Ann opens twice and clicks, Raj opens once (the
    // same open posted twice, as SendGrid may retry a webhook), Lena unsubscribes.
    const sendOf = (email: string) => body.personalizations.find((p) => p.to[0]!.email === email)!.custom_args.email_send_id!;
    const t0 = Math.floor(Date.now() / 1000) - 600;
    const ev = (email: string, event: string, n: number, extra: Record<string, unknown> = {}) => ({ email, event, timestamp: t0 + n, sg_event_id: `ev-${backend}-${email}-${event}-${n}`, email_send_id: sendOf(email), campaign_id: campaign.campaign_id, ...extra });
    const events = [
      ...tier.map((a, i) => ev(a.primary_contact_email, "processed", i)),
      ...tier.map((a, i) => ev(a.primary_contact_email, "delivered", 10 + i)),
      ev("ann@smith.example", "open", 20),
      ev("ann@smith.example", "open", 21),
      ev("ann@smith.example", "click", 22, { url: "https://vendor.example/renewal" }),
      ev("raj@orbit.example", "open", 23),
      ev("raj@orbit.example", "open", 23),
      ev("lena@quartz.example", "unsubscribe", 24),
    ];
    const unique = new Map(events.map((e) => [e.sg_event_id, e]));
    const imported = await importEvents(events);
    expect(imported.email_events).toMatchObject({ stored: unique.size, unmatched: 0, contacts_unsubscribed: 1 });

    // The report: figures from the events above.
    const stored = [...unique.values()];
    const perSend = (type: string) => new Map(tier.map((a) => [a.primary_contact_email, stored.filter((e) => e.email === a.primary_contact_email && e.event === type).length]));
    const opens = perSend("open");
    const clicks = perSend("click");
    const delivered = [...perSend("delivered").values()].filter((n) => n > 0).length;
    const uniqueOpens = [...opens.values()].filter((n) => n > 0).length;
    const uniqueClicks = [...clicks.values()].filter((n) => n > 0).length;
    const rate = (n: number, d: number) => Math.round((n / d) * 10_000) / 10_000;
    const report = dataOf<{ performance: Record<string, number | string | null>; rates: Record<string, number | null> }>(await server.call("send_personalized_email", { campaign_id: campaign.campaign_id }));
    expect(report.performance).toMatchObject({
      recipients: tier.length,
      sent: tier.length,
      delivered,
      bounced: 0,
      opens: [...opens.values()].reduce((a, n) => a + n, 0),
      unique_opens: uniqueOpens,
      clicks: [...clicks.values()].reduce((a, n) => a + n, 0),
      unique_clicks: uniqueClicks,
      unsubscribes: 1,
      events: unique.size,
    });
    expect(report.performance).toMatchObject({ opens: 3, unique_opens: 2, clicks: 1, delivered: 3 });
    expect(report.rates).toEqual({
      delivery_rate: rate(delivered, tier.length),
      bounce_rate: 0,
      open_rate: rate(uniqueOpens, delivered),
      click_rate: rate(uniqueClicks, delivered),
      click_to_open_rate: rate(uniqueClicks, uniqueOpens),
      unsubscribe_rate: rate(1, delivered),
    });

    // The next campaign to the tier: Lena is left out and counted as unsubscribed.
    const second = await sendAndDeliver("Renewal webinar invite");
    expect(second.campaign.resolution).toMatchObject({ recipients: tier.length - 1, skipped: { unsubscribed: 1 } });
    const next = second.mail.body as MailBody;
    expect(next.personalizations.map((p) => p.to[0]!.email).sort()).toEqual(tier.map((a) => a.primary_contact_email).filter((e) => e !== "lena@quartz.example").sort());
    expect(fake.violations).toEqual([]);
    expect(fake.answerViolations).toEqual([]);
  });
});
