// analyze_feedback_sentiment: how stored feedback feels over a period — label distribution (counts and
// shares), mean sentiment, per type; themes (most frequent terms, categories and tags, each with its mean
// sentiment); NPS of the period from survey_responses; and the change against the previous period of the
// same length. Read-only: nothing is stored (create_voc_report of manage_voice_of_customer stores a snapshot).
//
// shares = label count ÷ feedback with a stored sentiment; mean = mean of the stored scores (−1…+1).
// NPS = % promoters (9–10) − % detractors (0–6) of the period's NPS answers (surveyScore, shared with
// monitor_satisfaction), rounded to 1 decimal.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { FeedbackRecordsRepository, type FeedbackScope, type TypeSummaryRow } from "../../repositories/feedback-records.ts";
import { SatisfactionRepository, type PeriodAggregate } from "../../repositories/satisfaction.ts";
import { surveyScore } from "../retention/satisfaction.ts";
import { notFound } from "../../server/errors.ts";
import { asCustomerText } from "../../tools/shared/customer-text.ts";
import { resolveWindow, type Window } from "./periods.ts";
import { SENTIMENT_LABELS, SENTIMENT_METHOD, THEME_METHOD, themeTerms, type SentimentLabel } from "./sentiment.ts";
import type { FeedbackType } from "./model.ts";

/** Most feedback texts read for the theme terms of one period (newest first). */
export const THEME_TEXT_CAP = 20_000;
export const DEFAULT_SENTIMENT_DAYS = 30;

const r4 = (v: number) => Math.round(v * 10_000) / 10_000;
const r1 = (v: number) => Math.round(v * 10) / 10;
const delta = (a: number | null, b: number | null, round: (v: number) => number) => (a === null || b === null ? null : round(a - b));

export interface SentimentInput {
  client_id?: string | undefined;
  period_start?: string | undefined;
  period_end?: string | undefined;
  feedback_types?: FeedbackType[] | undefined;
  include_nps: boolean;
  include_themes: boolean;
  compare_to_previous: boolean;
  theme_limit: number;
  negative_examples: number;
}

export const NPS_FORMULA = "NPS = % promoters (9–10) − % detractors (0–6) of the NPS answers in survey_responses, −100…+100, rounded to 1 decimal";

function distribution(t: TypeSummaryRow | undefined) {
  const labelled = t ? t.positive + t.neutral + t.negative : 0;
  const one = (l: SentimentLabel) => {
    const c = t ? t[l] : 0;
    return { count: c, share: labelled ? r4(c / labelled) : null };
  };
  return { positive: one("positive"), neutral: one("neutral"), negative: one("negative") };
}

function npsOf(a: PeriodAggregate) {
  return { score: surveyScore("nps", a), responses: a.n, promoters: a.high, passives: a.n - a.high - a.low, detractors: a.low, accounts_responding: a.accounts };
}

export class SentimentAnalysisService {
  private readonly repo: FeedbackRecordsRepository;
  private readonly surveys: SatisfactionRepository;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.repo = new FeedbackRecordsRepository(prisma);
    this.surveys = new SatisfactionRepository(prisma);
  }

  /** Most frequent terms of a period: each counted once per feedback, with the sentiment of the feedback using it. */
  async terms(scope: FeedbackScope, start: Date, end: Date, limit: number) {
    const { rows, total } = await this.repo.texts(scope, start, end, THEME_TEXT_CAP);
    const acc = new Map<string, { n: number; sum: number; scored: number; positive: number; neutral: number; negative: number }>();
    for (const r of rows) {
      for (const term of themeTerms(`${r.title ?? ""} ${r.content}`)) {
        const a = acc.get(term) ?? { n: 0, sum: 0, scored: 0, positive: 0, neutral: 0, negative: 0 };
        a.n++;
        if (r.sentiment_score !== null) {
          a.sum += Number(r.sentiment_score);
          a.scored++;
        }
        if (r.sentiment_label === "positive" || r.sentiment_label === "neutral" || r.sentiment_label === "negative") a[r.sentiment_label]++;
        acc.set(term, a);
      }
    }
    const all = [...acc.entries()].sort((x, y) => y[1].n - x[1].n || (x[0] < y[0] ? -1 : 1));
    return {
      analysed_feedback: rows.length,
      total_feedback: total,
      truncated: total > rows.length,
      distinct_terms: all.length,
      counts: acc,
      terms: all.slice(0, limit).map(([term, a]) => ({
        term,
        feedback_count: a.n,
        mean_sentiment: a.scored ? r4(a.sum / a.scored) : null,
        positive: a.positive,
        neutral: a.neutral,
        negative: a.negative,
      })),
    };
  }

  private async period(scope: FeedbackScope, start: Date, end: Date) {
    const rows = await this.repo.summary(scope, start, end);
    const total = rows.find((r) => r.feedback_type === null);
    return {
      feedback_count: total?.n ?? 0,
      scored: total?.scored ?? 0,
      mean_sentiment: total?.mean === null || total?.mean === undefined ? null : r4(total.mean),
      distribution: distribution(total),
      by_type: rows
        .filter((r) => r.feedback_type !== null)
        .map((r) => ({ feedback_type: r.feedback_type!, count: r.n, scored: r.scored, mean_sentiment: r.mean === null ? null : r4(r.mean), positive: r.positive, neutral: r.neutral, negative: r.negative })),
    };
  }

  window(input: { period_start?: string | undefined; period_end?: string | undefined }): Window {
    return resolveWindow(input, this.now(), DEFAULT_SENTIMENT_DAYS);
  }

  async analyze(input: SentimentInput) {
    const w = this.window(input);
    const accountId = input.client_id ?? null;
    if (accountId) {
      const a = await this.prisma.account.findUnique({ where: { id: accountId }, select: { id: true } });
      if (!a) throw notFound("client", accountId, "use list_clients to find the client_id, or omit client_id for the whole portfolio");
    }
    const types = input.feedback_types?.length ? [...new Set(input.feedback_types)] : null;
    const scope: FeedbackScope = { accountId, types };
    const [cur, prev, nps, negative] = await Promise.all([
      this.period(scope, w.start, w.end),
      input.compare_to_previous ? this.period(scope, w.prevStart, w.start) : Promise.resolve(null),
      input.include_nps ? this.surveys.aggregates("nps", accountId, w.prevStart, w.start, w.end) : Promise.resolve(null),
      this.repo.mostNegative(scope, w.start, w.end, input.negative_examples),
    ]);

    let themes = null;
    if (input.include_themes) {
      const [t, categories, tags, prevTerms] = await Promise.all([
        this.terms(scope, w.start, w.end, input.theme_limit),
        this.repo.groups("category", scope, w.start, w.end, input.theme_limit),
        this.repo.groups("tag", scope, w.start, w.end, input.theme_limit),
        input.compare_to_previous ? this.terms(scope, w.prevStart, w.start, 0) : Promise.resolve(null),
      ]);
      const group = (g: (typeof categories)[number]) => ({ name: g.name, feedback_count: g.n, mean_sentiment: g.mean === null ? null : r4(g.mean), positive: g.positive, negative: g.negative });
      themes = {
        method: THEME_METHOD,
        analysed_feedback: t.analysed_feedback,
        truncated: t.truncated,
        distinct_terms: t.distinct_terms,
        terms: t.terms.map((x) => ({ ...x, previous_feedback_count: prevTerms ? (prevTerms.counts.get(x.term)?.n ?? 0) : null })),
        categories: categories.map(group),
        tags: tags.map(group),
      };
    }

    let comparison = null;
    if (prev) {
      const prevNps = nps ? surveyScore("nps", nps.previous) : null;
      const curNps = nps ? surveyScore("nps", nps.current) : null;
      comparison = {
        previous_period: { start: w.prevStart.toISOString(), end: w.start.toISOString() },
        previous: { feedback_count: prev.feedback_count, mean_sentiment: prev.mean_sentiment, distribution: prev.distribution, nps: prevNps, nps_responses: nps ? nps.previous.n : null },
        deltas: {
          feedback_count: cur.feedback_count - prev.feedback_count,
          mean_sentiment: delta(cur.mean_sentiment, prev.mean_sentiment, r4),
          positive_share: delta(cur.distribution.positive.share, prev.distribution.positive.share, r4),
          neutral_share: delta(cur.distribution.neutral.share, prev.distribution.neutral.share, r4),
          negative_share: delta(cur.distribution.negative.share, prev.distribution.negative.share, r4),
          nps: delta(curNps, prevNps, r1),
        },
      };
    }

    const missing: Array<{ what: string; how_to_supply: string }> = [];
    const where = `${accountId ? ` for ${accountId}` : ""}${types ? ` of type ${types.join(", ")}` : ""}`;
    if (cur.feedback_count === 0) missing.push({ what: `no feedback${where} between ${w.start.toISOString()} and ${w.end.toISOString()}`, how_to_supply: "record feedback with collect_feedback" });
    else if (cur.scored < cur.feedback_count) {
      missing.push({ what: `${cur.feedback_count - cur.scored} of ${cur.feedback_count} feedback rows have no stored sentiment (recorded without text or outside collect_feedback); they are counted but not in the shares or the mean`, how_to_supply: "record feedback text through collect_feedback" });
    }
    if (prev && prev.feedback_count === 0) missing.push({ what: "no feedback in the previous period: the deltas are against zero feedback and the sentiment deltas are null", how_to_supply: "record feedback with collect_feedback" });
    if (nps && nps.current.n === 0) missing.push({ what: `no NPS answers${accountId ? ` for ${accountId}` : ""} in the period`, how_to_supply: "collect_feedback with feedback_type nps, or `cs-mcp import nps <file>`" });

    return {
      scope: { client_id: accountId, feedback_types: types },
      period: { start: w.start.toISOString(), end: w.end.toISOString(), days: w.days, bounds: "(start, end]: created_at after start and up to end" },
      method: SENTIMENT_METHOD,
      feedback_count: cur.feedback_count,
      scored_count: cur.scored,
      distribution: cur.distribution,
      mean_sentiment: cur.mean_sentiment,
      by_type: cur.by_type,
      themes,
      nps: nps ? { ...npsOf(nps.current), formula: NPS_FORMULA } : null,
      comparison,
      most_negative: negative.map((n) => ({
        feedback_id: n.id,
        client_id: n.account_id,
        company_name: n.company_name,
        feedback_type: n.feedback_type,
        sentiment_score: r4(Number(n.sentiment_score)),
        created_at: new Date(n.created_at).toISOString(),
        title: n.title ? asCustomerText(n.title, `feedback ${n.id} title`) : null,
        content: asCustomerText(n.content, `feedback ${n.id} content`),
      })),
      labels: [...SENTIMENT_LABELS],
      missing_data: missing,
    };
  }
}
