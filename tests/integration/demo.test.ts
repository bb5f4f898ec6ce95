// The demo portfolio: generation is pure and reproducible; loading writes exactly what was generated,
// in one transaction, refuses a second load, and removal takes every demo row with it while other
// accounts stay. Runs on a fresh embedded database, and on PostgreSQL when DATABASE_URL is set.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { CLIENT_ID_PATTERN } from "../../src/security/validation.ts";
import {
  DemoAlreadyLoadedError,
  demoCounts,
  demoLoaded,
  demoPartCount,
  generateDemo,
  generateDemoParts,
  loadDemo,
  removeDemo,
  type DemoData,
} from "../../src/services/demo/index.ts";
import { RESOLUTION_TARGET_MINUTES, validateGenerateOptions } from "../../src/services/demo/generate.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const DAY = 86_400_000;
const ACCOUNTS = 20;

describe("demo generation (pure)", () => {
  const a = generateDemo({ seed: 42, accounts: 60, now: NOW });

  it("gives identical rows for the same seed and now", () => {
    const b = generateDemo({ seed: 42, accounts: 60, now: new Date(NOW.getTime()) });
    expect(b).toEqual(a);
  }, 30_000);

  it("gives different data for a different seed", () => {
    const c = generateDemo({ seed: 43, accounts: 60, now: NOW });
    expect(c.accounts.map((x) => x.id)).not.toEqual(a.accounts.map((x) => x.id));
    expect(c.usage_events.occurred_at.slice(0, 100)).not.toEqual(a.usage_events.occurred_at.slice(0, 100));
  });

  it("generates account n the same whatever the account count", () => {
    const small = generateDemo({ seed: 42, accounts: 10, now: NOW });
    expect(small.accounts).toEqual(a.accounts.slice(0, 10));
    const ids = new Set(small.accounts.map((x) => x.id));
    expect(small.tickets).toEqual(a.tickets.filter((t) => ids.has(t.account_id)));
  });

  it("uses client ids of the cs_<digits>_<slug> form, unique, and fixed by the seed (not by now)", () => {
    for (const acc of a.accounts) expect(acc.id).toMatch(CLIENT_ID_PATTERN);
    expect(new Set(a.accounts.map((x) => x.id)).size).toBe(a.accounts.length);
    expect(new Set(a.accounts.map((x) => x.company_key)).size).toBe(a.accounts.length);
    const later = generateDemo({ seed: 42, accounts: 60, now: new Date(NOW.getTime() + 40 * DAY) });
    expect(later.accounts.map((x) => x.id)).toEqual(a.accounts.map((x) => x.id));
    expect(a.accounts[0]?.external_id).toBe("DEMO-0001");
  });

  it("refuses bad options", () => {
    expect(() => generateDemo({ seed: 1, accounts: 0, now: NOW })).toThrow(/accounts/);
    expect(() => generateDemo({ seed: 1, accounts: 200_001, now: NOW })).toThrow("demo accounts: must be an integer from 1 to 200000");
    expect(() => generateDemo({ seed: 1.5, accounts: 5, now: NOW })).toThrow(/seed/);
    expect(() => generateDemo({ seed: 1, accounts: 5, now: new Date("x") })).toThrow(/now/);
  });

  it("accepts up to 200,000 accounts (checked, not generated here)", () => {
    expect(() => validateGenerateOptions({ seed: 1, accounts: 200_000, now: NOW })).not.toThrow();
    expect(demoPartCount(200_000)).toBe(5_000 / 500 + 3 + 195_000 / 500);
  });

  it("splits a portfolio into parts that hold every row once, the extras only for the first accounts", () => {
    const split = { fullAccounts: 6, partAccounts: 4 };
    const parts = [...generateDemoParts({ seed: 42, accounts: 15, now: NOW, parts: split })];
    // 6 full accounts in parts of 4 (4 + 2), the extras' three parts, then 9 core-only accounts (4 + 4 + 1).
    expect(parts.map((p) => p.accounts.length)).toEqual([4, 2, 0, 0, 0, 4, 4, 1]);
    expect(parts).toHaveLength(demoPartCount(15, split));
    const whole = generateDemo({ seed: 42, accounts: 15, now: NOW, parts: split });
    // Account n and its core rows are the same however the portfolio is split.
    const unsplit = generateDemo({ seed: 42, accounts: 15, now: NOW });
    expect(whole.accounts).toEqual(unsplit.accounts);
    for (const table of ["contacts", "contracts", "invoices", "usage_events", "timeline_events", "lifecycle_transitions"] as const) expect(whole[table], table).toEqual(unsplit[table]);
    // The first six accounts get the whole demo, exactly as a six-account demo has it.
    const six = generateDemo({ seed: 42, accounts: 6, now: NOW });
    const firstSix = new Set(six.accounts.map((a) => a.id));
    expect(whole.onboarding_plans).toEqual(six.onboarding_plans);
    expect(whole.executive_reviews).toEqual(six.executive_reviews);
    expect(whole.feedback).toEqual(six.feedback);
    expect(whole.escalations).toEqual(six.escalations);
    expect(whole.tickets.filter((t) => firstSix.has(t.account_id))).toEqual(six.tickets);
    // Every core part's rows belong to its own accounts; tickets and answers of the first accounts come with the extras.
    for (const part of parts) {
      const own = new Set(part.accounts.map((a) => a.id));
      for (const table of ["contacts", "contracts", "invoices", "timeline_events"] as const) for (const row of part[table]) expect(own.has(row.account_id), table).toBe(true);
      for (const id of part.usage_events.account_id) expect(own.has(id)).toBe(true);
    }
    expect(parts[2]!.tickets).toEqual(six.tickets);
    // The extras come in three parts, each generated just before it is written: support desk and feedback
    // (with the tickets and answers), onboarding and training, programs.
    const filled = (p: (typeof parts)[number]) =>
      Object.entries(p).filter(([k, v]) => k !== "usage_events" && Array.isArray(v) && v.length > 0).map(([k]) => k).sort();
    const inSix = (tables: string[]) => tables.filter((k) => (six as unknown as Record<string, unknown[]>)[k]!.length > 0).sort();
    expect(filled(parts[2]!)).toEqual(inSix(["tickets", "survey_responses", "support_agents", "escalations", "kb_articles", "kb_article_versions", "kb_article_votes", "feedback"]));
    expect(filled(parts[3]!)).toEqual(inSix(["onboarding_plans", "onboarding_milestones", "onboarding_tasks", "training_modules", "training_sessions", "training_completions", "certifications"]));
    expect(filled(parts[4]!)).toEqual(
      inSix(["executive_reviews", "advocates", "advocate_contributions", "communities", "community_members", "community_posts", "newsletters", "newsletter_subscriptions", "email_campaigns", "email_sends", "email_events"]),
    );
    expect(filled(parts[2]!)).toContain("tickets");
    expect(filled(parts[3]!)).toContain("onboarding_plans");
    expect(filled(parts[4]!)).toContain("executive_reviews");
    for (const p of parts.slice(2, 5)) expect(p.usage_events.account_id).toHaveLength(0);
  });

  it("keeps every value inside the ranges the database checks, and dates before now", () => {
    const now = NOW.getTime();
    for (const acc of a.accounts) {
      expect(Number(acc.arr)).toBeGreaterThanOrEqual(0);
      expect(acc.seats).toBeGreaterThan(0);
      expect(acc.created_at.getTime()).toBeLessThan(now);
      expect(acc.created_at.getTime()).toBeGreaterThan(now - 3 * 366 * DAY);
    }
    for (const c of a.contracts) {
      expect(c.end_date.getTime()).toBeGreaterThanOrEqual(c.start_date.getTime());
      expect(Number(c.discount_percent)).toBeGreaterThanOrEqual(0);
      expect(Number(c.discount_percent)).toBeLessThanOrEqual(100);
      expect(Number(c.contract_value)).toBeGreaterThanOrEqual(0);
    }
    for (const inv of a.invoices) expect(Number(inv.amount)).toBeGreaterThanOrEqual(0);
    for (const r of a.survey_responses) {
      if (r.survey_type === "nps") expect(r.score >= 0 && r.score <= 10).toBe(true);
      else expect(r.score >= 1 && r.score <= 5).toBe(true);
      expect(r.responded_at.getTime()).toBeLessThan(now);
    }
    for (const t of a.tickets) {
      if (t.satisfaction_rating !== null) expect(t.satisfaction_rating >= 1 && t.satisfaction_rating <= 5).toBe(true);
      expect(t.first_response_due_at.getTime() - t.created_at.getTime()).toBe(15 * 60_000);
      expect(t.resolution_due_at.getTime() - t.created_at.getTime()).toBe(RESOLUTION_TARGET_MINUTES[t.priority] * 60_000);
      expect(t.created_at.getTime()).toBeLessThan(now);
      for (const d of [t.first_response_at, t.resolved_at, t.closed_at]) if (d) expect(d.getTime()).toBeLessThan(now);
      if (t.resolved_at) expect(["resolved", "closed"]).toContain(t.status);
      else expect(["open", "pending", "in_progress"]).toContain(t.status);
    }
    for (const ts of a.usage_events.occurred_at) expect(ts).toBeLessThan(now);
  }, 30_000);

  it("respects the unique keys of usage events, survey responses, contacts and invoices", () => {
    const ue = a.usage_events;
    const keys = new Set(ue.account_id.map((id, i) => `${id}|${ue.user_id[i]}|${ue.event[i]}|${ue.occurred_at[i]}`));
    expect(keys.size).toBe(ue.account_id.length);
    const sr = new Set(a.survey_responses.map((r) => `${r.account_id}|${r.survey_type}|${r.respondent_email}|${r.responded_at.getTime()}`));
    expect(sr.size).toBe(a.survey_responses.length);
    expect(new Set(a.contacts.map((c) => `${c.account_id}|${c.email}`)).size).toBe(a.contacts.length);
    expect(new Set(a.invoices.map((i) => `${i.account_id}|${i.external_id}`)).size).toBe(a.invoices.length);
    const ids = [...a.contacts, ...a.contracts, ...a.invoices, ...a.tickets, ...a.survey_responses].map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
  }, 30_000);

  it("spreads renewals over the next 12 months and shows the churners' decline", () => {
    const big = generateDemo({ seed: 42, accounts: 200, now: NOW });
    const days = big.contracts.filter((c) => c.status === "active").map((c) => (c.renewal_date.getTime() - NOW.getTime()) / DAY);
    expect(Math.min(...days)).toBeGreaterThan(-1);
    expect(Math.max(...days)).toBeLessThanOrEqual(366);
    for (let q = 0; q < 4; q++) expect(days.filter((d) => d >= q * 91.5 && d < (q + 1) * 91.5).length).toBeGreaterThan(days.length / 8);

    const profiles = new Map(big.accounts.map((acc) => [acc.id, acc.profile]));
    const churners = big.accounts.filter((acc) => acc.profile === "churner").length;
    expect(churners / big.accounts.length).toBeGreaterThan(0.08);
    expect(churners / big.accounts.length).toBeLessThan(0.25);
    // Events in the last 30 days against the 30 days from 120 to 90 days ago, per profile.
    const recent: Record<string, number> = {};
    const before: Record<string, number> = {};
    const ue = big.usage_events;
    ue.occurred_at.forEach((t, i) => {
      const p = profiles.get(ue.account_id[i] as string) as string;
      const ago = (NOW.getTime() - t) / DAY;
      if (ago < 30) recent[p] = (recent[p] ?? 0) + 1;
      else if (ago >= 90 && ago < 120) before[p] = (before[p] ?? 0) + 1;
    });
    expect((recent.churner ?? 0) / (before.churner ?? 1)).toBeLessThan(0.6);
    expect((recent.champion ?? 0) / (before.champion ?? 1)).toBeGreaterThan(1.05);
    expect((recent.healthy ?? 0) / (before.healthy ?? 1)).toBeGreaterThan(0.85);
    // NPS of churners is mostly detractors lately.
    const lateChurnerNps = big.survey_responses.filter(
      (r) => r.survey_type === "nps" && profiles.get(r.account_id) === "churner" && NOW.getTime() - r.responded_at.getTime() < 60 * DAY,
    );
    expect(lateChurnerNps.filter((r) => r.score <= 6).length / lateChurnerNps.length).toBeGreaterThan(0.5);
    // Default volume stays loadable: usage events between 100k and 250k.
    expect(ue.account_id.length).toBeGreaterThan(100_000);
    expect(ue.account_id.length).toBeLessThan(250_000);
  }, 30_000);
});

// ------------------------------------------------------------------ against a database

async function count(db: Database, table: string, where = ""): Promise<number> {
  const s = await db.session();
  try {
    const [row] = await s.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}" ${where}`);
    return row?.n ?? 0;
  } finally {
    s.release();
  }
}

/** Every table with an account_id column: the tables a demo removal must empty of demo rows. */
async function accountBoundTables(db: Database): Promise<string[]> {
  const s = await db.session();
  try {
    const rows = await s.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.columns
        WHERE table_schema = current_schema() AND column_name = 'account_id' ORDER BY table_name`,
    );
    return rows.map((r) => r.table_name);
  } finally {
    s.release();
  }
}

const SUMMARY_TABLES = {
  accounts: "accounts",
  contacts: "contacts",
  contracts: "contracts",
  usage_events: "usage_events",
  tickets: "support_tickets",
  survey_responses: "survey_responses",
  invoices: "invoices",
} as const;

function scenario(open: () => Promise<{ db: Database; cleanup(): Promise<void> }>) {
  let db: Database;
  let cleanup: () => Promise<void>;
  let generated: DemoData;
  const baseline: Record<string, number> = {};

  beforeAll(async () => {
    ({ db, cleanup } = await open());
    // A customer's own account, created before the demo: it must survive removal untouched.
    await db.prisma.account.create({
      data: {
        id: "cs_1700000000_real_customer",
        client_name: "Real Customer",
        company_name: "Real Customer",
        company_key: "real customer",
        primary_contact_email: "ops@real-customer.com",
        contacts: { create: { email: "ops@real-customer.com", is_primary: true } },
        usage_events: { create: { user_id: "u1", event: "login", occurred_at: new Date(NOW.getTime() - DAY) } },
      },
    });
    for (const table of await accountBoundTables(db)) baseline[table] = await count(db, table);
    baseline.accounts = await count(db, "accounts");
    generated = generateDemo({ seed: 7, accounts: ACCOUNTS, now: NOW });
  }, 120_000);

  afterAll(async () => {
    await cleanup?.();
  }, 60_000);

  it("loads the demo: the summary matches the rows in the tables and the generated data", async () => {
    expect(await demoLoaded(db)).toBe(0);
    const summary = await loadDemo(db, { seed: 7, accounts: ACCOUNTS, now: NOW });
    const expected = demoCounts(generated);
    expect(summary).toMatchObject({ ...Object.fromEntries(Object.keys(SUMMARY_TABLES).map((k) => [k, expected[k as keyof typeof expected]])), seed: 7 });
    expect(summary.duration_ms).toBeGreaterThanOrEqual(0);
    for (const [key, table] of Object.entries(SUMMARY_TABLES)) {
      expect(await count(db, table), table).toBe((baseline[table] ?? 0) + summary[key as keyof typeof SUMMARY_TABLES]);
    }
    expect(await demoLoaded(db)).toBe(ACCOUNTS);
    expect(await count(db, "timeline_events", `WHERE event_type = 'registered'`)).toBe(ACCOUNTS);
    expect(await count(db, "lifecycle_transitions", `WHERE from_stage IS NULL`)).toBe(ACCOUNTS);
    expect(await count(db, "usage_events", `WHERE source = 'demo'`)).toBe(summary.usage_events);

    // Values survive the trip: an account, its contract arrays and a ticket read back through Prisma.
    const first = generated.accounts[0]!;
    const acc = await db.prisma.account.findUniqueOrThrow({ where: { id: first.id } });
    expect(acc).toMatchObject({ is_demo: true, tier: first.tier, lifecycle_stage: first.lifecycle_stage, seats: first.seats, external_id: "DEMO-0001" });
    expect(acc.arr.toFixed(2)).toBe(first.arr);
    expect(acc.created_at.toISOString()).toBe(first.created_at.toISOString());
    const contract = generated.contracts.find((c) => c.account_id === first.id && c.status === "active")!;
    const stored = await db.prisma.contract.findUniqueOrThrow({ where: { id: contract.id } });
    expect(stored.products).toEqual(contract.products);
    expect(stored.add_ons).toEqual(contract.add_ons);
    expect(stored.renewal_date?.toISOString().slice(0, 10)).toBe(contract.renewal_date.toISOString().slice(0, 10));
    const ticket = generated.tickets[0]!;
    const t = await db.prisma.supportTicket.findUniqueOrThrow({ where: { id: ticket.id } });
    expect(t).toMatchObject({ priority: ticket.priority, status: ticket.status, tags: ticket.tags, satisfaction_rating: ticket.satisfaction_rating });
    expect(t.resolution_due_at.toISOString()).toBe(ticket.resolution_due_at.toISOString());
  }, 120_000);

  it("refuses a second load and writes nothing", async () => {
    const before = await count(db, "usage_events");
    const err = await loadDemo(db, { seed: 8, accounts: 3, now: NOW }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DemoAlreadyLoadedError);
    expect((err as Error).message).toMatch(/already loaded \(20 demo accounts\)/);
    expect(await count(db, "usage_events")).toBe(before);
    expect(await demoLoaded(db)).toBe(ACCOUNTS);
  }, 60_000);

  it("removes every demo row and keeps the other account", async () => {
    expect(await removeDemo(db)).toMatchObject({ accounts_removed: ACCOUNTS, catalogue_kept: {} });
    expect(await demoLoaded(db)).toBe(0);
    for (const table of await accountBoundTables(db)) expect(await count(db, table), table).toBe(baseline[table] ?? 0);
    expect(await count(db, "accounts")).toBe(baseline.accounts);
    const real = await db.prisma.account.findUnique({ where: { id: "cs_1700000000_real_customer" }, include: { contacts: true, usage_events: true } });
    expect(real?.contacts).toHaveLength(1);
    expect(real?.usage_events).toHaveLength(1);
    expect(await removeDemo(db)).toMatchObject({ accounts_removed: 0, catalogue_kept: {} });
  }, 60_000);

  it("rolls a failed load back completely", async () => {
    // A customer account already uses the external id the third demo account would get.
    await db.prisma.account.create({
      data: { id: "cs_1700000001_taken", client_name: "Taken", company_name: "Taken", company_key: "taken", external_id: "DEMO-0003" },
    });
    const err = await loadDemo(db, { seed: 7, accounts: 5, now: NOW }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/nothing was written/);
    expect(await demoLoaded(db)).toBe(0);
    for (const table of await accountBoundTables(db)) expect(await count(db, table), table).toBe(baseline[table] ?? 0);
    await db.prisma.account.delete({ where: { id: "cs_1700000001_taken" } });
    // And the database is usable again afterwards.
    const summary = await loadDemo(db, { seed: 9, accounts: 2, now: NOW });
    expect(summary.accounts).toBe(2);
    expect(await removeDemo(db)).toMatchObject({ accounts_removed: 2, catalogue_kept: {} });
  }, 60_000);

  it("loads a portfolio written in several parts exactly, in one transaction, reporting each part", async () => {
    const split = { fullAccounts: 3, partAccounts: 2 };
    const steps: Array<[number, number]> = [];
    const summary = await loadDemo(db, { seed: 12, accounts: 7, now: NOW, parts: split, onProgress: (done, total) => steps.push([done, total]) });
    const expected = demoCounts(generateDemo({ seed: 12, accounts: 7, now: NOW, parts: split }));
    expect(summary).toMatchObject(expected);
    for (const [key, table] of Object.entries(SUMMARY_TABLES)) {
      expect(await count(db, table), table).toBe((baseline[table] ?? 0) + summary[key as keyof typeof SUMMARY_TABLES]);
    }
    expect(await demoLoaded(db)).toBe(7);
    // generate, 2 + 3 + 2 parts (3 full accounts in parts of 2, the extras in three, 4 core accounts in parts of 2), loaded.
    const total = demoPartCount(7, split) + 1;
    expect(steps).toEqual(Array.from({ length: total + 1 }, (_, k) => [k, total]));
    expect(await removeDemo(db)).toMatchObject({ accounts_removed: 7 });
  }, 120_000);

  it("rolls a load back completely when a later part fails", async () => {
    // The sixth account (a core-only part after the extras) collides with a customer's external id.
    await db.prisma.account.create({
      data: { id: "cs_1700000002_taken", client_name: "Taken 6", company_name: "Taken 6", company_key: "taken 6", external_id: "DEMO-0006" },
    });
    const steps: number[] = [];
    const err = await loadDemo(db, { seed: 12, accounts: 7, now: NOW, parts: { fullAccounts: 3, partAccounts: 2 }, onProgress: (done) => steps.push(done) }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^loading the demo data failed, nothing was written: .*duplicate key/);
    // Parts before it had been written (inside the transaction) before the failure.
    expect(Math.max(...steps)).toBeGreaterThanOrEqual(3);
    expect(await demoLoaded(db)).toBe(0);
    for (const table of await accountBoundTables(db)) expect(await count(db, table), table).toBe(baseline[table] ?? 0);
    await db.prisma.account.delete({ where: { id: "cs_1700000002_taken" } });
  }, 120_000);

  it("refuses bad options before touching the database", async () => {
    await expect(loadDemo(db, { accounts: 0 })).rejects.toThrow(/accounts/);
    await expect(loadDemo(db, { accounts: 200_001 })).rejects.toThrow("demo accounts: must be an integer from 1 to 200000");
    await expect(loadDemo(db, { seed: Number.NaN })).rejects.toThrow(/seed/);
  });
}

describe("demo load and removal on embedded PGlite", () => {
  scenario(async () => {
    const dir = mkdtempSync(join(tmpdir(), "cs-mcp-demo-"));
    const db = await openDatabase(loadConfig({ CS_MCP_DATA_DIR: dir, LOG_LEVEL: "silent" }), createLogger("silent"));
    return {
      db,
      async cleanup() {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  });
});

const ADMIN_URL = process.env.DATABASE_URL;

describe.skipIf(!ADMIN_URL)("demo load and removal on PostgreSQL", () => {
  scenario(async () => {
    const name = `demo_test_${randomBytes(6).toString("hex")}`;
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(ADMIN_URL as string);
    url.pathname = `/${name}`;
    const drop = async () => {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
    try {
      const db = await openDatabase(loadConfig({ DATABASE_URL: url.toString(), LOG_LEVEL: "silent" }), createLogger("silent"), { migrate: true });
      return {
        db,
        async cleanup() {
          await db.close();
          await drop();
        },
      };
    } catch (err) {
      await drop();
      throw err;
    }
  });
});
