// cs://docs/formulas: how every figure the tools return is computed, for a model (or a person) that
// wants the rule behind a number without it being repeated in each tool description. A TS module so it
// ships inside the package. Thresholds in CAPITALS are settings; the values shown are the defaults
// (the tools' results carry the values in force in their `definitions`/`formula` fields).
// Source: src/services/health/components.ts, retention/churn-model.ts, support/, feedback/, expansion/.
export const FORMULAS_MD = `# Customer Success formulas

All days are UTC calendar days. Money is decimal, rounded to cents.

## Health score (calculate_health_score)
Five components, each an integer 0–100, or **null (missing)** when the account has no data for it — never filled in.
L = lookback_period_days (default 30; only 30 is stored, other values are what-ifs).

| component | formula |
|---|---|
| usage | 100 × (0.6 × min(1, U ÷ B) + 0.4 × min(1, UD ÷ (B × 3 × L ÷ 7))); U active users, UD active user-days, B = seats (else max(1, users of the previous window)) |
| engagement | 100 × (0.40 × features used ÷ features used portfolio-wide + 0.35 × min(1, active days ÷ (L × 5 ÷ 7)) + 0.25 × max(0, 1 − days since last event ÷ L)) |
| support | 100 − min(60, 20·P1 + 10·P2 + 4·P3 + 2·P4 open) − min(32, 8 × SLA breaches) − min(30, 15 × open escalations) + 5 × (ticket CSAT mean − 3), clamped 0–100 |
| satisfaction | mean of the parts answered in max(L, 180) days: NPS part (NPS + 100) ÷ 2, CSAT part % of answers 4–5, CES part (mean − 1) ÷ 6 × 100 |
| payment | min(cap, 100 − Σ overdue invoices (15 + 25 × min(days overdue, 90) ÷ 90) − 5 × min(4, invoices paid late)), ≥ 0; cap 60 if payment_status overdue, 40 if failed, else 100 |

- Weights HEALTH_WEIGHT_USAGE/ENGAGEMENT/SUPPORT/SATISFACTION/PAYMENT = 0.35/0.25/0.15/0.15/0.10 (sum 1 ± 0.01).
- Missing components: their weight is spread over the present ones, w′ᵢ = wᵢ ÷ Σ present w.
- **Overall = round(Σ w′ᵢ × componentᵢ)**. Coverage = Σ present wᵢ (share of weight backed by data).
- insufficient_data (no rating, no alert, no trend) when usage and engagement are both missing or coverage < 0.5.
- Bands: at_risk < 50 (HEALTH_AT_RISK_BELOW) ≤ needs_attention < 75 (HEALTH_HEALTHY_FROM) ≤ healthy < 90 (HEALTH_CHAMPION_FROM) ≤ champion.
- Trend vs the previous stored score: up / down when it moved more than HEALTH_TREND_DELTA (2) points, else stable.
- Projection: least-squares line through (days, score) of the new and up to 5 stored scores, L days ahead; needs ≥ 3 points spanning ≥ 14 days.

## Churn risk (identify_churn_risk, model churn-logit)
Logistic: z = −3.2 + Σ βᵢ·xᵢ, probability = 1 ÷ (1 + e^(−z)). A factor's contribution = βᵢxᵢ ÷ Σ βⱼxⱼ.

| factor | β | x |
|---|---|---|
| low_health_score | 1.2 | max(0, 75 − health) ÷ 25 |
| declining_health | 0.6 | min(2, points lost since the previous stored score ÷ 10) |
| usage_decline | 2.2 | max(0, (prev − cur) ÷ prev) of active users or user-days, the larger, ≤ 1 |
| never_activated | 3.0 | min(1, tenure days ÷ 30) when there was never usage (or none in two windows) |
| detractor_nps | 1.6 | detractor share of NPS answers, + 0.5 if the latest answer is a detractor |
| open_critical_tickets | 0.7 | min(3, open P1 + 0.5 × open P2) |
| sla_breaches | 0.25 | min(5, SLA breaches) |
| open_escalations | 0.6 | min(3, open escalations) |
| overdue_payment | 0.7 | min(3, overdue invoices) + min(1, longest days overdue ÷ 60) + 1 if payment_status overdue/failed |
| renewal_approaching | 0.5 | (90 − days to renewal) ÷ 90 within 90 days, 1 when past |
| short_tenure | 0.4 | max(0, 180 − tenure days) ÷ 180 |
| lifecycle_stage | 1.0 | at_risk 1, renewal 0.3, onboarding 0.3, adoption 0.1, else 0 |

Levels: high ≥ 0.70 (CHURN_HIGH_FROM), medium ≥ 0.40, low ≥ 0.15, else minimal.
Health used by churn, renewal and expansion tools: the latest stored standard score, else computed now (health_source says which).

## Support SLA (analyze_support_performance, handle_support_ticket)
- Targets (minutes): first response 15 for every priority (SLA_FIRST_RESPONSE_MINUTES); resolution P1 240, P2 480, P3 1440, P4 2880.
- Per ticket: met, breached (answered/resolved late, or still waiting past the due time), or at_risk (open with ≥ 80 % of the target used, SLA_AT_RISK_PERCENT).
- Escalate when no first response within 2 hours (ESCALATE_NO_RESPONSE_MINUTES) or no resolution within 3 days (ESCALATE_NO_RESOLUTION_DAYS).

## Satisfaction (monitor_satisfaction, collect_feedback, track_cs_metrics)
- NPS: answers 0–10; promoters 9–10, passives 7–8, detractors 0–6; NPS = % promoters − % detractors (−100…+100).
- CSAT: answers 1–5; CSAT % = answers of 4–5 ÷ all answers × 100.
- CES: answers 1–7; CES = mean answer.

## Revenue (track_revenue_expansion, track_cs_metrics)
- Current ARR = Σ arr of accounts that are not churned; churned accounts' ARR is reported apart.
- GRR = (starting ARR − churned ARR − contraction) ÷ starting ARR × 100, capped at 100 %.
- NRR = (starting ARR + expansion − contraction − churned ARR) ÷ starting ARR × 100; accounts that started inside the period are excluded.

## Renewal forecast (track_renewals, forecast_renewals)
- Window: active contracts of active accounts whose renewal date (renewal_date, else end_date) is between today and today + N days.
- Renewal probability p = 1 − churn probability, + RENEWAL_AUTO_RENEW_UPLIFT (0.05) when auto_renew, capped at 1.
- Forecast ARR = ARR × p. Totals: due = Σ ARR; expected = Σ forecast ARR; at risk = Σ ARR of renewals whose 1 − p is ≥ 0.40 (high or medium); expected loss = due − expected.
- Reminders at 90, 60, 30, 14 and 7 days before the renewal date (RENEWAL_REMINDER_DAYS); notice deadline = renewal date − notice period.

## Customer lifetime value (optimize_customer_lifetime_value)
- CLV = ARR × GROSS_MARGIN (0.80) × expected remaining lifetime.
- Lifetime (years) = 1 ÷ annual churn probability (the account's churn probability), capped at CLV_MAX_LIFETIME_YEARS (10); the cap when the probability is 0.

## Portfolio summary (cs://portfolio/summary)
- Health bands from each active account's stored score (unscored = none stored); churn levels from its latest stored prediction (no_prediction = none).
- ARR at risk = Σ ARR of active accounts at churn level high or medium; renewals in the next 90 days as in the renewal window above.
`;
