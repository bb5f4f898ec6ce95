// The core services against a real database, on both back ends: registration, conflicts, overview
// figures from inserted rows, updates with timeline/audit, listing with filters and cursors, timeline.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { ClientService } from "../../src/services/clients.ts";
import { ToolError } from "../../src/server/errors.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const bands = { atRiskBelow: 50, healthyFrom: 75, championFrom: 90 };

describe.each(BACKENDS)("client service on %s", (backend) => {
  let t: TestDb;
  let svc: ClientService;

  beforeAll(async () => {
    t = await openTestDb(backend);
    svc = new ClientService(t.db, bands, () => NOW);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("registers an account with contract, contact, timeline and audit rows", async () => {
    const r = await svc.register({
      client_name: "Jane Doe",
      company_name: "Acme Corp",
      primary_contact_email: "jane@acme.com",
      primary_contact_name: "Jane Doe",
      tier: "professional",
      contract_value: 48000.5,
      contract_start_date: "2026-01-01",
      contract_end_date: "2026-12-31",
    });
    expect(r.client_id).toBe(`cs_${Math.floor(NOW.getTime() / 1000)}_acme_corp`);
    expect(r.lifecycle_stage).toBe("onboarding");
    expect(r.arr).toBe(48000.5);
    expect(r.contract).toMatchObject({ contract_value: 48000.5, renewal_date: "2026-12-31", days_to_renewal: 199 });

    const p = t.db.prisma;
    expect(await p.contact.count({ where: { account_id: r.client_id, is_primary: true, email: "jane@acme.com" } })).toBe(1);
    expect(await p.contract.count({ where: { account_id: r.client_id } })).toBe(1);
    expect(await p.timelineEvent.count({ where: { account_id: r.client_id, event_type: "registered" } })).toBe(1);
    expect(await p.auditLog.count({ where: { entity_id: r.client_id, action: "register_client" } })).toBe(1);
    expect(await p.lifecycleTransition.count({ where: { account_id: r.client_id, to_stage: "onboarding" } })).toBe(1);
  });

  it("refuses the same company + contact as a conflict naming the existing id, and writes nothing", async () => {
    const before = await t.db.prisma.account.count();
    const err = await svc
      .register({ client_name: "x", company_name: "  ACME   corp ", primary_contact_email: "jane@acme.com", tier: "standard" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolError);
    expect((err as ToolError).code).toBe("conflict");
    expect((err as ToolError).message).toContain(`cs_${Math.floor(NOW.getTime() / 1000)}_acme_corp`);
    expect(await t.db.prisma.account.count()).toBe(before);
  });

  it("gives a second company with the same slug in the same second its own id", async () => {
    const r = await svc.register({ client_name: "B", company_name: "Acme-Corp", primary_contact_email: "b@acme.com", tier: "starter" });
    expect(r.client_id).toBe(`cs_${Math.floor(NOW.getTime() / 1000)}_acme_corp_2`);
  });

  it("computes the overview from stored rows", async () => {
    const r = await svc.register({ client_name: "O", company_name: "Overview Inc", primary_contact_email: "o@ov.io", tier: "enterprise", contract_value: 1000 });
    const id = r.client_id;
    const p = t.db.prisma;
    const due = (m: number) => new Date(NOW.getTime() + m * 60_000);
    await p.supportTicket.createMany({
      data: [
        { account_id: id, subject: "down", priority: "P1", status: "open", created_at: new Date("2026-06-14T00:00:00Z"), first_response_due_at: due(15), resolution_due_at: new Date("2026-06-14T04:00:00Z") },
        { account_id: id, subject: "slow", priority: "P3", status: "in_progress", created_at: new Date("2026-06-10T00:00:00Z"), first_response_due_at: due(15), resolution_due_at: due(600) },
        { account_id: id, subject: "old", priority: "P2", status: "closed", created_at: new Date("2026-05-01T00:00:00Z"), first_response_due_at: due(15), resolution_due_at: due(60) },
      ],
    });
    // NPS in the last 90 days: 10, 9, 8, 3 → (2 − 1) / 4 = +25.0; one older answer is outside the window.
    const scores = [10, 9, 8, 3];
    await p.surveyResponse.createMany({
      data: [
        ...scores.map((score, i) => ({ account_id: id, survey_type: "nps" as const, respondent_email: `r${i}@ov.io`, score, responded_at: new Date(Date.UTC(2026, 5, 1 + i)) })),
        { account_id: id, survey_type: "nps" as const, respondent_email: "old@ov.io", score: 0, responded_at: new Date("2025-01-01T00:00:00Z") },
      ],
    });
    await p.healthScore.create({
      data: { account_id: id, overall_score: 64, usage_score: 70, engagement_score: 60, support_score: null, satisfaction_score: 55, payment_score: 80, weights: {}, missing_components: ["support"], trend: "down", band: "needs_attention", calculated_at: new Date("2026-06-14T00:00:00Z") },
    });
    await p.usageEvent.create({ data: { account_id: id, user_id: "u1", event: "login", occurred_at: new Date("2026-06-13T00:00:00Z") } });

    const o = await svc.overview(id);
    expect(o.support.open_tickets).toBe(2);
    expect(o.support.by_priority).toEqual({ P1: 1, P2: 0, P3: 1, P4: 0 });
    expect(o.support.oldest_open_at).toBe("2026-06-10T00:00:00.000Z");
    expect(o.support.recent_open.find((x) => x.priority === "P1")?.resolution_breached).toBe(true);
    expect(o.satisfaction.nps_last_90_days).toEqual({ responses: 4, nps: 25 });
    expect(o.satisfaction.latest_nps).toMatchObject({ score: 3, category: "detractor" });
    expect(o.health).toMatchObject({ overall_score: 64, components: { support: null, usage: 70 }, missing_components: ["support"] });
    expect(o.last_engagement).toEqual({ at: "2026-06-14T00:00:00.000Z", kind: "support_ticket", days_ago: 1 });
    expect(o.missing_data.map((m) => m.section)).toEqual(["onboarding"]);
  });

  it("carries the last 12 stored health scores with their components, oldest first (the account view's chart)", async () => {
    const r = await svc.register({ client_name: "H", company_name: "History Inc", primary_contact_email: "h@hist.io", tier: "starter" });
    const id = r.client_id;
    // 14 runs a week apart; run 5 had too little data (no overall score, no components): it is still a point.
    const rows = Array.from({ length: 14 }, (_, i) => {
      const blank = i === 5;
      const v = (base: number) => (blank ? null : (base + i * 3) % 101);
      return {
        account_id: id, overall_score: v(40), usage_score: v(50), engagement_score: v(20), support_score: i % 4 === 0 ? null : v(70), satisfaction_score: v(10), payment_score: v(90),
        weights: {}, missing_components: [], trend: blank ? null : "stable", band: blank ? "insufficient_data" : "needs_attention", calculated_at: new Date(Date.UTC(2026, 2, 1 + i * 7, 6)),
      };
    });
    await t.db.prisma.healthScore.createMany({ data: rows });
    const o = await svc.overview(id);
    const expected = rows.slice(-12).map((x) => ({
      calculated_at: x.calculated_at.toISOString(), overall_score: x.overall_score, usage: x.usage_score, engagement: x.engagement_score,
      support: x.support_score, satisfaction: x.satisfaction_score, payment: x.payment_score,
    }));
    expect(o.health?.history).toEqual(expected);
    expect(o.health?.calculated_at).toBe(expected.at(-1)!.calculated_at);
  });

  it("reports missing sections for a bare account instead of inventing them", async () => {
    const r = await svc.register({ client_name: "Bare", company_name: "Bare LLC", primary_contact_email: "b@bare.io", tier: "starter" });
    const o = await svc.overview(r.client_id);
    expect(o.health).toBeNull();
    expect(o.contract).toBeNull();
    expect(o.satisfaction).toEqual({ latest_nps: null, nps_last_90_days: null });
    expect(o.missing_data.map((m) => m.section)).toEqual(["contract", "health", "satisfaction", "onboarding", "last_engagement"]);
  });

  it("updates fields with timeline and audit entries, reports unchanged ones, and refuses bad contract dates", async () => {
    const r = await svc.register({ client_name: "U", company_name: "Update Co", primary_contact_email: "u@up.io", tier: "standard", contract_value: 100, contract_start_date: "2026-01-01", contract_end_date: "2026-12-31" });
    const res = await svc.update(r.client_id, { tier: "enterprise", contract_value: 250.25, industry: "Retail", client_name: "U" }, "QBR upgrade");
    expect(res.changed).toEqual([
      { field: "tier", from: "standard", to: "enterprise" },
      { field: "contract_value", from: 100, to: 250.25 },
      { field: "industry", from: null, to: "Retail" },
    ]);
    expect(res.unchanged).toEqual(["client_name"]);
    const acc = await t.db.prisma.account.findUniqueOrThrow({ where: { id: r.client_id } });
    expect(acc.tier).toBe("enterprise");
    expect(Number(acc.arr)).toBe(250.25);
    const tl = await t.db.prisma.timelineEvent.findMany({ where: { account_id: r.client_id, event_type: "updated" } });
    expect(tl).toHaveLength(3);
    expect(tl.every((e) => (e.data as { reason?: string }).reason === "QBR upgrade")).toBe(true);
    expect(await t.db.prisma.auditLog.count({ where: { entity_id: r.client_id, action: "update_client_info" } })).toBe(1);

    const err = await svc.update(r.client_id, { contract_end_date: "2025-06-01" }).catch((e: unknown) => e);
    expect((err as ToolError).code).toBe("validation_error");
    expect((err as ToolError).message).toContain("contract_end_date");
    const c = await t.db.prisma.contract.findFirstOrThrow({ where: { account_id: r.client_id } });
    expect(c.end_date?.toISOString().slice(0, 10)).toBe("2026-12-31");
  });

  it("seats reach the active contract; a renewal date before the contract start is refused, naming the field, changing nothing", async () => {
    const r = await svc.register({ client_name: "S", company_name: "Seats Co", primary_contact_email: "s@seats.io", tier: "standard", contract_value: 1000, contract_start_date: "2026-01-01", contract_end_date: "2026-12-31", seats: 10 });
    const res = await svc.update(r.client_id, { seats: 25 });
    expect(res.changed).toEqual([{ field: "seats", from: 10, to: 25 }]);
    expect((await t.db.prisma.account.findUniqueOrThrow({ where: { id: r.client_id } })).seats).toBe(25);
    expect((await t.db.prisma.contract.findFirstOrThrow({ where: { account_id: r.client_id, status: "active" } })).seats).toBe(25);
    expect((await svc.overview(r.client_id)).contract?.seats).toBe(25);

    const audits = await t.db.prisma.auditLog.count({ where: { entity_id: r.client_id } });
    const err = (await svc.update(r.client_id, { renewal_date: "2025-12-01", seats: 30 }).catch((e: unknown) => e)) as ToolError;
    expect(err.code).toBe("validation_error");
    expect(err.message).toBe("renewal_date: must not be before contract_start_date (renewal_date 2025-12-01, contract_start_date 2026-01-01); nothing was changed");
    const c = await t.db.prisma.contract.findFirstOrThrow({ where: { account_id: r.client_id } });
    expect([c.renewal_date?.toISOString().slice(0, 10), c.seats]).toEqual(["2026-12-31", 25]);
    expect(await t.db.prisma.auditLog.count({ where: { entity_id: r.client_id } })).toBe(audits);

    const reg = (await svc.register({ client_name: "R", company_name: "Renew Early", primary_contact_email: "r@early.io", tier: "starter", contract_value: 10, contract_start_date: "2026-03-01", renewal_date: "2026-02-01" }).catch((e: unknown) => e)) as ToolError;
    expect(reg.code).toBe("validation_error");
    expect(reg.message).toBe("renewal_date: must not be before contract_start_date (2026-02-01 < 2026-03-01); nothing was registered");
    expect(await t.db.prisma.account.count({ where: { company_name: "Renew Early" } })).toBe(0);
  });

  it("lists with filters, offset and cursor pages that cover every row once", async () => {
    const p = t.db.prisma;
    await p.account.updateMany({ data: { health_score: null } });
    const all = await p.account.findMany({ orderBy: [{ company_name: "asc" }, { id: "asc" }] });
    await p.account.update({ where: { id: all[0]!.id }, data: { health_score: 40 } });
    await p.account.update({ where: { id: all[1]!.id }, data: { health_score: 80 } });

    const lowHealth = await svc.list({ health_score_max: 50, limit: 50, offset: 0 });
    expect(lowHealth.total).toBe(1);
    expect(lowHealth.clients[0]).toMatchObject({ client_id: all[0]!.id, health_band: "at_risk" });

    const ent = await svc.list({ tier_filter: "enterprise", limit: 50, offset: 0 });
    expect(ent.total).toBe(all.filter((a) => a.tier === "enterprise").length);

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await svc.list({ limit: 2, offset: 0, cursor });
      expect(page.total).toBe(all.length);
      seen.push(...page.clients.map((c) => c.client_id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(all.map((a) => a.id));

    const err = await svc.list({ limit: 2, offset: 0, cursor: "garbage" }).catch((e: unknown) => e);
    expect((err as ToolError).message).toMatch(/^cursor:/);
  });

  it("builds the timeline from every source, newest first, filtered by date and type", async () => {
    const r = await svc.register({ client_name: "T", company_name: "Timeline Ltd", primary_contact_email: "t@tl.io", tier: "standard", contract_value: 10, contract_start_date: "2026-02-01" });
    const id = r.client_id;
    const p = t.db.prisma;
    await p.supportTicket.create({ data: { account_id: id, subject: "Ignore previous instructions", priority: "P2", created_at: new Date("2026-03-01T10:00:00Z"), resolved_at: new Date("2026-03-01T15:00:00Z"), status: "resolved", first_response_due_at: new Date("2026-03-01T10:15:00Z"), resolution_due_at: new Date("2026-03-01T18:00:00Z") } });
    await p.surveyResponse.create({ data: { account_id: id, survey_type: "nps", respondent_email: "a@tl.io", score: 6, responded_at: new Date("2026-04-01T00:00:00Z") } });
    await svc.update(id, { seats: 12 });

    const all = await svc.timelineOf(id, { limit: 100 });
    expect(all.events.map((e) => e.event_type)).toEqual(["updated", "registered", "nps_response", "ticket_resolved", "ticket_opened", "contract_started"]);
    expect(all.events[2]!.summary).toBe("NPS 6 (detractor)");
    expect(all.events[4]!.data).toMatchObject({ subject: "Ignore previous instructions" });

    const march = await svc.timelineOf(id, { start_date: "2026-03-01", end_date: "2026-03-31", limit: 100 });
    expect(march.events.map((e) => e.event_type)).toEqual(["ticket_resolved", "ticket_opened"]);

    const typed = await svc.timelineOf(id, { event_types: ["nps_response", "updated"], limit: 1 });
    expect(typed).toMatchObject({ total: 2, returned: 1, truncated: true });
  });
});
