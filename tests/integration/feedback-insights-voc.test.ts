// share_product_insights and manage_voice_of_customer on both back ends: affected ARR = Σ ARR of the union of
// the given accounts and the supporting feedback's accounts (an account given twice, or given and behind
// feedback, counted once), unknown ids named with nothing written, feedback moving forward along its loop,
// the roadmap link, loop tracking and program figures, the stored VOC report and its executive summary, and
// closing the loop with the SendGrid outbox row — delivered once through the dispatcher to a loopback fake —
// or not_configured when SendGrid is not set up.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { call, callError, pipelineFor } from "../helpers/pipeline.ts";
import { feedbackTools } from "../../src/tools/feedback/index.ts";
import type { ToolPipeline } from "../../src/server/pipeline.ts";
import { startSendGridFake } from "../contract/fakes/sendgrid.ts";
import { startIntercomFake } from "../contract/fakes/intercom.ts";
import type { FakeServer } from "../contract/fakes/contract-server.ts";
import { OutboxDispatcher } from "../../src/integrations/outbox-dispatcher.ts";
import { createOperationRegistry } from "../../src/integrations/registry.ts";
import { createResilience } from "../../src/integrations/resilience/index.ts";
import { createLogger } from "../../src/observability/logger.ts";
import type { Config } from "../../src/config/load.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const DAY = 86_400_000;
const daysAgo = (d: number) => new Date(NOW.getTime() - d * DAY).toISOString();
const cents = (v: string | number) => Math.round(Number(v) * 100);
const GHOST_FEEDBACK = "01970000-0000-7000-8000-000000000000";

describe.each(BACKENDS)("product insights and the voice of the customer on %s", (backend) => {
  let t: TestDb;
  let p: ToolPipeline; // SendGrid configured (pointing at the fake)
  let bare: ToolPipeline; // SendGrid not configured
  let fake: FakeServer;
  let n = 0;

  async function account(arr: string, over: Record<string, unknown> = {}) {
    const slug = `voc_${backend}_${++n}`;
    const id = `cs_1700000000_${slug}`;
    await t.db.prisma.account.create({ data: { id, client_name: slug, company_name: `Company ${slug}`, company_key: slug, arr, csm_name: "Casey CSM", csm_email: "casey@vendor.test", created_at: new Date(NOW.getTime() - 400 * DAY), ...over } });
    return id;
  }
  const feedback = async (client_id: string, over: Record<string, unknown> = {}) =>
    (await call(p, "collect_feedback", { client_id, feedback_type: "feature_request", content: "Please add a bulk export", submitter_email: "pat@cust.test", submitter_name: "Pat", ...over })).feedback.feedback_id as string;

  beforeAll(async () => {
    fake = await startSendGridFake();
    t = await openTestDb(backend, { SENDGRID_API_KEY: "SG.test-key", SENDGRID_FROM_EMAIL: "cs@vendor.test", SENDGRID_BASE_URL: fake.url });
    p = pipelineFor(t, feedbackTools, NOW);
    const unconfigured: Config = { ...t.config, SENDGRID_API_KEY: undefined, SENDGRID_FROM_EMAIL: undefined };
    bare = pipelineFor({ ...t, config: unconfigured }, feedbackTools, NOW);
  });
  afterAll(async () => {
    await t?.cleanup();
    await fake?.stop();
  });

  it("computes affected ARR over the union of accounts, each once, and acknowledges the supporting feedback", async () => {
    const a = await account("10000.10");
    const b = await account("2500.55");
    const c = await account("999.99");
    const f1 = await feedback(a);
    const f2 = await feedback(a, { content: "Exports time out" });
    const f3 = await feedback(b);
    const r = await call(p, "share_product_insights", {
      insight_type: "feature_request",
      title: "Bulk export",
      description: "Finance teams export every month",
      supporting_feedback_ids: [f1, f2, f3, f1],
      affected_customers: [c, a, c],
      priority: "high",
    });
    // Independent sum over the union {a, b, c} in cents: a appears as given and behind two feedback, c twice.
    const union = [...new Set([c, a, c, a, a, b])];
    const rows = await t.db.prisma.account.findMany({ where: { id: { in: union } } });
    const expected = rows.reduce((s, x) => s + cents(x.arr.toString()), 0);
    expect(expected).toBe(1_000_010 + 250_055 + 99_999);
    expect(cents(r.insight.affected_arr)).toBe(expected);
    expect(r.insight).toMatchObject({ affected_accounts: 3, priority: "high", status: "open", supporting_feedback_ids: [f1, f2, f3] });
    expect(r.affected_accounts.find((x: { client_id: string }) => x.client_id === a).source).toBe("both");
    expect(r.affected_accounts.find((x: { client_id: string }) => x.client_id === c).source).toBe("affected_customers");
    const stored = await t.db.prisma.productInsight.findUniqueOrThrow({ where: { id: r.insight.insight_id } });
    expect(stored.affected_arr.toString()).toBe("13500.64");
    expect([...stored.affected_account_ids].sort()).toEqual([...union].sort());
    expect(r.feedback_status_updated).toEqual({ to: "acknowledged", count: 3, feedback_ids: [f1, f2, f3].sort() });
    const statuses = await t.db.prisma.feedback.findMany({ where: { id: { in: [f1, f2, f3] } }, select: { status: true, acknowledged_at: true } });
    expect(statuses.every((s) => s.status === "acknowledged" && s.acknowledged_at?.toISOString() === NOW.toISOString())).toBe(true);

    const got = await call(p, "share_product_insights", { action: "get", insight_id: r.insight.insight_id });
    expect(got.supporting_feedback).toHaveLength(3);
    expect(got.supporting_feedback[0].content.customer_text).toBeTruthy();
    expect(cents(got.current_affected_arr)).toBe(expected);
    const list = await call(p, "share_product_insights", { action: "list", client_id: c });
    expect(list.insights.map((i: { insight_id: string }) => i.insight_id)).toEqual([r.insight.insight_id]);
  });

  it("names unknown feedback and client ids, and missing fields, writing nothing", async () => {
    const a = await account("100");
    const f = await feedback(a);
    const before = await t.db.prisma.productInsight.count();
    const e1 = await callError(p, "share_product_insights", { insight_type: "pain_point", title: "T", description: "D", supporting_feedback_ids: [f, GHOST_FEEDBACK] });
    expect(e1).toMatchObject({ code: "validation_error", message: `supporting_feedback_ids: unknown feedback id ${GHOST_FEEDBACK}` });
    const e2 = await callError(p, "share_product_insights", { insight_type: "pain_point", title: "T", description: "D", affected_customers: ["cs_1700000000_ghost", a] });
    expect(e2.message).toBe("affected_customers: unknown client_id cs_1700000000_ghost");
    const e3 = await callError(p, "share_product_insights", { insight_type: "pain_point", description: "D", status: "open" });
    expect(e3.message).toBe("action 'create' needs title (missing); action 'create' does not use status");
    expect(await t.db.prisma.productInsight.count()).toBe(before);
    expect((await t.db.prisma.feedback.findUniqueOrThrow({ where: { id: f } })).status).toBe("open");
  });

  it("links feedback to the roadmap: insight planned, feedback in_roadmap, ARR recomputed", async () => {
    const a = await account("1000");
    const b = await account("250.25");
    const f1 = await feedback(a);
    const ins = await call(p, "share_product_insights", { insight_type: "feature_request", title: "SSO", description: "SAML", supporting_feedback_ids: [f1] });
    const f2 = await feedback(b, { content: "We need SAML" });
    const r = await call(p, "manage_voice_of_customer", { action: "update_customer_roadmap", insight_id: ins.insight.insight_id, feedback_ids: [f2], roadmap_item: "Q3: SAML SSO" });
    expect(r.insight).toMatchObject({ status: "planned", roadmap_item: "Q3: SAML SSO", affected_accounts: 2 });
    expect(cents(r.insight.affected_arr)).toBe(cents("1000") + cents("250.25"));
    expect(r.linked_feedback_ids).toEqual([f2]);
    expect(r.feedback_moved_to_in_roadmap).toEqual([f1, f2].sort());
    const rows = await t.db.prisma.feedback.findMany({ where: { id: { in: [f1, f2] } } });
    expect(rows.every((x) => x.status === "in_roadmap" && x.in_roadmap_at?.toISOString() === NOW.toISOString())).toBe(true);
    expect(await t.db.prisma.timelineEvent.count({ where: { account_id: b, event_type: "feedback" } })).toBe(1);
    const e = await callError(p, "manage_voice_of_customer", { action: "update_customer_roadmap", insight_id: ins.insight.insight_id });
    expect(e.message).toBe("action 'update_customer_roadmap' needs at least one of feedback_ids, roadmap_item, insight_status");
  });

  it("closes the loop: status, response, timeline, and the SendGrid outbox row delivered once", async () => {
    const a = await account("500");
    const f = await feedback(a, { title: "Bulk export" });
    const r = await call(p, "manage_voice_of_customer", { action: "close_feedback_loop", feedback_id: f, response: "Bulk export shipped in 4.2.", notify_submitter: true });
    const key = `feedback_loop_closed:${f}`;
    expect(r.notification).toMatchObject({ integration: "sendgrid", status: "queued", idempotency_key: key });
    expect(r.feedback).toMatchObject({ status: "closed_loop", closed_at: NOW.toISOString(), response: "Bulk export shipped in 4.2." });
    const row = await t.db.prisma.outboxMessage.findUniqueOrThrow({ where: { idempotency_key: key } });
    expect(row).toMatchObject({ integration: "sendgrid", operation: "sendgrid.send", account_id: a, status: "pending" });
    const payload = row.payload as { to: Array<{ email: string; name: string }>; subject: string; text: string; reply_to: { email: string } };
    expect(payload.to).toEqual([{ email: "pat@cust.test", name: "Pat" }]);
    expect(payload.subject).toBe("Following up on your feedback: Bulk export");
    expect(payload.text).toContain("Bulk export shipped in 4.2.");
    expect(payload.reply_to.email).toBe("casey@vendor.test");
    expect(await t.db.prisma.timelineEvent.count({ where: { account_id: a, event_type: "feedback", summary: { startsWith: "Feedback loop closed" } } })).toBe(1);

    // Closing again is refused and queues nothing more.
    const again = await callError(p, "manage_voice_of_customer", { action: "close_feedback_loop", feedback_id: f, response: "again", notify_submitter: true });
    expect(again.code).toBe("conflict");
    expect(await t.db.prisma.outboxMessage.count({ where: { account_id: a } })).toBe(1);

    // The dispatcher delivers it through the real SendGrid client to the fake, which checks the request.
    const logger = createLogger("silent");
    const resilience = createResilience(t.config, logger);
    const d = new OutboxDispatcher({ prisma: t.db.prisma, registry: createOperationRegistry(t.config, resilience, logger), resilience, logger, config: t.config });
    await d.runOnce();
    expect((await t.db.prisma.outboxMessage.findUniqueOrThrow({ where: { idempotency_key: key } })).status).toBe("delivered");
    const mails = fake.received.filter((m) => m.path === "/v3/mail/send" && JSON.stringify(m.body).includes("pat@cust.test") && JSON.stringify(m.body).includes(f));
    expect(mails).toHaveLength(1);
    expect(fake.violations).toEqual([]);
  });

  it("closes the loop in-app: the Intercom message is queued and delivered through the Intercom fake", async () => {
    const ic = await startIntercomFake();
    const logger = createLogger("silent");
    const config: Config = { ...t.config, INTERCOM_ACCESS_TOKEN: "ic-test-token", INTERCOM_BASE_URL: ic.url };
    const withIntercom = pipelineFor({ ...t, config }, feedbackTools, NOW);
    const resilience = createResilience(config, logger);
    try {
      const a = await account("500");
      const f = await feedback(a, { submitter_email: "ivy@cust.test", submitter_name: "Ivy" });
      const r = await call(withIntercom, "manage_voice_of_customer", { action: "close_feedback_loop", feedback_id: f, response: "SSO is live.", notify_submitter: true, notify_channel: "in_app" });
      expect(r.notification).toMatchObject({ integration: "intercom", status: "queued", idempotency_key: `feedback_loop_closed:${f}:in_app` });
      const d = new OutboxDispatcher({ prisma: t.db.prisma, registry: createOperationRegistry(config, resilience, logger), resilience, logger, config });
      await d.runOnce();
      expect((await t.db.prisma.outboxMessage.findUniqueOrThrow({ where: { idempotency_key: `feedback_loop_closed:${f}:in_app` } })).status).toBe("delivered");
      const sent = ic.received.filter((q) => q.operationId === "createMessage");
      expect(sent).toHaveLength(1);
      expect(sent[0]!.body).toMatchObject({ message_type: "in_app", to: { type: "user" } });
      expect((sent[0]!.body as { body: string }).body).toContain("SSO is live.");
      expect([...ic.contacts.values()].map((c) => c.email)).toContain("ivy@cust.test");
      expect(ic.violations).toEqual([]);
    } finally {
      await resilience.close();
      await ic.stop();
    }
  });

  it("without SendGrid settings reports not_configured, queues nothing, and still closes the loop", async () => {
    const a = await account("500");
    const f = await feedback(a);
    const r = await call(bare, "manage_voice_of_customer", { action: "close_feedback_loop", feedback_id: f, response: "Thanks, fixed.", notify_submitter: true });
    expect(r.notification).toEqual({ integration: "sendgrid", status: "not_configured", missing_variables: ["SENDGRID_API_KEY", "SENDGRID_FROM_EMAIL"] });
    expect(r.feedback.status).toBe("closed_loop");
    expect(await t.db.prisma.outboxMessage.count({ where: { account_id: a } })).toBe(0);
    const g = await feedback(a, { submitter_email: undefined });
    const s = await call(p, "manage_voice_of_customer", { action: "close_feedback_loop", feedback_id: g, response: "Done", notify_submitter: true });
    expect(s.notification).toMatchObject({ status: "skipped" });
    const e = await callError(p, "manage_voice_of_customer", { action: "close_feedback_loop", feedback_id: g });
    expect(e.message).toBe("action 'close_feedback_loop' needs response (missing)");
  });

  it("tracks the loop, measures the program, stores a VOC report and summarises it", async () => {
    const a = await account("7000", { industry: "loop" });
    const b = await account("3000", { industry: "loop" });
    // Period (2026-05-16 00:00, 2026-06-15 00:00]: four items of a, two of b.
    const ids = [
      await feedback(a, { submitted_at: daysAgo(20), category: "export" }),
      await feedback(a, { submitted_at: daysAgo(10), category: "export" }),
      await feedback(a, { submitted_at: daysAgo(5), feedback_type: "bug_report", content: "Crash on save" }),
      await feedback(a, { submitted_at: daysAgo(3), feedback_type: "general", content: "Great team" }),
      await feedback(b, { submitted_at: daysAgo(8), category: "export" }),
      await feedback(b, { submitted_at: daysAgo(6), category: "sso" }),
    ];
    await call(p, "manage_voice_of_customer", { action: "acknowledge_feedback", feedback_ids: [ids[1], ids[4]] });
    await call(p, "manage_voice_of_customer", { action: "close_feedback_loop", feedback_id: ids[0], response: "Shipped" });
    // NPS of a (closed group) and b (not closed): previous period and current.
    const ans = [[a, 4, 40], [a, 10, 2], [b, 9, 40], [b, 3, 2]] as const;
    for (const [i, [id, score, d]] of ans.entries()) await call(p, "collect_feedback", { client_id: id, feedback_type: "nps", score, submitter_email: `s${i}@cust.test`, submitted_at: daysAgo(d) });

    const period = { period_start: "2026-05-16", period_end: "2026-06-14" };
    const loopA = await call(p, "manage_voice_of_customer", { action: "track_feedback_loop", client_id: a, ...period });
    const by = Object.fromEntries(loopA.by_status.map((s: { status: string; count: number }) => [s.status, s.count]));
    expect(by).toEqual({ open: 2 + 1, acknowledged: 1, in_roadmap: 0, closed_loop: 1 }); // + a's NPS answer at day 2
    expect(loopA.feedback_count).toBe(5);
    expect(loopA.closure_rate).toBe(Math.round((1 / 5) * 10_000) / 10_000);
    const closed = loopA.by_status.find((s: { status: string }) => s.status === "closed_loop");
    expect(closed.max_age_days).toBe(20); // created 20 days before NOW, closed at NOW
    expect(loopA.oldest_unclosed.items[0].feedback_id).toBe(ids[1]);

    const eff = await call(p, "manage_voice_of_customer", { action: "measure_program_effectiveness", client_id: a, ...period });
    expect(eff.closure).toMatchObject({ feedback_created: 5, created_and_closed: 1, loops_closed_in_period: 0 }); // closed at NOW, after period_end
    expect(eff.nps_by_loop_closure.closed).toMatchObject({ accounts: 1, nps: 100, previous_nps: -100, nps_change: 200 });
    expect(eff.nps_by_loop_closure.not_closed).toMatchObject({ accounts: 0, nps: null, nps_change: null });
    const effNow = await call(p, "manage_voice_of_customer", { action: "measure_program_effectiveness", client_id: a });
    expect(effNow.closure).toMatchObject({ loops_closed_in_period: 1, median_days_to_close: 20, mean_days_to_close: 20 });

    const rep = await call(p, "manage_voice_of_customer", { action: "create_voc_report", title: "Loop report", ...period });
    const stored = await t.db.prisma.vocReport.findUniqueOrThrow({ where: { id: rep.report_id } });
    expect(stored.title).toBe("Loop report");
    expect(await t.db.prisma.sentimentAnalysis.count({ where: { id: rep.sentiment_analysis_id } })).toBe(1);
    // Top requests by ARR: 'export' asked by a and b → 7000 + 3000 (a counted once for its two requests).
    const exportReq = (rep.content.top_requests as Array<{ category: string; accounts: number; affected_arr: number; feedback: number }>).find((x) => x.category === "export")!;
    const allExport = await t.db.prisma.feedback.findMany({ where: { category: "export", feedback_type: "feature_request", created_at: { gt: new Date("2026-05-16T00:00:00Z"), lte: new Date("2026-06-15T00:00:00Z") } }, include: { account: true } });
    const accts = new Map(allExport.map((x) => [x.account_id, cents(x.account.arr.toString())]));
    expect(exportReq).toMatchObject({ feedback: allExport.length, accounts: accts.size });
    expect(cents(exportReq.affected_arr)).toBe([...accts.values()].reduce((s, v) => s + v, 0));

    const sum = await call(p, "manage_voice_of_customer", { action: "generate_executive_summary" });
    expect(sum.report_id).toBe(rep.report_id);
    expect(sum.figures.feedback).toBe(rep.content.sentiment.feedback_count);
    expect(sum.figures.nps).toBe(rep.content.nps.score);
    expect(sum.headlines.length).toBeGreaterThanOrEqual(3);
    expect(sum.vs_previous_report).toBeNull();
    const e = await callError(p, "manage_voice_of_customer", { action: "generate_executive_summary", client_id: a });
    expect(e.message).toBe(`report_id: no voice-of-customer report is stored for ${a} yet`);
  });
});
