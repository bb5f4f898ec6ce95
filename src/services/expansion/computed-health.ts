// Health for accounts with no stored score: computed now by the health engine (services/health) from the same
// stored signals and configured weights as calculate_health_score, but not stored — the expansion tools read.
// An account whose five components all lack data stays without a score and is reported as missing data.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { Config } from "../../config/load.ts";
import { HealthSignalsRepository } from "../../repositories/health-signals.ts";
import { PROJECTION_HISTORY, SATISFACTION_MIN_DAYS, configuredEngine, scoreAccount } from "../health/health-score-service.ts";

/** calculate_health_score's default lookback. */
const LOOKBACK_DAYS = 30;

export type HealthSource = "health_scores" | "accounts.health_score" | "computed_now" | null;

/** Fills `health` (and `health_source = 'computed_now'`) in place where it is null. */
export async function fillHealth<T extends { account_id: string; health: number | null; health_source: HealthSource }>(prisma: PrismaClient, config: Config, now: Date, rows: T[]): Promise<T[]> {
  const ids = [...new Set(rows.filter((r) => r.health === null).map((r) => r.account_id))];
  if (ids.length === 0) return rows;
  const set = await new HealthSignalsRepository(prisma).load({ accountIds: ids, now, lookbackDays: LOOKBACK_DAYS, satisfactionDays: Math.max(LOOKBACK_DAYS, SATISFACTION_MIN_DAYS), historyPoints: PROJECTION_HISTORY });
  const engine = configuredEngine(config, LOOKBACK_DAYS, set.feature_catalog, now);
  // rated: null when the data is insufficient for a rating (never a confident figure from partial data)
  const computed = new Map(set.accounts.map((a) => [a.account_id, scoreAccount(a, engine).rated]));
  for (const r of rows) {
    if (r.health !== null) continue;
    const h = computed.get(r.account_id) ?? null;
    if (h !== null) {
      r.health = h;
      r.health_source = "computed_now";
    }
  }
  return rows;
}

export const HEALTH_RULE =
  "health = the latest score stored by a standard calculate_health_score run (health_source 'health_scores', or the account's health_score column), else computed now from stored data, not stored ('computed_now'); none when data is insufficient (no usage data, or coverage < 0.5)";
