// The one rule for tools that need an account's health score (identify_churn_risk, score_risk_factors, the
// expansion and renewal tools): the latest score stored by a standard calculate_health_score run; when none is
// stored, computed now from the stored data by the same engine (and not stored). Either way the answer says
// which (health_source). Insufficient data gives no score (null), never a confident figure. Stored = the latest
// standard health_scores row, else the accounts.health_score column (which the same runs keep).
import type { AccountSignals } from "../../repositories/health-signals.ts";
import { scoreAccount, type HealthEngineOptions } from "./health-score-service.ts";

export type HealthSource = "stored" | "computed_now";

export const HEALTH_RULE =
  "health = the latest score stored by a standard calculate_health_score run (health_source 'stored'), else computed now from stored data, not stored ('computed_now'); null when data is insufficient (no usage data, or coverage < 0.5)";

export interface CurrentHealth {
  /** null: insufficient data (or no data at all). */
  score: number | null;
  source: HealthSource;
  /** When the score was calculated (now when computed now; null for the column, which has no date). */
  at: Date | null;
  /** The standard score before it (for the decline), null when none or insufficient. */
  previous: number | null;
}

export function currentHealth(a: AccountSignals, engine: HealthEngineOptions): CurrentHealth {
  const [latest, before] = a.history;
  if (latest) return { score: latest.score, source: "stored", at: latest.at, previous: before?.score ?? null };
  // No stored run in the history (e.g. rows removed): the account's stored column, when it holds a rating.
  if (a.health_column !== null) return { score: a.health_column, source: "stored", at: null, previous: null };
  const s = scoreAccount(a, engine);
  return { score: s.rated, source: "computed_now", at: engine.now, previous: null };
}
