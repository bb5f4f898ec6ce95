// list_clients sorting and get_client_timeline paging, on both back ends, through the tool pipeline:
// every sort field in both directions gives the order computed here from the stored rows (ties by
// client_id, missing values last), and cursor or offset pages cover every row exactly once; the timeline
// comes newest first and its cursor pages walk the whole history without a gap or a repeat.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { call, callError, pipelineFor } from "../helpers/pipeline.ts";
import { ALL_TOOLS } from "../../src/tools/definitions.ts";
import type { ToolPipeline } from "../../src/server/pipeline.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");

interface Row {
  id: string;
  arr: number;
  health: number | null;
  churn: number | null;
  renewal: string | null;
  name: string;
}

/** The expected order: rows with the value by value (asc or desc) then id; rows without it last, by id. */
function expected(rows: Row[], key: (r: Row) => number | string | null, order: "asc" | "desc"): string[] {
  const byId = (a: Row, b: Row) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const have = rows.filter((r) => key(r) !== null).sort((a, b) => {
    const ka = key(a)!;
    const kb = key(b)!;
    const c = ka < kb ? -1 : ka > kb ? 1 : 0;
    return (order === "asc" ? c : -c) || byId(a, b);
  });
  const missing = rows.filter((r) => key(r) === null).sort(byId);
  return [...have, ...missing].map((r) => r.id);
}

describe.each(BACKENDS)("list_clients sort and timeline paging on %s", (backend) => {
  let t: TestDb;
  let p: ToolPipeline;
  const rows: Row[] = [];

  beforeAll(async () => {
    t = await openTestDb(backend);
    p = pipelineFor(t, ALL_TOOLS, NOW);
    // Ties on purpose: two ARRs, health scores and churn probabilities repeat; some accounts lack each value.
    const specs = [
      { name: "Delta", arr: 50_000, health: 70, churn: 0.3, end: "2026-09-01" },
      { name: "Alpha", arr: 20_000, health: null, churn: null, end: "2026-08-01" },
      { name: "Echo", arr: 50_000, health: 70, churn: 0.3, end: null },
      { name: "Bravo", arr: 90_000, health: 40, churn: 0.8, end: "2027-01-15" },
      { name: "Charlie", arr: 5_000, health: 95, churn: null, end: "2026-08-01" },
      { name: "Foxtrot", arr: 20_000, health: 40, churn: 0.05, end: "2026-12-31" },
      { name: "Golf", arr: 0, health: null, churn: 0.3, end: null },
    ];
    for (const s of specs) {
      const r = await call(p, "register_client", {
        client_name: `${s.name} Owner`, company_name: `${s.name} Co`, primary_contact_email: `owner@${s.name.toLowerCase()}.example`, tier: "standard",
        ...(s.end ? { contract_value: s.arr, contract_start_date: "2026-01-01", contract_end_date: s.end } : {}),
      });
      const id = r.client_id as string;
      await t.db.prisma.account.update({ where: { id }, data: { arr: s.arr, health_score: s.health } });
      if (s.churn !== null) {
        // An older, different prediction: only the latest one counts.
        await t.db.prisma.churnPrediction.create({ data: { account_id: id, probability: 0.99, risk_level: "high", factors: [], model_version: "t", predicted_at: new Date("2026-05-01T00:00:00Z") } });
        await t.db.prisma.churnPrediction.create({ data: { account_id: id, probability: s.churn, risk_level: "low", factors: [], model_version: "t", predicted_at: new Date("2026-06-01T00:00:00Z") } });
      }
      rows.push({ id, arr: s.arr, health: s.health, churn: s.churn, renewal: s.end, name: `${s.name} Co` });
    }
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  const KEYS: Record<string, (r: Row) => number | string | null> = {
    company_name: (r) => r.name,
    arr: (r) => r.arr,
    health_score: (r) => r.health,
    churn_risk: (r) => r.churn,
    renewal_date: (r) => r.renewal,
  };

  for (const [sort_by, key] of Object.entries(KEYS)) {
    for (const sort_order of ["asc", "desc"] as const) {
      it(`sorts by ${sort_by} ${sort_order}, and cursor and offset pages cover every account once`, async () => {
        const want = expected(rows, key, sort_order);
        const one = await call(p, "list_clients", { sort_by, sort_order, limit: 100 });
        expect(one.clients.map((c: { client_id: string }) => c.client_id)).toEqual(want);
        expect(one.sort).toEqual({ by: sort_by, order: sort_order });

        const byCursor: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await call(p, "list_clients", { sort_by, sort_order, limit: 2, ...(cursor ? { cursor } : {}) });
          byCursor.push(...page.clients.map((c: { client_id: string }) => c.client_id));
          cursor = page.next_cursor ?? undefined;
        } while (cursor);
        expect(byCursor).toEqual(want);

        const byOffset: string[] = [];
        for (let offset = 0; offset < rows.length; offset += 3) {
          const page = await call(p, "list_clients", { sort_by, sort_order, limit: 3, offset });
          byOffset.push(...page.clients.map((c: { client_id: string }) => c.client_id));
        }
        expect(byOffset).toEqual(want);
      });
    }
  }

  it("shows the sort values, and refuses a cursor from another sort and an unknown sort field", async () => {
    const page = await call(p, "list_clients", { sort_by: "renewal_date", limit: 100 });
    const bravo = page.clients.find((c: { client_id: string }) => c.client_id === rows[3]!.id);
    expect(bravo).toMatchObject({ renewal_date: "2027-01-15", churn_probability: 0.8, arr: 90_000 });
    const first = await call(p, "list_clients", { sort_by: "arr", sort_order: "desc", limit: 2 });
    const err = await callError(p, "list_clients", { sort_by: "arr", sort_order: "asc", cursor: first.next_cursor });
    expect(err.message).toBe("cursor: belongs to sort_by 'arr' desc, not 'arr' asc");
    const bad = await callError(p, "list_clients", { sort_by: "seats" });
    expect(bad.message).toContain("sort_by: must be one of company_name, arr, health_score, churn_risk, renewal_date");
    const tooMany = await callError(p, "list_clients", { limit: 101 });
    expect(tooMany.message).toContain("limit");
  });

  it("returns the timeline newest first, and its cursor pages walk the whole history once", async () => {
    const id = rows[0]!.id;
    // 25 events, three of them at the same instant (ties are broken by source and id, never skipped).
    for (let i = 0; i < 22; i++) {
      await t.db.prisma.timelineEvent.create({ data: { account_id: id, event_type: "note", summary: `note ${i}`, occurred_at: new Date(Date.UTC(2026, 2, 1 + i)) } });
    }
    for (let i = 0; i < 3; i++) {
      await t.db.prisma.surveyResponse.create({ data: { account_id: id, survey_type: "nps", respondent_email: `r${i}@delta.example`, score: 9, responded_at: new Date("2026-03-10T00:00:00Z") } });
    }
    const stored = await t.db.query<{ n: number }>(
      `SELECT ((SELECT count(*) FROM timeline_events WHERE account_id = $1) + (SELECT count(*) FROM survey_responses WHERE account_id = $1)
              + (SELECT count(*) FROM contracts WHERE account_id = $1) + (SELECT count(*) FROM churn_predictions WHERE account_id = $1))::int AS n`, [id]);
    const total = stored[0]!.n;

    const all = await call(p, "get_client_timeline", { client_id: id, limit: 100 });
    expect(all.total).toBe(total);
    const times = all.events.map((e: { occurred_at: string }) => e.occurred_at);
    expect(times).toEqual([...times].sort().reverse());
    expect(all.next_cursor).toBeNull();

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await call(p, "get_client_timeline", { client_id: id, limit: 4, ...(cursor ? { cursor } : {}) });
      expect(page.truncated).toBe(page.next_cursor !== null);
      seen.push(...page.events.map((e: { source: string; source_id: string; event_type: string }) => `${e.source}/${e.source_id}/${e.event_type}`));
      cursor = page.next_cursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(Math.ceil(total / 4));
    expect(seen).toEqual(all.events.map((e: { source: string; source_id: string; event_type: string }) => `${e.source}/${e.source_id}/${e.event_type}`));

    const err = await callError(p, "get_client_timeline", { client_id: id, cursor: "nonsense" });
    expect(err.message).toMatch(/^cursor:/);
    const tooMany = await callError(p, "get_client_timeline", { client_id: id, limit: 101 });
    expect(tooMany.message).toContain("limit");
  });
});
