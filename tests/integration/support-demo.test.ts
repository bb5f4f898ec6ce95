// The support tools over the generated demo data (tickets assigned by agent name, the demo's support team
// stored as agents, a mix of every status): the performance report adds up with the rows, the escalation list agrees with each
// ticket's own verdict, and routing counts an agent's open tickets assigned by name.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { call, pipelineFor } from "../helpers/pipeline.ts";
import { supportTools } from "../../src/tools/support/index.ts";
import { loadDemo } from "../../src/services/demo/index.ts";
import type { ToolPipeline } from "../../src/server/pipeline.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const DAY = 86_400_000;

describe.each(BACKENDS)("support tools on the demo data (%s)", (backend) => {
  let t: TestDb;
  let p: ToolPipeline;

  beforeAll(async () => {
    t = await openTestDb(backend);
    await loadDemo(t.db, { seed: 11, accounts: 25, now: NOW });
    p = pipelineFor(t, supportTools, NOW);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("the performance report adds up: created and open counts match the rows, breakdowns sum to the totals", async () => {
    const r = await call(p, "analyze_support_performance", { analysis_type: "full", period_days: 90 });
    const start = new Date(NOW.getTime() - 90 * DAY);
    const created = await t.db.prisma.supportTicket.count({ where: { created_at: { gt: start, lte: NOW } } });
    const open = await t.db.prisma.supportTicket.count({ where: { status: { in: ["open", "pending", "in_progress"] } } });
    expect(created).toBeGreaterThan(0);
    expect(r.totals.tickets_created).toBe(created);
    expect(r.backlog.open_now).toBe(open);
    for (const k of ["by_priority", "by_agent", "by_team"] as const) {
      const sum = (f: (g: any) => number) => r[k].reduce((s: number, g: any) => s + f(g), 0);
      expect(sum((g) => g.tickets_created), k).toBe(r.totals.tickets_created);
      expect(sum((g) => g.tickets_resolved), k).toBe(r.totals.tickets_resolved);
      expect(sum((g) => g.sla.resolution.met), k).toBe(r.totals.sla.resolution.met);
      expect(sum((g) => g.csat.responses), k).toBe(r.totals.csat.responses);
    }
    const rated = await t.db.prisma.supportTicket.findMany({ where: { satisfaction_rating: { not: null }, resolved_at: { gt: start, lte: NOW } }, select: { satisfaction_rating: true } });
    expect(r.totals.csat.responses).toBe(rated.length);
    if (rated.length) expect(r.totals.csat.csat_percent).toBe(Math.round((rated.filter((x) => x.satisfaction_rating! >= 4).length / rated.length) * 1000) / 10);
  });

  it("the escalation list holds exactly the open, unescalated tickets whose own view says the rule applies", async () => {
    // Every page of a list (20 tickets at most per answer).
    const all = async (args: Record<string, unknown>) => {
      const tickets: Array<{ ticket_id: string; escalation_rule: { should_escalate: boolean } }> = [];
      for (let offset: number | null = 0; offset !== null; ) {
        const page = await call(p, "handle_support_ticket", { action: "list", ...args, limit: 20, offset });
        tickets.push(...page.tickets);
        offset = page.next_offset;
      }
      return { tickets };
    };
    const listed = await all({ escalation_due_only: true });
    for (const tk of listed.tickets) expect(tk.escalation_rule.should_escalate).toBe(true);
    const open = await all({ status: "open" });
    const due = open.tickets.filter((tk: { escalation_rule: { should_escalate: boolean } }) => tk.escalation_rule.should_escalate).map((tk: { ticket_id: string }) => tk.ticket_id);
    const listedIds = new Set(listed.tickets.map((tk: { ticket_id: string }) => tk.ticket_id));
    for (const id of due) expect(listedIds.has(id)).toBe(true);
  });

  it("routing counts an agent's open tickets assigned by name", async () => {
    // The demo agent holding the most open tickets (by name).
    const groups = await t.db.prisma.supportTicket.groupBy({ by: ["assigned_agent"], where: { status: { in: ["open", "pending", "in_progress"] }, assigned_agent: { not: null } }, _count: { _all: true } });
    const top = groups.sort((a, b) => b._count._all - a._count._all)[0]!;
    const name = top.assigned_agent!;
    const byName = top._count._all;
    expect(byName).toBeGreaterThan(0);
    const r = await call(p, "route_tickets", { category_filter: "none-of-the-demo-categories", team_filter: "Demo", agents: [{ email: "demo.agent@vendor.test", name, team: "Demo" }] });
    expect(r.agents).toEqual([{ email: "demo.agent@vendor.test", name, team: "Demo", skills: [], cap: 20, open_before: byName, assigned_now: 0, open_after: byName }]);
  });
});
