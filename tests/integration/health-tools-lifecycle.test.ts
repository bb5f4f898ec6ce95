// manage_lifecycle_stages through the tool pipeline, on both back ends: moves write the transition,
// the account, the timeline and the audit log together; portfolio counts and interventions from stored rows.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { call, callError, pipelineFor } from "../helpers/pipeline.ts";
import { ToolPipeline } from "../../src/server/pipeline.ts";
import { healthTools } from "../../src/tools/health/index.ts";

const NOW = new Date("2026-06-17T12:00:00.000Z");


const DAY = 86_400_000;

describe.each(BACKENDS)("manage_lifecycle_stages on %s", (backend) => {
  let t: TestDb;
  let p: ToolPipeline;
  const A = "cs_1_lifecycle_a";
  const OLD = "cs_1_lifecycle_old";
  const G = "cs_1_lifecycle_growth";

  beforeAll(async () => {
    t = await openTestDb(backend);
    p = pipelineFor(t, healthTools, NOW);
    const mk = (id: string, stage: "onboarding" | "growth", createdDaysAgo: number, health: number | null, arr: number) =>
      t.db.prisma.account.create({
        data: {
          id, client_name: id, company_name: id, company_key: id, lifecycle_stage: stage, health_score: health, arr,
          created_at: new Date(NOW.getTime() - createdDaysAgo * DAY),
          lifecycle_transitions: { create: { from_stage: null, to_stage: "onboarding", reason: "registered", transitioned_at: new Date(NOW.getTime() - createdDaysAgo * DAY) } },
        },
      });
    await mk(A, "onboarding", 5, 80, 1000);
    await mk(OLD, "onboarding", 40, 30, 2000);
    await mk(G, "growth", 200, 90, 5000);
    await t.db.prisma.usageEvent.create({ data: { account_id: A, user_id: "u", event: "login", occurred_at: new Date(NOW.getTime() - 2 * DAY) } });
    await t.db.prisma.usageEvent.create({ data: { account_id: G, user_id: "u", event: "login", occurred_at: new Date(NOW.getTime() - DAY) } });
    await t.db.prisma.contract.create({ data: { account_id: OLD, contract_value: 2000, renewal_date: new Date(NOW.getTime() + 30 * DAY) } });
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("get: stage, days in stage, history and interventions derived from stored facts", async () => {
    const r = await call(p, "manage_lifecycle_stages", { client_id: OLD });
    expect(r.action).toBe("get");
    expect(r.account).toMatchObject({ lifecycle_stage: "onboarding", days_in_stage: 40, health_score: 30, last_usage_at: null, renewal_date: new Date(NOW.getTime() + 30 * DAY).toISOString().slice(0, 10) });
    expect(r.account.interventions.map((i: any) => i.rule).sort()).toEqual(["health_at_risk", "no_recent_usage", "onboarding_overdue", "renewal_not_healthy"]);
    expect(r.transitions).toHaveLength(1);
    const g = await call(p, "manage_lifecycle_stages", { client_id: G, include_transitions: false });
    expect(g.account.interventions.map((i: any) => i.rule)).toEqual(["expansion_ready"]);
    expect(g.transitions).toBeNull();
  });

  it("move: transition, account stage, timeline and audit in one go; churned sets status and churned_at", async () => {
    const r = await call(p, "manage_lifecycle_stages", { client_id: A, new_stage: "adoption", reason: "kick-off done" });
    expect(r.moved).toMatchObject({ client_id: A, from_stage: "onboarding", to_stage: "adoption", reason: "kick-off done", status: "active" });
    const prisma = t.db.prisma;
    expect((await prisma.account.findUniqueOrThrow({ where: { id: A } })).lifecycle_stage).toBe("adoption");
    expect(await prisma.lifecycleTransition.count({ where: { account_id: A } })).toBe(2);
    const tl = await prisma.timelineEvent.findMany({ where: { account_id: A, event_type: "lifecycle_change" } });
    expect(tl).toHaveLength(1);
    expect(tl[0]!.data).toMatchObject({ from: "onboarding", to: "adoption", reason: "kick-off done", transition_id: r.moved.transition_id });
    expect(await prisma.auditLog.count({ where: { entity_id: A, action: "manage_lifecycle_stages.move" } })).toBe(1);
    expect(r.account.days_in_stage).toBe(0);

    await call(p, "manage_lifecycle_stages", { action: "move", client_id: A, current_stage: "adoption", new_stage: "churned", reason: "budget cut" });
    const churned = await prisma.account.findUniqueOrThrow({ where: { id: A } });
    expect(churned).toMatchObject({ lifecycle_stage: "churned", status: "churned", churn_reason: "budget cut" });
    expect(churned.churned_at?.toISOString()).toBe(NOW.toISOString());
    const back = await call(p, "manage_lifecycle_stages", { client_id: A, new_stage: "adoption", reason: "won back" });
    expect(back.moved.status).toBe("active");
    expect((await prisma.account.findUniqueOrThrow({ where: { id: A } })).churned_at).toBeNull();
  });

  it("move: refuses a stale current_stage or the same stage, changing nothing; names missing fields", async () => {
    const prisma = t.db.prisma;
    const before = await prisma.lifecycleTransition.count();
    const stale = await callError(p, "manage_lifecycle_stages", { client_id: G, current_stage: "maturity", new_stage: "renewal", reason: "x" });
    expect(stale.code).toBe("conflict");
    expect(stale.message).toContain("current_stage");
    expect((await callError(p, "manage_lifecycle_stages", { client_id: G, new_stage: "growth", reason: "x" })).code).toBe("conflict");
    expect(await prisma.lifecycleTransition.count()).toBe(before);
    const missing = await callError(p, "manage_lifecycle_stages", { action: "move", client_id: G });
    expect(missing.code).toBe("validation_error");
    expect(missing.message).toContain("new_stage");
    expect(missing.message).toContain("reason");
    expect((await callError(p, "manage_lifecycle_stages", { client_id: G, new_stage: "paused", reason: "x" })).message).toContain("new_stage");
    expect((await callError(p, "manage_lifecycle_stages", { action: "get" })).message).toContain("client_id");
    expect((await callError(p, "manage_lifecycle_stages", { client_id: "cs_9_nobody" })).code).toBe("not_found");
  });

  it("portfolio: accounts, ARR and mean health per stage from the stored rows; accounts of a stage; transitions", async () => {
    const r = await call(p, "manage_lifecycle_stages", { current_stage: "onboarding" });
    expect(r.action).toBe("portfolio");
    const accounts = await t.db.prisma.account.findMany();
    expect(r.portfolio.stages.map((s: any) => s.stage)).toEqual(["onboarding", "adoption", "growth", "maturity", "renewal", "at_risk", "churned"]);
    for (const s of r.portfolio.stages) {
      const inStage = accounts.filter((a) => a.lifecycle_stage === s.stage);
      expect(s.accounts, s.stage).toBe(inStage.length);
      expect(s.arr).toBe(inStage.reduce((n, a) => n + Number(a.arr), 0));
      const h = inStage.filter((a) => a.health_score !== null).map((a) => a.health_score!);
      expect(s.mean_health).toBe(h.length ? Math.round((h.reduce((x, y) => x + y, 0) / h.length) * 100) / 100 : null);
    }
    const onboarding = r.portfolio.stages[0];
    expect(onboarding.interventions.map((i: any) => i.rule)).toEqual(expect.arrayContaining(["onboarding_overdue", "health_at_risk"]));
    expect(r.portfolio.accounts.items.map((a: any) => a.client_id)).toEqual([OLD]);
    const moves = await t.db.prisma.lifecycleTransition.count({ where: { transitioned_at: { gte: new Date(NOW.getTime() - 90 * DAY) } } });
    expect(r.portfolio.transitions.by_move.reduce((n: number, m: any) => n + m.transitions, 0)).toBe(moves);
    expect((await callError(p, "manage_lifecycle_stages", { action: "portfolio", client_id: G })).message).toContain("client_id");
  });
});
