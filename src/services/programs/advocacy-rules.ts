// The advocacy program's documented rules: the contribution types, their points (the ADVOCACY_POINTS
// setting), and who may enroll (ADVOCACY_MIN_HEALTH, ADVOCACY_REQUIRE_PROMOTER, an active account).
import type { Config } from "../../config/load.ts";
import type { EligibilitySignals } from "../../repositories/programs-advocacy.ts";

export const CONTRIBUTION_TYPES = ["case_study", "reference_call", "review", "referral", "speaking", "award"] as const;
export type ContributionType = (typeof CONTRIBUTION_TYPES)[number];

export type PointsTable = Record<ContributionType, number>;

export function pointsTable(config: Pick<Config, "ADVOCACY_POINTS">): PointsTable {
  return { ...config.ADVOCACY_POINTS } as PointsTable;
}

export const PROMOTER_FROM = 9; // DOMAIN.md: promoters answer 9–10

export interface EligibilityCheck {
  rule: "account_active" | "health" | "nps_promoter";
  passed: boolean;
  detail: string;
  how_to_supply?: string;
}

export interface Eligibility {
  eligible: boolean;
  checks: EligibilityCheck[];
  /** The failed checks' details: why the advocate is not eligible. */
  reasons: string[];
  rules: string;
}

export function eligibilityRules(config: Pick<Config, "ADVOCACY_MIN_HEALTH" | "ADVOCACY_REQUIRE_PROMOTER">): string {
  return `account active; latest stored health score ≥ ${config.ADVOCACY_MIN_HEALTH} (ADVOCACY_MIN_HEALTH)` +
    (config.ADVOCACY_REQUIRE_PROMOTER ? "; latest NPS answer (the advocate's own, else the account's) a promoter, 9–10 (ADVOCACY_REQUIRE_PROMOTER)" : "");
}

/** Evaluates the rules against stored signals; a rule with no data fails and says how to supply it. */
export function evaluateEligibility(s: EligibilitySignals, config: Pick<Config, "ADVOCACY_MIN_HEALTH" | "ADVOCACY_REQUIRE_PROMOTER">): Eligibility {
  const checks: EligibilityCheck[] = [];
  checks.push(
    s.account_status === "active"
      ? { rule: "account_active", passed: true, detail: "account is active" }
      : { rule: "account_active", passed: false, detail: `account is ${s.account_status}` },
  );
  if (s.health_score === null && s.health_band === "insufficient_data") {
    // An unused account is unknown, never a champion: no rating, so not eligible.
    checks.push({ rule: "health", passed: false, detail: "health unknown: insufficient data for a rating (no usage data)", how_to_supply: "import usage events, then run calculate_health_score" });
  } else if (s.health_score === null) {
    checks.push({ rule: "health", passed: false, detail: "no stored health score", how_to_supply: "run calculate_health_score for the account" });
  } else {
    const at = s.health_calculated_at ? ` (calculated ${s.health_calculated_at.toISOString().slice(0, 10)})` : " (from the account record)";
    checks.push({
      rule: "health",
      passed: s.health_score >= config.ADVOCACY_MIN_HEALTH,
      detail: s.health_score >= config.ADVOCACY_MIN_HEALTH
        ? `health score ${s.health_score}${at} is at least ${config.ADVOCACY_MIN_HEALTH}`
        : `health score ${s.health_score}${at} is below ${config.ADVOCACY_MIN_HEALTH} (ADVOCACY_MIN_HEALTH)`,
    });
  }
  if (config.ADVOCACY_REQUIRE_PROMOTER) {
    if (s.nps_score === null) {
      checks.push({ rule: "nps_promoter", passed: false, detail: "no NPS answer stored for this person or account", how_to_supply: "record NPS answers with `cs-mcp import nps` or the feedback tools" });
    } else {
      const who = s.nps_source === "advocate" ? "their own" : `the account's (${s.nps_respondent})`;
      const at = s.nps_responded_at ? ` on ${s.nps_responded_at.toISOString().slice(0, 10)}` : "";
      const kind = s.nps_score >= PROMOTER_FROM ? "promoter" : s.nps_score >= 7 ? "passive" : "detractor";
      checks.push({
        rule: "nps_promoter",
        passed: s.nps_score >= PROMOTER_FROM,
        detail: s.nps_score >= PROMOTER_FROM ? `latest NPS answer, ${who}${at}, is ${s.nps_score} (promoter)` : `latest NPS answer, ${who}${at}, is ${s.nps_score} (${kind}), not a promoter (9–10)`,
      });
    }
  }
  const failed = checks.filter((c) => !c.passed);
  return { eligible: failed.length === 0, checks, reasons: failed.map((c) => c.detail + (c.how_to_supply ? `: ${c.how_to_supply}` : "")), rules: eligibilityRules(config) };
}
