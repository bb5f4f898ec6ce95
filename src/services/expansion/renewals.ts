// track_renewals and forecast_renewals: active contracts renewing inside a window of calendar days (UTC),
// with ARR, health, churn risk from the churn model, notice deadline, payment status and the reminder
// schedule; the forecast adds a renewal probability and forecast ARR per renewal, stores them in
// renewal_forecasts (the timeline derives its entries from that table) and totals due / expected / at risk.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { Config } from "../../config/load.ts";
import { ExpansionRenewalsRepository, type RenewalRow } from "../../repositories/expansion-renewals.ts";
import { writeAudit } from "../../repositories/audit.ts";
import { abortableTransaction } from "../../db/abortable-transaction.ts";
import { noProgress, type Progress } from "../shared/progress.ts";
import { notFound } from "../../server/errors.ts";
import { toIso, toIsoDate } from "../../security/validation.ts";
import { riskLevel } from "../retention/churn-model.ts";
import { churnProbabilities, type ChurnEstimate } from "./churn-probabilities.ts";
import { HEALTH_RULE, fillHealth } from "./computed-health.ts";
import { ZERO, cents, dec, fmt, money, r4, sum, type Dec } from "./money.ts";

const DAY_MS = 86_400_000;

export interface TrackInput {
  client_id?: string | undefined;
  days_until_renewal: number;
  prediction_max_age_days: number;
  limit: number;
}
export interface ForecastInput {
  client_id?: string | undefined;
  forecast_period_days: number;
  include_risk_analysis: boolean;
  prediction_max_age_days: number;
  limit: number;
}

/** A sum written out: every term up to 20, then the count of the rest. */
export const terms = (xs: string[]) => (xs.length === 0 ? "0" : xs.length <= 20 ? xs.join(" + ") : `${xs.slice(0, 20).join(" + ")} + … (${xs.length - 20} more)`);

const utcDay = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
const addDays = (d: Date, n: number) => new Date(d.getTime() + n * DAY_MS);
const daysBetween = (from: Date, to: Date) => Math.round((to.getTime() - from.getTime()) / DAY_MS);

export const CHURN_SOURCE_RULE =
  "churn probability = the latest stored prediction of identify_churn_risk when at most prediction_max_age_days old, else computed now by the same model (churn-logit) from stored signals, not stored";

/** forecast_renewals' progress steps: reading, forecast, stored, done. */
const FORECAST_STEPS = 3;

export class RenewalService {
  private readonly repo: ExpansionRenewalsRepository;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly config: Config,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.repo = new ExpansionRenewalsRepository(prisma);
  }

  private async window(clientId: string | undefined, days: number, maxAge: number) {
    const now = this.now();
    if (clientId !== undefined) {
      const exists = await this.prisma.account.findUnique({ where: { id: clientId }, select: { id: true } });
      if (!exists) throw notFound("client", clientId, "use list_clients to find the client_id");
    }
    const today = utcDay(now);
    const end = addDays(today, days);
    const rows = await fillHealth(this.prisma, this.config, now, await this.repo.due(toIsoDate(today)!, toIsoDate(end)!, clientId ?? null, now));
    const churn = await churnProbabilities(this.prisma, this.config, now, [...new Set(rows.map((r) => r.account_id))], maxAge);
    const undated = await this.repo.undated(clientId ?? null);
    const missing: Array<{ what: string; how_to_supply: string }> = [];
    if (undated.length) {
      missing.push({
        what: `${undated.length} active contracts have neither a renewal_date nor an end_date, so they cannot be placed in the window (${undated.slice(0, 10).map((u) => u.account_id).join(", ")}${undated.length > 10 ? ", …" : ""})`,
        how_to_supply: "set renewal_date (or contract_end_date) with update_client_info, or `cs-mcp import accounts <file>`",
      });
    }
    const noHealth = rows.filter((r) => r.health === null).map((r) => r.account_id);
    if (noHealth.length) missing.push({ what: `no health score (stored or computable) for ${noHealth.length} renewing accounts (${[...new Set(noHealth)].slice(0, 10).join(", ")})`, how_to_supply: "run calculate_health_score" });
    return { now, today, end, rows, churn, missing };
  }

  private base(r: RenewalRow, today: Date, churn: ChurnEstimate) {
    const noticeDeadline = addDays(r.renewal_date, -r.notice_period_days);
    const reminders = [...this.config.RENEWAL_REMINDER_DAYS]
      .sort((a, b) => b - a)
      .map((d) => {
        const date = addDays(r.renewal_date, -d);
        const status = date.getTime() < today.getTime() ? ("past" as const) : date.getTime() === today.getTime() ? ("due_today" as const) : ("upcoming" as const);
        return { days_before: d, date: toIsoDate(date)!, status };
      });
    const next = reminders.find((x) => x.status !== "past") ?? null;
    return {
      contract_id: r.contract_id,
      client_id: r.account_id,
      company_name: r.company_name,
      tier: r.tier,
      csm_name: r.csm_name,
      renewal_date: toIsoDate(r.renewal_date)!,
      renewal_date_source: r.renewal_date_source,
      days_until_renewal: daysBetween(today, r.renewal_date),
      arr: money(dec(r.contract_value)),
      currency: r.currency,
      billing_frequency: r.billing_frequency,
      seats: r.seats,
      health_score: r.health,
      health_source: r.health_source,
      churn: { probability: churn.probability, risk_level: churn.risk_level, source: churn.source, predicted_at: churn.predicted_at, model_version: churn.model_version },
      auto_renew: r.auto_renew,
      notice_period_days: r.notice_period_days,
      notice_deadline: toIsoDate(noticeDeadline)!,
      days_until_notice_deadline: daysBetween(today, noticeDeadline),
      notice_deadline_passed: noticeDeadline.getTime() < today.getTime(),
      payment_status: r.payment_status,
      reminders,
      next_reminder: next,
    };
  }

  async track(input: TrackInput) {
    const { now, today, end, rows, churn, missing } = await this.window(input.client_id, input.days_until_renewal, input.prediction_max_age_days);
    const renewals = rows.map((r) => this.base(r, today, churn.get(r.account_id)!));
    const arr = (_list: unknown, pick: (i: number) => boolean) => money(sum(rows.filter((_, i) => pick(i)).map((r) => dec(r.contract_value))));
    const levels = ["high", "medium", "low", "minimal"] as const;
    const byLevel = Object.fromEntries(levels.map((l) => [l, { renewals: renewals.filter((x) => x.churn.risk_level === l).length, arr: arr(renewals, (i) => renewals[i]!.churn.risk_level === l) }]));
    return {
      as_of: toIso(now)!,
      window: { from: toIsoDate(today)!, to: toIsoDate(end)!, days_until_renewal: input.days_until_renewal },
      definitions: {
        window: "active contracts of active accounts whose renewal date (renewal_date, else end_date) is between today and today + days_until_renewal (UTC calendar days, both ends included)",
        arr: "contract_value of the contract (this server stores it as the annual contract value)",
        health: HEALTH_RULE,
        churn: CHURN_SOURCE_RULE,
        notice_deadline: "renewal date − notice_period_days: the last day to give or receive notice",
        reminders: `reminder dates = renewal date − each of RENEWAL_REMINDER_DAYS (${this.config.RENEWAL_REMINDER_DAYS.join(", ")}); status past (before today), due_today, upcoming`,
      },
      renewals: renewals.slice(0, input.limit),
      totals: {
        renewals: renewals.length,
        arr_due: arr(renewals, () => true),
        by_risk_level: byLevel,
        auto_renew: { renewals: renewals.filter((x) => x.auto_renew).length, arr: arr(renewals, (i) => renewals[i]!.auto_renew) },
        notice_deadline_passed: renewals.filter((x) => x.notice_deadline_passed).length,
        payment_issues: renewals.filter((x) => x.payment_status !== "current").length,
        reminders_due_today: renewals.filter((x) => x.reminders.some((m) => m.status === "due_today")).length,
        churn_from_stored_predictions: renewals.filter((x) => x.churn.source === "stored_prediction").length,
        churn_computed_now: renewals.filter((x) => x.churn.source === "computed_now").length,
      },
      missing_data: missing,
      limit: input.limit,
      truncated: renewals.length > input.limit,
    };
  }

  /** `store: false` (a read-only server): the same forecast, no renewal_forecasts rows (forecast_id null). */
  /**
   * Progress in four steps (0 reading, 1 forecast, 2 stored, 3 done; 2 is skipped when nothing is stored). The
   * store is one transaction the signal rolls back: a cancel after the insert leaves no forecast and no audit.
   */
  async forecast(input: ForecastInput, store = true, progress: Progress = noProgress, signal?: AbortSignal) {
    await progress(0, FORECAST_STEPS, "reading renewals and churn probabilities");
    const { now, today, end, rows, churn, missing } = await this.window(input.client_id, input.forecast_period_days, input.prediction_max_age_days);
    signal?.throwIfAborted();
    const uplift = this.config.RENEWAL_AUTO_RENEW_UPLIFT;
    const levels = { high: this.config.CHURN_HIGH_FROM, medium: this.config.CHURN_MEDIUM_FROM, low: this.config.CHURN_LOW_FROM };
    const computed = rows.map((r) => {
      const c = churn.get(r.account_id)!;
      const base = r4(1 - c.probability);
      const p = r.auto_renew ? r4(Math.min(1, base + uplift)) : base;
      const arr = dec(r.contract_value);
      const forecastArr = cents(arr.mul(p.toFixed(4)));
      const risk = riskLevel(r4(1 - p), levels);
      const adjustments = [
        { rule: "base: 1 − churn probability", effect: base },
        ...(r.auto_renew ? [{ rule: `auto_renew: + RENEWAL_AUTO_RENEW_UPLIFT ${uplift}, capped at 1`, effect: r4(p - base) }] : []),
      ];
      const factors = [...c.factors.map((f) => ({ factor: f.factor, contribution: f.contribution, detail: f.detail })), ...(r.auto_renew ? [{ factor: "auto_renew", contribution: 0, detail: `auto-renewing contract: probability +${r4(p - base)}` }] : [])];
      return { r, c, p, base, arr, forecastArr, risk, adjustments, factors };
    });
    await progress(1, FORECAST_STEPS, `${computed.length} renewals forecast${store ? "; storing" : ""}`);
    const stored = !store ? [] : await abortableTransaction(this.prisma, signal, async (tx, checkpoint) => {
      const out = await this.repo.storeForecasts(
        tx,
        computed.map((x) => ({ account_id: x.r.account_id, renewal_date: x.r.renewal_date, arr: fmt(x.arr), probability: x.p, forecast_arr: fmt(x.forecastArr), risk_level: x.risk, factors: x.factors })),
        now,
      );
      await progress(2, FORECAST_STEPS, `stored ${out.length} forecasts`);
      checkpoint();
      if (out.length) {
        await writeAudit(tx, {
          action: "forecast_renewals",
          entity_type: "renewal_forecast",
          entity_id: out.length === 1 ? out[0]!.id : null,
          changes: { forecasts: out.length, forecast_period_days: input.forecast_period_days, window: [toIsoDate(today), toIsoDate(end)] },
        });
      }
      return out;
    });

    await progress(FORECAST_STEPS, FORECAST_STEPS, `${computed.length} renewals forecast`);
    const due = sum(computed.map((x) => x.arr));
    const expected = sum(computed.map((x) => x.forecastArr));
    const atRiskRows = computed.filter((x) => x.risk === "high" || x.risk === "medium");
    const atRisk = sum(atRiskRows.map((x) => x.arr));
    const renewals = computed.map((x, i) => ({
      forecast_id: stored[i]?.id ?? null,
      ...this.base(x.r, today, x.c),
      renewal_probability: x.p,
      forecast_arr: money(x.forecastArr),
      renewal_risk_level: x.risk,
      probability_formula: `1 − ${x.c.probability}${x.r.auto_renew ? ` + ${uplift} (auto_renew)${x.base + uplift > 1 ? ", capped at 1" : ""}` : ""} = ${x.p}; forecast ARR = ${fmt(x.arr)} × ${x.p} = ${fmt(x.forecastArr)}`,
      ...(input.include_risk_analysis ? { adjustments: x.adjustments, risk_factors: x.factors } : {}),
    }));
    const levelsList = ["high", "medium", "low", "minimal"] as const;
    const byLevel = Object.fromEntries(
      levelsList.map((l) => {
        const list = computed.filter((x) => x.risk === l);
        return [l, { renewals: list.length, arr: money(sum(list.map((x) => x.arr))), forecast_arr: money(sum(list.map((x) => x.forecastArr))) }];
      }),
    );
    let riskAnalysis = undefined;
    if (input.include_risk_analysis) {
      const factor = new Map<string, { renewals: number; arr: Dec; weighted: Dec }>();
      for (const x of computed) {
        const loss = x.arr.mul(r4(1 - x.p).toFixed(4));
        for (const f of x.c.factors) {
          const e = factor.get(f.factor) ?? { renewals: 0, arr: ZERO, weighted: ZERO };
          e.renewals++;
          e.arr = e.arr.plus(x.arr);
          e.weighted = e.weighted.plus(loss.mul(f.contribution.toFixed(4)));
          factor.set(f.factor, e);
        }
      }
      riskAnalysis = {
        definition: "per churn factor: renewals where it contributes, their ARR, and ARR-weighted expected loss attributed to it = Σ ARR × (1 − renewal probability) × the factor's share of the churn risk",
        factors: [...factor]
          .map(([name, e]) => ({ factor: name, renewals: e.renewals, arr: money(e.arr), expected_loss_attributed: money(e.weighted) }))
          .sort((a, b) => b.expected_loss_attributed - a.expected_loss_attributed || a.factor.localeCompare(b.factor)),
        payment_issues: computed.filter((x) => x.r.payment_status !== "current").map((x) => ({ client_id: x.r.account_id, payment_status: x.r.payment_status, arr: money(x.arr) })),
        notice_deadline_passed_without_auto_renew: computed.filter((x) => !x.r.auto_renew && addDays(x.r.renewal_date, -x.r.notice_period_days).getTime() < today.getTime()).map((x) => x.r.account_id),
      };
    }
    return {
      as_of: toIso(now)!,
      window: { from: toIsoDate(today)!, to: toIsoDate(end)!, forecast_period_days: input.forecast_period_days },
      definitions: {
        churn: CHURN_SOURCE_RULE,
        renewal_probability: `renewal probability = 1 − churn probability, + RENEWAL_AUTO_RENEW_UPLIFT (${uplift}) when auto_renew is on, capped at 1; payment status is not added again because the churn model already weighs overdue/failed payment`,
        forecast_arr: "forecast ARR = ARR × renewal probability, rounded to cents",
        renewal_risk_level: `the churn levels applied to 1 − renewal probability: high ≥ ${levels.high}, medium ≥ ${levels.medium}, low ≥ ${levels.low}, else minimal`,
        due: "ARR up for renewal = Σ ARR of the renewals in the window",
        expected: "expected ARR = Σ forecast ARR",
        at_risk: `ARR at risk = Σ ARR of renewals whose renewal risk level is high or medium (1 − probability ≥ ${levels.medium})`,
        expected_loss: "expected loss = due − expected = Σ ARR × (1 − probability)",
      },
      renewals: renewals.slice(0, input.limit),
      totals: {
        renewals: computed.length,
        due: money(due),
        expected: money(expected),
        at_risk: money(atRisk),
        at_risk_renewals: atRiskRows.length,
        expected_loss: money(due.minus(expected)),
        by_risk_level: byLevel,
        formulas: {
          due: `Σ ARR = ${terms(computed.map((x) => fmt(x.arr)))} = ${fmt(due)}`,
          expected: `Σ ARR × p = ${terms(computed.map((x) => fmt(x.forecastArr)))} = ${fmt(expected)}`,
          at_risk: `Σ ARR (high/medium) = ${terms(atRiskRows.map((x) => fmt(x.arr)))} = ${fmt(atRisk)}`,
        },
      },
      stored_forecasts: stored.length,
      ...(riskAnalysis ? { risk_analysis: riskAnalysis } : {}),
      missing_data: missing,
      limit: input.limit,
      truncated: renewals.length > input.limit,
    };
  }
}
