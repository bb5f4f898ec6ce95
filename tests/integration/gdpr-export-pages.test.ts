// export_personal_data of a busy client fits an agent: every answer stays within 25,000 tokens, counts come
// complete in every answer, and following next_cursor hands over every stored row exactly once (checked
// against the table's own rows), with over-long texts cut and counted. Both back ends.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getEncoding } from "js-tiktoken";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { call, callError, pipelineFor } from "../helpers/pipeline.ts";
import { ALL_TOOLS } from "../../src/tools/definitions.ts";
import type { ToolPipeline } from "../../src/server/pipeline.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const TICKETS = 400;

describe.each(BACKENDS)("export_personal_data pages on %s", (backend) => {
  let t: TestDb;
  let p: ToolPipeline;
  let client: string;
  const enc = getEncoding("cl100k_base");

  beforeAll(async () => {
    t = await openTestDb(backend);
    p = pipelineFor(t, ALL_TOOLS, NOW);
    client = (await call(p, "register_client", { client_name: "Busy", company_name: "Busy Export Co", primary_contact_email: "pat@busy-export.example", contract_value: 1000, contract_start_date: "2026-01-01" })).client_id;
    await t.db.query(
      `INSERT INTO support_tickets (id, account_id, subject, description, requester_email, first_response_due_at, resolution_due_at, created_at)
       SELECT 'exp_tk_' || g, $1::text, 'Ticket ' || g, repeat('The export stalls. ', 25), 'pat@busy-export.example', $2::timestamptz, $2::timestamptz, $2::timestamptz
         FROM generate_series(1, ${TICKETS}) AS g`,
      [client, NOW.toISOString()],
    );
    await t.db.query(`INSERT INTO feedback (id, account_id, feedback_type, content, submitter_email) VALUES ('exp_fb_long', $1::text, 'general', repeat('x', 9000), 'pat@busy-export.example')`, [client]);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("pages a client's export within the bound and hands over every row once", async () => {
    const seen = new Map<string, string[]>();
    let cursor: string | undefined;
    let pages = 0;
    let cut = 0;
    do {
      const r = await p.call("export_personal_data", { client_id: client, max_rows_per_table: 500, ...(cursor ? { cursor } : {}) });
      expect(r.isError).toBeFalsy();
      const tokens = enc.encode(JSON.stringify({ content: r.content, structuredContent: r.structuredContent })).length;
      expect(tokens).toBeLessThanOrEqual(25_000);
      const d = r.structuredContent as { total_rows: number; next_cursor: string | null; values_cut: number; tables: Array<{ table: string; total_rows: number; rows: Array<{ id?: string }> }> };
      // Counts are complete in every answer.
      expect(d.tables.find((x) => x.table === "support_tickets")!.total_rows).toBe(TICKETS);
      for (const x of d.tables) seen.set(x.table, [...(seen.get(x.table) ?? []), ...x.rows.map((row) => String(row.id))]);
      cut += d.values_cut;
      cursor = d.next_cursor ?? undefined;
      pages++;
    } while (cursor && pages < 100);
    expect(cursor).toBeUndefined();
    expect(pages).toBeGreaterThan(1);
    const tickets = seen.get("support_tickets")!;
    expect(new Set(tickets).size).toBe(tickets.length);
    const stored = await t.db.query<{ id: string }>(`SELECT id FROM support_tickets WHERE account_id = $1`, [client]);
    expect([...tickets].sort()).toEqual(stored.map((r) => r.id).sort());
    expect(seen.get("feedback")).toEqual(["exp_fb_long"]);
    expect(cut).toBe(1);
  });

  it("cuts texts over 4,000 characters and says how long they were", async () => {
    const r = await call(p, "export_personal_data", { email: "pat@busy-export.example", max_rows_per_table: 1 });
    const fb = r.tables.find((x: { table: string }) => x.table === "feedback");
    expect(fb.rows[0].content).toBe(`${"x".repeat(4000)}…[cut: 9000 characters in all]`);
    expect(r.values_cut).toBe(1);
    expect(r.next_cursor).not.toBeNull();
  });

  it("refuses a cursor it did not issue, and one from another subject's export", async () => {
    expect((await callError(p, "export_personal_data", { client_id: client, cursor: "garbage" })).message).toBe("cursor: is not a cursor this server issued");
    const other = await call(p, "export_personal_data", { email: "pat@busy-export.example", max_rows_per_table: 1 });
    expect((await callError(p, "export_personal_data", { client_id: client, cursor: other.next_cursor })).message).toBe("cursor: belongs to another data subject's export");
    expect((await callError(p, "export_personal_data", { client_id: client, max_rows_per_table: 501 })).message).toContain("max_rows_per_table");
  });
});
