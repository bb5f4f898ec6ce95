// GDPR completeness on both back ends: a person and a client are seeded through the real tools (so the copies
// the tools make of an address or a name really happen: a ticket whose subject holds the email, rendered
// personalised mail, newsletter and onboarding messages, a KB vote, an executive review, community and
// advocacy rows, training, feedback, timeline events, outbox rows and audit rows), then
//   - the export holds every row that a dump of every table (found from the catalogue, every column as text)
//     shows naming them, and every row of every table with an account_id for a client;
//   - after erasure the same dump holds neither the email (any case) nor the full name nor the first name
//     (the names are distinctive so that a hit is never a substring of another word), while a bystander
//     seeded the same way is still all there.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { call, pipelineFor } from "../helpers/pipeline.ts";
import { ALL_TOOLS } from "../../src/tools/definitions.ts";
import type { ToolPipeline } from "../../src/server/pipeline.ts";

const NOW = new Date("2026-09-01T12:00:00.000Z");
// Credentials make the tools queue their messages; nothing dispatches them in this test.
const CREDS = {
  SENDGRID_API_KEY: "SG.test-key",
  SENDGRID_FROM_EMAIL: "cs@vendor.test",
  INTERCOM_ACCESS_TOKEN: "ic-test-token",
  ZENDESK_BASE_URL: "http://127.0.0.1:9",
  ZENDESK_EMAIL: "agent@vendor.test",
  ZENDESK_API_TOKEN: "zd-test-token",
};

/** First names found nowhere else in the database (nor inside another word), one per world. */
const FIRST_NAMES = ["Zephyrine", "Ottoline", "Perpetua", "Eulalie"];
const BYSTANDER_NAMES = ["Bartholomew", "Cornelius", "Leopoldina", "Wilhelmus"];

interface Person {
  first: string;
  last: string;
  email: string;
}
interface Row {
  table: string;
  /** The row's `id` column, when it has one. */
  id: string | null;
  text: string;
}

/** Every row of every user table named by the catalogue, each as the text of the whole row (every column). */
async function dump(t: TestDb): Promise<Row[]> {
  const prisma = t.db.prisma;
  const tables = await prisma.$queryRawUnsafe<Array<{ table_name: string }>>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const out: Row[] = [];
  for (const { table_name } of tables) {
    const rows = await prisma.$queryRawUnsafe<Array<{ r: string; id: string | null }>>(`SELECT x::text AS r, row_to_json(x)->>'id' AS id FROM "${table_name}" x`);
    for (const r of rows) out.push({ table: table_name, id: r.id, text: r.r });
  }
  return out;
}

const mentions = (rows: Row[], needles: string[]): Row[] => rows.filter((r) => needles.some((n) => r.text.toLowerCase().includes(n.toLowerCase())));
const tablesOf = (rows: Row[]): string[] => [...new Set(rows.map((r) => r.table))].sort();
const needlesOf = (p: Person): string[] => [p.email, `${p.first} ${p.last}`, p.first, p.last];

/** Every row of `named` is in the export: its table is there, and (for a table with an id) the row itself. */
type ExportAnswer = { tables: Array<{ table: string; rows: Array<{ id?: string }>; total_rows: number }>; next_cursor: string | null };

/** The whole export: follows next_cursor and gathers each table's rows from every page. */
async function exportAll(p: ToolPipeline, subject: Record<string, string>): Promise<ExportAnswer> {
  const byTable = new Map<string, ExportAnswer["tables"][number]>();
  let cursor: string | null = null;
  for (let page = 0; page < 200; page++) {
    const r = (await call(p, "export_personal_data", { ...subject, max_rows_per_table: 500, ...(cursor ? { cursor } : {}) })) as ExportAnswer;
    for (const t of r.tables) {
      const have = byTable.get(t.table);
      if (have) have.rows.push(...t.rows);
      else byTable.set(t.table, { table: t.table, total_rows: t.total_rows, rows: [...t.rows] });
    }
    cursor = r.next_cursor;
    if (!cursor) return { tables: [...byTable.values()], next_cursor: null };
  }
  throw new Error("export did not finish within 200 pages");
}

function expectExported(exported: { tables: Array<{ table: string; rows: Array<{ id?: string }>; total_rows: number }> }, named: Row[]): void {
  const byTable = new Map(exported.tables.map((x) => [x.table, x]));
  for (const table of tablesOf(named)) {
    const got = byTable.get(table);
    expect(got, `export misses ${table}`).toBeDefined();
    const ids = new Set(got!.rows.map((r) => r.id));
    expect(got!.rows.length).toBe(got!.total_rows); // every page followed: nothing left out
    const missing = named.filter((r) => r.table === table && r.id !== null && !ids.has(r.id)).map((r) => `${table}: ${r.text.slice(0, 200)}`);
    expect(missing, `rows of ${table} missing from the export`).toEqual([]);
  }
}

describe.each(BACKENDS)("GDPR: nothing findable after erasure, everything in the export, on %s", (backend) => {
  let t: TestDb;
  let p: ToolPipeline;
  let n = 0;

  /**
   * A client whose primary contact is `person`, with every kind of copy the tools make of them. Distinctive
   * names: no other word in the database contains them.
   */
  async function seedClient(person: Person, company: string): Promise<string> {
    const c = (tool: string, args: Record<string, unknown>) => call(p, tool, args);
    const fullName = `${person.first} ${person.last}`;
    const client = await c("register_client", {
      client_name: fullName,
      company_name: company,
      primary_contact_email: person.email,
      primary_contact_name: fullName,
      tier: "enterprise",
      contract_value: 120000,
      contract_start_date: "2026-01-01",
      contract_end_date: "2026-12-31",
      csm_name: "Casey Vendorside",
      csm_email: "casey@vendor.test",
    });
    const id = client.client_id as string;
    await c("update_client_info", { client_id: id, updates: { industry: "Manufacturing", primary_contact_name: `${fullName} Jr` }, reason: "name fix" });
    await c("update_client_info", { client_id: id, updates: { primary_contact_name: fullName }, reason: "name fix undone" });

    // Support: the requester's address is in the subject, their name in the description, an agent names them.
    const ticket = await c("handle_support_ticket", {
      action: "create",
      client_id: id,
      subject: `Login fails for ${person.email}`,
      description: `${fullName} cannot log in since Monday`,
      priority: "P2",
      requester_email: person.email,
    });
    await c("handle_support_ticket", { action: "comment", ticket_id: ticket.ticket.ticket_id, notes: `Called ${fullName} (${person.email}); resetting SSO`, author: "agent@vendor.test" });

    // Mail rendered for them: a campaign and a newsletter issue with their first name in subject and body.
    await c("send_personalized_email", {
      campaign_name: `Check-in ${company}`,
      subject_line: "{{first_name}}, checking in on {{company_name}}",
      body_html: "<p>Hi {{first_name}}</p>",
      body_text: "Hi {{first_name}}",
      target_client_ids: [id],
      idempotency_key: `check-in-${id}`,
    });
    const nl = (await c("automate_newsletters", { action: "create_newsletter", name: `News ${company}`, subject: "{{first_name}}: news for {{company_name}}", content: "<h1>Hello {{first_name}}</h1>", content_text: "Hello {{first_name}}" })).newsletter;
    await c("automate_newsletters", { action: "manage_subscriptions", newsletter_id: nl.newsletter_id, subscription_action: "subscribe", client_ids: [id] });
    await c("automate_newsletters", { action: "schedule_newsletter", newsletter_id: nl.newsletter_id, idempotency_key: `issue-${id}` });

    // Onboarding: a plan and its welcome / reminder messages addressed to the primary contact.
    const plan = await c("create_onboarding_plan", { client_id: id, customer_goals: ["Go live"], success_criteria: ["Live"], team_size: 5, technical_complexity: "low", timeline_weeks: 2, start_date: "2026-09-07" });
    await c("activate_onboarding_automation", { client_id: id, plan_id: plan.plan.plan_id });

    // Feedback they wrote, an NPS answer, and the loop closed back to them by email.
    const fb = await c("collect_feedback", { client_id: id, feedback_type: "feature_request", title: `${person.first} wants bulk export`, content: `From ${fullName}: please add a bulk export`, submitter_email: person.email, submitter_name: fullName });
    await c("collect_feedback", { client_id: id, feedback_type: "nps", score: 9, content: "Great support", submitter_email: person.email, submitted_at: "2026-08-20T10:00:00Z" });
    await c("manage_voice_of_customer", { action: "close_feedback_loop", feedback_id: fb.feedback.feedback_id, response: `Thanks ${person.first}, bulk export shipped.`, notify_submitter: true });

    // A KB vote with their address and their comment.
    const article = (await c("manage_knowledge_base", { action: "create", title: `SSO setup ${company}`, body: "Open the admin console.", publish: true })).article;
    await c("update_knowledge_base", { article_id: article.article_id, action: "vote", helpful_vote: false, voter_email: person.email, feedback: `${person.first} says step 2 is outdated` });

    // An executive review with them as attendee, prepared and completed.
    const ebr = await c("conduct_executive_review", { action: "schedule_ebr", client_id: id, scheduled_at: "2026-09-03T15:00:00Z", title: `EBR with ${fullName}`, attendees: [person.email, "cfo-bystander@vendor.test"], agenda: ["Value delivered"] });
    await c("conduct_executive_review", { action: "prepare_ebr", ebr_id: ebr.review.ebr_id, period_start: "2026-06-01T00:00:00Z" });

    // Community and advocacy.
    const community = (await c("manage_community", { action: "create_community", name: `Power users ${company}` })).community;
    await c("manage_community", { action: "add_member", community_id: community.community_id, email: person.email, member_name: fullName });
    await c("manage_community", { action: "post_content", community_id: community.community_id, email: person.email, title: `${person.first}'s tip`, body: `Signed, ${fullName}` });
    await c("manage_advocacy_program", { action: "enroll_advocate", client_id: id, email: person.email, override_reason: `${fullName} asked to join` });

    // Training and certification.
    await c("deliver_training_session", { client_id: id, training_module_id: `ADM-${n}`, session_format: "live", attendee_emails: [person.email], session_date: "2026-08-10T15:00:00Z" });
    await c("manage_certification_program", { action: "enroll", client_id: id, user_email: person.email, certification_level: "foundation" });
    return id;
  }

  async function world(tag: string) {
    const k = ++n;
    const first = FIRST_NAMES[k % FIRST_NAMES.length]!;
    const subject: Person = { first, last: `Quillfeather${tag}`, email: `${first}.Quillfeather${tag}${k}@Orbweaver-Gdpr.test` };
    const bystander: Person = { first: BYSTANDER_NAMES[k % BYSTANDER_NAMES.length]!, last: `Ossington${tag}`, email: `bart.ossington${tag}${k}@elsewhere-gdpr.test` };
    const company = `Kettleworks${tag}${k} Orbweaver`;
    const bystanderCompany = `Marrowfield${tag}${k} Tinsmiths`;
    await call(p, "manage_certification_program", { action: "define_module", code: `ADM-${k}`, name: "Admin basics", certification_level: "foundation" });
    const id = await seedClient(subject, company);
    const otherId = await seedClient(bystander, bystanderCompany);
    return { subject, bystander, company, bystanderCompany, id, otherId };
  }

  beforeAll(async () => {
    t = await openTestDb(backend, CREDS);
    p = pipelineFor(t, ALL_TOOLS, NOW);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  /** The tables where the seeding put copies of a person: proves the dump would see them if they survived. */
  const COPIED_INTO = ["accounts", "audit_log", "community_members", "contacts", "email_sends", "executive_reviews", "feedback", "kb_article_votes", "outbox_messages", "support_tickets", "ticket_comments", "timeline_events"];

  it("a person: the export holds every row naming them; after erasure no table holds their email or name", async () => {
    const w = await world("p");
    // A table no code knows about (as a later migration would add): found from the catalogue, by its email
    // column and by mentions in its free text.
    await t.db.prisma.$executeRawUnsafe(`CREATE TABLE gdpr_probe (id text PRIMARY KEY, reviewer_email text, note text, extra jsonb)`);
    await t.db.prisma.$executeRawUnsafe(
      `INSERT INTO gdpr_probe VALUES ('p1', $1, 'reviewed', '{}'), ('p2', 'someone@else.test', $2, '{}'), ('p3', NULL, 'nothing', $3::jsonb)`,
      w.subject.email.toUpperCase(),
      `Spoke with ${w.subject.first} ${w.subject.last} today`,
      JSON.stringify({ cc: [w.subject.email] }),
    );
    const before = await dump(t);
    expect(tablesOf(mentions(before, [w.subject.email]))).toEqual(expect.arrayContaining([...COPIED_INTO, "gdpr_probe"]));

    // The export: every row of the dump that names the person, table by table (compared as whole rows).
    const exported = await exportAll(p, { email: w.subject.email.toLowerCase() });
    expectExported(exported, mentions(before, [w.subject.email, `${w.subject.first} ${w.subject.last}`]));

    await call(p, "erase_personal_data", { email: w.subject.email, confirm: w.subject.email });
    const after = await dump(t);
    const left = mentions(after, needlesOf(w.subject));
    expect(left.map((r) => `${r.table}: ${r.text.slice(0, 300)}`)).toEqual([]);
    // The bystander (and the subject's company, which is not the person) are untouched.
    expect(tablesOf(mentions(after, [w.bystander.email]))).toEqual(tablesOf(mentions(before, [w.bystander.email])));
    expect(mentions(after, [w.bystander.first]).length).toBe(mentions(before, [w.bystander.first]).length);
    expect(await t.db.prisma.account.count({ where: { id: w.id } })).toBe(1);
  });

  it("a client: the export holds every row of the account and every row naming it or its people; after erasure none is left", async () => {
    const w = await world("c");
    const before = await dump(t);
    const clientNeedles = [w.id, w.company, ...needlesOf(w.subject)];
    expect(tablesOf(mentions(before, [w.company]))).toEqual(expect.arrayContaining(["accounts", "email_sends", "outbox_messages"]));

    const exported = await exportAll(p, { client_id: w.id });
    expectExported(exported, mentions(before, [w.id, w.company, w.subject.email, `${w.subject.first} ${w.subject.last}`]));
    // Every table with an account_id column, found from the catalogue, that holds a row of the account.
    const withAccount = await t.db.prisma.$queryRawUnsafe<Array<{ table_name: string }>>(
      `SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = 'account_id' ORDER BY table_name`,
    );
    for (const { table_name } of withAccount) {
      const count = (await t.db.prisma.$queryRawUnsafe<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM "${table_name}" WHERE account_id = $1`, w.id))[0]!.n;
      if (count) expect(exported.tables.find((x: { table: string }) => x.table === table_name)?.total_rows, table_name).toBeGreaterThanOrEqual(count);
    }

    await call(p, "erase_personal_data", { client_id: w.id, confirm: w.id });
    const after = await dump(t);
    const left = mentions(after, clientNeedles);
    expect(left.map((r) => `${r.table}: ${r.text.slice(0, 300)}`)).toEqual([]);
    expect(tablesOf(mentions(after, [w.bystander.email]))).toEqual(tablesOf(mentions(before, [w.bystander.email])));
    expect(mentions(after, [w.bystanderCompany]).length).toBe(mentions(before, [w.bystanderCompany]).length);
  });

  it("a client with more people than one search group (50) is erased completely", async () => {
    const k = ++n;
    const id = `cs_1700000000_manypeople${k}`;
    const emails = Array.from({ length: 120 }, (_, i) => `crowd${k}x${i}@manypeople-gdpr.test`);
    await t.db.prisma.account.create({ data: { id, client_name: `Crowdmere${k} Holdings`, company_name: `Crowdmere${k} Holdings`, company_key: id } });
    await t.db.prisma.contact.createMany({ data: emails.map((email, i) => ({ account_id: id, email, name: `Crowdling${i}x Multitude${k}` })) });
    // Copies outside the account: a KB vote by each person (kb_article_votes has no account_id).
    const article = (await call(p, "manage_knowledge_base", { action: "create", title: `Crowd article ${k}`, body: "Body.", publish: true })).article;
    for (const email of emails) await call(p, "update_knowledge_base", { article_id: article.article_id, action: "vote", helpful_vote: true, voter_email: email });
    const before = await dump(t);
    expect(mentions(before, emails).filter((r) => r.table === "kb_article_votes")).toHaveLength(120);

    await call(p, "erase_personal_data", { client_id: id, confirm: id });
    const left = mentions(await dump(t), [...emails, `Multitude${k}`, `Crowdmere${k}`, id]);
    expect(left.map((r) => `${r.table}: ${r.text.slice(0, 200)}`)).toEqual([]);
  });
});
