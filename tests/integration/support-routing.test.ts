// route_tickets on both back ends: the roster upsert, round robin that stays fair across calls (the rotation
// is persisted), skill matching, per-agent caps over open tickets (including ones assigned in the same call
// and ones assigned by name), P1 first when capacity runs out, and a reason for every decision.
// Each test works on its own team of agents and its own ticket category, so the tests do not interfere.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { call, callError, pipelineFor } from "../helpers/pipeline.ts";
import { supportTools } from "../../src/tools/support/index.ts";
import type { ToolPipeline } from "../../src/server/pipeline.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const MIN = 60_000;

describe.each(BACKENDS)("route_tickets on %s", (backend) => {
  let t: TestDb;
  let p: ToolPipeline;
  let accountId: string;

  async function ticket(category: string, over: { priority?: "P1" | "P2" | "P3" | "P4"; minutesAgo?: number; assigned_agent?: string; tags?: string[] } = {}) {
    const created = new Date(NOW.getTime() - (over.minutesAgo ?? 10) * MIN);
    const row = await t.db.prisma.supportTicket.create({
      data: {
        account_id: accountId,
        subject: `${category} question`,
        priority: over.priority ?? "P3",
        category,
        tags: over.tags ?? [],
        assigned_agent: over.assigned_agent ?? null,
        created_at: created,
        first_response_due_at: new Date(created.getTime() + 15 * MIN),
        resolution_due_at: new Date(created.getTime() + 1440 * MIN),
      },
    });
    return row.id;
  }
  const route = (args: Record<string, unknown>) => call(p, "route_tickets", args);
  const assignedTo = async (ids: string[]) => (await t.db.prisma.supportTicket.findMany({ where: { id: { in: ids } } })).reduce<Record<string, string | null>>((m, r) => ((m[r.id] = r.assigned_agent), m), {});

  beforeAll(async () => {
    t = await openTestDb(backend);
    p = pipelineFor(t, supportTools, NOW);
    accountId = `cs_1700000000_route_${backend}`;
    await t.db.prisma.account.create({ data: { id: accountId, client_name: "Route", company_name: "Route Co", company_key: `route_${backend}` } });
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("says what is missing when there are no agents, and refuses a new agent without a name (nothing written)", async () => {
    const id = await ticket("empty");
    const r = await route({ category_filter: "empty" });
    expect(r.assignments).toEqual([]);
    expect(r.unassigned).toEqual([{ ticket_id: id, client_id: accountId, priority: "P3", category: "empty", reason: "no active support agents to route to; add them with route_tickets' agents parameter" }]);
    expect(r.missing_data).toEqual(["no support agents are stored: add them with the agents parameter ({email, name, team, skills, max_open})"]);
    const e = await callError(p, "route_tickets", { category_filter: "empty", agents: [{ email: "nameless@vendor.test" }] });
    expect(e).toMatchObject({ code: "validation_error", message: "agents: nameless@vendor.test is a new agent and needs a name" });
    expect(await t.db.prisma.supportAgent.count()).toBe(0);
    expect((await assignedTo([id]))[id]).toBeNull();
    // An agent without a team: the ticket gets the agent, its team stays unset; the assignment is on the timeline.
    const solo = await route({ category_filter: "empty", agents: [{ email: "Solo@Vendor.test", name: "Solo", max_open: 1 }] });
    expect(solo.assignments).toEqual([{ ticket_id: id, client_id: accountId, priority: "P3", category: "empty", agent_email: "solo@vendor.test", agent_name: "Solo", team: null, reason: "no agent with a skill matching 'empty' has room; any agent; 0 open of cap 1; only candidate with room" }]);
    expect(await t.db.prisma.supportTicket.findUniqueOrThrow({ where: { id } })).toMatchObject({ assigned_agent: "solo@vendor.test", team: null, updated_at: NOW });
    const notes = await t.db.prisma.timelineEvent.findMany({ where: { account_id: accountId, event_type: "note" } });
    expect(notes.map((n) => n.summary)).toEqual(["P3 ticket assigned to Solo"]);
    // Solo is at cap now (1 of 1): later tests' tickets never go to Solo.
  });

  it("round robin continues across calls: two calls of two tickets over three agents give counts that differ by at most one", async () => {
    const agents = ["rr-a@vendor.test", "rr-b@vendor.test", "rr-c@vendor.test"].map((email, i) => ({ email, name: `RR ${i}`, team: "RR" }));
    const ids = [await ticket("rr", { minutesAgo: 40 }), await ticket("rr", { minutesAgo: 30 }), await ticket("rr", { minutesAgo: 20 }), await ticket("rr", { minutesAgo: 10 })];
    const first = await route({ routing_strategy: "round_robin", team_filter: "RR", category_filter: "rr", limit: 2, agents });
    expect(first.roster_changes.created).toEqual(agents.map((a) => a.email));
    expect(first.assignments.map((a: { ticket_id: string; agent_email: string }) => [a.ticket_id, a.agent_email])).toEqual([[ids[0], "rr-a@vendor.test"], [ids[1], "rr-b@vendor.test"]]);
    expect(first.rotation).toEqual({ scope: "team:rr", previous_last_agent: null, last_agent: "rr-b@vendor.test" });

    const second = await route({ routing_strategy: "round_robin", team_filter: "RR", category_filter: "rr", limit: 2 });
    // The rotation resumes after rr-b: rr-c, then rr-a (not rr-a, rr-b again).
    expect(second.assignments.map((a: { ticket_id: string; agent_email: string }) => [a.ticket_id, a.agent_email])).toEqual([[ids[2], "rr-c@vendor.test"], [ids[3], "rr-a@vendor.test"]]);
    expect(second.assignments[0].reason).toBe("round robin: next in rotation after rr-b@vendor.test; 0 open of cap 20");

    const counts = Object.values(await assignedTo(ids)).reduce<Record<string, number>>((m, a) => ((m[a!] = (m[a!] ?? 0) + 1), m), {});
    expect(counts).toEqual({ "rr-a@vendor.test": 2, "rr-b@vendor.test": 1, "rr-c@vendor.test": 1 });
    expect(Math.max(...Object.values(counts)) - Math.min(...Object.values(counts))).toBeLessThanOrEqual(1);
    const state = await t.db.prisma.supportRoutingState.findUniqueOrThrow({ where: { scope: "team:rr" } });
    expect(state.last_agent_email).toBe("rr-a@vendor.test");
    const stored = await t.db.prisma.supportTicket.findUniqueOrThrow({ where: { id: ids[0]! } });
    expect(stored.team).toBe("RR");
  });

  it("skill_based sends a ticket to the agent whose skill matches its category or tags, and lists the ones nobody can take", async () => {
    const agents = [
      { email: "sk-billing@vendor.test", name: "Billing Bo", team: "SK", skills: ["Billing"], max_open: 5 },
      { email: "sk-tech@vendor.test", name: "Tech Tia", team: "SK", skills: ["technical", "sso"], max_open: 5 },
    ];
    const billing = await ticket("sk_billing", { tags: ["billing"], minutesAgo: 30 });
    const sso = await ticket("sk_login", { tags: ["sso"], minutesAgo: 20 });
    const legal = await ticket("sk_legal", { minutesAgo: 10 });
    const r1 = await route({ routing_strategy: "skill_based", team_filter: "SK", category_filter: "sk_billing", agents });
    expect(r1.assignments).toEqual([
      { ticket_id: billing, client_id: accountId, priority: "P3", category: "sk_billing", agent_email: "sk-billing@vendor.test", agent_name: "Billing Bo", team: "SK", reason: "skill 'billing' matches; 0 open of cap 5; only candidate with room" },
    ]);
    const r2 = await route({ routing_strategy: "skill_based", team_filter: "SK", category_filter: "sk_login" });
    expect(r2.assignments[0]).toMatchObject({ ticket_id: sso, agent_email: "sk-tech@vendor.test", reason: "skill 'sso' matches; 0 open of cap 5; only candidate with room" });
    const r3 = await route({ routing_strategy: "skill_based", team_filter: "SK", category_filter: "sk_legal" });
    expect(r3.assignments).toEqual([]);
    expect(r3.unassigned).toEqual([{ ticket_id: legal, client_id: accountId, priority: "P3", category: "sk_legal", reason: "no active agent has a skill matching 'sk_legal'" }]);
    // auto falls back to anyone with room, and says so.
    const r4 = await route({ routing_strategy: "auto", team_filter: "SK", category_filter: "sk_legal" });
    expect(r4.assignments[0]).toMatchObject({ ticket_id: legal, agent_email: "sk-billing@vendor.test", reason: "no agent with a skill matching 'sk_legal' has room; any agent; 1 open of cap 5; fewest open among 2 candidates" });
  });

  it("respects caps over open tickets (assigned earlier by name, or in this call): an agent at cap receives none", async () => {
    const agents = [
      { email: "cap-full@vendor.test", name: "Full Fay", team: "CAP", max_open: 2 },
      { email: "cap-free@vendor.test", name: "Free Finn", team: "CAP", max_open: 10 },
    ];
    // Fay already holds two open tickets, assigned by her name (as imports and the demo data do).
    await ticket("cap_held", { assigned_agent: "Full Fay" });
    await ticket("cap_held", { assigned_agent: "cap-full@vendor.test" });
    const ids = [await ticket("cap", { minutesAgo: 30 }), await ticket("cap", { minutesAgo: 20 }), await ticket("cap", { minutesAgo: 10 })];
    const r = await route({ team_filter: "CAP", category_filter: "cap", max_tickets_per_agent: 2, agents });
    expect(r.agents).toEqual([
      { email: "cap-free@vendor.test", name: "Free Finn", team: "CAP", skills: [], cap: 2, open_before: 0, assigned_now: 2, open_after: 2 },
      { email: "cap-full@vendor.test", name: "Full Fay", team: "CAP", skills: [], cap: 2, open_before: 2, assigned_now: 0, open_after: 2 },
    ]);
    expect(r.assignments.map((a: { agent_email: string; reason: string }) => [a.agent_email, a.reason])).toEqual([
      ["cap-free@vendor.test", "no agent with a skill matching 'cap' has room; any agent; 0 open of cap 2; only candidate with room"],
      ["cap-free@vendor.test", "no agent with a skill matching 'cap' has room; any agent; 1 open of cap 2; only candidate with room"],
    ]);
    expect(r.unassigned).toEqual([{ ticket_id: ids[2], client_id: accountId, priority: "P3", category: "cap", reason: "every eligible agent is at cap (cap-free@vendor.test 2/2, cap-full@vendor.test 2/2)" }]);
    const assigned = await assignedTo(ids);
    expect(Object.values(assigned).filter((a) => a === "cap-full@vendor.test")).toHaveLength(0);
  });

  it("places P1 first when capacity runs out, and refuses a ticket that is already assigned", async () => {
    const roster = await route({ team_filter: "PRIO", category_filter: "prio", agents: [{ email: "prio@vendor.test", name: "Prio Pat", team: "PRIO", max_open: 2 }] });
    expect(roster).toMatchObject({ considered: 0, roster_changes: { created: ["prio@vendor.test"], updated: [], unchanged: [] } });
    const p4 = await ticket("prio", { priority: "P4", minutesAgo: 300 });
    const p2 = await ticket("prio", { priority: "P2", minutesAgo: 100 });
    const p1 = await ticket("prio", { priority: "P1", minutesAgo: 5 });
    const r = await route({ routing_strategy: "priority", team_filter: "PRIO", category_filter: "prio" });
    expect(r.assignments.map((a: { ticket_id: string; priority: string; reason: string }) => [a.ticket_id, a.priority, a.reason])).toEqual([
      [p1, "P1", "P1 placed in priority order; most headroom: 0 open of cap 2"],
      [p2, "P2", "P2 placed in priority order; most headroom: 1 open of cap 2"],
    ]);
    expect(r.unassigned).toEqual([{ ticket_id: p4, client_id: accountId, priority: "P4", category: "prio", reason: "every eligible agent is at cap (prio@vendor.test 2/2)" }]);
    const e = await callError(p, "route_tickets", { ticket_id: p1 });
    expect(e).toMatchObject({ code: "conflict", message: `ticket ${p1} is already assigned to prio@vendor.test` });
    const both = await callError(p, "route_tickets", { ticket_id: p4, priority_filter: "P4" });
    expect(both.message).toBe("ticket_id routes that one ticket; priority_filter and category_filter select tickets and cannot be combined with it");
  });
});
