// Data for the toolsets benchmark (bench/toolsets.ts), generated inside the database by set-based
// INSERT … SELECT … FROM generate_series(…) statements — never through the tools — and deterministic:
// every choice is hashint8extended of the series index (PostgreSQL's own 64-bit hash), never random().
//
// One portfolio serves the five cases:
// - accounts, a quarter of them per tier (i % 4), each with 4 contacts (one primary) and, every tenth,
//   a fifth contact who unsubscribed: the enterprise tier alone gives `accounts` email recipients;
// - contracts shaped for the revenue tools around the pinned NOW (2026-11-15): everyone has a contract in
//   force on 2026-07-01 (Q3 2026, the latest complete quarter), 15 % expand in Q3 (an add-on contract),
//   8 % contract (the contract is replaced by a 30 % smaller one), 5 % churn in Q3, 3 % are new business
//   signed in Q3; most renewal dates fall between 2026-10-01 and 2027-06-30 (a contracted account's new
//   contract renews in August–September 2027);
// - a stored churn prediction (≤ 20 days old) and a stored health score for every active account;
// - support agents (40, five teams) and tickets over the last 365 days (SLA due dates from the settings);
// - NPS answers over the last 365 days;
// - knowledge-base articles: `articles` published plus 10 % drafts and archived ones, text drawn from a
//   support vocabulary with a skewed word frequency, so some search words are common and some rare.
import { H, npsAnswersSql } from "./seed-sql.ts";
import { performance } from "node:perf_hooks";

export type Exec = (sql: string, params?: unknown[]) => Promise<unknown[]>;

export interface ToolsetsScale {
  /** Accounts; also the email recipients (the enterprise quarter × 4 contacts). */
  accounts: number;
  articles: number;
  tickets: number;
  surveys: number;
}

export interface SeedSettings {
  slaFirstResponseMinutes: number;
  slaResolutionMinutes: { P1: number; P2: number; P3: number; P4: number };
  churnLevels: { high: number; medium: number; low: number };
  modelVersion: string;
}

export interface SeededRows {
  accounts: number;
  contacts: number;
  contracts: number;
  churn_predictions: number;
  health_scores: number;
  support_agents: number;
  support_tickets: number;
  survey_responses: number;
  kb_articles: number;
  kb_published: number;
}

export const ACCOUNT_PREFIX = "cs_1700000000_bench_";
export const AGENTS = 40;
export const TEAMS = ["Billing", "Technical", "Onboarding", "Enterprise", "General"] as const;

/** A deterministic non-negative int from an integer SQL expression and a seed. */

/**
 * The article vocabulary, most frequent first (word k is drawn with a probability falling with k). The
 * benchmark's search words sit at different ranks: 'account' near the top, 'password' and 'invoice' in the
 * middle, 'saml' and 'salesforce' near the end.
 */
export const VOCABULARY = [
  "the", "to", "and", "your", "account", "you", "in", "for", "settings", "user", "of", "can", "click", "page",
  "open", "select", "team", "data", "admin", "workspace", "new", "then", "is", "with", "from", "menu", "report",
  "dashboard", "option", "save", "access", "project", "view", "list", "profile", "email", "change", "update",
  "button", "field", "filter", "search", "create", "delete", "edit", "role", "members", "notification", "status",
  "time", "default", "first", "help", "link", "panel", "section", "tab", "form", "display", "add", "remove",
  "invite", "manage", "organization", "plan", "usage", "limit", "billing", "export", "import", "file", "upload",
  "download", "template", "workflow", "task", "comment", "mobile", "app", "browser", "login", "password", "reset",
  "api", "key", "token", "request", "rate", "error", "message", "support", "ticket", "contact", "invoice",
  "payment", "card", "subscription", "renewal", "seat", "license", "permissions", "group", "sharing", "public",
  "private", "archive", "restore", "history", "version", "sync", "calendar", "schedule", "reminder", "alert",
  "integration", "webhook", "retry", "event", "payload", "endpoint", "timeout", "slack", "teams", "zapier",
  "csv", "excel", "pdf", "chart", "widget", "metric", "goal", "survey", "feedback", "score", "trial", "upgrade",
  "downgrade", "cancel", "refund", "tax", "currency", "region", "language", "timezone", "format", "theme",
  "domain", "verification", "security", "audit", "log", "compliance", "gdpr", "encryption", "backup", "two-factor",
  "authentication", "device", "session", "browser-extension", "sandbox", "staging", "production", "deploy",
  "sso", "okta", "azure", "directory", "provisioning", "scim", "saml", "certificate", "salesforce", "hubspot",
  "jira", "github", "quota", "throttling", "pagination", "cursor", "batch", "bulk", "migration", "onboarding",
  "checklist", "walkthrough", "tooltip", "shortcut", "keyboard", "accessibility", "screen-reader", "contrast",
] as const;

/** Rare product words: every 4-syllable combination of 8 syllables (4,096), e.g. 'kalomira'. */
const SYLLABLES = ["ka", "lo", "mi", "ra", "te", "zu", "ne", "po"] as const;
export const RARE_WORDS: string[] = Array.from({ length: 8 ** 4 }, (_, n) => [0, 1, 2, 3].map((d) => SYLLABLES[Math.floor(n / 8 ** d) % 8]).join(""));

/** Stock phrases of help articles (for phrase searches). */
export const PHRASES = [
  "reset your password", "api rate limit", "single sign-on", "export to csv", "invite a team member", "change the billing plan",
  "connect the salesforce integration", "webhook delivery failed", "enable two-factor authentication", "scheduled report email",
  "custom domain verification", "bulk import of users", "audit log retention", "mobile app notifications", "usage limit reached",
  "cancel the subscription", "update the payment card", "saml certificate expired", "slack notification channel", "data export request",
] as const;

/** The generation statements in order: label, SQL, parameters. bench_acc (temporary) holds the per-account draws. */
function statements(scale: ToolsetsScale, now: string, s: SeedSettings): Array<{ label: string; sql: string; params: unknown[] }> {
  const n = scale.accounts;
  return [
    {
      label: "account draws",
      sql: `CREATE TEMP TABLE bench_acc (i int PRIMARY KEY, id text NOT NULL, tier text NOT NULL, arr numeric NOT NULL, seats int NOT NULL,
              class text NOT NULL, created timestamptz NOT NULL, churned_at timestamptz, start_date date NOT NULL)`,
      params: [],
    },
    {
      label: "account draws",
      // class: churned 5 % (never in the enterprise tier, so that tier's contacts are exactly the email case's
      // recipients), expansion 15 %, contraction 8 %, new business 3 %, flat the rest.
      sql: `INSERT INTO bench_acc (i, id, tier, arr, seats, class, created, churned_at, start_date)
            SELECT i, '${ACCOUNT_PREFIX}' || i, tier,
                   CASE tier WHEN 'starter' THEN 6000 + (h % 40) * 100 WHEN 'standard' THEN 15000 + (h % 50) * 200
                             WHEN 'professional' THEN 40000 + (h % 60) * 500 ELSE 100000 + (h % 100) * 1000 END,
                   CASE tier WHEN 'starter' THEN 3 + h % 5 WHEN 'standard' THEN 8 + h % 15 WHEN 'professional' THEN 25 + h % 40 ELSE 80 + h % 150 END,
                   class,
                   CASE WHEN class = 'new' THEN timestamptz '2026-07-01 09:00:00+00' + (h2 % 91) * interval '1 day'
                        ELSE $1::timestamptz - (200 + h2 % 900) * interval '1 day' END,
                   CASE WHEN class = 'churned' THEN timestamptz '2026-07-01 00:00:00+00' + (h3 % (92 * 86400)) * interval '1 second' END,
                   CASE WHEN class = 'new' THEN date '2026-07-01' + (h2 % 91) + 1 ELSE date '2025-10-01' + h3 % 273 END
              FROM (SELECT i, (ARRAY['starter','standard','professional','enterprise'])[1 + i % 4] AS tier,
                           ${H("i", 1)} AS h, ${H("i", 2)} AS h2, ${H("i", 3)} AS h3,
                           CASE WHEN ${H("i", 41)} % 100 < 5 AND i % 4 <> 3 THEN 'churned' WHEN ${H("i", 41)} % 100 < 20 THEN 'expansion'
                                WHEN ${H("i", 41)} % 100 < 28 THEN 'contraction' WHEN ${H("i", 41)} % 100 >= 97 THEN 'new' ELSE 'flat' END AS class
                      FROM generate_series(1, $2::int) AS i) x`,
      params: [now, n],
    },
    {
      label: "accounts",
      sql: `INSERT INTO accounts (id, client_name, company_name, company_key, industry, tier, lifecycle_stage, status, arr, seats,
                                  primary_contact_email, primary_contact_name, csm_name, csm_email, health_score, churned_at, created_at, updated_at)
            SELECT id, 'Bench Company ' || i, 'Bench Company ' || i, 'bench company ' || i,
                   (ARRAY['saas','fintech','healthcare','retail','manufacturing','education','media','logistics'])[1 + ${H("i", 91)} % 8],
                   tier::"Tier",
                   (CASE WHEN class = 'churned' THEN 'churned' WHEN class = 'new' THEN 'onboarding'
                         ELSE (ARRAY['adoption','growth','maturity','renewal'])[1 + ${H("i", 92)} % 4] END)::"LifecycleStage",
                   (CASE WHEN class = 'churned' THEN 'churned' ELSE 'active' END)::"AccountStatus",
                   arr, seats, 'c1.' || i || '@company' || i || '.example', 'Pat Owner' || i,
                   'CSM ' || (1 + i % 25) || ' Smith', 'csm' || (1 + i % 25) || '@vendor.example',
                   CASE WHEN class = 'churned' THEN NULL ELSE 25 + ${H("i", 93)} % 75 END, churned_at, created, created
              FROM bench_acc`,
      params: [],
    },
    {
      label: "contacts",
      // 4 contacts per account (c = 1 primary); every tenth account also has an unsubscribed 5th contact.
      sql: `INSERT INTO contacts (id, account_id, email, name, role, is_primary, unsubscribed_at, created_at)
            SELECT 'bench_co_' || a.i || '_' || c, a.id, 'c' || c || '.' || a.i || '@company' || a.i || '.example',
                   (ARRAY['Pat','Sam','Alex','Robin','Kim','Lee','Jo','Max'])[1 + ${H("a.i * 8 + c", 94)} % 8] || ' Contact' || c,
                   (ARRAY['admin','champion','finance','user'])[c], c = 1,
                   CASE WHEN c = 5 THEN a.created + interval '30 days' END, a.created
              FROM bench_acc a CROSS JOIN generate_series(1, 5) AS c
             WHERE c <= 4 OR a.i % 10 = 0`,
      params: [],
    },
    {
      label: "contracts",
      // The first contract: in force on 2026-07-01 for everyone but new business; a contracting account's ends in Q3.
      sql: `INSERT INTO contracts (id, account_id, contract_value, start_date, end_date, renewal_date, auto_renew, notice_period_days,
                                   payment_status, seats, status, created_at, updated_at)
            SELECT 'bench_ct_' || i || '_1', id, arr, start_date, e.end_date, e.end_date,
                   ${H("i", 81)} % 2 = 0, (ARRAY[30,60,90])[1 + ${H("i", 82)} % 3],
                   CASE WHEN ${H("i", 83)} % 100 < 92 THEN 'current' WHEN ${H("i", 83)} % 100 < 98 THEN 'overdue' ELSE 'failed' END,
                   seats, CASE class WHEN 'churned' THEN 'cancelled' WHEN 'contraction' THEN 'expired' ELSE 'active' END, created, created
              FROM bench_acc
             CROSS JOIN LATERAL (SELECT CASE WHEN class = 'contraction' THEN date '2026-08-01' + ${H("i", 84)} % 30
                                             ELSE (start_date + interval '1 year')::date END AS end_date) e`,
      params: [],
    },
    {
      label: "contracts",
      // Expansion: an add-on of 25 % from inside Q3 to the first contract's end. Contraction: a 30 % smaller
      // contract from the day the first one ended, for a year.
      sql: `INSERT INTO contracts (id, account_id, contract_value, start_date, end_date, renewal_date, auto_renew, notice_period_days,
                                   payment_status, seats, status, created_at, updated_at)
            SELECT 'bench_ct_' || a.i || '_2', a.id,
                   CASE a.class WHEN 'expansion' THEN round(a.arr * 0.25, 2) ELSE round(a.arr * 0.70, 2) END,
                   x.start_date, x.end_date, x.end_date, c.auto_renew, c.notice_period_days, c.payment_status, c.seats, 'active', a.created, a.created
              FROM bench_acc a
              JOIN contracts c ON c.id = 'bench_ct_' || a.i || '_1'
             CROSS JOIN LATERAL (SELECT CASE WHEN a.class = 'expansion' THEN date '2026-07-01' + ${H("a.i", 85)} % 80 ELSE c.end_date END AS start_date,
                                        CASE WHEN a.class = 'expansion' THEN c.end_date ELSE (c.end_date + interval '1 year')::date END AS end_date) x
             WHERE a.class IN ('expansion', 'contraction')`,
      params: [],
    },
    {
      label: "churn_predictions",
      // Skewed towards low probabilities; the risk level by the configured thresholds; two factors each.
      sql: `INSERT INTO churn_predictions (id, account_id, probability, risk_level, factors, model_version, predicted_at)
            SELECT 'bench_cp_' || i, id, p.prob,
                   CASE WHEN p.prob >= $2::numeric THEN 'high' WHEN p.prob >= $3::numeric THEN 'medium' WHEN p.prob >= $4::numeric THEN 'low' ELSE 'minimal' END,
                   jsonb_build_array(
                     jsonb_build_object('factor', (ARRAY['usage_decline','low_nps','open_escalations','payment_issues','low_engagement'])[1 + ${H("i", 71)} % 5],
                                        'contribution', 0.6, 'detail', 'generated by the benchmark'),
                     jsonb_build_object('factor', (ARRAY['support_backlog','no_executive_sponsor','seat_contraction'])[1 + ${H("i", 72)} % 3],
                                        'contribution', 0.4, 'detail', 'generated by the benchmark')),
                   $5::text, $1::timestamptz - (1 + ${H("i", 73)} % 20) * interval '1 day'
              FROM bench_acc
             CROSS JOIN LATERAL (SELECT round((0.02 + 0.9 * power((${H("i", 74)} % 1000) / 1000.0, 2))::numeric, 4) AS prob) p
             WHERE class <> 'churned'`,
      params: [now, s.churnLevels.high, s.churnLevels.medium, s.churnLevels.low, s.modelVersion],
    },
    {
      label: "health_scores",
      sql: `INSERT INTO health_scores (id, account_id, overall_score, usage_score, engagement_score, support_score, satisfaction_score, payment_score,
                                       weights, missing_components, trend, band, calculated_at)
            SELECT 'bench_hs_' || b.i, b.id, a.health_score, a.health_score, a.health_score, 70, 70, 90,
                   '{"usage":0.3,"engagement":0.25,"support":0.2,"satisfaction":0.15,"payment":0.1}'::jsonb, ARRAY[]::text[], 'stable',
                   CASE WHEN a.health_score < 40 THEN 'at_risk' WHEN a.health_score < 60 THEN 'needs_attention' WHEN a.health_score < 80 THEN 'healthy' ELSE 'champion' END,
                   $1::timestamptz - interval '2 days'
              FROM bench_acc b JOIN accounts a ON a.id = b.id
             WHERE b.class <> 'churned'`,
      params: [now],
    },
    {
      label: "support_agents",
      sql: `INSERT INTO support_agents (id, name, email, team, skills, max_open, is_active, created_at)
            SELECT 'bench_ag_' || k, 'Agent ' || k || ' Rivera', 'agent' || k || '@support.example', (ARRAY['${TEAMS.join("','")}'])[1 + k % ${TEAMS.length}],
                   ARRAY['billing','technical'], 30, true, $1::timestamptz - interval '400 days'
              FROM generate_series(1, ${AGENTS}) AS k`,
      params: [now],
    },
    {
      label: "support_tickets",
      // Assignee: 60 % the agent's email, 10 % the same email in capitals, 15 % the agent's name, 15 % nobody;
      // half the tickets carry a team of their own. Recent tickets are often still open; old ones resolved.
      sql: `INSERT INTO support_tickets (id, account_id, subject, priority, status, assigned_agent, team, satisfaction_rating, escalated, escalated_at,
                                         first_response_due_at, resolution_due_at, first_response_at, resolved_at, closed_at, created_at, updated_at)
            SELECT 'bench_tk_' || t.g, a.id, 'Bench ticket ' || t.g, t.priority::"TicketPriority", t.status::"TicketStatus",
                   CASE WHEN t.r_as < 60 THEN 'agent' || t.k || '@support.example' WHEN t.r_as < 70 THEN 'AGENT' || t.k || '@SUPPORT.EXAMPLE'
                        WHEN t.r_as < 85 THEN 'Agent ' || t.k || ' Rivera' END,
                   CASE WHEN t.r_team < 50 THEN (ARRAY['${TEAMS.join("','")}'])[1 + t.r_team % ${TEAMS.length}] END,
                   CASE WHEN t.status IN ('resolved','closed') AND t.r_rate < 50 THEN (ARRAY[1,2,3,3,4,4,4,5,5,5])[1 + t.r_score % 10] END,
                   t.esc, CASE WHEN t.esc THEN LEAST(t.created + interval '1 day', $1::timestamptz - interval '1 minute') END,
                   t.created + $4::int * interval '1 minute', t.created + t.res_min * interval '1 minute',
                   CASE WHEN t.fr < $1::timestamptz AND (t.status IN ('resolved','closed') OR t.r_fr < 70) THEN t.fr END,
                   t.resolved, CASE WHEN t.status = 'closed' THEN LEAST(t.resolved + interval '2 days', $1::timestamptz - interval '1 minute') END,
                   t.created, COALESCE(t.resolved, t.created)
              FROM (
                SELECT s.*,
                       s.created + $4::int * (CASE WHEN s.r_late < 12 THEN 1.2 + (s.r_f % 300) / 100.0 ELSE 0.1 + (s.r_f % 85) / 100.0 END) * interval '1 minute' AS fr,
                       CASE WHEN s.status IN ('resolved','closed') THEN
                         LEAST(s.created + s.res_min * (CASE WHEN s.r_late2 < 15 THEN 1.05 + (s.r_f2 % 200) / 100.0 ELSE 0.1 + (s.r_f2 % 85) / 100.0 END) * interval '1 minute',
                               $1::timestamptz - interval '1 minute') END AS resolved
                  FROM (
                    SELECT p.*,
                           CASE p.priority WHEN 'P1' THEN $5::int WHEN 'P2' THEN $6::int WHEN 'P3' THEN $7::int ELSE $8::int END AS res_min,
                           CASE WHEN p.age_s < 14 * 86400 AND p.r_open < 60 THEN (ARRAY['open','pending','in_progress'])[1 + p.r_st % 3]
                                WHEN p.age_s >= 14 * 86400 AND p.r_open < 2 THEN 'open'
                                WHEN p.r_st % 5 = 0 THEN 'closed' ELSE 'resolved' END AS status
                      FROM (
                        SELECT g, 1 + ${H("g", 21)} % $2::int AS ai, ${H("g", 22)} % (365 * 86400) AS age_s,
                               $1::timestamptz - (${H("g", 22)} % (365 * 86400)) * interval '1 second' AS created,
                               CASE WHEN ${H("g", 23)} % 100 < 5 THEN 'P1' WHEN ${H("g", 23)} % 100 < 25 THEN 'P2'
                                    WHEN ${H("g", 23)} % 100 < 75 THEN 'P3' ELSE 'P4' END AS priority,
                               ${H("g", 24)} % 100 AS r_open, ${H("g", 25)} AS r_st, ${H("g", 26)} % 100 AS r_late, ${H("g", 27)} AS r_f,
                               ${H("g", 28)} % 100 AS r_late2, ${H("g", 29)} AS r_f2, ${H("g", 30)} % 100 AS r_rate, ${H("g", 31)} AS r_score,
                               ${H("g", 32)} % 100 AS r_as, 1 + ${H("g", 33)} % ${AGENTS} AS k, ${H("g", 34)} % 100 AS r_team,
                               ${H("g", 35)} % 100 AS r_fr, ${H("g", 36)} % 100 < 5 AS esc
                          FROM generate_series(1, $3::int) AS g) p) s) t
              JOIN bench_acc a ON a.i = t.ai`,
      params: [now, n, scale.tickets, s.slaFirstResponseMinutes, s.slaResolutionMinutes.P1, s.slaResolutionMinutes.P2, s.slaResolutionMinutes.P3, s.slaResolutionMinutes.P4],
    },
    {
      label: "survey_responses (NPS)",
      sql: npsAnswersSql([0,2,4,5,6,6,7,7,8,8,8,9,9,9,9,9,10,10,10,10]),
      params: [now, n, scale.surveys],
    },
    {
      label: "kb_articles",
      // Each body word: 0.5 % a stock phrase, 6 % a rare product word (1 of 4,096, so a given one is in about
      // 0.4 % of the articles), else common word k of the vocabulary drawn as floor(V × u²) for a uniform u
      // (frequent words first). A third of the titles carry a rare word too. Ids are UUIDs (the tools take
      // article ids as UUIDs) made from md5 of the index: deterministic.
      sql: `INSERT INTO kb_articles (id, title, body, category, tags, status, version, helpful_votes, unhelpful_votes, author, created_at, updated_at, published_at)
            SELECT md5('bench-kb-' || g)::uuid::text,
                   initcap((SELECT string_agg(($2::text[])[1 + floor(cardinality($2::text[]) * power((${H("g::bigint * 1000 + k", 51)}) / 2147483648.0, 1.5))::int], ' ' ORDER BY k)
                              FROM generate_series(1, 3 + ${H("g", 52)} % 5) AS k)
                           || CASE WHEN ${H("g", 50)} % 3 = 0 THEN ' ' || ($4::text[])[1 + ${H("g", 49)} % cardinality($4::text[])] ELSE '' END),
                   (SELECT string_agg(CASE WHEN w.r < 5 THEN ($5::text[])[1 + w.h % cardinality($5::text[])]
                                           WHEN w.r < 65 THEN ($4::text[])[1 + w.h % cardinality($4::text[])]
                                           ELSE ($2::text[])[1 + floor(cardinality($2::text[]) * power(w.u, 2))::int] END
                                      || CASE WHEN w.k % 13 = 0 THEN '.' ELSE '' END, ' ' ORDER BY w.k)
                      FROM (SELECT k, ${H("g::bigint * 1000 + k", 53)} % 1000 AS r, ${H("g::bigint * 1000 + k", 48)} AS h,
                                   ${H("g::bigint * 1000 + k", 47)} / 2147483648.0 AS u
                              FROM generate_series(1, 150 + ${H("g", 54)} % 300) AS k) w),
                   (ARRAY['Getting started','Account and billing','Integrations','Security','Reporting','Administration','API','Troubleshooting'])[1 + ${H("g", 55)} % 8],
                   ARRAY['bench', 'kb' || (g % 20)],
                   CASE WHEN g <= $3::int THEN 'published' WHEN g % 2 = 0 THEN 'draft' ELSE 'archived' END,
                   1 + ${H("g", 56)} % 3, ${H("g", 57)} % 40, ${H("g", 58)} % 10, 'Writer ' || (1 + g % 12),
                   $1::timestamptz - (30 + ${H("g", 59)} % 700) * interval '1 day',
                   $1::timestamptz - (${H("g", 60)} % 30) * interval '1 day' - g * interval '1 second',
                   CASE WHEN g <= $3::int THEN $1::timestamptz - (${H("g", 60)} % 30) * interval '1 day' END
              FROM generate_series(1, $3::int + $3::int / 10) AS g`,
      params: [now, [...VOCABULARY], scale.articles, RARE_WORDS, [...PHRASES]],
    },
    { label: "cleanup", sql: `DROP TABLE bench_acc`, params: [] },
  ];
}

/** Runs the generation on one session (the temporary table lives in it), then `analyze`; returns row counts. */
export async function seedToolsets(exec: Exec, scale: ToolsetsScale, now: Date, settings: SeedSettings, analyze: string, log: (m: string) => void): Promise<{ seconds: number; rows: SeededRows }> {
  const t0 = performance.now();
  for (const step of statements(scale, now.toISOString(), settings)) {
    const s0 = performance.now();
    await exec(step.sql, step.params);
    if (step.label !== "account draws" && step.label !== "cleanup") log(`  ${step.label}: ${((performance.now() - s0) / 1000).toFixed(1)} s`);
  }
  await exec(analyze);
  const seconds = Math.round(performance.now() - t0) / 1000;
  const [rows] = (await exec(
    `SELECT (SELECT count(*) FROM accounts)::int AS accounts, (SELECT count(*) FROM contacts)::int AS contacts,
            (SELECT count(*) FROM contracts)::int AS contracts, (SELECT count(*) FROM churn_predictions)::int AS churn_predictions,
            (SELECT count(*) FROM health_scores)::int AS health_scores, (SELECT count(*) FROM support_agents)::int AS support_agents,
            (SELECT count(*) FROM support_tickets)::int AS support_tickets, (SELECT count(*) FROM survey_responses)::int AS survey_responses,
            (SELECT count(*) FROM kb_articles)::int AS kb_articles, (SELECT count(*) FROM kb_articles WHERE status = 'published')::int AS kb_published`,
  )) as SeededRows[];
  return { seconds, rows: rows! };
}
