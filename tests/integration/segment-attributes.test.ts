// segment_customers custom segments on imported account attributes (issue 15 §2): `in` on categorical
// attributes, min/max on numeric ones; a comparison on a categorical attribute or an unknown attribute is
// refused naming the field and the rule. Both back ends.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { call, callError, pipelineFor } from "../helpers/pipeline.ts";
import { ToolPipeline } from "../../src/server/pipeline.ts";
import { healthTools } from "../../src/tools/health/index.ts";

const NOW = new Date("2026-06-17T12:00:00.000Z");
const ACCOUNTS = [
  { id: "cs_1_a", arr: 1000, attributes: { plan: "pro", charges: 80 } },
  { id: "cs_1_b", arr: 2000, attributes: { plan: "basic", charges: 20 } },
  { id: "cs_1_c", arr: 4000, attributes: { plan: "pro", charges: 120 } },
  { id: "cs_1_d", arr: 8000, attributes: {} },
];

describe.each(BACKENDS)("segment_customers on attributes, %s", (backend) => {
  let t: TestDb;
  let p: ToolPipeline;
  beforeAll(async () => {
    t = await openTestDb(backend);
    p = pipelineFor(t, healthTools, NOW);
    for (const a of ACCOUNTS) await t.db.prisma.account.create({ data: { id: a.id, client_name: a.id, company_name: a.id, company_key: a.id, arr: a.arr, attributes: a.attributes } });
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  const custom = (attributes: unknown) => ({ segmentation_type: "custom", criteria: { name: "s", attributes } });

  it("categorical in, numeric range, and both together", async () => {
    const pro = (await call(p, "segment_customers", custom([{ name: "plan", in: ["pro"] }]))) as { segments: Array<{ account_count: number; total_arr: number }> };
    expect(pro.segments[0]).toMatchObject({ account_count: 2, total_arr: 5000 });
    const range = (await call(p, "segment_customers", custom([{ name: "charges", min: 50, max: 100 }]))) as { segments: Array<{ account_count: number; total_arr: number }> };
    expect(range.segments[0]).toMatchObject({ account_count: 1, total_arr: 1000 });
    const both = (await call(p, "segment_customers", custom([{ name: "plan", in: ["pro", "basic"] }, { name: "charges", max: 100 }]))) as { segments: Array<{ account_count: number; total_arr: number }> };
    expect(both.segments[0]).toMatchObject({ account_count: 2, total_arr: 3000 });
  });

  it("refuses a range on a categorical attribute, an unknown attribute, and a filter with no condition", async () => {
    expect((await callError(p, "segment_customers", custom([{ name: "plan", min: 1 }]))).message).toContain("criteria.attributes[0].min: 'plan' is categorical; use in");
    expect((await callError(p, "segment_customers", custom([{ name: "region", in: ["eu"] }]))).message).toContain("criteria.attributes[0].name: no account has the attribute 'region'");
    expect((await callError(p, "segment_customers", custom([{ name: "plan" }]))).message).toContain("criteria.attributes[0]: give in, min or max");
  });
});
