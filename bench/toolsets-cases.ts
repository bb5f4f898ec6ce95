// The five cases of the toolsets benchmark. Each times a tool call through the real ToolPipeline (zod
// input validation → handler → services → repositories → output-schema check) against a floor measured in
// the same run: the least work that produces the same rows or figures, written by hand as ONE SQL statement
// and sent straight to the driver. Every floor is checked against the tool's answer (same counts, same sums).
import { performance } from "node:perf_hooks";
import type { Config } from "../src/config/load.ts";
import type { Database } from "../src/db/database.ts";
import type { ToolPipeline } from "../src/server/pipeline.ts";
import { KnowledgeBaseRepository } from "../src/repositories/support-kb.ts";
import { alternate, ratioOf, stat, withMemory, type MemoryDelta, type PgProbe, type RunPlan, type Stat } from "./toolsets-measure.ts";
import { RARE_WORDS } from "./toolsets-seed.ts";
import { median } from "./stats.ts";

export interface CaseContext {
  db: Database;
  config: Config;
  pipeline: ToolPipeline;
  now: Date;
  probe: PgProbe | null;
  log: (m: string) => void;
  /** The pipeline's error log lines (JSON), where an internal error's reference leads to its cause. */
  errorLog: string[];
}

/** What the PostgreSQL probe saw during the tool calls: medians per call. */
export interface SqlShare {
  statements: number;
  busy_median_ms: number;
  /** Median over the calls of busy ÷ the call's wall time, %. */
  busy_percent: number;
}

export interface Check {
  compared: number;
  mismatches: string[];
}

const r2 = (v: number) => Math.round(v * 100) / 100;
const DAY_MS = 86_400_000;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function callTool(ctx: CaseContext, name: string, args: Record<string, unknown>): Promise<Json> {
  const r = await ctx.pipeline.call(name, args);
  if (r.isError) {
    const body = String((r.content[0] as { text?: string }).text ?? "");
    const ref = /reference ([0-9a-f]{8})/.exec(body)?.[1];
    const line = ref ? ctx.errorLog.find((l) => l.includes(ref)) : undefined;
    let cause = "";
    try {
      if (line) cause = ` — cause: ${String((JSON.parse(line) as { err?: { message?: string } }).err?.message ?? line).slice(0, 300)}`;
    } catch {
      cause = ` — ${line!.slice(0, 300)}`;
    }
    throw new Error(`${name} failed: ${body.slice(0, 300)}${cause}`);
  }
  return r.structuredContent as Json;
}

/** A tool call, timed; on PostgreSQL also the time with a statement in flight. */
async function timedTool(ctx: CaseContext, name: string, args: Record<string, unknown>, sql?: SqlSample[]): Promise<{ ms: number; data: Json }> {
  if (ctx.probe) {
    const r = await ctx.probe.around(() => callTool(ctx, name, args));
    sql?.push({ ...r.sql, ms: r.ms });
    return { ms: r.ms, data: r.value };
  }
  const t0 = performance.now();
  const data = await callTool(ctx, name, args);
  return { ms: performance.now() - t0, data };
}

async function timedSql<T = Json>(ctx: CaseContext, sql: string, params: unknown[]): Promise<{ ms: number; rows: T[] }> {
  const t0 = performance.now();
  const rows = await ctx.db.query<T>(sql, params);
  return { ms: performance.now() - t0, rows };
}

/** One tool call as the probe saw it: statements sent, time with one in flight, the call's wall time. */
type SqlSample = { statements: number; busy_ms: number; ms: number };

function sqlShare(samples: SqlSample[]): SqlShare | null {
  if (!samples.length) return null;
  return {
    statements: Math.round(median(samples.map((s) => s.statements))),
    busy_median_ms: r2(median(samples.map((s) => s.busy_ms))),
    busy_percent: Math.round(median(samples.map((s) => (s.busy_ms / s.ms) * 100)) * 10) / 10,
  };
}

function compare(pairs: Array<[string, unknown, unknown]>): Check {
  const mismatches: string[] = [];
  for (const [name, tool, floor] of pairs) {
    const a = tool === null || tool === undefined ? null : Number(tool);
    const b = floor === null || floor === undefined ? null : Number(floor);
    const same = a === null || b === null ? a === b : Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a));
    if (!same) mismatches.push(`${name}: tool ${String(tool)}, floor ${String(floor)}`);
  }
  return { compared: pairs.length, mismatches: mismatches.slice(0, 20) };
}

// ─── 1. send_personalized_email to every contact of the enterprise tier ─────────────────────────────────

export const EMAIL_TEMPLATE = {
  subject_line: "{{company_name}}: your quarterly check-in",
  body_html: "<p>Hi {{first_name}},</p><p>{{csm_name}} here from Customer Success. Your {{tier}} plan renews on {{renewal_date}}; reply to book your quarterly review.</p>",
  body_text: "Hi {{first_name}}, {{csm_name}} here from Customer Success. Your {{tier}} plan renews on {{renewal_date}}; reply to book your quarterly review.",
};

/**
 * The floor: ONE statement writing what the tool writes — the same email_sends rows (same subject, same
 * account/contact/outbox links) and the outbox rows carrying up to 1,000 recipients each with the same
 * rendered substitutions — from the same stored rows (tier, contacts not unsubscribed, next renewal date).
 * $1 today, $2 campaign id, $3 idempotency-key prefix, $4 max attempts, $5 now.
 */
export const EMAIL_FLOOR_SQL = `
WITH r AS MATERIALIZED (
  SELECT a.id AS account_id, c.id AS contact_id, lower(c.email) AS email, c.name,
         a.company_name || ': your quarterly check-in' AS subject,
         '<p>Hi ' || split_part(c.name, ' ', 1) || ',</p><p>' || a.csm_name || ' here from Customer Success. Your ' || a.tier::text
           || ' plan renews on ' || rd.d || '; reply to book your quarterly review.</p>' AS html,
         'Hi ' || split_part(c.name, ' ', 1) || ', ' || a.csm_name || ' here from Customer Success. Your ' || a.tier::text
           || ' plan renews on ' || rd.d || '; reply to book your quarterly review.' AS text,
         (row_number() OVER (ORDER BY a.id, c.is_primary DESC, lower(c.email)) - 1)::int AS k,
         gen_random_uuid()::text AS send_id
    FROM accounts a
    JOIN contacts c ON c.account_id = a.id
    LEFT JOIN LATERAL (SELECT to_char(min(x.renewal_date), 'YYYY-MM-DD') AS d FROM contracts x
                        WHERE x.account_id = a.id AND x.renewal_date >= $1::date AND x.status NOT IN ('cancelled', 'expired')) rd ON true
   WHERE a.tier = 'enterprise' AND a.status <> 'churned' AND c.unsubscribed_at IS NULL
), ob AS (
  INSERT INTO outbox_messages (id, integration, operation, payload, idempotency_key, max_attempts)
  SELECT gen_random_uuid()::text, 'sendgrid', 'sendgrid.send_batch',
         jsonb_build_object('tracking', jsonb_build_object('opens', true, 'clicks', true), 'categories', jsonb_build_array('email_campaign', 'check_in'),
                            'custom_args', jsonb_build_object('campaign_id', $2::text),
                            'subject', '{{subject_line}}', 'html', '{{html_body}}', 'text', '{{text_body}}',
                            'recipients', jsonb_agg(jsonb_build_object('email', email, 'name', name,
                                                      'substitutions', jsonb_build_object('subject_line', subject, 'html_body', html, 'text_body', text),
                                                      'custom_args', jsonb_build_object('email_send_id', send_id)) ORDER BY k)),
         $3::text || ':batch:' || (k / 1000 + 1), $4::int
    FROM r GROUP BY k / 1000
  RETURNING id, idempotency_key
)
INSERT INTO email_sends (id, campaign_id, account_id, contact_id, email, subject, status, outbox_id, sent_at)
SELECT r.send_id, $2::text, r.account_id, r.contact_id, r.email, r.subject, 'queued', ob.id, $5::timestamptz
  FROM r JOIN ob ON ob.idempotency_key = $3::text || ':batch:' || (r.k / 1000 + 1)`;

export interface EmailResult {
  recipients: number;
  accounts: number;
  outbox_rows: number;
  payload_mb: { tool: number; floor: number };
  tool: Stat & { memory: MemoryDelta };
  floor: Stat & { memory: MemoryDelta };
  ratio: number | null;
  per_recipient_us: { tool: number; floor: number };
  sql: SqlShare | null;
  check: Check;
}

export async function emailCase(ctx: CaseContext, plan: RunPlan): Promise<EmailResult> {
  const FLOOR_CAMPAIGN = "bench-floor-campaign";
  const today = ctx.now.toISOString().slice(0, 10);
  await ctx.db.query(`INSERT INTO email_campaigns (id, name, subject, status, created_at) VALUES ($1, 'Bench floor', 'floor', 'sending', $2) ON CONFLICT (id) DO NOTHING`, [FLOOR_CAMPAIGN, ctx.now.toISOString()]);
  const sql: SqlSample[] = [];
  const mem = { tool: [] as MemoryDelta[], floor: [] as MemoryDelta[] };
  let run = 0;
  let first: { tool?: Json; toolRows?: Json; floorRows?: Json } = {};

  const written = async (sendsWhere: string, outboxLike: string, param: string) => {
    const [s] = await ctx.db.query<Json>(`SELECT count(*)::int AS sends, count(DISTINCT account_id)::int AS accounts FROM email_sends WHERE ${sendsWhere}`, [param]);
    const [o] = await ctx.db.query<Json>(`SELECT count(*)::int AS rows, COALESCE(sum(octet_length(payload::text)), 0)::bigint AS bytes FROM outbox_messages WHERE idempotency_key LIKE $1`, [outboxLike]);
    return { sends: s!.sends, accounts: s!.accounts, outbox_rows: o!.rows, outbox_bytes: Number(o!.bytes) };
  };

  const tool = async () => {
    const key = `bench-${run++}`;
    const args = { campaign_name: "Bench quarterly check-in", template_type: "check_in", ...EMAIL_TEMPLATE, target_tier: "enterprise", recipient_scope: "all", idempotency_key: key };
    const m = await withMemory(() => timedTool(ctx, "send_personalized_email", args, sql));
    mem.tool.push(m.memory);
    const data = m.value.data;
    if (data.delivery?.status !== "queued") throw new Error(`send_personalized_email did not queue (delivery ${JSON.stringify(data.delivery?.status)}): is SendGrid configured?`);
    const id = data.campaign_id as string;
    if (!first.tool) first = { ...first, tool: data, toolRows: await written(`campaign_id = $1`, `email_campaign:${id}:%`, id) };
    // Untimed: remove what the call wrote, so every run starts from the same tables.
    await ctx.db.query(`DELETE FROM email_sends WHERE campaign_id = $1`, [id]);
    await ctx.db.query(`DELETE FROM outbox_messages WHERE idempotency_key LIKE $1`, [`email_campaign:${id}:%`]);
    await ctx.db.query(`DELETE FROM email_campaigns WHERE id = $1`, [id]);
    return m.ms;
  };
  const floor = async () => {
    const prefix = `bench_floor:${run++}`;
    const m = await withMemory(() => timedSql(ctx, EMAIL_FLOOR_SQL, [today, FLOOR_CAMPAIGN, prefix, ctx.config.OUTBOX_MAX_ATTEMPTS, ctx.now.toISOString()]));
    mem.floor.push(m.memory);
    if (!first.floorRows) first = { ...first, floorRows: await written(`campaign_id = $1`, `${prefix}:%`, FLOOR_CAMPAIGN) };
    await ctx.db.query(`DELETE FROM email_sends WHERE campaign_id = $1`, [FLOOR_CAMPAIGN]);
    await ctx.db.query(`DELETE FROM outbox_messages WHERE idempotency_key LIKE $1`, [`${prefix}:%`]);
    return m.value.ms;
  };

  const samples = await alternate({ tool, floor }, plan, ctx.log);
  const t = stat(samples.tool);
  const f = stat(samples.floor);
  const recipients = Number(first.tool!.resolution.recipients);
  const medianMem = (xs: MemoryDelta[]): MemoryDelta => ({ heap_peak_mb: r2(median(xs.map((x) => x.heap_peak_mb))), rss_peak_mb: r2(median(xs.map((x) => x.rss_peak_mb))) });
  const tr = first.toolRows!;
  const fr = first.floorRows!;
  return {
    recipients,
    accounts: Number(first.tool!.resolution.accounts),
    outbox_rows: tr.outbox_rows,
    payload_mb: { tool: r2(tr.outbox_bytes / 1048576), floor: r2(fr.outbox_bytes / 1048576) },
    tool: { ...t, memory: medianMem(mem.tool) },
    floor: { ...f, memory: medianMem(mem.floor) },
    ratio: ratioOf(t, f),
    per_recipient_us: { tool: r2((t.median_ms * 1000) / recipients), floor: r2((f.median_ms * 1000) / recipients) },
    sql: sqlShare(sql.slice(plan.warmup)),
    check: compare([
      ["email_sends rows", tr.sends, fr.sends],
      ["accounts", tr.accounts, fr.accounts],
      ["outbox rows", tr.outbox_rows, fr.outbox_rows],
      ["recipients reported", recipients, fr.sends],
    ]),
  };
}

// ─── 2. manage_knowledge_base search ───────────────────────────────────────────────────────────────────

/** The searches, from rare to common words. The ILIKE form of each: every `all` pattern, one of `any`, none of `none`. */
export const KB_QUERIES: Array<{ q: string; all?: string[]; any?: string[]; none?: string[] }> = [
  { q: RARE_WORDS[1234]!, all: [RARE_WORDS[1234]!] },
  { q: `${RARE_WORDS[2777]} settings`, all: [RARE_WORDS[2777]!, "settings"] },
  { q: '"api rate limit"', all: ["api rate limit"] },
  { q: "sso saml", all: ["sso", "saml"] },
  { q: "salesforce integration", all: ["salesforce", "integration"] },
  { q: "webhook retry", all: ["webhook", "retry"] },
  { q: "export -csv", all: ["export"], none: ["csv"] },
  { q: "password reset", all: ["password", "reset"] },
  { q: "invoice OR billing", any: ["invoice", "billing"] },
  { q: "account", all: ["account"] },
];

/** What a search would cost without the full-text index: a substring scan of every published article. */
export function ilikeSql(spec: { all?: string[]; any?: string[]; none?: string[] }): { sql: string; params: string[] } {
  const params: string[] = [];
  const p = (word: string) => (params.push(`%${word}%`), `(a.title || ' ' || a.body) ILIKE $${params.length}`);
  const conds = [...(spec.all ?? []).map(p)];
  if (spec.any?.length) conds.push(`(${spec.any.map(p).join(" OR ")})`);
  for (const w of spec.none ?? []) conds.push(`NOT ${p(w)}`);
  return {
    sql: `SELECT a.id, a.title, a.category, a.tags, a.status, a.version, a.helpful_votes, a.unhelpful_votes, a.author, a.created_at, a.updated_at, a.published_at,
                 count(*) OVER () AS total
            FROM kb_articles a
           WHERE a.status = 'published' AND ${conds.join(" AND ")}
           ORDER BY a.updated_at DESC, a.id
           LIMIT 20`,
    params,
  };
}

/** The statement the repository sends for a search, captured (so the floor is verbatim the same SQL). */
async function searchStatement(query: string): Promise<{ sql: string; params: unknown[] }> {
  let captured: { sql: string; params: unknown[] } | null = null;
  const fake = { $queryRawUnsafe: async (sql: string, ...params: unknown[]) => ((captured = { sql, params }), []) };
  await new KnowledgeBaseRepository(fake as never).search(query, { includeUnpublished: false }, 20, 0);
  return captured!;
}

export interface KbQueryResult {
  query: string;
  matches: number;
  ilike_matches: number;
  tool: Stat;
  floor: Stat;
  ilike: Stat;
}

export interface KbResult {
  published: number;
  queries: KbQueryResult[];
  overall: { tool: Stat; floor: Stat; ilike: Stat };
  ratios: { tool_to_floor: number | null; tool_to_ilike: number | null };
  sql: SqlShare | null;
}

export async function kbCase(ctx: CaseContext, plan: RunPlan): Promise<KbResult> {
  const [{ n: published }] = (await ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM kb_articles WHERE status = 'published'`)) as [{ n: number }];
  const sql: SqlSample[] = [];
  const results: KbQueryResult[] = [];
  const all = { tool: [] as number[], floor: [] as number[], ilike: [] as number[] };
  const statements = await Promise.all(KB_QUERIES.map((x) => searchStatement(x.q)));
  for (const [i, spec] of KB_QUERIES.entries()) {
    const st = statements[i]!;
    const il = ilikeSql(spec);
    let matches = 0;
    let ilikeMatches = 0;
    const s = await alternate(
      {
        tool: async () => {
          const r = await timedTool(ctx, "manage_knowledge_base", { action: "search", search_query: spec.q, limit: 20 }, sql);
          matches = Number(r.data.total);
          return r.ms;
        },
        floor: async () => (await timedSql(ctx, st.sql, st.params)).ms,
        ilike: async () => {
          const r = await timedSql<{ total: string }>(ctx, il.sql, il.params);
          ilikeMatches = r.rows.length ? Number(r.rows[0]!.total) : 0;
          return r.ms;
        },
      },
      plan,
    );
    all.tool.push(...s.tool);
    all.floor.push(...s.floor);
    all.ilike.push(...s.ilike);
    results.push({ query: spec.q, matches, ilike_matches: ilikeMatches, tool: stat(s.tool), floor: stat(s.floor), ilike: stat(s.ilike) });
    ctx.log(`    '${spec.q}': ${matches} matches; tool ${results[i]!.tool.median_ms} ms, floor ${results[i]!.floor.median_ms} ms, ILIKE ${results[i]!.ilike.median_ms} ms`);
  }

  const overall = { tool: stat(all.tool), floor: stat(all.floor), ilike: stat(all.ilike) };
  return {
    published,
    queries: results,
    overall,
    ratios: {
      tool_to_floor: ratioOf(overall.tool, overall.floor),
      tool_to_ilike: ratioOf(overall.tool, overall.ilike),
    },
    sql: sqlShare(sql),
  };
}

// ─── 3. analyze_support_performance, full breakdown ────────────────────────────────────────────────────

/**
 * The floor: ONE statement computing the same figures — per-period volume, response and resolution times
 * (median, mean, p90), SLA met/breached, CSAT, open now — for the whole selection, per team, per agent and
 * per priority (GROUPING SETS), and the open backlog now (its FILTERed columns on the grand-total row).
 * Agents are matched once per ticket by hash joins (email case-insensitively, else exact name).
 * $1 start, $2 end (= now), $3 satisfied from (4), $4 at-risk %, $5 no-response minutes, $6 no-resolution days.
 */
export const SUPPORT_FLOOR_SQL = `
WITH t AS (
  SELECT t.priority::text AS priority, t.created_at, t.first_response_at, t.first_response_due_at, t.resolution_due_at,
         t.satisfaction_rating, t.escalated, t.escalated_at, t.assigned_agent,
         COALESCE(t.team, ae.team, an.team) AS eff_team,
         NULLIF(COALESCE(ae.email, an.email, t.assigned_agent), '') AS agent_key,
         COALESCE(ae.name, an.name, t.assigned_agent) AS agent_label,
         COALESCE(t.first_response_at, t.resolved_at, t.closed_at) AS fr_ev,
         COALESCE(t.resolved_at, t.closed_at) AS res_ev,
         (t.created_at > $1::timestamptz AND t.created_at <= $2::timestamptz) AS c_in,
         (COALESCE(t.resolved_at, t.closed_at) > $1::timestamptz AND COALESCE(t.resolved_at, t.closed_at) <= $2::timestamptz) AS r_in,
         t.status IN ('open', 'pending', 'in_progress') AS is_open
    FROM support_tickets t
    LEFT JOIN support_agents ae ON lower(ae.email) = lower(t.assigned_agent)
    LEFT JOIN support_agents an ON ae.id IS NULL AND an.name = t.assigned_agent
), x AS (
  SELECT t.*,
         extract(epoch FROM (first_response_at - created_at)) / 60 AS fr_min,
         extract(epoch FROM (res_ev - created_at)) / 60 AS res_min,
         (fr_ev IS NOT NULL AND fr_ev > first_response_due_at) OR (fr_ev IS NULL AND is_open AND first_response_due_at < $2::timestamptz) AS fr_breached,
         (res_ev IS NOT NULL AND res_ev > resolution_due_at) OR (res_ev IS NULL AND is_open AND resolution_due_at < $2::timestamptz) AS res_breached
    FROM t
)
SELECT GROUPING(eff_team) AS g_team, GROUPING(agent_key) AS g_agent, GROUPING(priority) AS g_priority,
       eff_team, agent_key, priority, min(agent_label) AS agent_label,
       count(*) FILTER (WHERE c_in)::int AS created,
       count(*) FILTER (WHERE r_in)::int AS resolved,
       count(*) FILTER (WHERE is_open)::int AS open_now,
       count(*) FILTER (WHERE escalated_at > $1::timestamptz AND escalated_at <= $2::timestamptz)::int AS escalated,
       count(*) FILTER (WHERE c_in AND first_response_at IS NOT NULL)::int AS fr_n,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY fr_min) FILTER (WHERE c_in AND first_response_at IS NOT NULL) AS fr_median,
       avg(fr_min) FILTER (WHERE c_in AND first_response_at IS NOT NULL)::float8 AS fr_mean,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY fr_min) FILTER (WHERE c_in AND first_response_at IS NOT NULL) AS fr_p90,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY res_min) FILTER (WHERE r_in) AS res_median,
       avg(res_min) FILTER (WHERE r_in)::float8 AS res_mean,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY res_min) FILTER (WHERE r_in) AS res_p90,
       count(*) FILTER (WHERE c_in AND fr_ev IS NOT NULL AND fr_ev <= first_response_due_at)::int AS fr_met,
       count(*) FILTER (WHERE c_in AND fr_breached)::int AS fr_breached,
       count(*) FILTER (WHERE c_in AND res_ev IS NOT NULL AND res_ev <= resolution_due_at)::int AS res_met,
       count(*) FILTER (WHERE c_in AND res_breached)::int AS res_breached,
       count(*) FILTER (WHERE r_in AND satisfaction_rating IS NOT NULL)::int AS csat_n,
       count(*) FILTER (WHERE r_in AND satisfaction_rating >= $3::int)::int AS csat_high,
       -- the backlog now (read on the grand-total row)
       count(*) FILTER (WHERE is_open AND (assigned_agent IS NULL OR assigned_agent = ''))::int AS unassigned,
       count(*) FILTER (WHERE is_open AND created_at > $2::timestamptz - interval '1 day')::int AS age_under_1d,
       count(*) FILTER (WHERE is_open AND created_at <= $2::timestamptz - interval '30 days')::int AS age_30d_plus,
       count(*) FILTER (WHERE is_open AND (fr_breached OR res_breached))::int AS sla_breached,
       count(*) FILTER (WHERE is_open AND NOT (fr_breached OR res_breached) AND (
            (fr_ev IS NULL AND first_response_due_at >= $2::timestamptz AND extract(epoch FROM ($2::timestamptz - created_at)) * 100 >= extract(epoch FROM (first_response_due_at - created_at)) * $4::int)
         OR (res_ev IS NULL AND resolution_due_at >= $2::timestamptz AND extract(epoch FROM ($2::timestamptz - created_at)) * 100 >= extract(epoch FROM (resolution_due_at - created_at)) * $4::int)))::int AS sla_at_risk,
       count(*) FILTER (WHERE is_open AND NOT escalated AND ((first_response_at IS NULL AND created_at < $2::timestamptz - make_interval(mins => $5::int))
                                                            OR created_at < $2::timestamptz - make_interval(days => $6::int)))::int AS escalation_due,
       min(created_at) FILTER (WHERE is_open) AS oldest_open
  FROM x
 GROUP BY GROUPING SETS ((), (eff_team), (agent_key), (priority))`;

export interface SupportResult {
  tickets: number;
  period_days: number;
  tool: Stat;
  floor: Stat;
  ratio: number | null;
  groups: { teams: number; agents: number; priorities: number };
  sql: SqlShare | null;
  check: Check;
}

export async function supportCase(ctx: CaseContext, plan: RunPlan): Promise<SupportResult> {
  const periodDays = 365;
  const [{ n: tickets }] = (await ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM support_tickets`)) as [{ n: number }];
  const start = new Date(ctx.now.getTime() - periodDays * DAY_MS);
  const params = [start.toISOString(), ctx.now.toISOString(), 4, ctx.config.SLA_AT_RISK_PERCENT, ctx.config.ESCALATE_NO_RESPONSE_MINUTES, ctx.config.ESCALATE_NO_RESOLUTION_DAYS];
  const sql: SqlSample[] = [];
  let tool: Json = {};
  let floorRows: Json[] = [];
  const s = await alternate(
    {
      tool: async () => {
        const r = await timedTool(ctx, "analyze_support_performance", { analysis_type: "full", period_days: periodDays }, sql);
        tool = r.data;
        return r.ms;
      },
      floor: async () => {
        const r = await timedSql(ctx, SUPPORT_FLOOR_SQL, params);
        floorRows = r.rows;
        return r.ms;
      },
    },
    plan,
    ctx.log,
  );
  const t = stat(s.tool);
  const f = stat(s.floor);
  const total = floorRows.find((r) => r.g_team === 1 && r.g_agent === 1 && r.g_priority === 1) ?? {};
  const teams = floorRows.filter((r) => r.g_team === 0);
  const agents = floorRows.filter((r) => r.g_agent === 0);
  const round1 = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10);
  const tt = tool.totals;
  const pairs: Array<[string, unknown, unknown]> = [
    ["created", tt.tickets_created, total.created],
    ["resolved", tt.tickets_resolved, total.resolved],
    ["open_now", tt.open_now, total.open_now],
    ["escalated", tt.escalated, total.escalated],
    ["first response median", tt.first_response_minutes.median, round1(total.fr_median)],
    ["first response p90", tt.first_response_minutes.p90, round1(total.fr_p90)],
    ["resolution mean", tt.resolution_minutes.mean, round1(total.res_mean)],
    ["resolution p90", tt.resolution_minutes.p90, round1(total.res_p90)],
    ["SLA first response met", tt.sla.first_response.met, total.fr_met],
    ["SLA resolution breached", tt.sla.resolution.breached, total.res_breached],
    ["CSAT answers", tt.csat.responses, total.csat_n],
    ["CSAT satisfied", tt.csat.satisfied, total.csat_high],
    ["backlog unassigned", tool.backlog.unassigned, total.unassigned],
    ["backlog under 1 day", tool.backlog.by_age.under_1_day, total.age_under_1d],
    ["backlog 30 days or more", tool.backlog.by_age["30_days_or_more"], total.age_30d_plus],
    ["backlog SLA breached", tool.backlog.sla_breached, total.sla_breached],
    ["backlog SLA at risk", tool.backlog.sla_at_risk, total.sla_at_risk],
    ["backlog escalation due", tool.backlog.escalation_due, total.escalation_due],
    ["teams", (tool.by_team as Json[]).length, teams.length],
    ["agents", (tool.by_agent as Json[]).length, agents.length],
  ];
  for (const g of tool.by_team as Json[]) {
    const fl = teams.find((r) => (r.eff_team ?? null) === g.key);
    pairs.push([`team ${g.label} created`, g.tickets_created, fl?.created], [`team ${g.label} resolution median`, g.resolution_minutes.median, round1(fl?.res_median)]);
  }
  for (const g of (tool.by_agent as Json[]).slice(0, 10)) {
    const fl = agents.find((r) => (r.agent_key ?? null) === g.key);
    pairs.push([`agent ${g.label} SLA resolution met`, g.sla.resolution.met, fl?.res_met]);
  }
  return {
    tickets,
    period_days: periodDays,
    tool: t,
    floor: f,
    ratio: ratioOf(t, f),
    groups: { teams: (tool.by_team as Json[]).length, agents: (tool.by_agent as Json[]).length, priorities: (tool.by_priority as Json[]).length },
    sql: sqlShare(sql.slice(plan.warmup)),
    check: compare(pairs),
  };
}

// ─── 4. forecast_renewals and track_revenue_expansion ──────────────────────────────────────────────────

/**
 * Floor of forecast_renewals: ONE aggregate over the renewals in the window with each account's latest
 * stored churn prediction — due ARR, expected ARR (ARR × probability, probability = 1 − churn + the
 * auto-renew uplift, capped at 1, rounded to cents per renewal), ARR at risk. Nothing is stored.
 * $1 from, $2 to (dates), $3 now, $4 oldest usable prediction, $5 uplift, $6 medium-risk threshold.
 */
export const FORECAST_FLOOR_SQL = `
WITH r AS (
  SELECT c.contract_value AS arr, c.auto_renew, p.probability
    FROM contracts c
    JOIN accounts a ON a.id = c.account_id AND a.status = 'active'
    LEFT JOIN LATERAL (SELECT cp.probability FROM churn_predictions cp
                        WHERE cp.account_id = a.id AND cp.predicted_at <= $3::timestamptz AND cp.predicted_at >= $4::timestamptz
                        ORDER BY cp.predicted_at DESC, cp.id DESC LIMIT 1) p ON true
   WHERE c.status = 'active' AND COALESCE(c.renewal_date, c.end_date) BETWEEN $1::date AND $2::date
), q AS (
  SELECT arr, probability, LEAST(1, round(1 - probability, 4) + CASE WHEN auto_renew THEN $5::numeric ELSE 0 END) AS p FROM r
)
SELECT count(*)::int AS renewals, COALESCE(sum(arr), 0)::text AS due, COALESCE(sum(round(arr * p, 2)), 0)::text AS expected,
       COALESCE(sum(arr) FILTER (WHERE round(1 - p, 4) >= $6::numeric), 0)::text AS at_risk,
       count(*) FILTER (WHERE round(1 - p, 4) >= $6::numeric)::int AS at_risk_renewals,
       count(*) FILTER (WHERE probability IS NULL)::int AS without_prediction
  FROM q`;

/**
 * Floor of track_revenue_expansion: ONE aggregate of the GRR / NRR inputs — each account's ARR on the period's
 * first and last day from the contracts in force, churn inside the period, and the cohort's sums.
 * $1 first day, $2 day the ending ARR is read, $3 start instant, $4 end cut.
 */
export const REVENUE_FLOOR_SQL = `
WITH acc AS (
  SELECT a.id,
         CASE WHEN a.churned_at IS NOT NULL AND a.churned_at < $3::timestamptz THEN 0
              ELSE COALESCE(sum(c.contract_value) FILTER (WHERE c.start_date <= $1::date AND (c.end_date IS NULL OR c.end_date > $1::date)), 0) END AS s,
         CASE WHEN a.churned_at IS NOT NULL AND a.churned_at < $4::timestamptz THEN 0
              ELSE COALESCE(sum(c.contract_value) FILTER (WHERE c.start_date <= $2::date AND (c.end_date IS NULL OR c.end_date > $2::date)), 0) END AS e,
         COALESCE(a.churned_at >= $3::timestamptz AND a.churned_at < $4::timestamptz, false) AS churned_in
    FROM accounts a JOIN contracts c ON c.account_id = a.id
   GROUP BY a.id
), k AS (
  SELECT s, e, (e <= 0 OR churned_in) AS churned FROM acc WHERE s > 0
)
SELECT count(*)::int AS cohort, COALESCE(sum(s), 0)::text AS starting,
       COALESCE(sum(CASE WHEN churned THEN 0 ELSE e END), 0)::text AS ending,
       COALESCE(sum(e - s) FILTER (WHERE NOT churned AND e > s), 0)::text AS expansion,
       COALESCE(sum(s - e) FILTER (WHERE NOT churned AND e < s), 0)::text AS contraction,
       COALESCE(sum(s) FILTER (WHERE churned), 0)::text AS churned,
       count(*) FILTER (WHERE churned)::int AS accounts_churned,
       (SELECT count(*) FROM acc WHERE s <= 0 AND e > 0)::int AS new_accounts
  FROM k`;

export interface RevenueResult {
  contracts: number;
  forecast: { renewals: number; stored_per_call: number; tool: Stat; floor: Stat; ratio: number | null; sql: SqlShare | null; check: Check };
  forecast_computed: { renewals: number; tool: Stat; ratio_to_floor: number | null; sql: SqlShare | null };
  revenue: { cohort: number; period: string; tool: Stat; floor: Stat; ratio: number | null; sql: SqlShare | null; check: Check };
}

export async function revenueCase(ctx: CaseContext, plan: RunPlan): Promise<RevenueResult> {
  const [{ n: contracts }] = (await ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM contracts`)) as [{ n: number }];
  const maxAge = 30;
  const since = new Date(ctx.now.getTime() - maxAge * DAY_MS).toISOString();
  const sqlF: SqlSample[] = [];
  const sqlC: SqlSample[] = [];
  const sqlR: SqlSample[] = [];
  let forecast: Json = {};
  let computed: Json = {};
  let floorRow: Json = {};
  // The window the tool reads (today .. today + 180, UTC days) comes from its own answer, so the floor reads the same one.
  const first = await callTool(ctx, "forecast_renewals", { forecast_period_days: 180, prediction_max_age_days: maxAge, limit: 8 });
  const fParams = [first.window.from, first.window.to, ctx.now.toISOString(), since, ctx.config.RENEWAL_AUTO_RENEW_UPLIFT, ctx.config.CHURN_MEDIUM_FROM];
  ctx.log("    forecast_renewals (stored churn predictions) vs its floor; and with prediction_max_age_days 0 (churn computed now)");
  const fs = await alternate(
    {
      tool: async () => {
        const r = await timedTool(ctx, "forecast_renewals", { forecast_period_days: 180, prediction_max_age_days: maxAge, limit: 8 }, sqlF);
        forecast = r.data;
        return r.ms;
      },
      computed: async () => {
        const r = await timedTool(ctx, "forecast_renewals", { forecast_period_days: 180, prediction_max_age_days: 0, limit: 8 }, sqlC);
        computed = r.data;
        return r.ms;
      },
      floor: async () => {
        const r = await timedSql(ctx, FORECAST_FLOOR_SQL, fParams);
        floorRow = r.rows[0]!;
        return r.ms;
      },
    },
    plan,
    ctx.log,
  );

  const rev0 = await callTool(ctx, "track_revenue_expansion", { time_period: "quarterly" });
  const startDay = rev0.period.start as string;
  const endDay = rev0.period.ending_arr_read_on as string;
  const endCut = rev0.period.complete ? new Date(Date.parse(`${rev0.period.end}T00:00:00Z`) + DAY_MS) : ctx.now;
  const rParams = [startDay, endDay, `${startDay}T00:00:00.000Z`, endCut.toISOString()];
  let revenue: Json = {};
  let revFloor: Json = {};
  ctx.log("    track_revenue_expansion (quarterly) vs its floor");
  const rs = await alternate(
    {
      tool: async () => {
        const r = await timedTool(ctx, "track_revenue_expansion", { time_period: "quarterly" }, sqlR);
        revenue = r.data;
        return r.ms;
      },
      floor: async () => {
        const r = await timedSql(ctx, REVENUE_FLOOR_SQL, rParams);
        revFloor = r.rows[0]!;
        return r.ms;
      },
    },
    plan,
    ctx.log,
  );
  const ft = stat(fs.tool);
  const fc = stat(fs.computed);
  const ff = stat(fs.floor);
  const rt = stat(rs.tool);
  const rf = stat(rs.floor);
  const S = Number(revFloor.starting);
  const pct = (v: number) => Math.round((v / S) * 10_000) / 100;
  const tot = revenue.totals;
  return {
    contracts,
    forecast: {
      renewals: forecast.totals.renewals,
      stored_per_call: forecast.stored_forecasts,
      tool: ft,
      floor: ff,
      ratio: ratioOf(ft, ff),
      sql: sqlShare(sqlF.slice(plan.warmup)),
      check: compare([
        ["renewals", forecast.totals.renewals, floorRow.renewals],
        ["due", forecast.totals.due, floorRow.due],
        ["expected", forecast.totals.expected, floorRow.expected],
        ["at risk", forecast.totals.at_risk, floorRow.at_risk],
        ["at-risk renewals", forecast.totals.at_risk_renewals, floorRow.at_risk_renewals],
        ["renewals without a usable stored prediction", 0, floorRow.without_prediction],
      ]),
    },
    forecast_computed: { renewals: computed.totals.renewals, tool: fc, ratio_to_floor: ratioOf(fc, ff), sql: sqlShare(sqlC.slice(plan.warmup)) },
    revenue: {
      cohort: tot.cohort_accounts,
      period: `${revenue.period.start}..${revenue.period.end}`,
      tool: rt,
      floor: rf,
      ratio: ratioOf(rt, rf),
      sql: sqlShare(sqlR.slice(plan.warmup)),
      check: compare([
        ["cohort accounts", tot.cohort_accounts, revFloor.cohort],
        ["starting ARR", tot.starting_arr, revFloor.starting],
        ["ending ARR", tot.ending_arr, revFloor.ending],
        ["expansion", tot.expansion_arr, revFloor.expansion],
        ["contraction", tot.contraction_arr, revFloor.contraction],
        ["churned ARR", tot.churned_arr, revFloor.churned],
        ["accounts churned", tot.accounts_churned, revFloor.accounts_churned],
        ["new accounts", tot.new_accounts_excluded, revFloor.new_accounts],
        ["GRR %", tot.grr_percent, Math.min(100, pct(S - Number(revFloor.churned) - Number(revFloor.contraction)))],
        ["NRR %", tot.nrr_percent, pct(S + Number(revFloor.expansion) - Number(revFloor.contraction) - Number(revFloor.churned))],
      ]),
    },
  };
}

// ─── 5. track_cs_metrics: NPS per month over 12 months ─────────────────────────────────────────────────

/** Floor: ONE GROUP BY (with ROLLUP for the period total) of the NPS answers per calendar month. $1 first instant, $2 end (exclusive). */
export const METRICS_FLOOR_SQL = `
SELECT to_char(date_trunc('month', responded_at AT TIME ZONE 'UTC'), 'YYYY-MM') AS month,
       count(*)::int AS n, count(*) FILTER (WHERE score >= 9)::int AS promoters, count(*) FILTER (WHERE score <= 6)::int AS detractors,
       count(DISTINCT account_id)::int AS accounts
  FROM survey_responses
 WHERE survey_type = 'nps' AND responded_at >= $1::timestamptz AND responded_at < $2::timestamptz
 GROUP BY ROLLUP (1)
 ORDER BY 1 NULLS LAST`;

export interface MetricsResult {
  responses: number;
  buckets: number;
  period: string;
  tool: Stat;
  floor: Stat;
  ratio: number | null;
  sql: SqlShare | null;
  check: Check;
}

export async function metricsCase(ctx: CaseContext, plan: RunPlan): Promise<MetricsResult> {
  const [{ n: responses }] = (await ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM survey_responses`)) as [{ n: number }];
  const args = { metric_type: "nps", period: "last_12_months", granularity: "month" };
  const first = await callTool(ctx, "track_cs_metrics", args);
  const from = `${first.period.start}T00:00:00.000Z`;
  const to = new Date(Date.parse(`${first.period.end}T00:00:00Z`) + DAY_MS).toISOString();
  const sql: SqlSample[] = [];
  let tool: Json = {};
  let rows: Json[] = [];
  const s = await alternate(
    {
      tool: async () => {
        const r = await timedTool(ctx, "track_cs_metrics", args, sql);
        tool = r.data;
        return r.ms;
      },
      floor: async () => {
        const r = await timedSql(ctx, METRICS_FLOOR_SQL, [from, to]);
        rows = r.rows;
        return r.ms;
      },
    },
    plan,
    ctx.log,
  );
  const t = stat(s.tool);
  const f = stat(s.floor);
  const pairs: Array<[string, unknown, unknown]> = [];
  const total = rows.find((r) => r.month === null)!;
  pairs.push(["period answers", tool.summary.period_count, total.n], ["period promoters", tool.summary.period_details.promoters, total.promoters]);
  for (const p of tool.series as Json[]) {
    const fl = rows.find((r) => r.month === String(p.bucket_start).slice(0, 7));
    pairs.push([`${p.bucket_start} answers`, p.count, fl?.n ?? 0], [`${p.bucket_start} detractors`, p.details.detractors, fl?.detractors ?? 0], [`${p.bucket_start} accounts`, p.details.accounts, fl?.accounts ?? 0]);
  }
  return {
    responses,
    buckets: (tool.series as Json[]).length,
    period: `${tool.period.start}..${tool.period.end}`,
    tool: t,
    floor: f,
    ratio: ratioOf(t, f),
    sql: sqlShare(sql.slice(plan.warmup)),
    check: compare(pairs),
  };
}

// ─── The embedded database before its first VACUUM ───────────────────────────────────────────────────

export interface GinPendingProbe {
  /** The searches as generated (the GIN index's pending list still holding the new entries). */
  queries: Array<{ query: string; matches: number; tool_ms: number; floor_ms: number }>;
  vacuum_seconds: number;
}

/**
 * PGlite runs no autovacuum. With fastupdate on, a GIN index keeps new entries in a pending list until a
 * VACUUM and the planner avoids it meanwhile; the product's index is built with fastupdate off (migration
 * 20261122170000). This times two searches as generated (medians of `runs`), before any VACUUM, then
 * VACUUM ANALYZEs the whole database, the state every case then measures: the two should be alike.
 */
export async function ginPendingProbe(ctx: CaseContext, runs: number): Promise<GinPendingProbe> {
  const queries: GinPendingProbe["queries"] = [];
  for (const spec of [KB_QUERIES[0]!, KB_QUERIES[7]!]) {
    const st = await searchStatement(spec.q);
    let matches = 0;
    const s = await alternate(
      {
        tool: async () => {
          const r = await timedTool(ctx, "manage_knowledge_base", { action: "search", search_query: spec.q, limit: 20 });
          matches = Number(r.data.total);
          return r.ms;
        },
        floor: async () => (await timedSql(ctx, st.sql, st.params)).ms,
      },
      { warmup: 0, runs, budgetSeconds: 30 },
    );
    queries.push({ query: spec.q, matches, tool_ms: r2(median(s.tool)), floor_ms: r2(median(s.floor)) });
  }
  const t0 = performance.now();
  await ctx.db.query("VACUUM ANALYZE");
  return { queries, vacuum_seconds: r2((performance.now() - t0) / 1000) };
}
