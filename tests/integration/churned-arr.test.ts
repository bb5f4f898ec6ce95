// A churned account's ARR is revenue lost, not current ARR: affected ARR of insights and roadmap items, the ARR
// behind feature requests, community and advocate-account totals count active accounts only and show the
// churned accounts' ARR apart. Each check has one active and one churned account; expected sums are written out.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { call, pipelineFor } from "../helpers/pipeline.ts";
import { feedbackTools } from "../../src/tools/feedback/index.ts";
import { communicationProgramTools } from "../../src/tools/communication/programs.ts";
import type { ToolPipeline } from "../../src/server/pipeline.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const DAY = 86_400_000;

describe.each(BACKENDS)("churned ARR is not current ARR on %s", (backend) => {
  let t: TestDb;
  let p: ToolPipeline;
  let n = 0;
  let active: string;
  let churned: string;

  async function account(arr: number, over: Record<string, unknown> = {}) {
    const slug = `carr_${backend}_${++n}`;
    const id = `cs_1700000000_${slug}`;
    await t.db.prisma.account.create({ data: { id, client_name: slug, company_name: `Company ${slug}`, company_key: slug, arr, created_at: new Date(NOW.getTime() - 400 * DAY), ...over } });
    return id;
  }

  beforeAll(async () => {
    t = await openTestDb(backend);
    p = pipelineFor(t, [...feedbackTools, ...communicationProgramTools], NOW);
    active = await account(100_000);
    churned = await account(40_000, { status: "churned", churned_at: new Date(NOW.getTime() - 10 * DAY), lifecycle_stage: "churned" });
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("insights and roadmap items: affected ARR is the active account's, the churned one's apart", async () => {
    const fb = async (client_id: string) =>
      (await call(p, "collect_feedback", { client_id, feedback_type: "feature_request", content: "Please add a bulk export", category: "export", submitter_email: "pat@cust.test", submitted_at: new Date(NOW.getTime() - 5 * DAY).toISOString() })).feedback.feedback_id as string;
    const f1 = await fb(active);
    const f2 = await fb(churned);
    const created = await call(p, "share_product_insights", { insight_type: "feature_request", title: "Bulk export", description: "Exports", supporting_feedback_ids: [f1], affected_customers: [churned] });
    expect(created.insight.affected_arr).toBe(100_000);
    expect(created.churned_affected_arr).toBe(40_000);
    expect((await t.db.prisma.productInsight.findUniqueOrThrow({ where: { id: created.insight.insight_id } })).affected_arr.toString()).toBe("100000");

    const got = await call(p, "share_product_insights", { action: "get", insight_id: created.insight.insight_id });
    expect(got).toMatchObject({ current_affected_arr: 100_000, churned_affected_arr: 40_000 });

    const road = await call(p, "manage_voice_of_customer", { action: "update_customer_roadmap", insight_id: created.insight.insight_id, feedback_ids: [f2], roadmap_item: "Q3 export" });
    expect(road.insight.affected_arr).toBe(100_000);
    expect(road.churned_affected_arr).toBe(40_000);

    const rep = await call(p, "manage_voice_of_customer", { action: "create_voc_report", title: "Requests" });
    const exportReq = rep.content.top_requests.find((r: { category: string }) => r.category === "export");
    expect(exportReq).toMatchObject({ accounts: 2, affected_arr: 100_000 });
  });

  it("community analytics: represented ARR counts the active account, churned ARR apart", async () => {
    const c = (await call(p, "manage_community", { action: "create_community", name: `Users ${backend}` })).community.community_id as string;
    await call(p, "manage_community", { action: "add_member", community_id: c, email: "ann@active.test", client_id: active });
    await call(p, "manage_community", { action: "add_member", community_id: c, email: "bob@churned.test", client_id: churned });
    const a = await call(p, "manage_community", { action: "get_analytics", community_id: c });
    expect(a.accounts_represented).toMatchObject({ count: 2, total_arr: 100_000, churned_accounts: 1, churned_arr: 40_000 });
    expect(a.accounts_represented.accounts.map((x: { client_id: string; status: string }) => [x.client_id, x.status])).toEqual([
      [active, "active"],
      [churned, "churned"],
    ]);
  });

  it("advocate accounts: total ARR without the account that churned after enrolment", async () => {
    await t.db.prisma.advocate.createMany({ data: [{ account_id: active, email: "ann@active.test" }, { account_id: churned, email: "bob@churned.test" }] });
    const a = await call(p, "manage_advocacy_program", { action: "get_program_analytics" });
    expect(a.advocate_accounts).toMatchObject({ accounts: 2, total_arr: 100_000, churned_arr: 40_000 });
  });
});
