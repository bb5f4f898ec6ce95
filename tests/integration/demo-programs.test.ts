// The demo's support desk, onboarding and training, programs and feedback: generated rows agree with the
// accounts' profiles and with the project's own rules (routing roster, plan generator, sentiment scorer,
// certification and advocacy rules); a load writes exactly what was generated (the CHECK constraints
// accept every row); the new toolsets find real work in it; and removal deletes every demo row that belongs
// to no account while a user's own agents, articles, modules, communities, newsletters and campaigns stay —
// a demo module a user's own training uses is kept and reported, and reused by the next load.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { call, pipelineFor } from "../helpers/pipeline.ts";
import { supportTools } from "../../src/tools/support/index.ts";
import { feedbackTools } from "../../src/tools/feedback/index.ts";
import { onboardingTools } from "../../src/tools/onboarding/index.ts";
import { communicationProgramTools } from "../../src/tools/communication/programs.ts";
import { CATALOGUE_TABLES, DEMO_MODULES, SUPPORT_AGENTS, demoCounts, demoSettings, generateDemo, loadDemo, removeDemo, type DemoData } from "../../src/services/demo/index.ts";
import { generatePlan } from "../../src/services/onboarding/plan-generator.ts";
import { scoreSentiment } from "../../src/services/feedback/sentiment.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const DAY = 86_400_000;
const TODAY = Math.floor(NOW.getTime() / DAY) * DAY;

const count = <T>(rows: readonly T[], pred: (r: T) => boolean) => rows.filter(pred).length;

describe("demo programs (pure)", () => {
  const big = generateDemo({ seed: 42, accounts: 200, now: NOW });
  const accounts = new Map(big.accounts.map((a) => [a.id, a]));

  it("is deterministic: the same seed gives the same rows in every new table, another seed other rows", () => {
    const again = generateDemo({ seed: 42, accounts: 200, now: new Date(NOW.getTime()) });
    for (const key of Object.keys(demoCounts(big)) as (keyof ReturnType<typeof demoCounts>)[]) {
      if (key === "usage_events") continue;
      expect(again[key as keyof DemoData], key).toEqual(big[key as keyof DemoData]);
    }
    const other = generateDemo({ seed: 43, accounts: 200, now: NOW });
    expect(other.feedback.map((f) => f.id)).not.toEqual(big.feedback.map((f) => f.id));
    expect(other.onboarding_plans.map((p) => p.id)).not.toEqual(big.onboarding_plans.map((p) => p.id));
  }, 60_000);

  it("generates account n's programs the same whatever the account count", () => {
    const small = generateDemo({ seed: 42, accounts: 25, now: NOW });
    const ids = new Set(small.accounts.map((a) => a.id));
    expect(small.feedback).toEqual(big.feedback.filter((f) => ids.has(f.account_id)));
    expect(small.onboarding_plans).toEqual(big.onboarding_plans.filter((p) => ids.has(p.account_id)));
    expect(small.executive_reviews).toEqual(big.executive_reviews.filter((r) => ids.has(r.account_id)));
    expect(small.escalations).toEqual(big.escalations.filter((e) => ids.has(e.account_id)));
    expect(small.support_agents).toEqual(big.support_agents);
    expect(small.training_modules).toEqual(big.training_modules);
  }, 60_000);

  it("assigns the ticket history to the roster's active agents (by name, as an import does); only new tickets wait unassigned", () => {
    const roster = new Map(big.support_agents.map((a) => [a.name, a]));
    expect(big.support_agents).toHaveLength(SUPPORT_AGENTS.length);
    for (const t of big.tickets) {
      if (t.assigned_agent === null) {
        expect(t).toMatchObject({ status: "open", first_response_at: null, team: null, escalated: false });
        expect(NOW.getTime() - t.created_at.getTime()).toBeLessThan(2 * 3_600_000);
        continue;
      }
      const agent = roster.get(t.assigned_agent);
      expect(agent, t.assigned_agent).toBeDefined();
      expect(agent!.is_active).toBe(true);
      expect(t.team).toBe(agent!.team);
    }
    expect(count(big.tickets, (t) => t.assigned_agent === null)).toBeGreaterThan(5);
    expect(count(big.support_agents, (a) => !a.is_active)).toBe(1);
  }, 30_000);

  it("escalates the troubled accounts' escalated tickets", () => {
    const tickets = new Map(big.tickets.map((t) => [t.id, t]));
    for (const e of big.escalations) {
      const profile = accounts.get(e.account_id)!.profile;
      if (e.ticket_id) {
        const t = tickets.get(e.ticket_id)!;
        expect(t.escalated).toBe(true);
        expect(e.created_at).toEqual(t.escalated_at);
        if (profile !== "churner" && profile !== "churned") expect(t.priority).toBe("P1");
      } else expect(profile).toBe("churner");
      if (e.status === "resolved") expect(e.resolved_at!.getTime()).toBeLessThan(NOW.getTime());
      else expect(e.resolved_at).toBeNull();
    }
    const churnerTickets = big.tickets.filter((t) => t.escalated && accounts.get(t.account_id)!.profile === "churner");
    expect(count(big.escalations, (e) => e.ticket_id !== null && accounts.get(e.account_id)!.profile === "churner")).toBe(churnerTickets.length);
  });

  it("keeps the knowledge base's counters equal to its vote rows, with published, draft and archived articles", () => {
    for (const a of big.kb_articles) {
      const votes = big.kb_article_votes.filter((v) => v.article_id === a.id);
      expect(a.helpful_votes).toBe(count(votes, (v) => v.helpful));
      expect(a.unhelpful_votes).toBe(count(votes, (v) => !v.helpful));
      const versions = big.kb_article_versions.filter((v) => v.article_id === a.id).sort((x, y) => x.version - y.version);
      expect(versions.map((v) => v.version)).toEqual(versions.map((_, i) => i + 1));
      expect(a.version).toBe(versions.length);
      expect(versions[versions.length - 1]).toMatchObject({ title: a.title, body: a.body });
      if (a.status === "draft") expect([a.published_at, votes.length]).toEqual([null, 0]);
    }
    expect(new Set(big.kb_articles.map((a) => a.status))).toEqual(new Set(["published", "draft", "archived"]));
  });

  it("gives every onboarding-stage account an active plan made by the plan generator, some of them overdue", () => {
    const plans = new Map(big.onboarding_plans.map((p) => [p.account_id, p]));
    const onboarding = big.accounts.filter((a) => a.lifecycle_stage === "onboarding");
    expect(onboarding.length).toBeGreaterThan(5);
    let overdue = 0;
    for (const a of onboarding) {
      const plan = plans.get(a.id);
      expect(plan?.status, a.id).toBe("active");
      const milestones = big.onboarding_milestones.filter((m) => m.plan_id === plan!.id);
      // The generator's own output for the same inputs: names and due dates match.
      const expected = generatePlan({ ...plan!, product_tier: plan!.product_tier as "starter", start_date: plan!.start_date });
      expect(milestones.map((m) => [m.name, m.due_date.toISOString()])).toEqual(expected.milestones.map((m) => [m.name, m.due_date.toISOString()]));
      expect(plan!.target_date).toEqual(expected.target_date);
      if (milestones.some((m) => m.status !== "completed" && m.due_date.getTime() < TODAY)) overdue++;
    }
    expect(overdue).toBeGreaterThan(0);
    // A completed plan was completed when the threshold (80 % of milestones) was reached.
    const threshold = demoSettings().ONBOARDING_COMPLETE_PERCENT;
    for (const p of big.onboarding_plans) {
      const done = big.onboarding_milestones.filter((m) => m.plan_id === p.id && m.status === "completed").map((m) => m.completed_at!.getTime()).sort((x, y) => x - y);
      const total = count(big.onboarding_milestones, (m) => m.plan_id === p.id);
      const k = Math.ceil((threshold * total) / 100);
      expect(p.status).toBe(done.length >= k ? "completed" : "active");
      if (p.status === "completed") expect(p.completed_at!.getTime()).toBe(done[k - 1]);
    }
  });

  it("records training within each module's attempts, and certifications with the status the rules derive", () => {
    const modules = new Map(big.training_modules.map((m) => [m.id, m]));
    expect(big.training_modules.map((m) => m.code)).toEqual(DEMO_MODULES.map((m) => m.code));
    const results = new Map<string, { attempts: number; passed: boolean; passedAt: number }>();
    for (const c of [...big.training_completions].sort((a, b) => a.completed_at.getTime() - b.completed_at.getTime())) {
      if (c.status !== "passed" && c.status !== "failed") continue;
      const key = `${c.account_id}|${c.user_email}|${c.module_id}`;
      const r = results.get(key) ?? { attempts: 0, passed: false, passedAt: 0 };
      expect(r.passed, `${key}: a result after a pass`).toBe(false);
      r.attempts++;
      expect(c.attempt).toBe(r.attempts);
      expect(r.attempts).toBeLessThanOrEqual(modules.get(c.module_id)!.max_attempts);
      expect(c.status === "passed").toBe(c.score! >= modules.get(c.module_id)!.passing_score);
      r.passed = c.status === "passed";
      results.set(key, r);
    }
    for (const cert of big.certifications) {
      const per = cert.module_ids.map((id) => ({ m: modules.get(id)!, r: results.get(`${cert.account_id}|${cert.user_email}|${id}`) }));
      const derived = per.every((x) => x.r?.passed) ? "passed" : per.some((x) => x.r && !x.r.passed && x.r.attempts >= x.m.max_attempts) ? "failed" : "enrolled";
      expect(cert.status === "issued" ? "passed" : cert.status).toBe(derived);
    }
    expect(count(big.certifications, (c) => c.status === "issued")).toBeGreaterThan(0);
  });

  it("scores feedback with the project's sentiment function; churners complain, champions praise", () => {
    for (const f of big.feedback) {
      const s = scoreSentiment([f.title, f.content].filter(Boolean).join(". "));
      expect([f.sentiment_score, f.sentiment_label]).toEqual([s.score.toFixed(4), s.label]);
      if (f.status === "closed_loop") expect(f.closed_at).not.toBeNull();
    }
    const share = (profile: string, label: string) => {
      const rows = big.feedback.filter((f) => f.source !== "survey" && accounts.get(f.account_id)!.profile === profile);
      return count(rows, (f) => f.sentiment_label === label) / rows.length;
    };
    expect(share("churner", "negative")).toBeGreaterThan(0.6);
    expect(share("champion", "positive")).toBeGreaterThan(0.6);
    // Survey comments are linked both ways, as collect_feedback links them.
    const byId = new Map(big.feedback.map((f) => [f.id, f]));
    const linked = big.survey_responses.filter((r) => r.feedback_id);
    expect(linked.length).toBe(count(big.survey_responses, (r) => r.reason !== null));
    for (const r of linked) expect(byId.get(r.feedback_id!)).toMatchObject({ account_id: r.account_id, feedback_type: r.survey_type, score: r.score, content: r.reason });
  });

  it("enrolls advocates only from champion or healthy accounts whose latest NPS answer was a promoter", () => {
    expect(big.advocates.length).toBeGreaterThan(5);
    const points = demoSettings().ADVOCACY_POINTS;
    for (const adv of big.advocates) {
      const acc = accounts.get(adv.account_id)!;
      expect(["champion", "healthy"]).toContain(acc.profile);
      expect(acc.status).toBe("active");
      const before = big.survey_responses
        .filter((r) => r.account_id === acc.id && r.survey_type === "nps" && r.responded_at < adv.enrolled_at)
        .sort((a, b) => a.responded_at.getTime() - b.responded_at.getTime());
      const own = before.filter((r) => r.respondent_email === adv.email);
      const latest = own[own.length - 1] ?? before[before.length - 1];
      expect(latest!.score).toBeGreaterThanOrEqual(9);
      const contributions = big.advocate_contributions.filter((c) => c.advocate_id === adv.id);
      expect(adv.points).toBe(contributions.reduce((s, c) => s + c.points, 0));
      for (const c of contributions) expect(c.points).toBe(points[c.type]);
    }
    expect(count(big.advocates, (a) => accounts.get(a.account_id)!.profile === "champion")).toBeGreaterThan(count(big.advocates, (a) => accounts.get(a.account_id)!.profile === "healthy") / 2);
  });

  it("completes past reviews with outcomes that follow the profile and schedules upcoming ones", () => {
    for (const r of big.executive_reviews) {
      const acc = accounts.get(r.account_id)!;
      expect(["professional", "enterprise"]).toContain(acc.tier);
      if (r.status === "completed") {
        expect(r.scheduled_at.getTime()).toBeLessThan(NOW.getTime());
        const sentiment = (r.outcomes as { sentiment: string }).sentiment;
        if (acc.profile === "champion") expect(["very_positive", "positive"]).toContain(sentiment);
        if (acc.profile === "churner" || acc.profile === "churned") expect(["mixed", "negative", "neutral"]).toContain(sentiment);
      } else if (r.status === "scheduled") expect(r.scheduled_at.getTime()).toBeGreaterThan(NOW.getTime());
      else expect(r.cancel_reason).toBeTruthy();
    }
    expect(count(big.executive_reviews, (r) => r.status === "scheduled")).toBeGreaterThan(5);
  });

  it("keeps sends' counters equal to their events", () => {
    const events = new Map<string, { open: number; click: number }>();
    for (const e of big.email_events) {
      const c = events.get(e.send_id) ?? { open: 0, click: 0 };
      if (e.type === "open") c.open++;
      if (e.type === "click") c.click++;
      events.set(e.send_id, c);
    }
    for (const s of big.email_sends) expect([s.open_count, s.click_count]).toEqual([events.get(s.id)?.open ?? 0, events.get(s.id)?.click ?? 0]);
    expect(big.email_sends.length).toBeGreaterThan(100);
  });
});

// ------------------------------------------------------------------ against a database

const ACCOUNTS = 50;
const SEED = 7;

async function n(t: TestDb, sql: string): Promise<number> {
  const rows = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`);
  return rows[0]?.n ?? 0;
}

describe.each(BACKENDS)("demo programs on %s", (backend) => {
  let t: TestDb;
  let generated: DemoData;
  const own: Record<string, string> = {};

  beforeAll(async () => {
    t = await openTestDb(backend);
    generated = generateDemo({ seed: SEED, accounts: ACCOUNTS, now: NOW });
    // A user's own account and catalogue rows, before the demo.
    const p = t.db.prisma;
    await p.account.create({ data: { id: "cs_1700000000_real_customer", client_name: "Real Customer", company_name: "Real Customer", company_key: "real customer" } });
    own.agent = (await p.supportAgent.create({ data: { name: "Pat Real", email: "pat@real-support.com", team: "Billing", skills: ["billing"] } })).id;
    own.article = (await p.kbArticle.create({ data: { title: "Our SSO login runbook", body: "How our team handles SSO login problems.", status: "published", published_at: NOW } })).id;
    own.module = (await p.trainingModule.create({ data: { code: "REAL-101", name: "Our own onboarding module" } })).id;
    own.community = (await p.community.create({ data: { name: "Real Customers Circle" } })).id;
    own.newsletter = (await p.newsletter.create({ data: { name: "Our newsletter", subject: "Hello", content: "<p>Hello</p>" } })).id;
    own.campaign = (await p.emailCampaign.create({ data: { name: "Our campaign", subject: "Hi" } })).id;
  }, 120_000);

  afterAll(async () => {
    await t?.cleanup();
  }, 60_000);

  it("loads exactly the generated rows into every table", async () => {
    const before: Record<string, number> = {};
    const tables = ["support_agents", "kb_articles", "kb_article_versions", "kb_article_votes", "escalations", "onboarding_plans", "onboarding_milestones", "onboarding_tasks", "training_modules", "training_sessions", "training_completions", "certifications", "feedback", "executive_reviews", "advocates", "advocate_contributions", "communities", "community_members", "community_posts", "newsletters", "newsletter_subscriptions", "email_campaigns", "email_sends", "email_events"] as const;
    for (const table of tables) before[table] = await n(t, table);
    const summary = await loadDemo(t.db, { seed: SEED, accounts: ACCOUNTS, now: NOW });
    const expected = demoCounts(generated);
    expect(summary).toMatchObject(expected);
    for (const table of tables) expect(await n(t, table), table).toBe(before[table]! + expected[table]);
    for (const table of CATALOGUE_TABLES) expect(await n(t, `${table} WHERE is_demo`), table).toBe(expected[table]);
    expect(await n(t, "support_tickets WHERE assigned_agent IS NULL")).toBe(count(generated.tickets, (x) => x.assigned_agent === null));
    expect(await n(t, "survey_responses WHERE feedback_id IS NOT NULL")).toBe(count(generated.survey_responses, (r) => !!r.feedback_id));
    // Values survive the trip: an advocate's eligibility, a review's outcomes, a plan's goals.
    const adv = generated.advocates[0]!;
    const storedAdv = await t.db.prisma.advocate.findUniqueOrThrow({ where: { id: adv.id } });
    expect(storedAdv.eligibility).toEqual(JSON.parse(JSON.stringify(adv.eligibility)));
    const plan = generated.onboarding_plans[0]!;
    const storedPlan = await t.db.prisma.onboardingPlan.findUniqueOrThrow({ where: { id: plan.id } });
    expect(storedPlan.customer_goals).toEqual(plan.customer_goals);
    expect(storedPlan.start_date.toISOString()).toBe(plan.start_date.toISOString());
  }, 120_000);

  it("gives the new tools real work: routing, KB search, sentiment, onboarding progress, executive reviews", async () => {
    // route_tickets places the untriaged queue on active demo agents; their open loads count the history's
    // tickets assigned by name.
    const support = pipelineFor(t, supportTools, NOW);
    const queue = generated.tickets.filter((x) => x.assigned_agent === null);
    const routed = await call(support, "route_tickets", { routing_strategy: "auto" });
    expect(routed.considered).toBe(queue.length);
    expect(routed.assignments.length + routed.unassigned.length).toBe(queue.length);
    expect(routed.assignments.length).toBeGreaterThan(0);
    const active = new Set(generated.support_agents.filter((a) => a.is_active).map((a) => a.email));
    for (const a of routed.assignments) expect(active.has(a.agent_email)).toBe(true);
    const openStatuses = new Set(["open", "pending", "in_progress"]);
    // The roster: the active demo agents and the user's own agent.
    expect(routed.agents.map((a: { email: string }) => a.email).sort()).toEqual([...active, "pat@real-support.com"].sort());
    for (const agent of routed.agents) {
      expect(agent.open_before, agent.email).toBe(count(generated.tickets, (x) => x.assigned_agent === agent.name && openStatuses.has(x.status)));
    }
    expect(routed.agents.reduce((s: number, a: { open_before: number }) => s + a.open_before, 0)).toBeGreaterThan(0);
    expect(routed.agents.map((a: { email: string }) => a.email)).not.toContain("morgan.blake@support-team.example");

    // Full-text search over the demo articles (and the user's own), ranked.
    const search = await call(support, "manage_knowledge_base", { action: "search", search_query: "SSO login" });
    expect(search.results.length).toBeGreaterThan(1);
    expect(search.results[0].title).toMatch(/SSO|sign-on/i);
    const ranks = search.results.map((r: { rank: number }) => r.rank);
    expect(ranks).toEqual([...ranks].sort((a: number, b: number) => b - a));

    // Sentiment over the last 90 days: the distribution counts the stored labels.
    const feedback = pipelineFor(t, feedbackTools, NOW);
    const sentiment = await call(feedback, "analyze_feedback_sentiment", { period_start: new Date(NOW.getTime() - 90 * DAY).toISOString() });
    const inPeriod = generated.feedback.filter((f) => f.created_at.getTime() > NOW.getTime() - 90 * DAY && f.created_at.getTime() <= NOW.getTime());
    expect(sentiment.feedback_count).toBe(inPeriod.length);
    expect(sentiment.distribution.negative.count).toBe(count(inPeriod, (f) => f.sentiment_label === "negative"));
    expect(sentiment.distribution.positive.count).toBe(count(inPeriod, (f) => f.sentiment_label === "positive"));

    // Onboarding progress of an onboarding-stage account with an overdue milestone.
    const onboarding = pipelineFor(t, onboardingTools, NOW);
    const stalled = generated.onboarding_plans.find((p) => p.status === "active" && generated.onboarding_milestones.some((m) => m.plan_id === p.id && m.status !== "completed" && m.due_date.getTime() < TODAY))!;
    expect(stalled).toBeDefined();
    const progress = await call(onboarding, "track_onboarding_progress", { client_id: stalled.account_id });
    const ms = generated.onboarding_milestones.filter((m) => m.plan_id === stalled.id);
    expect(progress.milestones_total).toBe(ms.length);
    expect(progress.milestones_completed).toBe(count(ms, (m) => m.status === "completed"));
    expect(progress.overdue_milestones.length).toBe(count(ms, (m) => m.status !== "completed" && m.due_date.getTime() < TODAY));

    // An executive review completed with outcomes, read back.
    const programs = pipelineFor(t, communicationProgramTools, NOW);
    const review = generated.executive_reviews.find((r) => r.status === "completed")!;
    const details = await call(programs, "conduct_executive_review", { action: "get_ebr_details", ebr_id: review.id });
    expect(details.review.status).toBe("completed");
    expect(details.review.outcomes.sentiment).toBe((review.outcomes as { sentiment: string }).sentiment);
    expect(details.review.outcomes.decisions.length).toBeGreaterThan(0);
    const advocates = await call(programs, "manage_advocacy_program", { action: "list_advocates" });
    expect(advocates.total).toBe(generated.advocates.length);
    expect(advocates.advocates.length).toBeGreaterThan(0);
  }, 120_000);

  it("removes every demo row of no account, keeps the user's own rows, and keeps a demo module the user's training uses", async () => {
    // The user's own account has since been trained with a demo module.
    const demoModule = generated.training_modules[0]!;
    await t.db.prisma.trainingSession.create({ data: { account_id: "cs_1700000000_real_customer", module_id: demoModule.id, session_format: "live", session_date: NOW, duration_minutes: 60 } });
    const removed = await removeDemo(t.db);
    const expected = demoCounts(generated);
    expect(removed).toEqual({
      accounts_removed: ACCOUNTS,
      catalogue_removed: { support_agents: expected.support_agents, kb_articles: expected.kb_articles, email_campaigns: expected.email_campaigns, newsletters: expected.newsletters, communities: expected.communities, training_modules: expected.training_modules - 1 },
      catalogue_kept: { training_modules: 1 },
    });
    for (const table of CATALOGUE_TABLES) expect(await n(t, `${table} WHERE is_demo`), table).toBe(table === "training_modules" ? 1 : 0);
    for (const table of ["kb_article_versions", "kb_article_votes", "newsletter_subscriptions", "community_members", "community_posts", "email_sends", "email_events", "feedback", "onboarding_plans", "certifications"]) {
      expect(await n(t, table), table).toBe(0);
    }
    const p = t.db.prisma;
    expect(await p.supportAgent.findUnique({ where: { id: own.agent! } })).toMatchObject({ email: "pat@real-support.com", is_demo: false });
    expect(await p.kbArticle.findUnique({ where: { id: own.article! } })).toMatchObject({ title: "Our SSO login runbook" });
    expect(await p.trainingModule.findUnique({ where: { id: own.module! } })).toMatchObject({ code: "REAL-101" });
    expect(await p.community.findUnique({ where: { id: own.community! } })).not.toBeNull();
    expect(await p.newsletter.findUnique({ where: { id: own.newsletter! } })).not.toBeNull();
    expect(await p.emailCampaign.findUnique({ where: { id: own.campaign! } })).not.toBeNull();
    expect(await n(t, "training_sessions")).toBe(1);

    // The next load reuses the kept module instead of failing on its code.
    const again = await loadDemo(t.db, { seed: SEED, accounts: 5, now: NOW });
    expect(again.training_modules).toBe(DEMO_MODULES.length - 1);
    expect(await n(t, `training_modules WHERE code = '${demoModule.code}'`)).toBe(1);
    const second = await removeDemo(t.db);
    expect(second.catalogue_kept).toEqual({ training_modules: 1 });
    expect(second.accounts_removed).toBe(5);
  }, 120_000);
});
