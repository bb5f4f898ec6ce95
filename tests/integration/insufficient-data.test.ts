// An unused account is never a champion: an account with no usage but perfect surveys and payments (a
// renormalised 100) is insufficient_data, and the tools that read bands — list_clients filters, health
// segments, advocacy eligibility, churn risk — treat it as unknown.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { createServices } from "../../src/services/index.ts";
import { Metrics } from "../../src/observability/metrics.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { createRateLimiter } from "../../src/server/rate-limit.ts";
import { ToolPipeline } from "../../src/server/pipeline.ts";
import { calculateHealthScore } from "../../src/tools/health/calculate-health-score.ts";
import { segmentCustomers } from "../../src/tools/health/segment-customers.ts";
import { listClients } from "../../src/tools/core/list-clients.ts";
import { manageAdvocacyProgram } from "../../src/tools/communication/manage-advocacy-program.ts";
import { identifyChurnRisk } from "../../src/tools/retention/identify-churn-risk.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const DAY = 86_400_000;
const ID = "cs_1700000000_unused";

describe.each(BACKENDS)("insufficient data on %s", (backend) => {
  let t: TestDb;
  let p: ToolPipeline;
  const call = async (name: string, args: Record<string, unknown>) => p.call(name, args);
  const data = async (name: string, args: Record<string, unknown>) => {
    const r = await call(name, args);
    if (r.isError) throw new Error(JSON.stringify(r.content));
    return r.structuredContent as any;
  };

  beforeAll(async () => {
    t = await openTestDb(backend);
    const services = createServices({ db: t.db, redis: null, config: t.config, metrics: new Metrics(), now: () => NOW });
    p = new ToolPipeline([calculateHealthScore, segmentCustomers, listClients, manageAdvocacyProgram, identifyChurnRisk], { services, logger: createLogger("silent"), metrics: new Metrics(), limiter: createRateLimiter(0, null), timeoutMs: 30_000 });
    const db = t.db.prisma;
    await db.account.create({ data: { id: ID, client_name: "Unused", company_name: "Unused", company_key: "unused", arr: 50_000, lifecycle_stage: "adoption", created_at: new Date(NOW.getTime() - 200 * DAY) } });
    await db.contract.create({ data: { account_id: ID, contract_value: 50_000, payment_status: "current", start_date: new Date(NOW.getTime() - 200 * DAY), renewal_date: new Date(NOW.getTime() + 165 * DAY) } });
    // a promoter, the account's only survey answer; no usage event, no ticket, no invoice
    await db.surveyResponse.create({ data: { account_id: ID, survey_type: "nps", respondent_email: "fan@unused.io", score: 10, responded_at: new Date(NOW.getTime() - 10 * DAY) } });
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("scores 100 from satisfaction and payment, but is insufficient_data and unknown everywhere bands are read", async () => {
    const h = (await data("calculate_health_score", { client_id: ID })).account;
    // satisfaction (NPS 100 → 100) and payment (current → 100): 0.15 + 0.10 of the weight
    expect(h).toMatchObject({ overall_score: 100, coverage: 0.25, band: "insufficient_data", alert: null, trend: null });

    const champions = await data("list_clients", { health_score_min: 90 });
    expect(champions.total).toBe(0);
    const listed = await data("list_clients", {});
    expect(listed.clients.find((c: any) => c.client_id === ID)).toMatchObject({ health_score: null, health_band: null });

    const seg = await data("segment_customers", { segmentation_type: "health" });
    expect(seg.segments.map((s: any) => s.key)).toEqual(["unscored"]);
    expect(seg.segments[0]).toMatchObject({ account_count: 1, mean_health: null });

    const enroll = await call("manage_advocacy_program", { action: "enroll_advocate", client_id: ID, email: "fan@unused.io" });
    expect(enroll.isError).toBe(true);
    expect((enroll.content[0] as { text: string }).text).toContain("health unknown: insufficient data");

    const churn = (await data("identify_churn_risk", { client_id: ID })).account;
    expect(churn).toMatchObject({ health_score: null, health_source: "stored" });
    expect(churn.risk_level).not.toBe("minimal");
    expect(churn.factors[0].factor).toBe("never_activated");
  });
});
