// The lifecycle stage of an imported account when the file does not give one, from its history as of the
// import (docs/health-and-churn.md, "Imported accounts"):
//   churned status                                   → churned
//   customer for under 90 days                       → onboarding
//   renewal (or contract end) in the next 90 days    → renewal
//   customer for under 1 year                        → adoption
//   customer for under 2 years                       → growth
//   otherwise                                        → maturity
export const STAGE_RULE =
  "churned if status churned; else by tenure from customer_since: < 90 days onboarding; renewal within 90 days renewal; < 365 days adoption; < 730 days growth; else maturity";

const DAY = 86_400_000;

export function inferStage(a: { churned: boolean; customerSince: string | null; renewal: string | null; now: Date }): string {
  if (a.churned) return "churned";
  const since = a.customerSince ? Date.parse(a.customerSince) : a.now.getTime();
  const tenure = Math.floor((a.now.getTime() - Math.min(since, a.now.getTime())) / DAY);
  if (tenure < 90) return "onboarding";
  if (a.renewal) {
    const days = (Date.parse(a.renewal) - a.now.getTime()) / DAY;
    if (days >= -1 && days <= 90) return "renewal";
  }
  if (tenure < 365) return "adoption";
  if (tenure < 730) return "growth";
  return "maturity";
}
