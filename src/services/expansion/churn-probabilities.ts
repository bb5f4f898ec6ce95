// Churn probability for the revenue tools, from the active churn model (churn-model/scorer.ts: learned, else hand-set):
// the latest stored prediction (identify_churn_risk) when it is at most `maxAgeDays` old, else computed now
// from the same stored signals and the same model as identify_churn_risk — but not stored, because the
// tools that ask (track_renewals, optimize_customer_lifetime_value) only read.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { Config } from "../../config/load.ts";
import { HealthSignalsRepository } from "../../repositories/health-signals.ts";
import { PROJECTION_HISTORY, SATISFACTION_MIN_DAYS, configuredEngine } from "../health/health-score-service.ts";
import { currentHealth } from "../health/current-health.ts";
import { churnInputs } from "../retention/churn-service.ts";
import { MODEL_VERSION, predictChurn, riskLevel } from "../retention/churn-model.ts";
import { activeLearnedModel, learnedScores } from "../churn-model/scorer.ts";

export interface ChurnEstimate {
  probability: number;
  risk_level: "high" | "medium" | "low" | "minimal";
  source: "stored_prediction" | "computed_now";
  predicted_at: string;
  model_version: string;
  factors: Array<{ factor: string; contribution: number; detail: string }>;
}

/** Signals window of the computed predictions: identify_churn_risk's default lookback. */
export const CHURN_LOOKBACK_DAYS = 30;

export async function churnProbabilities(prisma: PrismaClient, config: Config, now: Date, accountIds: string[], maxAgeDays: number): Promise<Map<string, ChurnEstimate>> {
  const out = new Map<string, ChurnEstimate>();
  if (accountIds.length === 0) return out;
  const levels = { high: config.CHURN_HIGH_FROM, medium: config.CHURN_MEDIUM_FROM, low: config.CHURN_LOW_FROM };
  const since = new Date(now.getTime() - maxAgeDays * 86_400_000);
  const stored = await prisma.$queryRawUnsafe<Array<{ account_id: string; probability: string; factors: unknown; model_version: string; predicted_at: Date }>>(
    `SELECT DISTINCT ON (account_id) account_id, probability::text AS probability, factors, model_version, predicted_at
       FROM churn_predictions
      WHERE account_id = ANY($1::text[]) AND predicted_at <= $2::timestamptz AND predicted_at >= $3::timestamptz
      ORDER BY account_id, predicted_at DESC, id DESC`,
    accountIds,
    now,
    since,
  );
  for (const s of stored) {
    const p = Number(s.probability);
    const factors = Array.isArray(s.factors) ? (s.factors as Array<{ factor?: unknown; contribution?: unknown; detail?: unknown }>) : [];
    out.set(s.account_id, {
      probability: p,
      risk_level: riskLevel(p, levels),
      source: "stored_prediction",
      predicted_at: new Date(s.predicted_at).toISOString(),
      model_version: s.model_version,
      factors: factors.map((f) => ({ factor: String(f.factor ?? ""), contribution: Number(f.contribution ?? 0), detail: String(f.detail ?? "") })),
    });
  }
  const rest = accountIds.filter((id) => !out.has(id));
  if (rest.length === 0) return out;
  // The active learned model, when there is one, scores the rest (features as of now).
  const learned = await activeLearnedModel(prisma);
  if (learned) {
    for (const [id, score] of await learnedScores(prisma, learned, rest, now)) {
      out.set(id, {
        probability: score.probability,
        risk_level: riskLevel(score.probability, levels),
        source: "computed_now",
        predicted_at: now.toISOString(),
        model_version: learned.version,
        factors: score.factors.map((f) => ({ factor: f.factor, contribution: f.contribution, detail: f.detail })),
      });
    }
    return out;
  }

  const set = await new HealthSignalsRepository(prisma).load({
    accountIds: rest,
    now,
    lookbackDays: CHURN_LOOKBACK_DAYS,
    satisfactionDays: Math.max(CHURN_LOOKBACK_DAYS, SATISFACTION_MIN_DAYS),
    historyPoints: PROJECTION_HISTORY,
  });
  const engine = configuredEngine(config, CHURN_LOOKBACK_DAYS, set.feature_catalog, now);
  for (const a of set.accounts) {
    const h = currentHealth(a, engine);
    const score = predictChurn(churnInputs(a, h.score, h.previous, now));
    out.set(a.account_id, {
      probability: score.probability,
      risk_level: riskLevel(score.probability, levels),
      source: "computed_now",
      predicted_at: now.toISOString(),
      model_version: MODEL_VERSION,
      factors: score.factors.map((f) => ({ factor: f.factor, contribution: f.contribution, detail: f.detail })),
    });
  }
  return out;
}
