// The hand-set model (retention/churn-model.ts) on a point-in-time feature row, so it can be measured on the
// same folds as the learned model. What the row cannot say as of a past date is left neutral and said in
// docs/health-and-churn.md: no health score (x = 0), no health drop, no lifecycle stage (the stored stage is
// today's — 'churned' for a churner — so reading it would leak the outcome), no payment_status column.
import type { ChurnFeatureRow } from "../../repositories/churn-features.ts";
import { usageDecline } from "../../repositories/health-signals.ts";
import { predictChurn, type ChurnInputs } from "../retention/churn-model.ts";

export function handSetInputs(r: ChurnFeatureRow): ChurnInputs {
  return {
    health: null,
    health_drop: 0,
    usage_decline: usageDecline({ users_cur: r.users_cur, users_prev: r.users_prev, user_days_cur: r.user_days_cur, user_days_prev: r.user_days_prev }),
    days_since_usage: r.days_since_usage,
    recent_usage: r.users_cur + r.users_prev > 0,
    detractor_share: r.nps_n_180 > 0 ? r.detractors_180 / r.nps_n_180 : null,
    latest_nps: r.nps_latest,
    open_p1: r.open_p1,
    open_p2: r.open_p2,
    sla_breaches: r.sla_breaches_90,
    open_escalations: r.open_escalations,
    overdue_invoices: r.overdue_invoices,
    max_days_overdue: r.max_days_overdue,
    payment_status: null,
    days_to_renewal: r.days_to_renewal,
    tenure_days: r.tenure_days,
    lifecycle_stage: "unknown",
  };
}

export const handSetProbability = (r: ChurnFeatureRow) => predictChurn(handSetInputs(r)).probability;
