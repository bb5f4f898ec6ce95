// One definition per signal: SLA breaches and usage decline, counted here by hand from the rows the test
// inserts, are the same numbers in calculate_health_score, identify_churn_risk and score_risk_factors; and
// the tools that need a health score follow one rule (stored, else computed now) and say which.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { createServices } from "../../src/services/index.ts";
import { Metrics } from "../../src/observability/metrics.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { createRateLimiter } from "../../src/server/rate-limit.ts";
import { ToolPipeline } from "../../src/server/pipeline.ts";
import { calculateHealthScore } from "../../src/tools/health/calculate-health-score.ts";
import { identifyChurnRisk } from "../../src/tools/retention/identify-churn-risk.ts";
import { scoreRiskFactors } from "../../src/tools/retention/score-risk-factors.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const DAY = 86_400_000;
const at = (days: number, hours = 0) => new Date(NOW.getTime() + days * DAY + hours * 3_600_000);
const ID = "cs_1700000000_signals";

describe.each(BACKENDS)("one definition per signal on %s", (backend) => {
  let t: TestDb;
  let p: ToolPipeline;
  const call = async (name: string, args: Record<string, unknown>) => {
    const r = await p.call(name, args);
    if (r.isError) throw new Error(JSON.stringify(r.content));
    return r.structuredContent as any;
  };

  // Usage: 10 users once each 45 days ago (previous window), 4 users on 6 user-days in the last 30 days.
  const usersPrev = 10;
  const usersCur = 4;
  const userDaysPrev = 10;
  const userDaysCur = 6;
  const decline = Math.max((usersPrev - usersCur) / usersPrev, (userDaysPrev - userDaysCur) / userDaysPrev);
  // SLA: tickets created in the last 30 days or still open that responded/resolved late or wait past their due time.
  const breaches = 3;

  beforeAll(async () => {
    t = await openTestDb(backend);
    const services = createServices({ db: t.db, redis: null, config: t.config, metrics: new Metrics(), now: () => NOW });
    p = new ToolPipeline([calculateHealthScore, identifyChurnRisk, scoreRiskFactors], { services, logger: createLogger("silent"), metrics: new Metrics(), limiter: createRateLimiter(0, null), timeoutMs: 30_000 });
    const db = t.db.prisma;
    await db.account.create({ data: { id: ID, client_name: "Sig", company_name: "Sig", company_key: "sig", created_at: at(-400) } });
    const ev = (user: string, d: number) => ({ account_id: ID, user_id: user, event: "login", occurred_at: at(d) });
    await db.usageEvent.createMany({
      data: [
        ...Array.from({ length: usersPrev }, (_, i) => ev(`p${i}`, -45)),
        ev("u0", -1), ev("u0", -2), ev("u1", -1), ev("u1", -3), ev("u2", -1), ev("u3", -1),
      ],
    });
    const tk = (over: Record<string, unknown>) => ({ account_id: ID, subject: "t", priority: "P3" as const, status: "resolved" as const, created_at: at(-5), first_response_due_at: at(-5, 8), first_response_at: at(-5, 1), resolution_due_at: at(-3), resolved_at: at(-4), ...over });
    await db.supportTicket.createMany({
      data: [
        tk({ first_response_at: at(-5, 9) }), // 1: answered late, in the window
        tk({ created_at: at(-40), status: "open", first_response_due_at: at(-40, 8), first_response_at: at(-40, 1), resolution_due_at: at(-35), resolved_at: null }), // 2: still open past its due time
        tk({ resolved_at: at(-2) }), // 3: resolved late, in the window
        tk({}), // on time
        tk({ created_at: at(-50), first_response_due_at: at(-50, 8), first_response_at: at(-50, 1), resolution_due_at: at(-48), resolved_at: at(-45) }), // late but closed, outside the window
      ],
    });
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("health, churn and score_risk_factors report the same SLA breaches and usage decline", async () => {
    expect(decline).toBe(0.6);
    const health = (await call("calculate_health_score", { client_id: ID })).account;
    expect(health.signals).toEqual({ sla_breaches: breaches, usage_decline: decline });
    const churn = (await call("identify_churn_risk", { client_id: ID })).account;
    const factor = (name: string) => churn.factors.find((f: any) => f.factor === name);
    expect(factor("sla_breaches").value).toBe(breaches);
    expect(factor("usage_decline").value).toBe(decline);
    const risk = await call("score_risk_factors", { client_id: ID });
    const indicator = (name: string) => risk.indicators.find((i: any) => i.indicator === name);
    expect(indicator("sla_breaches").value).toBe(breaches);
    expect(indicator("usage_decline").value).toBe(decline);
  });

  it("tools that need health use one rule: stored when a standard run stored it, else computed now — and say which", async () => {
    await t.db.prisma.healthScore.deleteMany({ where: { account_id: ID } });
    await t.db.prisma.account.update({ where: { id: ID }, data: { health_score: null } });
    const fresh = (await call("identify_churn_risk", { client_id: ID })).account;
    const risk = await call("score_risk_factors", { client_id: ID });
    expect(fresh.health_source).toBe("computed_now");
    expect(risk.health.source).toBe("computed_now");
    const scored = (await call("calculate_health_score", { client_id: ID })).account;
    expect(fresh.health_score).toBe(scored.overall_score);
    expect(risk.health.score).toBe(scored.overall_score);
    const after = (await call("identify_churn_risk", { client_id: ID })).account;
    expect(after).toMatchObject({ health_source: "stored", health_score: scored.overall_score, health_at: NOW.toISOString() });
    expect((await call("score_risk_factors", { client_id: ID })).health).toMatchObject({ source: "stored", score: scored.overall_score });
  });
});
