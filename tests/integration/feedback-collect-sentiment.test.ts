// collect_feedback and analyze_feedback_sentiment on both back ends, through the real pipeline: survey scores
// validated per scale (exact messages, nothing written), the survey answer stored with its feedback in one
// transaction, sentiment labels on clearly positive / negative / neutral texts with the documented thresholds,
// NPS at the 6/7 and 8/9 boundaries, theme counts per feedback, and the deltas against the previous period.
// Every expected figure is computed in the test from the rows it inserted.
import Sentiment from "sentiment";
import { removeStopwords, eng } from "stopword";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { call, callError, pipelineFor } from "../helpers/pipeline.ts";
import { feedbackTools } from "../../src/tools/feedback/index.ts";
import type { ToolPipeline } from "../../src/server/pipeline.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const DAY = 86_400_000;
const daysAgo = (d: number) => new Date(NOW.getTime() - d * DAY).toISOString();

const POSITIVE = "I love this product, the reporting is excellent and support was great!";
const NEGATIVE = "The export is broken and support is terrible. Very disappointed.";
const NEUTRAL = "We use the dashboard every Monday for the team meeting.";

/** The documented rule, computed here from the library directly: comparative ÷ 5, ±0.01 thresholds. */
function expectedSentiment(text: string) {
  const c = new Sentiment().analyze(text).comparative / 5;
  return { score: Math.round(c * 10_000) / 10_000, label: c > 0.01 ? "positive" : c < -0.01 ? "negative" : "neutral" };
}
const npsOf = (scores: number[]) => {
  const p = scores.filter((s) => s >= 9).length;
  const d = scores.filter((s) => s <= 6).length;
  return Math.round(((p - d) / scores.length) * 100 * 10) / 10;
};

describe.each(BACKENDS)("feedback collection and sentiment on %s", (backend) => {
  let t: TestDb;
  let p: ToolPipeline;
  let n = 0;

  async function account(arr = 10_000) {
    const slug = `fb_${backend}_${++n}`;
    const id = `cs_1700000000_${slug}`;
    await t.db.prisma.account.create({ data: { id, client_name: slug, company_name: `Company ${slug}`, company_key: slug, arr, created_at: new Date(NOW.getTime() - 400 * DAY) } });
    return id;
  }
  const counts = async (id: string) => ({ feedback: await t.db.prisma.feedback.count({ where: { account_id: id } }), surveys: await t.db.prisma.surveyResponse.count({ where: { account_id: id } }) });

  beforeAll(async () => {
    t = await openTestDb(backend);
    p = pipelineFor(t, feedbackTools, NOW);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("stores a survey answer with its feedback, linked, and labels the sentiment", async () => {
    const id = await account();
    const r = await call(p, "collect_feedback", { client_id: id, feedback_type: "nps", score: 9, submitter_email: "Ana@Cust.test", content: POSITIVE, tags: ["Reporting", "reporting"] });
    const exp = expectedSentiment(POSITIVE);
    expect(exp.label).toBe("positive");
    expect(r.feedback).toMatchObject({ client_id: id, feedback_type: "nps", score: 9, classification: "promoter", status: "open", sentiment_score: exp.score, sentiment_label: "positive", tags: ["reporting"], submitter_email: "ana@cust.test" });
    expect(r.feedback.content).toEqual({ customer_text: POSITIVE, source: `feedback ${r.feedback.feedback_id} content` });
    expect(r.survey_response).toMatchObject({ survey_type: "nps", score: 9, classification: "promoter" });
    const sr = await t.db.prisma.surveyResponse.findUniqueOrThrow({ where: { id: r.survey_response.survey_response_id } });
    expect(sr).toMatchObject({ account_id: id, survey_type: "nps", score: 9, respondent_email: "ana@cust.test", reason: POSITIVE, feedback_id: r.feedback.feedback_id });
    expect(sr.responded_at.toISOString()).toBe(NOW.toISOString());
    expect(await t.db.prisma.auditLog.count({ where: { entity_id: r.feedback.feedback_id, action: "collect_feedback" } })).toBe(1);

    // The same answer again (same respondent and time) is refused and writes nothing.
    const e = await callError(p, "collect_feedback", { client_id: id, feedback_type: "nps", score: 3, submitter_email: "ana@cust.test", submitted_at: NOW.toISOString() });
    expect(e.code).toBe("conflict");
    expect(await counts(id)).toEqual({ feedback: 1, surveys: 1 });
  });

  it("labels clearly negative and neutral texts by the thresholds, and stores them as computed", async () => {
    const id = await account();
    for (const [text, label] of [[NEGATIVE, "negative"], [NEUTRAL, "neutral"]] as const) {
      const exp = expectedSentiment(text);
      expect(exp.label).toBe(label);
      const r = await call(p, "collect_feedback", { client_id: id, feedback_type: "product_feedback", content: text });
      expect(r.feedback.sentiment_label).toBe(label);
      expect(r.feedback.sentiment_score).toBe(exp.score);
      const row = await t.db.prisma.feedback.findUniqueOrThrow({ where: { id: r.feedback.feedback_id } });
      expect(Number(row.sentiment_score)).toBe(exp.score);
      expect(row.sentiment_label).toBe(label);
      expect(r.survey_response).toBeNull();
    }
    expect(expectedSentiment(NEGATIVE).score).toBe(-0.08); // −4 over 10 tokens = −0.4, ÷ 5
    expect(await counts(id)).toEqual({ feedback: 2, surveys: 0 });
  });

  it("validates the score per scale with exact messages and writes nothing", async () => {
    const id = await account();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ feedback_type: "nps", score: 11 }, "score: must be an integer from 0 to 10 for feedback_type 'nps' (got 11)"],
      [{ feedback_type: "nps", score: -1 }, "score: must be an integer from 0 to 10 for feedback_type 'nps' (got -1)"],
      [{ feedback_type: "csat", score: 0 }, "score: must be an integer from 1 to 5 for feedback_type 'csat' (got 0)"],
      [{ feedback_type: "csat", score: 6 }, "score: must be an integer from 1 to 5 for feedback_type 'csat' (got 6)"],
      [{ feedback_type: "ces", score: 8 }, "score: must be an integer from 1 to 7 for feedback_type 'ces' (got 8)"],
      [{ feedback_type: "ces" }, "score: is required for feedback_type 'ces' (an integer from 1 to 7)"],
      [{ feedback_type: "feature_request", score: 5, content: "x" }, "score: only survey feedback (nps, csat, ces) takes a score; feedback_type 'feature_request' does not"],
      [{ feedback_type: "bug_report" }, "content: is required for feedback_type 'bug_report'"],
    ];
    for (const [args, message] of cases) {
      const e = await callError(p, "collect_feedback", { client_id: id, submitter_email: "x@cust.test", ...args });
      expect(e).toMatchObject({ code: "validation_error", message });
    }
    const e = await callError(p, "collect_feedback", { client_id: id, feedback_type: "csat", score: 4 });
    expect(e.message).toBe("submitter_email: is required for feedback_type 'csat' (survey answers are stored per respondent)");
    const z = await callError(p, "collect_feedback", { client_id: id, feedback_type: "nps", score: 7.5, submitter_email: "x@cust.test" });
    expect(z.message).toBe("invalid arguments: score: must be an integer");
    expect(await counts(id)).toEqual({ feedback: 0, surveys: 0 });
    // The boundaries themselves are accepted.
    for (const [type, score] of [["nps", 0], ["nps", 10], ["csat", 1], ["csat", 5], ["ces", 1], ["ces", 7]] as const) {
      await call(p, "collect_feedback", { client_id: id, feedback_type: type, score, submitter_email: `${type}${score}@cust.test` });
    }
    expect(await counts(id)).toEqual({ feedback: 6, surveys: 6 });
  });

  it("computes NPS at the 6/7 and 8/9 boundaries from the stored answers", async () => {
    const a = await account();
    const b = await account();
    const scoresA = [0, 6, 7, 8, 9, 10];
    const scoresB = [6, 9, 9];
    for (const [id, scores] of [[a, scoresA], [b, scoresB]] as const) {
      for (const [i, score] of scores.entries()) {
        await call(p, "collect_feedback", { client_id: id, feedback_type: "nps", score, submitter_email: `r${i}@cust.test`, submitted_at: daysAgo(i + 1) });
      }
    }
    const ra = await call(p, "analyze_feedback_sentiment", { client_id: a, include_themes: false });
    expect(npsOf(scoresA)).toBe(0); // 2 promoters, 2 detractors of 6
    expect(ra.nps).toMatchObject({ score: npsOf(scoresA), responses: 6, promoters: 2, passives: 2, detractors: 2 });
    const rb = await call(p, "analyze_feedback_sentiment", { client_id: b, include_themes: false });
    expect(npsOf(scoresB)).toBe(33.3); // (2 − 1) ÷ 3 = 33.33…, rounded to 1 decimal
    expect(rb.nps).toMatchObject({ score: 33.3, responses: 3, promoters: 2, passives: 0, detractors: 1 });
  });

  it("gives the distribution, theme counts per feedback and the deltas against the previous period", async () => {
    const id = await account();
    // Current period (2026-05-16 00:00, 2026-06-15 00:00]; previous (2026-04-16, 2026-05-16].
    const current = [
      { content: "Export is slow and the export fails every time", category: "export", tags: ["perf"] },
      { content: "The export button is hidden", category: "export", tags: [] },
      { content: "Dashboard loads slow", category: "dashboard", tags: ["perf"] },
      { content: POSITIVE, category: "reporting", tags: [] },
    ];
    const previous = [{ content: POSITIVE }, { content: "Great onboarding, excellent trainers" }, { content: NEUTRAL }];
    for (const [i, f] of current.entries()) await call(p, "collect_feedback", { client_id: id, feedback_type: "product_feedback", ...f, submitted_at: daysAgo(2 + i) });
    for (const [i, f] of previous.entries()) await call(p, "collect_feedback", { client_id: id, feedback_type: "general", ...f, submitted_at: daysAgo(35 + i) });
    // Outside both periods: not counted.
    await call(p, "collect_feedback", { client_id: id, feedback_type: "general", content: NEGATIVE, submitted_at: daysAgo(80) });
    const nps = [[10, 2], [3, 5], [9, 40], [9, 41], [2, 42]] as const; // [score, days ago]
    for (const [i, [score, d]] of nps.entries()) await call(p, "collect_feedback", { client_id: id, feedback_type: "nps", score, submitter_email: `n${i}@cust.test`, submitted_at: daysAgo(d) });

    const r = await call(p, "analyze_feedback_sentiment", { client_id: id, period_start: "2026-05-16", period_end: "2026-06-14", theme_limit: 50 });
    expect(r.period).toMatchObject({ start: "2026-05-16T00:00:00.000Z", end: "2026-06-15T00:00:00.000Z", days: 30 });

    const curTexts = [...current.map((c) => c.content), "", ""]; // the two NPS answers without comment
    const labels = curTexts.filter(Boolean).map((c) => expectedSentiment(c));
    const share = (l: string, ls: Array<{ label: string }>) => Math.round((ls.filter((x) => x.label === l).length / ls.length) * 10_000) / 10_000;
    const mean = (ls: Array<{ score: number }>) => Math.round((ls.reduce((s, x) => s + x.score, 0) / ls.length) * 10_000) / 10_000;
    expect(r.feedback_count).toBe(6);
    expect(r.scored_count).toBe(4);
    for (const l of ["positive", "neutral", "negative"] as const) {
      expect(r.distribution[l]).toEqual({ count: labels.filter((x) => x.label === l).length, share: share(l, labels) });
    }
    expect(r.mean_sentiment).toBeCloseTo(mean(labels), 4);
    expect(r.by_type.map((b: { feedback_type: string; count: number }) => [b.feedback_type, b.count])).toEqual([["nps", 2], ["product_feedback", 4]]);
    expect(r.missing_data.some((m: { what: string }) => m.what.startsWith("2 of 6 feedback rows have no stored sentiment"))).toBe(true);

    // Themes: each term once per feedback, stopwords and short tokens dropped — computed here independently.
    const perFeedback = new Map<string, number>();
    for (const text of current.map((c) => c.content)) {
      const terms = new Set(removeStopwords(text.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length >= 3 && !/^\d+$/.test(w)), eng));
      for (const term of terms) perFeedback.set(term, (perFeedback.get(term) ?? 0) + 1);
    }
    const got = new Map<string, number>(r.themes.terms.map((x: { term: string; feedback_count: number }) => [x.term, x.feedback_count]));
    expect(got).toEqual(perFeedback);
    expect(got.get("export")).toBe(2); // twice in one feedback, once in another
    expect(got.get("slow")).toBe(2);
    const exportTerm = r.themes.terms.find((x: { term: string }) => x.term === "export");
    const exportScores = [current[0]!.content, current[1]!.content].map((c) => expectedSentiment(c).score);
    expect(exportTerm.mean_sentiment).toBeCloseTo(mean(exportScores.map((score) => ({ score }))), 4);
    expect(exportTerm.previous_feedback_count).toBe(0);
    expect(r.themes.categories).toEqual([
      expect.objectContaining({ name: "export", feedback_count: 2 }),
      expect.objectContaining({ name: "dashboard", feedback_count: 1 }),
      expect.objectContaining({ name: "reporting", feedback_count: 1 }),
    ]);
    expect(r.themes.tags).toEqual([expect.objectContaining({ name: "perf", feedback_count: 2 })]);

    // Previous period and deltas.
    const prevLabels = previous.map((f) => expectedSentiment(f.content));
    const c = r.comparison;
    expect(c.previous_period).toEqual({ start: "2026-04-16T00:00:00.000Z", end: "2026-05-16T00:00:00.000Z" });
    expect(c.previous.feedback_count).toBe(3 + 3); // three texts and three NPS answers without comment
    expect(c.deltas.feedback_count).toBe(6 - 6);
    expect(c.deltas.mean_sentiment).toBeCloseTo(mean(labels) - mean(prevLabels), 4);
    expect(c.deltas.negative_share).toBeCloseTo(share("negative", labels) - share("negative", prevLabels), 4);
    const curNps = npsOf([10, 3]);
    const prevNps = npsOf([9, 9, 2]);
    expect(r.nps.score).toBe(curNps);
    expect(c.previous.nps).toBe(prevNps);
    expect(c.deltas.nps).toBe(Math.round((curNps - prevNps) * 10) / 10);

    // The most negative feedback comes back as customer text.
    expect(r.most_negative[0].content.customer_text).toBe(current.map((x) => x.content).sort((x, y) => expectedSentiment(x).score - expectedSentiment(y).score)[0]);

    // Filtering by type leaves the NPS answers out of the distribution.
    const only = await call(p, "analyze_feedback_sentiment", { client_id: id, period_start: "2026-05-16", period_end: "2026-06-14", feedback_types: ["product_feedback"], include_themes: false, compare_to_previous: false });
    expect(only.feedback_count).toBe(4);
    expect(only.comparison).toBeNull();
  });

  it("names a bad period and an unknown client", async () => {
    const e = await callError(p, "analyze_feedback_sentiment", { period_start: "2026-06-10", period_end: "2026-06-01" });
    expect(e.message).toBe("period_end: must be after period_start");
    const nf = await callError(p, "analyze_feedback_sentiment", { client_id: "cs_1700000000_nobody" });
    expect(nf.code).toBe("not_found");
  });
});
