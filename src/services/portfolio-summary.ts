// cs://portfolio/summary: the portfolio at a glance from stored data — accounts, current ARR, stored
// health bands, churn levels of the latest stored predictions, renewals in the next 90 days. Reads
// only; the bands and levels are the configured ones, the same rules the tools apply.
import type { Config } from "../config/load.ts";
import type { Database } from "../db/database.ts";
import { PortfolioSummaryRepository } from "../repositories/portfolio-summary.ts";
import { CURRENT_ARR_RULE } from "../repositories/current-arr.ts";
import { toIsoDate } from "../security/validation.ts";
import { healthBand } from "./clients.ts";
import { riskLevel } from "./retention/churn-model.ts";
import { dec, money, sum, type Dec } from "./expansion/money.ts";

export const RENEWAL_WINDOW_DAYS = 90;
const DAY_MS = 86_400_000;

export class PortfolioSummaryService {
  private readonly repo: PortfolioSummaryRepository;

  constructor(
    db: Pick<Database, "query">,
    private readonly config: Config,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.repo = new PortfolioSummaryRepository(db);
  }

  async summary() {
    const now = this.now();
    const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    const to = new Date(today.getTime() + RENEWAL_WINDOW_DAYS * DAY_MS);
    const [rows, renewals] = await Promise.all([this.repo.accounts(), this.repo.renewals(toIsoDate(today)!, toIsoDate(to)!)]);
    const bands = { atRiskBelow: this.config.HEALTH_AT_RISK_BELOW, healthyFrom: this.config.HEALTH_HEALTHY_FROM, championFrom: this.config.HEALTH_CHAMPION_FROM };
    const levels = { high: this.config.CHURN_HIGH_FROM, medium: this.config.CHURN_MEDIUM_FROM, low: this.config.CHURN_LOW_FROM };

    const active = rows.filter((r) => r.status !== "churned");
    const health: Record<string, number> = { at_risk: 0, needs_attention: 0, healthy: 0, champion: 0, unscored: 0 };
    const churn: Record<string, number> = { high: 0, medium: 0, low: 0, minimal: 0, no_prediction: 0 };
    const atRisk: Dec[] = [];
    for (const r of active) {
      health[r.health_score === null ? "unscored" : healthBand(r.health_score, bands)]!++;
      const level = r.churn_probability === null ? "no_prediction" : riskLevel(r.churn_probability, levels);
      churn[level]!++;
      if (level === "high" || level === "medium") atRisk.push(dec(r.arr));
    }
    return {
      as_of: now.toISOString(),
      accounts: { total: rows.length, active: active.length, churned: rows.length - active.length },
      arr: {
        current: money(sum(active.map((r) => dec(r.arr)))),
        churned: money(sum(rows.filter((r) => r.status === "churned").map((r) => dec(r.arr)))),
        at_risk: money(sum(atRisk)),
      },
      health_bands: health,
      churn_levels: churn,
      renewals_next_90_days: { from: toIsoDate(today)!, to: toIsoDate(to)!, renewals: renewals.renewals, arr: money(dec(renewals.arr)) },
      definitions: {
        arr: `${CURRENT_ARR_RULE}; at_risk = Σ arr of active accounts whose churn level is high or medium`,
        health_bands: `active accounts by stored health score: at_risk < ${bands.atRiskBelow} ≤ needs_attention < ${bands.healthyFrom} ≤ healthy < ${bands.championFrom} ≤ champion; unscored = no stored score (calculate_health_score)`,
        churn_levels: `active accounts by their latest stored churn probability: high ≥ ${levels.high}, medium ≥ ${levels.medium}, low ≥ ${levels.low}, else minimal; no_prediction = none stored (identify_churn_risk)`,
        renewals: "active contracts of active accounts whose renewal date (renewal_date, else end_date) is between today and today + 90 (UTC days, both included); arr = Σ contract_value",
      },
    };
  }
}
