// expansion_rate of track_cs_metrics and the expansion of track_revenue_expansion are one definition (the ARR
// movements of contracts): on the same portfolio both tools report the same figure, computed here by hand from
// the contracts below; won expansion opportunities do not count; a portfolio without contracts has no data
// (null with a note), never a measured 0 %.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { call, pipelineFor } from "../helpers/pipeline.ts";
import { feedbackTools } from "../../src/tools/feedback/index.ts";
import { expansionTools } from "../../src/tools/expansion/index.ts";
import type { ToolPipeline } from "../../src/server/pipeline.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const d = (s: string) => new Date(`${s}T00:00:00.000Z`);

describe.each(BACKENDS)("one expansion rate across tools on %s", (backend) => {
  let t: TestDb;
  let p: ToolPipeline;
  let n = 0;

  async function account(contracts: Array<{ value: number; start: string; end?: string }>, over: Record<string, unknown> = {}) {
    const slug = `xr_${backend}_${++n}`;
    const id = `cs_1700000000_${slug}`;
    await t.db.prisma.account.create({ data: { id, client_name: slug, company_name: `Company ${slug}`, company_key: slug, created_at: d("2024-01-01"), ...over } });
    for (const c of contracts) await t.db.prisma.contract.create({ data: { account_id: id, contract_value: c.value, start_date: d(c.start), end_date: c.end ? d(c.end) : null, seats: 10 } });
    return id;
  }

  beforeAll(async () => {
    t = await openTestDb(backend);
    p = pipelineFor(t, [...feedbackTools, ...expansionTools], NOW);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("without contracts the rate is no data with a note, not 0 %", async () => {
    const m = await call(p, "track_cs_metrics", { metric_type: "expansion_rate", period_start: "2026-04-01", period_end: "2026-04-30" });
    expect(m.summary.period_value).toBeNull();
    expect(m.series[0]).toMatchObject({ value: null, no_data: true });
    expect(m.missing_data[0].what).toContain("no stored data for expansion_rate");
    const r = await call(p, "track_revenue_expansion", { time_period: "monthly", period_start: "2026-04-01" });
    expect(r.totals.expansion_rate_percent).toBeNull();
  });

  it("April 2026: both tools give expansion ARR ÷ starting ARR of the same movements", async () => {
    const up = await account([{ value: 100_000, start: "2025-01-01", end: "2026-04-15" }, { value: 130_000, start: "2026-04-15" }]);
    await account([{ value: 50_000, start: "2025-01-01" }]); // flat
    await account([{ value: 40_000, start: "2025-01-01" }], { status: "churned", churned_at: new Date("2026-04-20T10:00:00.000Z") });
    await account([{ value: 60_000, start: "2025-01-01", end: "2026-04-10" }, { value: 45_000, start: "2026-04-10" }]); // contraction
    await account([{ value: 20_000, start: "2026-04-10" }], { created_at: d("2026-04-01") }); // new business, excluded
    // A won expansion opportunity is pipeline, not ARR: it must not move the rate.
    await t.db.prisma.expansionOpportunity.create({ data: { account_id: up, type: "upsell", score: 0.9, estimated_value: 99_999, rationale: "r", status: "won", closed_at: new Date("2026-04-12T12:00:00.000Z") } });

    const starting = 100_000 + 50_000 + 40_000 + 60_000;
    const expansion = 130_000 - 100_000;
    const expected = Math.round((expansion / starting) * 10_000) / 100; // 12 %
    expect(expected).toBe(12);

    const r = await call(p, "track_revenue_expansion", { time_period: "monthly", period_start: "2026-04-01" });
    expect(r.totals).toMatchObject({ starting_arr: starting, expansion_arr: expansion, expansion_rate_percent: expected, accounts_churned: 1, new_accounts_excluded: 1 });

    const m = await call(p, "track_cs_metrics", { metric_type: "expansion_rate", period_start: "2026-03-01", period_end: "2026-04-30", granularity: "month" });
    expect(m.series.map((s: { bucket_start: string; value: number | null; count: number }) => [s.bucket_start, s.value, s.count])).toEqual([
      ["2026-03-01", 0, 4], // contracts in force, nothing grew: a measured 0 %
      ["2026-04-01", expected, 4],
    ]);
    expect(m.series[1].details).toEqual({ starting_arr: starting, expansion_arr: expansion, accounts_expanded: 1 });
    expect(m.series[1].value).toBe(r.totals.expansion_rate_percent);
    // Per segment: every account here has the default tier, so its one segment is the whole portfolio.
    const seg = await call(p, "track_cs_metrics", { metric_type: "expansion_rate", period_start: "2026-04-01", period_end: "2026-04-30", segment_by: "tier" });
    expect(seg.segments.map((x: { segment: string; period_value: number | null; period_count: number }) => [x.period_value, x.period_count])).toEqual([[expected, 4]]);

    // Quarterly in both tools: Q2 is still running on 2026-06-15, ending ARR read today in both.
    const q = await call(p, "track_revenue_expansion", { time_period: "quarterly", period_start: "2026-04-01" });
    const mq = await call(p, "track_cs_metrics", { metric_type: "expansion_rate", period_start: "2026-04-01", period_end: "2026-06-30", granularity: "quarter" });
    expect(q.totals.expansion_rate_percent).toBe(expected);
    expect(mq.series[0].value).toBe(q.totals.expansion_rate_percent);
  });
});
