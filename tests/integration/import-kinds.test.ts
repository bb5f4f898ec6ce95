// `cs-mcp import` in-process on both back ends: each kind lands row for row, re-imports change nothing,
// bad rows are reported by line and column while good rows are kept, --strict and --dry-run keep nothing,
// CSV and JSON Lines give the same database.
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { runImport, ImportUsageError, type ImportOptions, type ImportSummary } from "../../src/import/run.ts";

const FIX = "tests/fixtures/import";
const NOW = new Date("2025-01-01T00:00:00Z"); // client ids: cs_1735689600_<slug>
const tmp = mkdtempSync(join(tmpdir(), "cs-mcp-import-test-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

/** Every row of the tables an import writes, as JSON, in a stable order; `volatile` columns left out. */
async function snapshot(t: TestDb, volatile: string[] = []): Promise<Record<string, unknown[]>> {
  const tables: Record<string, string> = {
    accounts: "external_id",
    contacts: "account_id, email",
    contracts: "account_id, start_date",
    lifecycle_transitions: "account_id, to_stage",
    timeline_events: "account_id, event_type, summary",
    usage_events: "account_id, user_id, event, occurred_at",
    support_tickets: "account_id, external_id",
    survey_responses: "account_id, respondent_email, responded_at",
    invoices: "account_id, external_id",
  };
  const s = await t.db.session();
  try {
    const out: Record<string, unknown[]> = {};
    for (const [table, order] of Object.entries(tables)) {
      const rows = await s.query<{ r: Record<string, unknown> }>(`SELECT to_jsonb(t) AS r FROM ${table} t ORDER BY ${order}`);
      out[table] = rows.map(({ r }) => {
        const copy = { ...r };
        for (const c of volatile) delete copy[c];
        return copy;
      });
    }
    return out;
  } finally {
    s.release();
  }
}

async function query<T = Record<string, unknown>>(t: TestDb, sql: string, params: unknown[] = []): Promise<T[]> {
  const s = await t.db.session();
  try {
    return await s.query<T>(sql, params);
  } finally {
    s.release();
  }
}

const run = (t: TestDb, kind: string, f: string, extra: Partial<ImportOptions> = {}): Promise<ImportSummary> =>
  runImport(t.db, t.config, { kind, file: f.includes("/") ? f : `${FIX}/${f}`, now: NOW, ...extra });

async function seedAccounts(t: TestDb, f = "accounts.csv") {
  const s = await run(t, "accounts", f);
  expect(s.error_count).toBe(0);
  return s;
}

describe.each(BACKENDS)("import (%s)", (backend) => {
  const open: TestDb[] = [];
  const fresh = async () => {
    const t = await openTestDb(backend);
    open.push(t);
    return t;
  };
  afterEach(async () => {
    for (const t of open.splice(0)) await t.cleanup();
  });

  it("accounts: creates each account with client_id, contact, contract and ARR; re-import changes nothing", async () => {
    const t = await fresh();
    const s = await seedAccounts(t);
    expect(s).toMatchObject({ kind: "accounts", rows: 3, created: 3, updated: 0, skipped: 0, rejected: 0, errors: [], rolled_back: false });
    expect(s.mapping).toEqual({ "crm-1": "cs_1735689600_acme_inc", "crm-2": "cs_1735689600_globex", "crm-3": "cs_1735689600_initech" });

    const accounts = await query(t, `SELECT id, external_id, company_name, company_key, client_name, industry, tier::text, lifecycle_stage::text, arr::text, seats, primary_contact_email, primary_contact_name FROM accounts ORDER BY external_id`);
    expect(accounts).toEqual([
      { id: "cs_1735689600_acme_inc", external_id: "crm-1", company_name: "Acme, Inc.", company_key: "acme, inc.", client_name: "Acme", industry: "Manufacturing", tier: "enterprise", lifecycle_stage: "adoption", arr: "120000.50", seats: 250, primary_contact_email: "ann@acme.example", primary_contact_name: 'Ann "the boss" Lee' },
      { id: "cs_1735689600_globex", external_id: "crm-2", company_name: "Globex", company_key: "globex", client_name: "Globex", industry: "Energy", tier: "standard", lifecycle_stage: "onboarding", arr: "0.00", seats: null, primary_contact_email: null, primary_contact_name: null },
      { id: "cs_1735689600_initech", external_id: "crm-3", company_name: "Initech", company_key: "initech", client_name: "Initech Team", industry: "Software", tier: "starter", lifecycle_stage: "onboarding", arr: "9000.00", seats: 10, primary_contact_email: "bill@initech.example", primary_contact_name: "Bill" },
    ]);
    expect(await query(t, `SELECT account_id, email, name, is_primary FROM contacts ORDER BY account_id`)).toEqual([
      { account_id: "cs_1735689600_acme_inc", email: "ann@acme.example", name: 'Ann "the boss" Lee', is_primary: true },
      { account_id: "cs_1735689600_initech", email: "bill@initech.example", name: "Bill", is_primary: true },
    ]);
    expect(
      await query(t, `SELECT account_id, contract_value::text, to_char(start_date,'YYYY-MM-DD') s, to_char(end_date,'YYYY-MM-DD') e, to_char(renewal_date,'YYYY-MM-DD') r, seats FROM contracts ORDER BY account_id`),
    ).toEqual([
      { account_id: "cs_1735689600_acme_inc", contract_value: "120000.50", s: "2025-01-01", e: "2025-12-31", r: "2025-12-31", seats: 250 },
      { account_id: "cs_1735689600_initech", contract_value: "9000.00", s: "2025-03-01", e: "2026-02-28", r: "2026-02-01", seats: 10 },
    ]);
    expect((await query(t, `SELECT count(*)::int n FROM lifecycle_transitions`))[0]).toEqual({ n: 3 });

    const before = await snapshot(t);
    const again = await run(t, "accounts", "accounts.csv");
    expect(again).toMatchObject({ rows: 3, created: 0, updated: 0, skipped: 3, error_count: 0 });
    expect(again.mapping).toEqual(s.mapping);
    expect(await snapshot(t)).toEqual(before);
  });

  it("accounts: an existing external_id is updated in place (updated vs unchanged), ARR follows contract_value", async () => {
    const t = await fresh();
    await seedAccounts(t);
    const f = file(
      "accounts-update.csv",
      "external_id,company_name,tier,contract_value,primary_contact_email\ncrm-1,\"Acme, Inc.\",enterprise,150000,\ncrm-2,Globex,professional,,carl@globex.example\ncrm-3,Initech,,,\ncrm-4,Umbrella,,,\n",
    );
    const s = await run(t, "accounts", f);
    expect(s).toMatchObject({ rows: 4, created: 1, updated: 2, skipped: 1, error_count: 0 });
    expect(s.mapping?.["crm-4"]).toBe("cs_1735689600_umbrella");
    expect(await query(t, `SELECT external_id, tier::text, arr::text, primary_contact_email FROM accounts ORDER BY external_id`)).toEqual([
      { external_id: "crm-1", tier: "enterprise", arr: "150000.00", primary_contact_email: "ann@acme.example" },
      { external_id: "crm-2", tier: "professional", arr: "0.00", primary_contact_email: "carl@globex.example" },
      { external_id: "crm-3", tier: "starter", arr: "9000.00", primary_contact_email: "bill@initech.example" },
      { external_id: "crm-4", tier: "standard", arr: "0.00", primary_contact_email: null },
    ]);
    expect((await query(t, `SELECT contract_value::text v FROM contracts WHERE account_id = 'cs_1735689600_acme_inc'`))[0]).toEqual({ v: "150000.00" });
    expect(await query(t, `SELECT email, is_primary FROM contacts WHERE account_id = 'cs_1735689600_globex'`)).toEqual([{ email: "carl@globex.example", is_primary: true }]);
    expect((await run(t, "accounts", f)).updated).toBe(0);
  });

  it("accounts: a company + contact another account already has is a row error; the rest is kept", async () => {
    const t = await fresh();
    await seedAccounts(t);
    const f = file("accounts-dup.csv", "external_id,company_name,primary_contact_email\nnew-1,ACME,  x@y.example\nnew-2,acme,  Inc.,ann@acme.example\n");
    // new-2's row has 4 fields: the extra one is reported too.
    const g = file("accounts-dup2.csv", "external_id,company_name,primary_contact_email\nnew-1,New Co,x@y.example\nnew-2,\"Acme,  Inc.\",ann@acme.example\n");
    const s = await run(t, "accounts", g);
    expect(s).toMatchObject({ rows: 2, created: 1, rejected: 1 });
    expect(s.errors).toEqual([{ line: 3, column: "primary_contact_email", reason: expect.stringContaining("another account (cs_1735689600_acme_inc)") }]);
    const bad = await run(t, "accounts", f);
    expect(bad.errors).toEqual([{ line: 3, reason: "the line has 4 fields but the header has 3 columns" }]);
  });

  it("usage_events: rows land as in the file, by external_id and by client_id; duplicates and re-imports are skipped", async () => {
    const t = await fresh();
    await seedAccounts(t);
    const s = await run(t, "usage_events", "usage_events.csv");
    expect(s).toMatchObject({ rows: 6, created: 5, updated: 0, skipped: 1, error_count: 0 });
    expect(await query(t, `SELECT account_id, user_id, event, feature, occurred_at, source FROM usage_events ORDER BY occurred_at, user_id, event`)).toEqual([
      { account_id: "cs_1735689600_acme_inc", user_id: "u1", event: "login", feature: null, occurred_at: new Date("2025-06-01T09:00:00Z"), source: "import" },
      { account_id: "cs_1735689600_acme_inc", user_id: "u1", event: "report_run", feature: "reports", occurred_at: new Date("2025-06-01T09:05:00.250Z"), source: "import" },
      { account_id: "cs_1735689600_acme_inc", user_id: "u2", event: "login", feature: null, occurred_at: new Date("2025-06-01T10:00:00Z"), source: "import" },
      { account_id: "cs_1735689600_globex", user_id: "u9", event: "login", feature: null, occurred_at: new Date("2025-06-02T06:00:00Z"), source: "import" },
      { account_id: "cs_1735689600_initech", user_id: "u5", event: "export", feature: "exports, csv", occurred_at: new Date("2025-06-03T00:00:00Z"), source: "import" },
    ]);
    const before = await snapshot(t);
    expect(await run(t, "usage_events", "usage_events.csv")).toMatchObject({ created: 0, updated: 0, skipped: 6 });
    expect(await run(t, "usage_events", "usage_events.jsonl")).toMatchObject({ created: 0, updated: 0, skipped: 6 });
    expect(await snapshot(t)).toEqual(before);
  });

  it("bad rows are reported with exact line numbers and columns; the good rows are kept", async () => {
    const t = await fresh();
    await seedAccounts(t);
    const s = await run(t, "usage_events", "usage_events_bad.csv");
    expect(s).toMatchObject({ rows: 7, created: 3, rejected: 4, error_count: 4, rolled_back: false });
    expect(s.errors).toEqual([
      { line: 3, column: "user_id", reason: "user_id: is required" },
      { line: 4, column: "occurred_at", reason: "occurred_at: must be an ISO 8601 date (2025-01-31) or date-time (2025-01-31T12:00:00Z)" },
      { line: 5, column: "account", reason: "account: no account has client_id or external_id 'nobody'" },
      { line: 8, column: "occurred_at", reason: "occurred_at: must be an ISO 8601 date (2025-01-31) or date-time (2025-01-31T12:00:00Z)" },
    ]);
    expect(await query(t, `SELECT user_id, event FROM usage_events ORDER BY user_id`)).toEqual([
      { user_id: "u1", event: "login" },
      { user_id: "u5", event: "multi\nline event" },
      { user_id: "u7", event: "login" },
    ]);
  });

  it("--strict rolls the whole file back on a bad row; --dry-run counts exactly and writes nothing", async () => {
    const t = await fresh();
    await seedAccounts(t);
    const before = await snapshot(t);
    const strict = await run(t, "usage_events", "usage_events_bad.csv", { strict: true, batchSize: 1 });
    expect(strict).toMatchObject({ rows: 7, created: 0, rejected: 4, rolled_back: true, strict: true });
    expect(await snapshot(t)).toEqual(before);

    const dry = await run(t, "tickets", "tickets.csv", { dryRun: true });
    expect(dry).toMatchObject({ rows: 3, created: 3, updated: 0, error_count: 0, rolled_back: true, dry_run: true });
    const dryAccounts = await run(t, "accounts", file("dry-accounts.csv", "external_id,company_name\ncrm-9,Hooli\ncrm-1,Acme Renamed\n"), { dryRun: true });
    expect(dryAccounts).toMatchObject({ created: 1, updated: 1, rolled_back: true });
    expect(await snapshot(t)).toEqual(before);

    // A clean file under --strict commits.
    expect(await run(t, "usage_events", "usage_events.csv", { strict: true })).toMatchObject({ created: 5, rolled_back: false });
  });

  it("tickets: SLA due dates from the configuration, priority aliases, quoted fields with commas and newlines", async () => {
    const t = await fresh();
    await seedAccounts(t);
    const s = await run(t, "tickets", "tickets.csv");
    expect(s).toMatchObject({ rows: 3, created: 3, error_count: 0 });
    const rows = await query(
      t,
      `SELECT account_id, external_id, subject, priority::text, category, status::text, created_at, first_response_at, resolved_at, satisfaction_rating, first_response_due_at, resolution_due_at FROM support_tickets ORDER BY account_id, external_id`,
    );
    expect(rows).toEqual([
      { account_id: "cs_1735689600_acme_inc", external_id: "T-1", subject: 'Export fails, "urgent"\nsecond line', priority: "P1", category: "bug", status: "resolved", created_at: new Date("2025-05-01T10:00:00Z"), first_response_at: new Date("2025-05-01T10:10:00Z"), resolved_at: new Date("2025-05-01T12:00:00Z"), satisfaction_rating: 5, first_response_due_at: new Date("2025-05-01T10:15:00Z"), resolution_due_at: new Date("2025-05-01T14:00:00Z") },
      { account_id: "cs_1735689600_acme_inc", external_id: "T-2", subject: "How do I invite users?", priority: "P4", category: "question", status: "open", created_at: new Date("2025-05-02T10:00:00Z"), first_response_at: null, resolved_at: null, satisfaction_rating: null, first_response_due_at: new Date("2025-05-02T10:15:00Z"), resolution_due_at: new Date("2025-05-04T10:00:00Z") },
      { account_id: "cs_1735689600_globex", external_id: "T-1", subject: "Billing question", priority: "P3", category: "billing", status: "open", created_at: new Date("2025-05-03T10:00:00Z"), first_response_at: null, resolved_at: null, satisfaction_rating: null, first_response_due_at: new Date("2025-05-03T10:15:00Z"), resolution_due_at: new Date("2025-05-04T10:00:00Z") },
    ]);
    const before = await snapshot(t);
    expect(await run(t, "tickets", "tickets.jsonl")).toMatchObject({ created: 0, updated: 0, skipped: 3 });
    expect(await snapshot(t)).toEqual(before);
    const changed = file("tickets-changed.csv", "account,external_id,subject,created_at,status,resolved_at\ncs_1735689600_globex,T-1,Billing question,2025-05-03T10:00:00Z,resolved,2025-05-03T11:00:00Z\ncrm-1,T-9,New,2025-05-01T09:00:00Z,,2025-05-01T08:00:00Z\n");
    const u = await run(t, "tickets", changed);
    expect(u).toMatchObject({ updated: 1, created: 0, rejected: 1 });
    expect(u.errors).toEqual([{ line: 3, column: "resolved_at", reason: "resolved_at: must not be before created_at" }]);
  });

  it("nps and invoices: rows land as in the file; re-import changes nothing; a changed score updates", async () => {
    const t = await fresh();
    await seedAccounts(t);
    expect(await run(t, "nps", "nps.csv")).toMatchObject({ rows: 3, created: 3, error_count: 0 });
    expect(await query(t, `SELECT account_id, survey_type::text, respondent_email, score, reason, responded_at FROM survey_responses ORDER BY responded_at`)).toEqual([
      { account_id: "cs_1735689600_acme_inc", survey_type: "nps", respondent_email: "ann@acme.example", score: 9, reason: "Great, fast support", responded_at: new Date("2025-04-01T12:00:00Z") },
      { account_id: "cs_1735689600_acme_inc", survey_type: "nps", respondent_email: "joe@acme.example", score: 6, reason: null, responded_at: new Date("2025-04-02T12:00:00Z") },
      { account_id: "cs_1735689600_initech", survey_type: "nps", respondent_email: "bill@initech.example", score: 10, reason: null, responded_at: new Date("2025-04-03T00:00:00Z") },
    ]);
    expect(await run(t, "invoices", "invoices.csv")).toMatchObject({ rows: 3, created: 3, error_count: 0 });
    expect(await query(t, `SELECT account_id, external_id, amount::text, to_char(due_date,'YYYY-MM-DD') due, paid_at FROM invoices ORDER BY account_id, external_id`)).toEqual([
      { account_id: "cs_1735689600_acme_inc", external_id: "INV-1", amount: "10000.00", due: "2025-02-01", paid_at: new Date("2025-01-28T09:00:00Z") },
      { account_id: "cs_1735689600_acme_inc", external_id: "INV-2", amount: "10000.25", due: "2025-03-01", paid_at: null },
      { account_id: "cs_1735689600_initech", external_id: "INV-1", amount: "750.00", due: "2025-04-01", paid_at: null },
    ]);
    const before = await snapshot(t);
    expect(await run(t, "nps", "nps.jsonl")).toMatchObject({ created: 0, updated: 0, skipped: 3 });
    expect(await run(t, "invoices", "invoices.jsonl")).toMatchObject({ created: 0, updated: 0, skipped: 3 });
    expect(await snapshot(t)).toEqual(before);
    const s = await run(t, "nps", file("nps2.csv", "account,respondent_email,score,responded_at\ncrm-1,joe@acme.example,8,2025-04-02T12:00:00Z\ncrm-1,joe@acme.example,11,2025-04-09\n"));
    expect(s).toMatchObject({ updated: 1, rejected: 1, errors: [{ line: 3, column: "score", reason: "score: must be a whole number from 0 to 10" }] });
  });

  it("CSV and JSON Lines give the same database", async () => {
    const a = await fresh();
    const b = await fresh();
    for (const kind of ["accounts", "usage_events", "tickets", "nps", "invoices"]) {
      const csv = await run(a, kind, `${kind}.csv`);
      const jsonl = await run(b, kind, `${kind}.jsonl`);
      expect(csv.error_count, kind).toBe(0);
      expect([jsonl.created, jsonl.updated, jsonl.skipped, jsonl.error_count], kind).toEqual([csv.created, csv.updated, csv.skipped, 0]);
    }
    const volatile = ["id", "created_at", "updated_at", "data", "contract_id"];
    expect(await snapshot(b, volatile)).toEqual(await snapshot(a, volatile));
  });

  it("usage errors: unknown kind, missing file, unknown format; header without a required column", async () => {
    const t = await fresh();
    await expect(run(t, "widgets", "usage_events.csv")).rejects.toThrow(ImportUsageError);
    await expect(run(t, "usage_events", "no-such-file.csv")).rejects.toThrow(/file not found/);
    await expect(run(t, "usage_events", file("events.txt", "x"))).rejects.toThrow(/--format csv\|jsonl/);
    const s = await run(t, "usage_events", file("events.dat", "account,user_id,occurred_at\ncrm-1,u1,2025-01-01\n"), { format: "csv" });
    expect(s).toMatchObject({ rows: 0, created: 0, errors: [{ line: 1, column: "event", reason: expect.stringMatching(/^event: required column is missing/) }] });
    const j = await run(t, "usage_events", file("bad.jsonl", '{"account":"x"\n[1]\n{"account":{"a":1}}\n'));
    expect(j.errors).toEqual([
      { line: 1, reason: expect.stringMatching(/^the line is not valid JSON/) },
      { line: 2, reason: "the line must be a JSON object with one key per column" },
      { line: 3, column: "account", reason: "account: must be a string, number or boolean, not an object" },
    ]);
  });
});
