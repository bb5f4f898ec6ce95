// monitor_satisfaction: NPS, CSAT and CES from stored survey answers, for one account or the portfolio,
// with the trend against the previous period of the same length and the answers needing follow-up.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { SatisfactionRepository, SCALE, type PeriodAggregate, type SurveyKind } from "../../repositories/satisfaction.ts";
import { notFound } from "../../server/errors.ts";
import { clipText } from "../shared/clip-text.ts";

const REASON_CHARS = 300;

const round1 = (v: number) => Math.round(v * 10) / 10;
const round2 = (v: number) => Math.round(v * 100) / 100;

/** NPS = % promoters − % detractors; CSAT = % of 4–5 answers; CES = mean answer. Null with no answers. */
export function surveyScore(kind: SurveyKind, a: PeriodAggregate): number | null {
  if (a.n === 0) return null;
  if (kind === "nps") return round1(((a.high - a.low) / a.n) * 100);
  if (kind === "csat") return round1((a.high / a.n) * 100);
  return round2(a.sum / a.n);
}

const FORMULA: Record<SurveyKind, string> = {
  nps: "NPS = % promoters (9–10) − % detractors (0–6), from −100 to +100",
  csat: "CSAT % = answers of 4–5 ÷ all answers × 100",
  ces: "CES = mean of the 1–7 answers (higher = easier)",
};
const FOLLOW_UP_RULE: Record<SurveyKind, string> = {
  nps: "detractors: answers 0–6",
  csat: "dissatisfied: answers 1–2",
  ces: "hard effort: answers 1–3",
};
/** A change smaller than this is "stable": 5 NPS/CSAT points, 0.3 CES points. */
const STABLE: Record<SurveyKind, number> = { nps: 5, csat: 5, ces: 0.3 };

export class SatisfactionService {
  private readonly repo: SatisfactionRepository;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.repo = new SatisfactionRepository(prisma);
  }

  async monitor(input: { client_id?: string | undefined; survey_type: SurveyKind; time_period_days: number; follow_up_limit: number }) {
    const kind = input.survey_type;
    const accountId = input.client_id ?? null;
    if (accountId) {
      const exists = await this.prisma.account.findUnique({ where: { id: accountId }, select: { id: true } });
      if (!exists) throw notFound("client", accountId, "use list_clients to find the client_id, or omit client_id for the whole portfolio");
    }
    const end = this.now();
    const span = input.time_period_days * 86_400_000;
    const start = new Date(end.getTime() - span);
    const prevStart = new Date(start.getTime() - span);
    const [{ current, previous }, low, lowest] = await Promise.all([
      this.repo.aggregates(kind, accountId, prevStart, start, end),
      this.repo.lowAnswers(kind, accountId, start, end, input.follow_up_limit),
      accountId ? Promise.resolve(null) : this.repo.lowestAccounts(kind, start, end, 10),
    ]);
    const score = surveyScore(kind, current);
    const prevScore = surveyScore(kind, previous);
    const change = score !== null && prevScore !== null ? round2(score - prevScore) : null;
    const direction: "up" | "down" | "stable" | "no_data" = change === null ? "no_data" : change >= STABLE[kind] ? "up" : change <= -STABLE[kind] ? "down" : "stable";
    const breakdown = (a: PeriodAggregate): Record<string, number | null> => {
      const pct = (x: number) => (a.n ? round1((x / a.n) * 100) : 0);
      if (kind === "nps") {
        const passives = a.n - a.high - a.low;
        return { promoters: a.high, passives, detractors: a.low, promoters_percent: pct(a.high), passives_percent: pct(passives), detractors_percent: pct(a.low) };
      }
      if (kind === "csat") return { satisfied: a.high, neutral: a.n - a.high - a.low, dissatisfied: a.low, satisfied_percent: pct(a.high) };
      return { easy: a.high, neutral: a.n - a.high - a.low, hard: a.low, mean: a.n ? round2(a.sum / a.n) : null };
    };
    const missing: string[] = [];
    if (current.n === 0) missing.push(`no ${kind} answers in the last ${input.time_period_days} days; record them with collect_feedback${kind === "nps" ? " or `cs-mcp import nps <file>`" : ""}`);
    if (previous.n === 0) missing.push(`no ${kind} answers in the previous ${input.time_period_days} days: no trend`);
    return {
      survey_type: kind,
      scope: accountId ? { client_id: accountId } : { client_id: null },
      period: { start: start.toISOString(), end: end.toISOString(), days: input.time_period_days },
      formula: FORMULA[kind],
      score,
      responses: current.n,
      accounts_responding: current.accounts,
      breakdown: breakdown(current),
      trend: {
        previous_period: { start: prevStart.toISOString(), end: start.toISOString() },
        previous_score: prevScore,
        previous_responses: previous.n,
        change,
        direction,
      },
      follow_up: {
        rule: FOLLOW_UP_RULE[kind],
        total: low.total,
        returned: low.rows.length,
        truncated: low.total > low.rows.length,
        responses: low.rows.map((r) => ({
          response_id: r.id,
          client_id: r.account_id,
          company_name: r.company_name,
          respondent_email: r.respondent_email,
          score: Number(r.score),
          // Survey reasons have no length limit: the list shows their start.
          reason: clipText(r.reason, REASON_CHARS),
          responded_at: new Date(r.responded_at).toISOString(),
        })),
      },
      lowest_accounts: lowest,
      scale: { min: SCALE[kind].min, max: SCALE[kind].max },
      missing_data: missing,
    };
  }
}
