// The active churn model written as SQL, so a portfolio is scored inside the database (INSERT … SELECT into a
// run table) and only the page the tool returns comes back to JavaScript. The hand-set model repeats
// churn-model.ts step by step on float8 (IEEE doubles, as JS numbers are): the same inputs as churnInputs()
// (churn-service.ts) from the same signal statements as the per-account path (health-signals.ts), the same
// transforms in the same order, constants as float8 literals, Math.round as jsRound. A learned model is its
// standardised linear score over the point-in-time feature statement (churn-features.ts), calibrated (Platt).
// The equivalence test (tests/integration/churn-scoring-equivalence.test.ts) compares both paths.
import {
  accountBaseSql,
  escalationSignalsSql,
  invoiceSignalsSql,
  standardHealthRun,
  surveySignalsSql,
  ticketSignalsSql,
  usageSignalsSql,
} from "../../repositories/health-signals.ts";
import { f8, jsRound } from "../../db/sql-float8.ts";
import { featureSql } from "../../repositories/churn-features.ts";
import { sqlValue } from "../churn-model/features.ts";
import type { LearnedModel } from "../churn-model/model.ts";
import { INTERCEPT, SIGNALS, STAGE_RISK } from "./churn-model.ts";

/** r(v, 4) of churn-model.ts: Math.round(v × 10⁴) ÷ 10⁴. */
export const round4 = (x: string) => `(${jsRound(`(${x}) * 10000::float8`)} / 10000::float8)`;
const least = (a: string, b: string) => `least(${a}, ${b})`;
const greatest = (a: string, b: string) => `greatest(${a}, ${b})`;

/**
 * Columns of the run table. `terms`: each signal's log-odds term in SIGNALS (hand-set) or feature order
 * (learned); `z` the log-odds; `probability` rounded as the tool reports it; `health` the current health by
 * the rule of current-health.ts (null: insufficient data).
 */
export const CHURN_RUN_COLUMNS = `account_id text PRIMARY KEY, health int, terms float8[] NOT NULL, z float8 NOT NULL, probability float8 NOT NULL`;

/** The hand-set signals' x as SQL over the inputs `i.*` (names of ChurnInputs), in SIGNALS order. */
const HAND_SET_X: Record<string, string> = {
  low_health_score: `CASE WHEN i.health IS NULL THEN 0::float8 ELSE ${greatest("0::float8", "75::float8 - i.health::float8")} / 25::float8 END`,
  declining_health: `${least("2::float8", `${greatest("0::float8", "i.health_drop::float8")} / 10::float8`)}`,
  usage_decline: `${least("1::float8", greatest("0::float8", "COALESCE(i.usage_decline, 0::float8)"))}`,
  never_activated: `CASE WHEN i.recent_usage THEN 0::float8 ELSE ${least("1::float8", "i.tenure_days::float8 / 30::float8")} END`,
  detractor_nps: `${least("1::float8", greatest("0::float8", "COALESCE(i.detractor_share, 0::float8)"))} + (CASE WHEN i.latest_nps IS NOT NULL AND i.latest_nps <= 6 THEN ${f8(0.5)} ELSE 0::float8 END)`,
  open_critical_tickets: `${least("3::float8", `i.open_p1::float8 + ${f8(0.5)} * i.open_p2::float8`)}`,
  sla_breaches: `${least("5::float8", "i.sla_breaches::float8")}`,
  open_escalations: `${least("3::float8", "i.open_escalations::float8")}`,
  overdue_payment: `(${least("3::float8", "i.overdue_invoices::float8")} + ${least("1::float8", "i.max_days_overdue::float8 / 60::float8")}) + (CASE WHEN i.payment_status IN ('overdue', 'failed') THEN 1::float8 ELSE 0::float8 END)`,
  renewal_approaching: `CASE WHEN i.days_to_renewal IS NULL OR i.days_to_renewal > 90 THEN 0::float8 WHEN i.days_to_renewal < 0 THEN 1::float8 ELSE (90::float8 - i.days_to_renewal::float8) / 90::float8 END`,
  short_tenure: `${greatest("0::float8", "180::float8 - i.tenure_days::float8")} / 180::float8`,
  lifecycle_stage: `CASE i.lifecycle_stage ${Object.entries(STAGE_RISK).map(([k, v]) => `WHEN '${k}' THEN ${f8(v)}`).join(" ")} ELSE 0::float8 END`,
};

/** Factor names of the hand-set model, in the order of the terms array. */
export const HAND_SET_FACTORS = SIGNALS.map((s) => s.factor);

/** The terms array and z of the hand-set model over `i.*`: z = INTERCEPT + Σ terms (≥ 0, summed left to right as predictChurn does). */
function handSetScore(): { terms: string; z: string } {
  const terms = SIGNALS.map((s) => {
    const x = HAND_SET_X[s.factor];
    if (!x) throw new Error(`churn-sql: no SQL for hand-set signal ${s.factor}`);
    return `${f8(s.coefficient)} * (${x})`;
  });
  // predictChurn sums the positive terms from 0; a zero term adds exactly nothing, so summing all is the same.
  const sum = terms.reduce((acc, _t, k) => `(${acc} + tm.t[${k + 1}])`, "0::float8");
  return { terms: `ARRAY[${terms.join(", ")}]::float8[]`, z: `${f8(INTERCEPT)} + ${sum}` };
}

/** σ(z) of churn-model.ts (1 ÷ (1 + e^(−z))), rounded to 4 places. */
const handSetProbability = (z: string) => round4(`1::float8 / (1::float8 + exp(-(${z})))`);
/** σ(z) of logistic.ts (the two-branch form), rounded to 4 places. */
const learnedProbability = (z: string) => round4(`CASE WHEN (${z}) >= 0::float8 THEN 1::float8 / (1::float8 + exp(-(${z}))) ELSE exp(${z}) / (1::float8 + exp(${z})) END`);

/**
 * One chunk of the portfolio into the run table: the hand-set model's inputs and score and the account's
 * current health. Parameters (text, cast here): $1 first id of the chunk, $2 first id after it (null on the
 * last chunk), $3 now, $4 start of the current window, $5 of the previous one, $6 of the satisfaction window,
 * $7 today (UTC date), $8 now in ms. `healthRun`: the table holding health computed now (portfolio-scoring-sql)
 * for accounts with no stored health, or null when every account has one.
 */
export function handSetChunkSql(runTable: string, healthRun: string | null, bounded: boolean): string {
  const accFilter = `a.status = 'active' AND a.id >= $1::text AND ${bounded ? "a.id < $2::text" : "$2::text IS NULL"}`;
  const childFilter = `x.account_id >= $1::text${bounded ? " AND x.account_id < $2::text" : ""}`;
  const w = { now: "$3", cur: "$4", prev: "$5" };
  const { terms, z } = handSetScore();
  const DAY = f8(86_400_000);
  return `INSERT INTO ${runTable} (account_id, health, terms, z, probability)
WITH acc AS (${accountBaseSql(accFilter)}),
     u AS (${usageSignalsSql(childFilter, w)}),
     t AS (${ticketSignalsSql(childFilter, w)}),
     e AS (${escalationSignalsSql(childFilter, w)}),
     s AS (${surveySignalsSql(childFilter, { now: "$3", sat: "$6", cur: "$4" })}),
     iv AS (${invoiceSignalsSql(childFilter, "$7")})
SELECT i.account_id, i.health, tm.t, sc.z, ${handSetProbability("sc.z")}
  FROM acc
  LEFT JOIN u ON u.account_id = acc.id
  LEFT JOIN t ON t.account_id = acc.id
  LEFT JOIN e ON e.account_id = acc.id
  LEFT JOIN s ON s.account_id = acc.id
  LEFT JOIN iv ON iv.account_id = acc.id
  ${healthRun ? `LEFT JOIN ${healthRun} hr ON hr.account_id = acc.id` : ""}
  -- the latest two standard stored scores (history[0], history[1] of the per-account path)
  LEFT JOIN LATERAL (SELECT count(*)::int AS n, (array_agg(q.s ORDER BY q.rn))[1] AS h1, (array_agg(q.s ORDER BY q.rn))[2] AS h2
                       FROM (SELECT h.overall_score AS s, row_number() OVER (ORDER BY h.calculated_at DESC, h.id DESC) AS rn
                               FROM health_scores h WHERE h.account_id = acc.id AND h.calculated_at <= $3::timestamptz AND ${standardHealthRun("h")}
                              ORDER BY h.calculated_at DESC, h.id DESC LIMIT 2) q) hh ON true
  -- currentHealth(): the latest stored run, else the stored column, else computed now
  CROSS JOIN LATERAL (SELECT CASE WHEN hh.n > 0 THEN hh.h1 WHEN acc.health_score IS NOT NULL THEN acc.health_score ELSE ${healthRun ? "hr.rated" : "NULL::int"} END AS health,
                             CASE WHEN hh.n > 0 THEN hh.h2 END AS previous OFFSET 0) hc
  -- churnInputs()
  CROSS JOIN LATERAL (SELECT acc.id AS account_id, hc.health,
      CASE WHEN hc.health IS NOT NULL AND hc.previous IS NOT NULL THEN greatest(0, hc.previous - hc.health) ELSE 0 END AS health_drop,
      CASE WHEN u.account_id IS NULL THEN NULL
           WHEN u.users_prev = 0 AND u.user_days_prev = 0 THEN (CASE WHEN u.users_cur = 0 THEN NULL ELSE 0::float8 END)
           ELSE greatest(0::float8, least(1::float8, greatest(
                  CASE WHEN u.users_prev > 0 THEN (u.users_prev - u.users_cur)::float8 / u.users_prev::float8 ELSE 0::float8 END,
                  CASE WHEN u.user_days_prev > 0 THEN (u.user_days_prev - u.user_days_cur)::float8 / u.user_days_prev::float8 ELSE 0::float8 END))) END AS usage_decline,
      (u.account_id IS NOT NULL AND u.users_cur + u.users_prev > 0) AS recent_usage,
      CASE WHEN s.account_id IS NOT NULL AND s.nps_n > 0 THEN s.detractors::float8 / s.nps_n::float8 END AS detractor_share,
      s.latest_nps,
      COALESCE(t.open_p1, 0) AS open_p1, COALESCE(t.open_p2, 0) AS open_p2, COALESCE(t.sla_breaches, 0) AS sla_breaches,
      COALESCE(e.open_escalations, 0) AS open_escalations,
      COALESCE(iv.overdue_n, 0) AS overdue_invoices, COALESCE(iv.max_days_overdue, 0) AS max_days_overdue,
      CASE WHEN acc.has_contract THEN acc.payment_status END AS payment_status,
      (acc.renewal_date - $7::date) AS days_to_renewal,
      greatest(0::float8, floor(($8::float8 - (extract(epoch FROM acc.customer_since) * 1000)::float8) / ${DAY})) AS tenure_days,
      acc.lifecycle_stage OFFSET 0) i
  CROSS JOIN LATERAL (SELECT ${terms} AS t OFFSET 0) tm
  CROSS JOIN LATERAL (SELECT ${z} AS z OFFSET 0) sc`;
}

/**
 * The learned model over the run table's accounts: terms, z and probability replaced by the model's, from the
 * feature statement as of now. Parameters: $1 now, $2 null (every active account), then one per categorical
 * level. z = a·b₀ + b + Σ a·wⱼ·((xⱼ or impute) − meanⱼ) ÷ sdⱼ in feature order, as model.ts terms() computes it.
 */
export function learnedUpdateSql(runTable: string, m: LearnedModel): { sql: string; params: unknown[] } {
  const { sql: features, params } = featureSql({ kind: "scoring", accountIds: null });
  const param = (v: string) => {
    params.push(v);
    return `$${params.length}::text`;
  };
  const { a, b } = m.calibration;
  const terms = m.features.map((f, j) => `(${f8(a)} * ${f8(m.coefficients.weights[j]!)}) * ((COALESCE((${sqlValue(f, param)})::float8, ${f8(f.impute)}) - ${f8(f.mean)}) / ${f8(f.sd)})`);
  const sum = terms.reduce((acc, _t, k) => `(${acc} + p.t[${k + 1}])`, `(${f8(a)} * ${f8(m.coefficients.intercept)} + ${f8(b)})`);
  const sql = `UPDATE ${runTable} AS run SET terms = q.t, z = q.z, probability = ${learnedProbability("q.z")}
  FROM (SELECT p.account_id, p.t, ${sum} AS z
          FROM (WITH ${features} SELECT r.account_id, ARRAY[${terms.join(", ") || "NULL::float8"}]::float8[] AS t FROM r) p) q
 WHERE run.account_id = q.account_id`;
  return { sql, params };
}

/**
 * A UUIDv7-shaped id (the ids Prisma gives churn_predictions rows): the clock's milliseconds first, so that a
 * later run's rows sort after an earlier run's with the same predicted_at (readers take the latest by id).
 */
const uuid7Sql = (seed: string) => `(substr(lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0'), 1, 8) || '-' ||
   substr(lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0'), 9, 4) || '-7' || substr(md5(${seed} || random()::text), 1, 3) || '-8' ||
   substr(md5(${seed} || random()::text), 4, 3) || '-' || substr(md5(${seed} || random()::text), 7, 12))`;

/** risk_level of churn-model.ts riskLevel() over a probability expression; levels are bound ($a, $b, $c: high, medium, low). */
export const riskLevelSql = (p: string, high: string, medium: string, low: string) =>
  `CASE WHEN ${p} >= ${high}::float8 THEN 'high' WHEN ${p} >= ${medium}::float8 THEN 'medium' WHEN ${p} >= ${low}::float8 THEN 'low' ELSE 'minimal' END`;

/**
 * Stores the run as churn_predictions in one INSERT … SELECT. Factors: the page's accounts get the factors the
 * tool returned ($6, a JSON object by account id, computed in JavaScript with their words); every other
 * account gets its factors from the run's terms — the same names, shares and log-odds as the per-account path
 * (shares over the same sum, added in the same order), worded briefly. Hand-set: every positive term, summed
 * in SIGNALS order (predictChurn). Learned: terms above 1e-6, summed largest first, the top 5 kept (scoreLearned).
 * Parameters: $1 model version, $2 now, $3–$5 levels (high, medium, low), $6 page factors, $7 factor names.
 */
export function storeRunSql(runTable: string, learned: boolean): string {
  const min = learned ? f8(1e-6) : "0::float8";
  const sumOrder = learned ? "y.t DESC, y.name" : "y.k";
  return `INSERT INTO churn_predictions (id, account_id, probability, risk_level, factors, model_version, predicted_at)
  SELECT ${uuid7Sql("run.account_id")}, run.account_id, run.probability::numeric(5, 4), ${riskLevelSql("run.probability", "$3", "$4", "$5")},
         COALESCE($6::jsonb -> run.account_id, (
           SELECT COALESCE(jsonb_agg(jsonb_build_object('factor', f.name, 'contribution', ${round4("f.t / tot.total")}, 'value', NULL,
                                                          'detail', replace(f.name, '_', ' ') || ': churn log-odds +' || ${round4("f.t")}::text) ORDER BY f.t DESC, f.name), '[]'::jsonb)
             FROM (SELECT x.name, x.t, row_number() OVER (ORDER BY x.t DESC, x.name) AS rk
                     FROM unnest(run.terms, $7::text[]) AS x(t, name) WHERE x.t > ${min}) f
            CROSS JOIN (SELECT sum(y.t ORDER BY ${sumOrder}) AS total
                          FROM unnest(run.terms, $7::text[]) WITH ORDINALITY AS y(t, name, k) WHERE y.t > ${min}) tot
            ${learned ? "WHERE f.rk <= 5" : ""})),
         $1::text, $2::timestamptz
    FROM ${runTable} run`;
}
