// The health formulas of components.ts written once more in SQL, for scoring a whole portfolio inside the
// database (INSERT … SELECT into a run table) instead of carrying every account's signals into
// JavaScript. The figures must equal components.ts to the last bit, so every step repeats the JavaScript
// arithmetic in the same order on float8 (IEEE doubles, as JS numbers are): constants are float8 literals
// (never numeric), sums run left to right with a missing term added as an exact 0, and Math.round is
// jsRound below (half up; PostgreSQL's round() on float8 rounds half to even). The equivalence test
// (tests/integration/portfolio-scoring-equivalence.test.ts) compares both paths account by account.
// Each step is a LATERAL subquery fenced with OFFSET 0: pulled up, the planner would substitute every
// named value into the next step's expression and the repeated references (jsRound reads its argument
// three times) would grow the expression tree exponentially.
import {
  accountBaseSql,
  escalationSignalsSql,
  invoiceSignalsSql,
  standardHealthRun,
  surveySignalsSql,
  ticketSignalsSql,
  usageSignalsSql,
} from "../../repositories/health-signals.ts";
import { f8 as f, jsRound } from "../../db/sql-float8.ts";
import { MIN_COVERAGE, PAYMENT_RULES, SUPPORT_PENALTIES, USAGE_TARGET_DAYS_PER_WEEK } from "./components.ts";

/** Math.min(hi, Math.max(lo, v)). */
const clamp = (v: string, lo = "0::float8", hi = "100::float8") => `least(${hi}, greatest(${lo}, ${v}))`;

/** Columns of the run table, in the order the scoring statement fills them. */
export const RUN_COLUMNS = `account_id text PRIMARY KEY, overall int, rated int, coverage float8, usage_score int, engagement_score int,
  support_score int, satisfaction_score int, payment_score int, weights jsonb NOT NULL, missing text[] NOT NULL, trend text, band text NOT NULL,
  alert bool NOT NULL, rank float8 NOT NULL`;

/**
 * Parameters of scoringSql, all text cast in SQL: $1 first account id of the chunk, $2 first id after it
 * (only when `bounded`), $3 now, $4 start of the current window, $5 of the previous one, $6 of the
 * satisfaction window, $7 today (UTC date), $8 lookback days, $9 feature catalog, $10–$14 weights (usage,
 * engagement, support, satisfaction, payment), $15 trend delta, $16 at-risk-below, $17 healthy-from,
 * $18 champion-from, $19 now in ms, $20 risk threshold.
 */
export function scoringSql(runTable: string, bounded: boolean): string {
  // The last chunk has no upper bound ($2 null; still referenced, as every parameter must be).
  const accFilter = `a.status = 'active' AND a.id >= $1::text AND ${bounded ? "a.id < $2::text" : "$2::text IS NULL"}`;
  const childFilter = `x.account_id >= $1::text${bounded ? " AND x.account_id < $2::text" : ""}`;
  const w = { now: "$3", cur: "$4", prev: "$5" };
  const L = "$8::float8";
  const catalog = "$9::int";
  const W = { u: "$10::float8", e: "$11::float8", s: "$12::float8", sat: "$13::float8", p: "$14::float8" };
  const S = SUPPORT_PENALTIES;
  const P = PAYMENT_RULES;
  const used = (c: string, weight: string) => `(CASE WHEN r.${c} IS NULL THEN 0::float8 WHEN k.sump > 0 THEN ${weight} / k.sump ELSE 1::float8 / k.np END)`;
  return `INSERT INTO ${runTable} (account_id, overall, rated, coverage, usage_score, engagement_score, support_score, satisfaction_score, payment_score,
                                    weights, missing, trend, band, alert, rank)
WITH acc AS (${accountBaseSql(accFilter)}),
     u AS (${usageSignalsSql(childFilter, w)}),
     t AS (${ticketSignalsSql(childFilter, w)}),
     e AS (${escalationSignalsSql(childFilter, w)}),
     s AS (${surveySignalsSql(childFilter, { now: "$3", sat: "$6", cur: "$4" })}),
     i AS (${invoiceSignalsSql(childFilter, "$7")})
SELECT acc.id, g.overall, g.rated, k.coverage, r.cu, r.ce, r.cs, r.csat, r.cp,
       jsonb_build_object('usage', ${used("cu", W.u)}, 'engagement', ${used("ce", W.e)}, 'support', ${used("cs", W.s)},
                          'satisfaction', ${used("csat", W.sat)}, 'payment', ${used("cp", W.p)}),
       array_remove(ARRAY[CASE WHEN r.cu IS NULL THEN 'usage' END, CASE WHEN r.ce IS NULL THEN 'engagement' END, CASE WHEN r.cs IS NULL THEN 'support' END,
                          CASE WHEN r.csat IS NULL THEN 'satisfaction' END, CASE WHEN r.cp IS NULL THEN 'payment' END], NULL),
       CASE WHEN g.rated IS NULL THEN NULL WHEN ph.overall_score IS NULL THEN 'stable'
            WHEN (g.rated - ph.overall_score)::float8 > $15::float8 THEN 'up' WHEN (ph.overall_score - g.rated)::float8 > $15::float8 THEN 'down' ELSE 'stable' END,
       CASE WHEN g.rated IS NULL THEN 'insufficient_data' WHEN g.rated >= $18::float8 THEN 'champion' WHEN g.rated >= $17::float8 THEN 'healthy'
            WHEN g.rated < $16::float8 THEN 'at_risk' ELSE 'needs_attention' END,
       COALESCE(g.rated < $20::float8, false),
       -- the answer's order: rated accounts lowest first, then insufficient data, then no data at all
       CASE WHEN g.overall IS NULL THEN 202::float8 WHEN g.rated IS NULL THEN 101::float8 + g.overall::float8 / 1000::float8 ELSE g.overall::float8 END
  FROM acc
  LEFT JOIN u ON u.account_id = acc.id
  LEFT JOIN t ON t.account_id = acc.id
  LEFT JOIN e ON e.account_id = acc.id
  LEFT JOIN s ON s.account_id = acc.id
  LEFT JOIN i ON i.account_id = acc.id
  -- the latest standard run's score: the previous score of the trend
  LEFT JOIN LATERAL (SELECT h.overall_score FROM health_scores h
                      WHERE h.account_id = acc.id AND h.calculated_at <= $3::timestamptz AND ${standardHealthRun("h")}
                      ORDER BY h.calculated_at DESC, h.id DESC LIMIT 1) ph ON true
  -- usage and engagement inputs (components.ts usageScore, engagementScore)
  CROSS JOIN LATERAL (SELECT (CASE WHEN acc.seats > 0 THEN acc.seats ELSE greatest(1, u.users_prev) END)::float8 AS baseline,
                             greatest(0::float8, ($19::float8 - (extract(epoch FROM u.last_at) * 1000)::float8) / ${f(86_400_000)}) AS since OFFSET 0) b
  CROSS JOIN LATERAL (SELECT least(1::float8, u.users_cur::float8 / b.baseline) AS breadth,
                             least(1::float8, u.user_days_cur::float8 / ((b.baseline * ${f(USAGE_TARGET_DAYS_PER_WEEK)}) * (${L} / 7::float8))) AS intensity,
                             least(1::float8, u.days_cur::float8 / ((${L} * 5::float8) / 7::float8)) AS days,
                             greatest(0::float8, 1::float8 - b.since / ${L}) AS recency,
                             CASE WHEN t.account_id IS NOT NULL AND t.csat_n > 0 AND t.csat_avg IS NOT NULL THEN 5::float8 * (t.csat_avg - 3::float8) ELSE 0::float8 END AS tcsat,
                             CASE WHEN acc.has_contract THEN COALESCE(acc.payment_status, 'current') END AS pay_status OFFSET 0) m
  CROSS JOIN LATERAL (SELECT CASE WHEN s.nps_n > 0 THEN ((((s.promoters - s.detractors)::float8 / s.nps_n::float8) * 100::float8) + 100::float8) / 2::float8 END AS np,
                             CASE WHEN s.csat_n > 0 THEN (s.csat_pos::float8 / s.csat_n::float8) * 100::float8 END AS cp,
                             CASE WHEN s.ces_n > 0 AND s.ces_avg IS NOT NULL THEN ((s.ces_avg - 1::float8) / 6::float8) * 100::float8 END AS ep,
                             CASE m.pay_status WHEN 'failed' THEN ${P.cap_failed_status} WHEN 'overdue' THEN ${P.cap_overdue_status} ELSE 100 END AS cap OFFSET 0) q
  -- the five component values before rounding (null: no data for the component)
  CROSS JOIN LATERAL (SELECT
      CASE WHEN u.account_id IS NOT NULL THEN ${clamp(`((${f(0.6)} * m.breadth) + (${f(0.4)} * m.intensity)) * 100::float8`)} END AS vu,
      CASE WHEN u.account_id IS NULL THEN NULL
           WHEN ${catalog} > 0 THEN ${clamp(`(((${f(0.4)} * least(1::float8, u.features_cur::float8 / ${catalog}::float8)) + (${f(0.35)} * m.days)) + (${f(0.25)} * m.recency)) / ((${f(0.4)} + ${f(0.35)}) + ${f(0.25)}) * 100::float8`)}
           ELSE ${clamp(`((${f(0.35)} * m.days) + (${f(0.25)} * m.recency)) / (${f(0.35)} + ${f(0.25)}) * 100::float8`)} END AS ve,
      CASE WHEN t.account_id IS NULL AND e.account_id IS NULL THEN NULL
           ELSE ${clamp(`(100 - least(${S.open_cap}, ${S.P1} * COALESCE(t.open_p1, 0) + ${S.P2} * COALESCE(t.open_p2, 0) + ${S.P3} * COALESCE(t.open_p3, 0) + ${S.P4} * COALESCE(t.open_p4, 0))
                              - least(${S.sla_cap}, ${S.sla_breach} * COALESCE(t.sla_breaches, 0)) - least(${S.escalation_cap}, ${S.escalation} * COALESCE(e.open_escalations, 0)))::float8 + m.tcsat`)} END AS vs,
      CASE WHEN s.account_id IS NULL OR s.nps_n + s.csat_n + s.ces_n = 0 THEN NULL
           ELSE ${clamp(`((COALESCE(q.np, 0::float8) + COALESCE(q.cp, 0::float8)) + COALESCE(q.ep, 0::float8)) / ((q.np IS NOT NULL)::int + (q.cp IS NOT NULL)::int + (q.ep IS NOT NULL)::int)::float8`)} END AS vsat,
      CASE WHEN i.account_id IS NOT NULL AND i.invoices_n > 0
           THEN ${clamp(`(100::float8 - ((${P.per_overdue} * i.overdue_n)::float8 + (${f(P.per_overdue_day)} * i.overdue_days_capped::float8))) - (${P.per_paid_late} * least(${P.paid_late_cap}, i.paid_late_n))::float8`, "0::float8", "q.cap::float8")} END AS vp,
      CASE WHEN (i.account_id IS NULL OR i.invoices_n = 0) AND m.pay_status IS NOT NULL THEN q.cap END AS vp_status OFFSET 0) v
  CROSS JOIN LATERAL (SELECT ${jsRound("v.vu")}::int AS cu, ${jsRound("v.ve")}::int AS ce, ${jsRound("v.vs")}::int AS cs, ${jsRound("v.vsat")}::int AS csat,
                             COALESCE(${jsRound("v.vp")}::int, v.vp_status) AS cp OFFSET 0) r
  -- composite.ts: present weights renormalised; coverage = share of the configured weight with data
  CROSS JOIN LATERAL (SELECT ((((CASE WHEN r.cu IS NULL THEN 0::float8 ELSE ${W.u} END) + (CASE WHEN r.ce IS NULL THEN 0::float8 ELSE ${W.e} END))
                                + (CASE WHEN r.cs IS NULL THEN 0::float8 ELSE ${W.s} END)) + (CASE WHEN r.csat IS NULL THEN 0::float8 ELSE ${W.sat} END))
                                + (CASE WHEN r.cp IS NULL THEN 0::float8 ELSE ${W.p} END) AS sump,
                             (r.cu IS NOT NULL)::int + (r.ce IS NOT NULL)::int + (r.cs IS NOT NULL)::int + (r.csat IS NOT NULL)::int + (r.cp IS NOT NULL)::int AS np,
                             (((${W.u} + ${W.e}) + ${W.s}) + ${W.sat}) + ${W.p} AS sumall OFFSET 0) k0
  CROSS JOIN LATERAL (SELECT k0.sump, k0.np,
                             CASE WHEN k0.sumall <= 0 THEN 0::float8 ELSE ${jsRound("(k0.sump / k0.sumall) * 100::float8")} / 100::float8 END AS coverage OFFSET 0) k
  CROSS JOIN LATERAL (SELECT CASE WHEN k.np = 0 THEN NULL ELSE ${jsRound(clamp(`(((((${used("cu", W.u)} * COALESCE(r.cu, 0)::float8) + (${used("ce", W.e)} * COALESCE(r.ce, 0)::float8))
                                + (${used("cs", W.s)} * COALESCE(r.cs, 0)::float8)) + (${used("csat", W.sat)} * COALESCE(r.csat, 0)::float8))
                                + (${used("cp", W.p)} * COALESCE(r.cp, 0)::float8))`))}::int END AS overall OFFSET 0) g0
  CROSS JOIN LATERAL (SELECT g0.overall,
                             CASE WHEN g0.overall IS NULL OR (r.cu IS NULL AND r.ce IS NULL) OR k.coverage < ${f(MIN_COVERAGE)} THEN NULL ELSE g0.overall END AS rated OFFSET 0) g`;
}

/** Totals of a run table: what HealthScoreService.portfolio() counts, counted by the database. */
export const runTotalsSql = (runTable: string) => `SELECT count(*)::int AS accounts,
       count(*) FILTER (WHERE rated IS NOT NULL)::int AS scored,
       count(*) FILTER (WHERE overall IS NOT NULL AND rated IS NULL)::int AS insufficient_data,
       COALESCE(sum(rated), 0)::float8 AS score_sum,
       count(*) FILTER (WHERE alert)::int AS alerts,
       count(*) FILTER (WHERE overall IS NOT NULL AND band = 'at_risk')::int AS at_risk,
       count(*) FILTER (WHERE overall IS NOT NULL AND band = 'needs_attention')::int AS needs_attention,
       count(*) FILTER (WHERE overall IS NOT NULL AND band = 'healthy')::int AS healthy,
       count(*) FILTER (WHERE overall IS NOT NULL AND band = 'champion')::int AS champion,
       count(*) FILTER (WHERE 'usage' = ANY(missing))::int AS m_usage,
       count(*) FILTER (WHERE 'engagement' = ANY(missing))::int AS m_engagement,
       count(*) FILTER (WHERE 'support' = ANY(missing))::int AS m_support,
       count(*) FILTER (WHERE 'satisfaction' = ANY(missing))::int AS m_satisfaction,
       count(*) FILTER (WHERE 'payment' = ANY(missing))::int AS m_payment
  FROM ${runTable}`;

/**
 * A UUIDv7-shaped id (the ids Prisma gives health_scores rows): the clock's milliseconds first, so that a
 * later run's rows sort after an earlier run's when two runs store the same calculated_at.
 */
const uuid7Sql = (seed: string) => `(substr(lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0'), 1, 8) || '-' ||
   substr(lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0'), 9, 4) || '-7' || substr(md5(${seed} || random()::text), 1, 3) || '-8' ||
   substr(md5(${seed} || random()::text), 4, 3) || '-' || substr(md5(${seed} || random()::text), 7, 12))`;

/** Stores a run table's scored accounts as health_scores rows. $1 scoring model, $2 lookback days, $3 now. */
export const storeRunSql = (runTable: string) => `INSERT INTO health_scores (id, account_id, overall_score, coverage, usage_score, engagement_score, support_score,
                                   satisfaction_score, payment_score, weights, missing_components, trend, band, scoring_model, lookback_days, calculated_at)
  SELECT ${uuid7Sql("r.account_id")}, r.account_id, r.rated, r.coverage, r.usage_score, r.engagement_score, r.support_score, r.satisfaction_score,
         r.payment_score, r.weights, r.missing, r.trend, r.band, $1::text, $2::int, $3::timestamptz
    FROM ${runTable} r WHERE r.overall IS NOT NULL`;

/** The accounts' current score and trend from a run table. $1 now. */
export const updateAccountsSql = (runTable: string) => `UPDATE accounts AS a SET health_score = r.rated, health_trend = r.trend, updated_at = $1::timestamptz
    FROM ${runTable} r WHERE a.id = r.account_id AND r.overall IS NOT NULL`;
