// Uniqueness rules and audit "from" values under concurrent calls, on PostgreSQL. Each write tool with a
// "one X per Y" rule gets the same call many times at once: exactly one succeeds, the others get a
// `conflict` naming the rule, and the database holds one row. Updates racing on one account each
// record the value they really replaced: the audit rows form one unbroken chain.
// PostgreSQL only: the embedded PGlite has a single connection, so calls run one after another and there
// is no race to lose there (its behaviour is covered by each tool's own tests).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_URL, openTestDb, type TestDb } from "../helpers/databases.ts";
import { pipelineFor } from "../helpers/pipeline.ts";
import { ALL_TOOLS } from "../../src/tools/definitions.ts";
import type { ToolPipeline } from "../../src/server/pipeline.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const N = 12;

describe.skipIf(!ADMIN_URL)("concurrent writes on PostgreSQL", () => {
  let t: TestDb;
  let p: ToolPipeline;
  let clientSeq = 0;

  beforeAll(async () => {
    // A pool as large as the burst, so that the calls really overlap inside the database.
    t = await openTestDb("postgres", { DB_POOL_MAX: String(N + 2) });
    p = pipelineFor(t, ALL_TOOLS, NOW);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  async function register(): Promise<string> {
    clientSeq++;
    const r = await p.call("register_client", {
      client_name: `Owner ${clientSeq}`,
      company_name: `Race Co ${clientSeq}`,
      primary_contact_email: `owner${clientSeq}@race-${clientSeq}.example.com`,
      tier: "professional",
      contract_value: 48_000,
      contract_start_date: "2026-01-01",
      contract_end_date: "2026-12-31",
    });
    expect(r.isError).toBeUndefined();
    return (r.structuredContent as { client_id: string }).client_id;
  }

  /** Fires the same call N times at once; returns the successes and the error codes/messages. */
  async function burst(tool: string, args: (i: number) => Record<string, unknown>) {
    const results = await Promise.all(Array.from({ length: N }, (_, i) => p.call(tool, args(i))));
    const ok = results.filter((r) => !r.isError);
    const errors = results.filter((r) => r.isError).map((r) => JSON.parse((r.content[0] as { text: string }).text).error as { code: string; message: string });
    return { ok, errors };
  }

  async function rows(sql: string, params: unknown[]): Promise<number> {
    const [r] = await t.db.query<{ n: number }>(sql, params);
    return r!.n;
  }

  it("create_onboarding_plan: one active plan per account", async () => {
    const id = await register();
    const { ok, errors } = await burst("create_onboarding_plan", () => ({
      client_id: id,
      customer_goals: ["Automate invoice approval"],
      success_criteria: ["80% of invoices approved in-app"],
      team_size: 40,
      technical_complexity: "medium",
      timeline_weeks: 8,
    }));
    expect(ok).toHaveLength(1);
    expect(errors).toHaveLength(N - 1);
    for (const e of errors) {
      expect(e.code).toBe("conflict");
      expect(e.message).toMatch(new RegExp(`^${id} already has an active onboarding plan \\(`));
    }
    expect(await rows("SELECT count(*)::int AS n FROM onboarding_plans WHERE account_id = $1 AND status = 'active'", [id])).toBe(1);
  });

  it("create_onboarding_plan with replace_active_plan: still one active plan", async () => {
    const id = await register();
    const args = { client_id: id, customer_goals: ["Go live"], success_criteria: ["Live"], team_size: 10, technical_complexity: "low", timeline_weeks: 6 };
    expect((await p.call("create_onboarding_plan", args)).isError).toBeUndefined();
    const { ok, errors } = await burst("create_onboarding_plan", () => ({ ...args, replace_active_plan: true }));
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const e of errors) expect(e.code).toBe("conflict");
    expect(await rows("SELECT count(*)::int AS n FROM onboarding_plans WHERE account_id = $1 AND status = 'active'", [id])).toBe(1);
  });

  it("register_client: one account per company and primary contact email", async () => {
    const { ok, errors } = await burst("register_client", () => ({
      client_name: "Dup Owner",
      company_name: "Dup Race Corp",
      primary_contact_email: "owner@dup-race.example.com",
      tier: "standard",
      contract_value: 12_000,
      contract_start_date: "2026-01-01",
      contract_end_date: "2026-12-31",
    }));
    expect(ok).toHaveLength(1);
    for (const e of errors) expect(e.code).toBe("conflict");
    expect(await rows("SELECT count(*)::int AS n FROM accounts WHERE primary_contact_email = $1", ["owner@dup-race.example.com"])).toBe(1);
  });

  it("conduct_executive_review schedule_ebr: one open review per account", async () => {
    const id = await register();
    const { ok, errors } = await burst("conduct_executive_review", (i) => ({ action: "schedule_ebr", client_id: id, scheduled_at: `2026-07-${String(i + 1).padStart(2, "0")}T15:00:00Z` }));
    expect(ok).toHaveLength(1);
    for (const e of errors) {
      expect(e.code).toBe("conflict");
      expect(e.message).toContain("already has an open executive review");
    }
    expect(await rows("SELECT count(*)::int AS n FROM executive_reviews WHERE account_id = $1 AND status IN ('scheduled', 'prepared')", [id])).toBe(1);
  });

  it("execute_retention_campaign: one campaign of a type per account within the frequency window", async () => {
    const id = await register();
    const { ok, errors } = await burst("execute_retention_campaign", () => ({ client_id: id, campaign_type: "value_review", intervention_level: "high" }));
    expect(ok).toHaveLength(1);
    for (const e of errors) expect(e.code).toBe("conflict");
    expect(await rows("SELECT count(*)::int AS n FROM retention_campaigns WHERE account_id = $1", [id])).toBe(1);
  });

  it("automate_communications create: one workflow per name", async () => {
    const { ok, errors } = await burst("automate_communications", () => ({
      action: "create",
      workflow_name: "Race outreach",
      trigger_type: "health_below",
      trigger_conditions: { threshold: 50 },
      actions: [{ type: "notify_csm", message: "Health fell below 50" }],
    }));
    expect(ok).toHaveLength(1);
    for (const e of errors) expect(e.code).toBe("conflict");
    expect(await rows("SELECT count(*)::int AS n FROM communication_workflows WHERE name = $1", ["Race outreach"])).toBe(1);
  });

  it("manage_community create_community: one community per name", async () => {
    const { ok, errors } = await burst("manage_community", () => ({ action: "create_community", name: "Race builders" }));
    expect(ok).toHaveLength(1);
    for (const e of errors) expect(e.code).toBe("conflict");
    expect(await rows("SELECT count(*)::int AS n FROM communities WHERE name = $1", ["Race builders"])).toBe(1);
  });

  it("manage_certification_program define_module: one module per code", async () => {
    const { ok, errors } = await burst("manage_certification_program", () => ({ action: "define_module", code: "RACE-101", name: "Race basics", certification_level: "foundation" }));
    expect(ok).toHaveLength(1);
    for (const e of errors) expect(e.code).toBe("conflict");
    expect(await rows("SELECT count(*)::int AS n FROM training_modules WHERE code = $1", ["RACE-101"])).toBe(1);
  });

  it("manage_advocacy_program enroll_advocate: one advocate per account and email", async () => {
    const id = await register();
    const { ok, errors } = await burst("manage_advocacy_program", () => ({ action: "enroll_advocate", client_id: id, email: "fan@race.example.com", override_reason: "race test" }));
    expect(ok).toHaveLength(1);
    for (const e of errors) {
      expect(e.code).toBe("conflict");
      expect(e.message).toMatch(/already an advocate of/);
    }
    expect(await rows("SELECT count(*)::int AS n FROM advocates WHERE account_id = $1", [id])).toBe(1);
  });

  it("manage_certification_program enroll: one certification per account, user and level", async () => {
    const id = await register();
    await p.call("manage_certification_program", { action: "define_module", code: "RACE-ENR", name: "Enrol basics", certification_level: "advanced" });
    const { ok, errors } = await burst("manage_certification_program", () => ({ action: "enroll", client_id: id, user_email: "learner@race.example.com", certification_level: "advanced" }));
    expect(ok).toHaveLength(1);
    for (const e of errors) {
      expect(e.code).toBe("conflict");
      expect(e.message).toMatch(/already enrolled in the advanced certification|already enrolled in this certification/);
    }
    expect(await rows("SELECT count(*)::int AS n FROM certifications WHERE account_id = $1", [id])).toBe(1);
  });

  it("manage_community add_member: one member per community and email", async () => {
    const c = await p.call("manage_community", { action: "create_community", name: "Race members" });
    const communityId = (c.structuredContent as { community: { community_id: string } }).community.community_id;
    const { ok, errors } = await burst("manage_community", () => ({ action: "add_member", community_id: communityId, email: "member@race.example.com" }));
    expect(ok).toHaveLength(1);
    for (const e of errors) {
      expect(e.code).toBe("conflict");
      expect(e.message).toMatch(/already a member of/);
    }
    expect(await rows("SELECT count(*)::int AS n FROM community_members WHERE community_id = $1", [communityId])).toBe(1);
  });

  it("deliver_training_session: one session of a module per account and time", async () => {
    const id = await register();
    await p.call("manage_certification_program", { action: "define_module", code: "RACE-SES", name: "Session basics", certification_level: "foundation" });
    const { ok, errors } = await burst("deliver_training_session", () => ({
      client_id: id,
      training_module_id: "RACE-SES",
      session_format: "live",
      attendee_emails: ["a@race.example.com", "b@race.example.com"],
      session_date: "2026-06-10T15:00:00Z",
    }));
    expect(ok).toHaveLength(1);
    for (const e of errors) {
      expect(e.code).toBe("conflict");
      expect(e.message).toMatch(/session .*is already recorded/);
    }
    expect(await rows("SELECT count(*)::int AS n FROM training_sessions WHERE account_id = $1", [id])).toBe(1);
    expect(await rows("SELECT count(*)::int AS n FROM training_completions WHERE account_id = $1", [id])).toBe(2);
  });

  it("handle_support_ticket escalate: one open escalation per ticket", async () => {
    const id = await register();
    const tk = await p.call("handle_support_ticket", { action: "create", client_id: id, subject: "Sync fails", description: "Nightly sync fails since Monday" });
    expect(tk.isError).toBeUndefined();
    const ticketId = (tk.structuredContent as { ticket: { ticket_id: string } }).ticket.ticket_id;
    const { ok, errors } = await burst("handle_support_ticket", () => ({ action: "escalate", ticket_id: ticketId, notes: "Customer blocked" }));
    expect(ok).toHaveLength(1);
    for (const e of errors) {
      expect(e.code).toBe("conflict");
      expect(e.message).toContain("open escalation");
    }
    expect(await rows("SELECT count(*)::int AS n FROM escalations WHERE ticket_id = $1 AND status <> 'resolved'", [ticketId])).toBe(1);
  });

  it("manage_lifecycle_stages move: one transition per expected stage", async () => {
    const id = await register();
    const [before] = await t.db.query<{ lifecycle_stage: string }>("SELECT lifecycle_stage FROM accounts WHERE id = $1", [id]);
    const { ok, errors } = await burst("manage_lifecycle_stages", () => ({ action: "move", client_id: id, new_stage: "adoption", reason: "Live in production", current_stage: before!.lifecycle_stage }));
    expect(ok).toHaveLength(1);
    for (const e of errors) expect(e.code).toBe("conflict");
    expect(await rows("SELECT count(*)::int AS n FROM lifecycle_transitions WHERE account_id = $1 AND to_stage = 'adoption'", [id])).toBe(1);
  });

  it("update_client_info: every audit row records the value it really replaced", async () => {
    const id = await register();
    await p.call("update_client_info", { client_id: id, updates: { csm_name: "csm start" } });
    const { ok } = await burst("update_client_info", (i) => ({ client_id: id, updates: { csm_name: `csm ${i}` } }));
    expect(ok).toHaveLength(N);
    const audit = await t.db.query<{ changes: { changes: Array<{ field: string; from: string; to: string }> } }>(
      "SELECT changes FROM audit_log WHERE action = 'update_client_info' AND entity_id = $1",
      [id],
    );
    const [account] = await t.db.query<{ csm_name: string }>("SELECT csm_name FROM accounts WHERE id = $1", [id]);
    // Serial updates form one chain: start → … → final, each value replaced exactly once. A stale read
    // shows as a "from" value recorded twice (two updates both claiming to replace the same value).
    const changes = audit.map((a) => a.changes.changes.find((c) => c.field === "csm_name")!);
    expect(changes).toHaveLength(N + 1);
    const froms = changes.map((c) => c.from);
    expect(new Set(froms).size).toBe(froms.length);
    expect([...froms, account!.csm_name].sort()).toEqual([null, ...changes.map((c) => c.to)].sort());
  });
});
