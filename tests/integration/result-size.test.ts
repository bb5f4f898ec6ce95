// Every tool result fits an agent: each registered tool is called through the real pipeline with its
// largest allowed arguments on a large generated portfolio (thousands of accounts, tens of thousands of
// tickets and answers, one client with thousands of rows in every per-client table), and what the
// client receives (the content texts and structuredContent) must stay within 25,000 tokens, counted with
// the cl100k_base tokenizer. A tool in the registry without an argument table entry fails the test, so a
// new tool is covered the day it is added.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getEncoding } from "js-tiktoken";
import { ALL_TOOLS } from "../../src/tools/definitions.ts";
import { openTestDb, type TestDb } from "../helpers/databases.ts";
import { pipelineFor } from "../helpers/pipeline.ts";
import { seedLargePortfolio, type LargePortfolio } from "../helpers/large-portfolio.ts";
import type { ToolPipeline } from "../../src/server/pipeline.ts";

const NOW = new Date("2026-11-15T12:00:00.000Z");
const MAX_TOKENS = 25_000;
// 600 demo accounts (≈ 400,000 usage events) exceed every list limit several times over; the busy client has
// thousands of rows per table. Larger portfolios only make the run slower, not the answers longer.
const SCALE = { demoAccounts: 600, tickets: 20_000, answers: 20_000, busyRows: 3000 };

type Args = Record<string, unknown>;
interface Ctx {
  busy: string;
  /** Another active client, for calls that change an account's state (postmortem, lifecycle moves). */
  other: string;
  /** The first column of the first row of a query, or a failure naming the query. */
  one(sql: string, params?: unknown[]): Promise<string>;
}

const s = (n: number, c = "x") => c.repeat(n);
const LONG_TEXT = (n: number) => Array.from({ length: Math.ceil(n / 60) }, (_, i) => `Paragraph ${i}: renewal planning notes, adoption, training. `).join("").slice(0, n);
const dates = (days: number) => ({ start: new Date(NOW.getTime() - days * 86_400_000).toISOString().slice(0, 10), end: NOW.toISOString().slice(0, 10) });
const Y2 = dates(730);
const Y1 = dates(365);
const METRICS = ["nps", "csat", "ces", "churn_rate", "retention_rate", "expansion_rate", "time_to_value", "feature_adoption", "engagement_score", "health_score", "support_satisfaction"];
const SEGMENTS = ["tier", "industry", "lifecycle_stage", "csm"];

/**
 * The argument sets per tool, largest first: every list at its maximum limit, every period at its longest,
 * every option that adds detail switched on. Calls run in this order (later ones may use rows earlier ones made).
 */
// An argument set is given as is, or as a function when it needs a row an earlier call of the same tool makes.
const ARGUMENTS: Record<string, (c: Ctx) => Promise<Array<Args | (() => Promise<Args>)>>> = {
  register_client: async () => [{
    client_name: s(200, "n"), company_name: `Largest Registered ${s(150, "c")}`, primary_contact_email: `owner@${s(60, "l")}.example.com`,
    primary_contact_name: s(200, "p"), industry: s(100, "i"), tier: "enterprise", contract_value: 1_000_000, contract_start_date: "2026-01-01",
    contract_end_date: "2026-12-31", renewal_date: "2026-12-31", billing_frequency: "annual", auto_renew: true, seats: 10_000_000,
    external_id: s(200, "e"), csm_name: s(200, "m"), csm_email: "csm@vendor.example",
  }],
  get_client_overview: async (c) => [{ client_id: c.busy }],
  update_client_info: async (c) => [{ client_id: c.busy, updates: { csm_name: s(200, "m"), industry: s(100, "i") }, reason: s(500, "r") }],
  list_clients: async () => [
    { limit: 100 },
    ...["arr", "health_score", "churn_risk", "renewal_date"].flatMap((sort_by) => [{ limit: 100, sort_by, sort_order: "asc" }, { limit: 100, sort_by, sort_order: "desc" }]),
  ],
  get_client_timeline: async (c) => [{ client_id: c.busy, start_date: "2020-01-01", end_date: Y1.end, limit: 100 }],
  track_usage_engagement: async (c) => [
    { client_id: c.busy, period_start: Y2.start, period_end: Y2.end, granularity: "weekly", include_feature_breakdown: true, include_user_segmentation: true, benchmark_comparison: true, feature_limit: 200 },
    { client_id: c.busy, period_start: dates(119).start, period_end: Y1.end, granularity: "daily", include_feature_breakdown: true, include_user_segmentation: true, benchmark_comparison: true, feature_limit: 200 },
  ],
  segment_customers: async () => [
    ...["value", "engagement", "lifecycle", "health", "industry"].map((segmentation_type) => ({ segmentation_type, min_segment_size: 1, include_recommendations: true })),
    { segmentation_type: "custom", criteria: { name: "everyone", include_churned: true }, min_segment_size: 1, include_recommendations: true },
  ],
  track_feature_adoption: async (c) => [
    { time_period_days: 365, adoption_threshold: 0, limit: 200 },
    { client_id: c.busy, time_period_days: 365, adoption_threshold: 0, limit: 200 },
  ],
  manage_lifecycle_stages: async (c) => [
    { action: "portfolio", include_transitions: true, intervention_planning: true, limit: 100 },
    { action: "get", client_id: c.busy, include_transitions: true, intervention_planning: true },
    { action: "move", client_id: c.other, new_stage: "renewal", reason: s(500, "r") },
  ],
  segment_by_value_tier: async () => [{
    segmentation_criteria: "arr_and_health", vip_identification: true, vip_limit: 100, include_churned: true,
    tier_definitions: Array.from({ length: 10 }, (_, i) => ({ name: `tier_${i}_${s(30, "t")}`, min_arr: (9 - i) * 20_000, min_health: 0 })),
  }],
  analyze_engagement_patterns: async (c) => [
    { analysis_scope: "portfolio", pattern_types: ["trends", "anomalies"], lookback_period_days: 365, anomaly_detection: true, limit: 60 },
    { analysis_scope: "account", scope_filter: { client_id: c.busy }, pattern_types: ["trends", "anomalies"], lookback_period_days: 365, anomaly_detection: true, limit: 60 },
  ],
  calculate_health_score: async (c) => [
    { all: true, include_predictions: true, lookback_period_days: 365, risk_threshold: 100, limit: 15 },
    { client_ids: (await c.one(`SELECT string_agg(id, ',') FROM (SELECT id FROM accounts WHERE status = 'active' ORDER BY id LIMIT 500) a`)).split(","), include_predictions: true, lookback_period_days: 365, limit: 15 },
    { client_id: c.busy, include_predictions: true, lookback_period_days: 365 },
  ],
  track_adoption_milestones: async (c) => [
    { limit: 15, milestone_framework: "custom", custom_milestones: Array.from({ length: 20 }, (_, i) => ({ name: `m_${i}_${s(30, "m")}`, event: "feature_used", target_days: 730 })) },
    { limit: 15 },
    { client_id: c.busy, milestone_framework: "custom", custom_milestones: Array.from({ length: 20 }, (_, i) => ({ name: `m_${i}_${s(30, "m")}`, event: "feature_used", target_days: 730 })) },
  ],
  create_onboarding_plan: async (c) => [{
    client_id: c.busy, customer_goals: Array.from({ length: 10 }, (_, i) => `Goal ${i} ${s(290, "g")}`), success_criteria: Array.from({ length: 10 }, (_, i) => `Criterion ${i} ${s(285, "c")}`),
    product_tier: "enterprise", team_size: 1_000_000, technical_complexity: "high", timeline_weeks: 104, start_date: Y1.end, replace_active_plan: true,
  }],
  activate_onboarding_automation: async (c) => [{
    client_id: c.busy, plan_id: await c.one(`SELECT id FROM onboarding_plans WHERE account_id = $1 AND status = 'active' LIMIT 1`, [c.busy]), automation_triggers: ["welcome", "milestone_reminder", "overdue_nudge"],
    notification_preferences: { channel: "email", recipients: "all_contacts", reminder_days_before: 30, overdue_days_after: 1, send_hour_utc: 9 },
  }],
  deliver_training_session: async (c) => [{
    client_id: c.busy, training_module_id: await c.one(`SELECT id FROM training_modules ORDER BY id LIMIT 1`), session_format: "workshop",
    attendee_emails: Array.from({ length: 200 }, (_, i) => `person${i + 1}@busy.example`), session_date: Y1.end, duration_minutes: 1440,
  }],
  manage_certification_program: async (c) => [
    { action: "list", limit: 200 },
    { action: "status", client_id: c.busy, limit: 200 },
  ],
  optimize_onboarding_process: async () => [{ analysis_period_days: 1095, min_completed_onboardings: 1, include_in_progress: true, in_progress_limit: 100 }],
  map_customer_journey: async (c) => [{ client_id: c.busy, include_touchpoints: true, include_milestones: true, touchpoint_limit: 60 }],
  optimize_time_to_value: async (c) => [{ client_id: c.busy }],
  track_onboarding_progress: async (c) => [{ client_id: c.busy, include_risk_analysis: true }],
  execute_retention_campaign: async (c) => [{ client_id: c.busy, campaign_type: "success_plan", intervention_level: "critical" }],
  monitor_satisfaction: async (c) => [
    { survey_type: "nps", time_period_days: 730, follow_up_limit: 60 },
    { client_id: c.busy, survey_type: "nps", time_period_days: 730, follow_up_limit: 60 },
  ],
  manage_escalations: async (c) => [
    { action: "create", client_id: c.busy, severity: "critical", reason: s(2000, "r"), owner: s(200, "o") },
    { action: "list", limit: 30 },
  ],
  analyze_churn_postmortem: async (c) => [{ client_id: c.other, churn_date: Y1.end, churn_reason: s(1000, "r") }],
  score_risk_factors: async (c) => [{ client_id: c.busy }],
  automate_retention_campaigns: async () => [{ trigger_type: "health_below", threshold: 100, campaign_template: { campaign_type: "value_review", intervention_level: "high" }, dry_run: true, max_accounts: 200 }],
  // The demo has fewer churners than training needs (30): a dozen more accounts churn first (the tools after
  // this one only see a slightly smaller active portfolio), then it trains without activating.
  train_churn_model: async (c) => [
    async () => {
      await c.one(
        `WITH m AS (UPDATE accounts SET status = 'churned', churned_at = $1::timestamptz - interval '30 days'
                     WHERE id IN (SELECT id FROM accounts WHERE status = 'active' AND id NOT IN ($2, $3) ORDER BY external_id DESC LIMIT 12)
                     RETURNING id)
         SELECT count(*) FROM m`,
        [NOW.toISOString(), c.busy, c.other],
      );
      return { activate: false };
    },
  ],
  identify_churn_risk: async (c) => [{ health_score_threshold: 100, days_lookback: 365, include_predictions: true, limit: 15 }, { client_id: c.busy, days_lookback: 365, include_predictions: true }],
  identify_upsell_opportunities: async () => [{ min_health_score: 0, min_tenure_days: 0, min_similar_accounts: 1, limit: 15, min_usage_threshold: 0, target_utilization: 0.05 }],
  identify_crosssell_opportunities: async () => [{ min_health_score: 0, min_tenure_days: 0, min_similar_accounts: 1, limit: 15, include_add_ons: true }],
  identify_expansion_opportunities: async () => [{ min_health_score: 0, min_tenure_days: 0, min_similar_accounts: 1, limit: 15, opportunity_types: ["upsell", "cross_sell", "seats", "tier_upgrade"], min_usage_threshold: 0, target_utilization: 0.05, include_add_ons: true }],
  track_renewals: async () => [{ days_until_renewal: 730, prediction_max_age_days: 365, limit: 15 }],
  forecast_renewals: async () => [{}, { forecast_period_days: 730, include_risk_analysis: true, prediction_max_age_days: 365, limit: 8 }],
  negotiate_renewals: async (c) => [{ client_id: c.busy, negotiation_strategy: "expansion_bundle", prediction_max_age_days: 365 }],
  track_revenue_expansion: async () => [{ time_period: "monthly", include_pipeline: true, limit: 150 }, { time_period: "annual", include_pipeline: true, limit: 150 }],
  optimize_customer_lifetime_value: async () => [{ optimization_focus: "balanced", churn_reduction_points: 100, margin_change_points: 100, prediction_max_age_days: 365, limit: 15 }],
  send_personalized_email: async () => [{
    campaign_name: s(200, "c"), subject_line: `Hello {{first_name}} ${s(900, "s")}`, body_text: LONG_TEXT(200_000), sender_email: "cs@vendor.example", sender_name: s(200, "n"),
    recipient_scope: "all", include_churned: true, preview: true, target_tier: "enterprise",
  }],
  automate_communications: async () => [{ action: "list", limit: 100 }],
  automate_newsletters: async (c) => [
    { action: "list_newsletters", limit: 100 },
    { action: "manage_subscriptions", subscription_action: "list", newsletter_id: await c.one(`SELECT newsletter_id FROM newsletter_subscriptions GROUP BY newsletter_id ORDER BY count(*) DESC LIMIT 1`), limit: 100 },
    { action: "get_newsletter", newsletter_id: await c.one(`SELECT id FROM newsletters ORDER BY id LIMIT 1`) },
    { action: "track_performance", newsletter_id: await c.one(`SELECT id FROM newsletters ORDER BY id LIMIT 1`) },
  ],
  manage_community: async (c) => {
    const community_id = await c.one(`SELECT community_id FROM community_members GROUP BY community_id ORDER BY count(*) DESC LIMIT 1`);
    return [
      { action: "list_communities", limit: 25 },
      { action: "list_members", community_id, limit: 25 },
      { action: "list_posts", community_id, include_moderated: true, limit: 25 },
      { action: "get_analytics", community_id, start_date: dates(149).start, end_date: Y1.end, granularity: "day" },
      { action: "get_analytics", community_id, start_date: "2020-01-01", end_date: Y1.end, granularity: "month" },
      { action: "get_member_profile", member_id: await c.one(`SELECT member_id FROM community_posts GROUP BY member_id ORDER BY count(*) DESC LIMIT 1`) },
    ];
  },
  manage_advocacy_program: async () => [
    { action: "list_advocates", limit: 75 },
    { action: "get_program_analytics", start_date: "2020-01-01", end_date: Y1.end },
  ],
  conduct_executive_review: async (c) => [
    { action: "list_upcoming_ebrs", days_ahead: 365, gap_days: 1, gap_tiers: ["starter", "standard", "professional", "enterprise"], limit: 40 },
    { action: "prepare_ebr", ebr_id: await c.one(`SELECT id FROM executive_reviews WHERE account_id = $1 ORDER BY scheduled_at DESC LIMIT 1`, [c.busy]).catch(() => c.one(`SELECT id FROM executive_reviews WHERE status = 'scheduled' ORDER BY id LIMIT 1`)) },
  ],
  handle_support_ticket: async (c) => [
    { action: "list", limit: 20 },
    { action: "list", client_id: c.busy, limit: 20 },
    { action: "get", ticket_id: await c.one(`SELECT ticket_id FROM ticket_comments GROUP BY ticket_id ORDER BY count(*) DESC LIMIT 1`), include_comments: true },
  ],
  route_tickets: async () => [{ routing_strategy: "auto", load_balance: true, max_tickets_per_agent: 1000, limit: 50 }],
  manage_knowledge_base: async (c) => [
    { action: "list", limit: 100 },
    { action: "search", search_query: "account settings export report", include_unpublished: true, limit: 100 },
    { action: "get", article_id: await c.one(`SELECT id FROM kb_articles ORDER BY length(body) DESC LIMIT 1`) },
  ],
  update_knowledge_base: async (c) => [{ action: "vote", article_id: await c.one(`SELECT id FROM kb_articles WHERE status = 'published' ORDER BY id LIMIT 1`), helpful_vote: true, voter_email: "voter@busy.example", feedback: s(2000, "f") }],
  manage_customer_portal: async (c) => [{ action: "get_status", client_id: c.busy }, { action: "list_resources", client_id: c.busy }],
  analyze_support_performance: async (c) => [
    { analysis_type: "full", period_days: 730 },
    { analysis_type: "full", period_days: 730, client_id: c.busy },
  ],
  collect_feedback: async (c) => [{ client_id: c.busy, feedback_type: "product_feedback", title: s(300, "t"), content: LONG_TEXT(10_000), tags: Array.from({ length: 20 }, (_, i) => `tag${i}`) }],
  analyze_feedback_sentiment: async (c) => [
    { period_start: Y2.start, period_end: Y2.end, include_nps: true, include_themes: true, compare_to_previous: true, theme_limit: 50, negative_examples: 50 },
    { client_id: c.busy, period_start: Y2.start, period_end: Y2.end, include_nps: true, include_themes: true, compare_to_previous: true, theme_limit: 50, negative_examples: 50 },
  ],
  share_product_insights: async (c) => {
    const feedback = (await c.one(`SELECT string_agg(id, ',') FROM (SELECT id FROM feedback ORDER BY id LIMIT 1000) f`)).split(",");
    const clients = (await c.one(`SELECT string_agg(id, ',') FROM (SELECT id FROM accounts ORDER BY id LIMIT 1000) a`)).split(",");
    return [
      { action: "create", insight_type: "pain_point", title: s(300, "t"), description: LONG_TEXT(5000), supporting_feedback_ids: feedback.filter((id) => /^[0-9a-f-]{36}$/.test(id)), affected_customers: clients, priority: "critical", customer_impact: s(2000, "c"), business_impact: s(2000, "b"), recommended_action: s(2000, "a") },
      { action: "list", limit: 40 },
      async () => ({ action: "get", insight_id: await c.one(`SELECT id FROM product_insights ORDER BY cardinality(supporting_feedback_ids) DESC LIMIT 1`) }),
    ];
  },
  track_cs_metrics: async (c) => [
    // The largest allowed shapes: 75 daily buckets per segment (three metrics of different kinds: answers,
    // accounts, stored scores), 150 without (every metric); monthly over two years by segment.
    ...["nps", "churn_rate", "health_score"].flatMap((metric_type) => SEGMENTS.map((segment_by) => ({ metric_type, period: "custom", period_start: dates(74).start, period_end: Y1.end, granularity: "day", segment_by }))),
    ...SEGMENTS.map((segment_by) => ({ metric_type: "nps", period: "custom", period_start: Y2.start, period_end: Y2.end, granularity: "month", segment_by })),
    ...METRICS.map((metric_type) => ({ metric_type, period: "custom", period_start: dates(149).start, period_end: Y1.end, granularity: "day" })),
    ...METRICS.map((metric_type) => ({ metric_type, client_id: c.busy, period: "custom", period_start: dates(149).start, period_end: Y1.end, granularity: "day" })),
  ],
  analyze_product_usage: async (c) => [
    { client_id: c.busy, period: "custom", period_start: Y2.start, period_end: Y2.end, feature_limit: 200 },
  ],
  manage_voice_of_customer: async (c) => [
    { action: "create_voc_report", period_start: Y2.start, period_end: Y2.end, title: s(300, "t") },
    { action: "track_feedback_loop", period_start: Y2.start, period_end: Y2.end, limit: 30 },
    { action: "measure_program_effectiveness", period_start: Y2.start, period_end: Y2.end },
    { action: "generate_executive_summary" },
    { action: "track_feedback_loop", client_id: c.busy, period_start: Y2.start, period_end: Y2.end, limit: 30 },
  ],
  health_check_liveness: async () => [{}],
  health_check_readiness: async () => [{}],
  health_check_deep: async () => [{}],
  list_outbox_deliveries: async () => [{ limit: 100 }],
  retry_outbox_delivery: async (c) => [{ id: await c.one(`SELECT id FROM outbox_messages ORDER BY created_at LIMIT 1`) }],
  export_personal_data: async (c) => [
    { client_id: c.busy, max_rows_per_table: 500 },
    { email: "person1@busy.example", max_rows_per_table: 500 },
  ],
  erase_personal_data: async (c) => [{ client_id: c.busy, confirm: c.busy, dry_run: true }],
};

describe("every tool result stays within 25,000 tokens at its largest arguments", () => {
  let t: TestDb;
  let p: ToolPipeline;
  let portfolio: LargePortfolio;
  let ctx: Ctx;
  const enc = getEncoding("cl100k_base");
  const sizes: Array<{ tool: string; bytes: number; tokens: number }> = [];

  beforeAll(async () => {
    t = await openTestDb("embedded");
    portfolio = await seedLargePortfolio(t.db, NOW, SCALE);
    const [{ id: other }] = (await t.db.query<{ id: string }>(`SELECT id FROM accounts WHERE status = 'active' AND id <> $1 ORDER BY external_id LIMIT 1`, [portfolio.busy])) as [{ id: string }];
    ctx = {
      busy: portfolio.busy,
      other,
      one: async (sql, params = []) => {
        const rows = await t.db.query<Record<string, unknown>>(sql, params);
        const v = rows[0] ? Object.values(rows[0])[0] : undefined;
        if (v === undefined || v === null) throw new Error(`no row for: ${sql}`);
        return String(v);
      },
    };
    p = pipelineFor(t, ALL_TOOLS, NOW);
  }, 600_000);

  afterAll(async () => {
    if (sizes.length) console.log(sizes.sort((a, b) => b.tokens - a.tokens).slice(0, 15).map((x) => `${x.tool}: ${x.tokens} tokens, ${x.bytes} bytes`).join("\n"));
    await t?.cleanup();
  });

  it("seeds a portfolio where unbounded results would be megabytes", () => {
    expect(portfolio.accounts).toBeGreaterThanOrEqual(SCALE.demoAccounts);
    expect(portfolio.tickets).toBeGreaterThan(SCALE.tickets);
    expect(portfolio.survey_responses).toBeGreaterThan(SCALE.answers);
  });

  it("has an argument table entry for every registered tool", () => {
    const missing = ALL_TOOLS.map((tool) => tool.name).filter((name) => !(name in ARGUMENTS));
    expect(missing).toEqual([]);
  });

  for (const tool of ALL_TOOLS) {
    it(`${tool.name}`, async () => {
      const sets = await ARGUMENTS[tool.name]!(ctx);
      expect(sets.length).toBeGreaterThan(0);
      for (const set of sets) {
        const args = typeof set === "function" ? await set() : set;
        const result = await p.call(tool.name, args);
        // Each set is a valid call: an error would be small and prove nothing about the result's size.
        expect.soft(result.isError, `${tool.name} ${JSON.stringify(args).slice(0, 300)} → ${JSON.stringify(result.content).slice(0, 600)}`).toBeFalsy();
        const received = JSON.stringify({ content: result.content, structuredContent: result.structuredContent });
        const bytes = Buffer.byteLength(received);
        // Past 1 MB the count is pointless (and slow): it is far over either way.
        const tokens = bytes > 1_000_000 ? Math.ceil(bytes / 2) : enc.encode(received).length;
        sizes.push({ tool: `${tool.name} ${JSON.stringify(args).slice(0, 120)}`, bytes, tokens });
        expect.soft(tokens, `${tool.name} ${JSON.stringify(args).slice(0, 300)}: ${tokens} tokens (${bytes} bytes)`).toBeLessThanOrEqual(MAX_TOKENS);
      }
    }, 300_000);
  }
});
