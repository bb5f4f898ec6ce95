// manage_voice_of_customer: the voice-of-customer program over stored feedback.
//   create_voc_report             a period's report (sentiment, themes, NPS, top requests by ARR affected,
//                                 insights, loop status), stored in voc_reports with a sentiment_analyses snapshot
//   track_feedback_loop           feedback of a period by status (open, acknowledged, in_roadmap, closed_loop),
//                                 ages, loop-closure rate (closed_loop ÷ all), the oldest unclosed items
//   measure_program_effectiveness response volume, closure rate and time to close, and the NPS change of the
//                                 accounts whose feedback was closed against those whose feedback was not
//   generate_executive_summary    headline figures from a stored report and the one before it
//   acknowledge_feedback          open → acknowledged
//   close_feedback_loop           → closed_loop with the response; optionally mails the submitter through the
//                                 outbox (sendgrid.send, key feedback_loop_closed:<feedback_id>)
//   update_customer_roadmap       links feedback to an insight / roadmap item; linked feedback → in_roadmap
// Feedback only moves forward along its loop. Writes carry an audit record; the loop steps that the timeline
// does not derive (closing, roadmap links) get a timeline entry.
import { Prisma, type PrismaClient } from "../../generated/prisma/client.ts";
import type { Config } from "../../config/load.ts";
import { FeedbackVocRepository } from "../../repositories/feedback-voc.ts";
import { FeedbackRecordsRepository } from "../../repositories/feedback-records.ts";
import { accountsByIds, advanceFeedback, affectedAccounts, feedbackByIds } from "../../repositories/feedback-insights.ts";
import { SCALE } from "../../repositories/satisfaction.ts";
import { writeAudit, writeTimeline } from "../../repositories/audit.ts";
import { enqueue, type DeliveryReport } from "../../integrations/outbox.ts";
import type { SendMailPayload } from "../../integrations/payloads.ts";
import { surveyScore } from "../retention/satisfaction.ts";
import { conflict, notFound, validationError } from "../../server/errors.ts";
import { toMoney } from "../../security/validation.ts";
import { checkActionFields, type ActionRule } from "../shared/action-fields.ts";
import { FEEDBACK_STATUSES, feedbackView, type InsightStatus } from "./model.ts";
import { accountBreakdown, ARR_BASIS, insightView } from "./insights.ts";
import { resolveWindow } from "./periods.ts";
import type { SentimentAnalysisService } from "./sentiment-analysis.ts";

export const VOC_ACTIONS = [
  "create_voc_report",
  "track_feedback_loop",
  "measure_program_effectiveness",
  "generate_executive_summary",
  "acknowledge_feedback",
  "close_feedback_loop",
  "update_customer_roadmap",
] as const;
export type VocAction = (typeof VOC_ACTIONS)[number];
export const DEFAULT_VOC_DAYS = 90;

export interface VocInput {
  action: VocAction;
  client_id?: string | undefined;
  period_start?: string | undefined;
  period_end?: string | undefined;
  title?: string | undefined;
  report_id?: string | undefined;
  feedback_id?: string | undefined;
  feedback_ids?: string[] | undefined;
  response?: string | undefined;
  responded_by?: string | undefined;
  notify_submitter?: boolean | undefined;
  /** How the submitter hears back: email through SendGrid (default) or an in-app message through Intercom. */
  notify_channel?: "email" | "in_app" | undefined;
  insight_id?: string | undefined;
  roadmap_item?: string | undefined;
  insight_status?: InsightStatus | undefined;
  limit: number;
}

type Field = "client_id" | "period_start" | "period_end" | "title" | "report_id" | "feedback_id" | "feedback_ids" | "response" | "responded_by" | "notify_submitter" | "notify_channel" | "insight_id" | "roadmap_item" | "insight_status";
const FIELDS: Field[] = ["client_id", "period_start", "period_end", "title", "report_id", "feedback_id", "feedback_ids", "response", "responded_by", "notify_submitter", "notify_channel", "insight_id", "roadmap_item", "insight_status"];
const RULES: Record<VocAction, ActionRule<Field>> = {
  create_voc_report: { required: [], allowed: ["client_id", "period_start", "period_end", "title"] },
  track_feedback_loop: { required: [], allowed: ["client_id", "period_start", "period_end"] },
  measure_program_effectiveness: { required: [], allowed: ["client_id", "period_start", "period_end"] },
  generate_executive_summary: { required: [], allowed: ["report_id", "client_id"] },
  acknowledge_feedback: { required: ["feedback_ids"], allowed: ["feedback_ids", "responded_by"] },
  close_feedback_loop: { required: ["feedback_id", "response"], allowed: ["feedback_id", "response", "responded_by", "notify_submitter", "notify_channel"] },
  update_customer_roadmap: { required: ["insight_id"], allowed: ["insight_id", "feedback_ids", "roadmap_item", "insight_status"], atLeastOne: ["feedback_ids", "roadmap_item", "insight_status"] },
};

const r1 = (v: number) => Math.round(v * 10) / 10;
const r4 = (v: number) => Math.round(v * 10_000) / 10_000;
const days1 = (v: number | null) => (v === null ? null : r1(Number(v)));

export const CLOSE_KEY = (feedbackId: string) => `feedback_loop_closed:${feedbackId}`;

export class VocService {
  private readonly repo: FeedbackVocRepository;
  private readonly records: FeedbackRecordsRepository;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly config: Config,
    private readonly sentiment: SentimentAnalysisService,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.repo = new FeedbackVocRepository(prisma);
    this.records = new FeedbackRecordsRepository(prisma);
  }

  async handle(input: VocInput) {
    checkActionFields(input.action, input, FIELDS, RULES);
    switch (input.action) {
      case "create_voc_report":
        return this.createReport(input);
      case "track_feedback_loop":
        return this.trackLoop(input);
      case "measure_program_effectiveness":
        return this.effectiveness(input);
      case "generate_executive_summary":
        return this.executiveSummary(input);
      case "acknowledge_feedback":
        return this.acknowledge(input);
      case "close_feedback_loop":
        return this.close(input);
      case "update_customer_roadmap":
        return this.roadmap(input);
    }
  }

  private async requireClient(id: string | undefined) {
    if (!id) return;
    const a = await this.prisma.account.findUnique({ where: { id }, select: { id: true } });
    if (!a) throw notFound("client", id, "use list_clients to find the client_id, or omit client_id for the whole portfolio");
  }

  // ------------------------------------------------------------------ loop figures

  private async loop(accountId: string | null, start: Date, end: Date) {
    const rows = await this.repo.loopByStatus(accountId, start, end, this.now());
    const total = rows.reduce((n, r) => n + r.n, 0);
    const by = FEEDBACK_STATUSES.map((s) => {
      const r = rows.find((x) => x.status === s);
      return { status: s, count: r?.n ?? 0, share: total ? r4((r?.n ?? 0) / total) : null, mean_age_days: days1(r?.mean_age_days ?? null), median_age_days: days1(r?.median_age_days ?? null), max_age_days: days1(r?.max_age_days ?? null) };
    });
    const closed = by.find((b) => b.status === "closed_loop")!.count;
    return { total, by_status: by, closure_rate: total ? r4(closed / total) : null, acknowledged_or_later_rate: total ? r4((total - by[0]!.count) / total) : null };
  }

  private async trackLoop(input: VocInput) {
    await this.requireClient(input.client_id);
    const w = resolveWindow(input, this.now(), DEFAULT_VOC_DAYS);
    const accountId = input.client_id ?? null;
    const [loop, oldest] = await Promise.all([this.loop(accountId, w.start, w.end), this.repo.oldestUnclosed(accountId, w.start, w.end, input.limit)]);
    const now = this.now();
    return {
      action: "track_feedback_loop" as const,
      scope: { client_id: accountId },
      period: { start: w.start.toISOString(), end: w.end.toISOString(), days: w.days },
      feedback_count: loop.total,
      by_status: loop.by_status,
      closure_rate: loop.closure_rate,
      acknowledged_or_later_rate: loop.acknowledged_or_later_rate,
      definitions: {
        closure_rate: "feedback created in the period whose loop is closed (status closed_loop) ÷ all feedback created in the period",
        age_days: "days from created_at to closed_at for closed loops, to now for the others",
      },
      oldest_unclosed: { total: oldest.total, items: oldest.rows.map((f) => feedbackView(f, now, f.account.company_name)) },
      missing_data: loop.total ? [] : [{ what: `no feedback${accountId ? ` for ${accountId}` : ""} between ${w.start.toISOString()} and ${w.end.toISOString()}`, how_to_supply: "record feedback with collect_feedback" }],
    };
  }

  private async effectiveness(input: VocInput) {
    await this.requireClient(input.client_id);
    const w = resolveWindow(input, this.now(), DEFAULT_VOC_DAYS);
    const accountId = input.client_id ?? null;
    const [vol, prevVol, closure, groups, nps] = await Promise.all([
      this.repo.volume(accountId, w.start, w.end),
      this.repo.volume(accountId, w.prevStart, w.start),
      this.repo.closure(accountId, w.start, w.end),
      this.repo.closureGroups(accountId, w.start, w.end),
      this.repo.npsByClosure(accountId, w.start, w.end, w.prevStart, SCALE.nps.high, SCALE.nps.low),
    ]);
    const group = (closed: boolean) => {
      const agg = (cur: boolean) => {
        const r = nps.find((x) => x.closed === closed && x.cur === cur);
        return { n: r?.n ?? 0, high: r?.high ?? 0, low: r?.low ?? 0, sum: 0, accounts: 0 };
      };
      const cur = agg(true);
      const prev = agg(false);
      const a = surveyScore("nps", cur);
      const b = surveyScore("nps", prev);
      return { accounts: groups.find((g) => g.closed === closed)?.accounts ?? 0, nps: a, nps_responses: cur.n, previous_nps: b, previous_nps_responses: prev.n, nps_change: a !== null && b !== null ? r1(a - b) : null };
    };
    const closedGroup = group(true);
    const openGroup = group(false);
    const missing: Array<{ what: string; how_to_supply: string }> = [];
    if (!vol.feedback) missing.push({ what: "no feedback in the period", how_to_supply: "record feedback with collect_feedback" });
    if (closedGroup.nps_change === null || openGroup.nps_change === null) {
      missing.push({ what: "the NPS comparison needs NPS answers in both periods from accounts of both groups; a group without them has nps_change null", how_to_supply: "collect_feedback with feedback_type nps, or `cs-mcp import nps <file>`" });
    }
    return {
      action: "measure_program_effectiveness" as const,
      scope: { client_id: accountId },
      period: { start: w.start.toISOString(), end: w.end.toISOString(), days: w.days },
      previous_period: { start: w.prevStart.toISOString(), end: w.start.toISOString() },
      response_volume: {
        feedback: vol.feedback,
        previous_feedback: prevVol.feedback,
        feedback_change: vol.feedback - prevVol.feedback,
        survey_responses: vol.survey_responses,
        previous_survey_responses: prevVol.survey_responses,
        accounts_responding: vol.responding_accounts,
        active_accounts: vol.active_accounts,
        account_response_rate: vol.active_accounts ? r4(vol.responding_accounts / vol.active_accounts) : null,
      },
      closure: {
        feedback_created: closure.created,
        created_and_closed: closure.created_closed,
        closure_rate: closure.created ? r4(closure.created_closed / closure.created) : null,
        loops_closed_in_period: closure.closed,
        median_days_to_close: days1(closure.median_close_days),
        mean_days_to_close: days1(closure.mean_close_days),
        acknowledged_in_period: closure.acknowledged,
        median_days_to_acknowledge: days1(closure.median_ack_days),
      },
      nps_by_loop_closure: { closed: closedGroup, not_closed: openGroup },
      definitions: {
        account_response_rate: "accounts with feedback or a survey answer in the period ÷ active accounts",
        closure_rate: "feedback created in the period now closed_loop ÷ feedback created in the period",
        days_to_close: "from created_at to closed_at, over the loops closed in the period",
        nps_by_loop_closure:
          "accounts with feedback created in the period, split into those with at least one of it closed and the others; NPS (% promoters 9–10 − % detractors 0–6) of their answers in the period against the previous period of the same length. An association in stored data, not proof of cause.",
      },
      missing_data: missing,
    };
  }

  // ------------------------------------------------------------------ reports

  private async createReport(input: VocInput) {
    await this.requireClient(input.client_id);
    const now = this.now();
    const w = resolveWindow(input, now, DEFAULT_VOC_DAYS);
    const accountId = input.client_id ?? null;
    const analysis = await this.sentiment.analyze({
      client_id: input.client_id,
      period_start: w.start.toISOString(),
      period_end: w.end.toISOString(),
      include_nps: true,
      include_themes: true,
      compare_to_previous: true,
      theme_limit: 10,
      negative_examples: 0,
    });
    const [requests, insights, loop] = await Promise.all([
      this.records.requestsByArr({ accountId, types: null }, w.start, w.end, 10),
      this.prisma.productInsight.findMany({
        where: { created_at: { gt: w.start, lte: w.end }, ...(accountId ? { affected_account_ids: { has: accountId } } : {}) },
        orderBy: [{ affected_arr: "desc" }, { created_at: "desc" }],
        take: 10,
      }),
      this.loop(accountId, w.start, w.end),
    ]);
    const content = {
      scope: { client_id: accountId },
      period: { start: w.start.toISOString(), end: w.end.toISOString(), days: w.days },
      sentiment: {
        feedback_count: analysis.feedback_count,
        scored_count: analysis.scored_count,
        mean_sentiment: analysis.mean_sentiment,
        distribution: analysis.distribution,
        by_type: analysis.by_type,
        method: analysis.method,
        change: analysis.comparison ? analysis.comparison.deltas : null,
      },
      nps: analysis.nps,
      themes: analysis.themes ? { terms: analysis.themes.terms, categories: analysis.themes.categories, tags: analysis.themes.tags } : null,
      top_requests: requests.map((r) => ({ category: r.category, feedback: r.feedback, accounts: r.accounts, affected_arr: toMoney(r.arr), feedback_ids: r.feedback_ids.slice(0, 25) })),
      insights: insights.map((i) => ({ insight_id: i.id, title: i.title, insight_type: i.insight_type, priority: i.priority, status: i.status, affected_accounts: i.affected_account_ids.length, affected_arr: toMoney(i.affected_arr) })),
      feedback_loop: { total: loop.total, by_status: loop.by_status.map((b) => ({ status: b.status, count: b.count })), closure_rate: loop.closure_rate },
      definitions: {
        top_requests: "feature_request feedback of the period grouped by category; affected_arr = Σ current ARR of the distinct requesting accounts",
        insights: "product insights created in the period, by affected ARR",
      },
      missing_data: analysis.missing_data,
    };
    const title = input.title ?? `Voice of the customer ${w.start.toISOString().slice(0, 10)} – ${new Date(w.end.getTime() - 1).toISOString().slice(0, 10)}${accountId ? ` (${accountId})` : ""}`;
    return this.prisma.$transaction(async (tx) => {
      const report = await tx.vocReport.create({ data: { title, period_start: w.start, period_end: w.end, content: content as unknown as Prisma.InputJsonValue, created_at: now } });
      const snapshot = await tx.sentimentAnalysis.create({
        data: {
          scope: { voc_report_id: report.id, client_id: accountId },
          period_start: w.start,
          period_end: w.end,
          distribution: { ...analysis.distribution, feedback_count: analysis.feedback_count, mean_sentiment: analysis.mean_sentiment, by_type: analysis.by_type } as unknown as Prisma.InputJsonValue,
          themes: (analysis.themes?.terms ?? []) as unknown as Prisma.InputJsonValue,
          created_at: now,
        },
      });
      await writeAudit(tx, { action: "create_voc_report", entity_type: "voc_report", entity_id: report.id, changes: { client_id: accountId, period_start: w.start.toISOString(), period_end: w.end.toISOString(), feedback: analysis.feedback_count, sentiment_analysis_id: snapshot.id } });
      return { action: "create_voc_report" as const, report_id: report.id, sentiment_analysis_id: snapshot.id, title, created_at: now.toISOString(), content };
    });
  }

  private async executiveSummary(input: VocInput) {
    await this.requireClient(input.client_id);
    const latest = input.report_id ? null : await this.repo.latestReportId(input.client_id ?? null);
    const id = input.report_id ?? latest;
    const report = id ? await this.prisma.vocReport.findUnique({ where: { id } }) : null;
    if (!report) {
      if (input.report_id) throw notFound("VOC report", input.report_id, "use manage_voice_of_customer create_voc_report to create one");
      throw validationError(`report_id: no voice-of-customer report is stored${input.client_id ? ` for ${input.client_id}` : " for the portfolio"} yet`, "create one with manage_voice_of_customer action 'create_voc_report', then ask for the summary");
    }
    const c = report.content as unknown as VocContent;
    const previousId = await this.repo.previousReportId(c.scope?.client_id ?? null, report.id, report.period_start);
    const previous = previousId ? await this.prisma.vocReport.findUnique({ where: { id: previousId } }) : null;
    const p = previous ? (previous.content as unknown as VocContent) : null;
    const openInsights = await this.prisma.productInsight.findMany({
      where: { status: { in: ["open", "planned", "in_progress"] }, ...(c.scope?.client_id ? { affected_account_ids: { has: c.scope.client_id } } : {}) },
      orderBy: [{ affected_arr: "desc" }, { created_at: "desc" }],
      take: 3,
    });
    const diff = (a: number | null | undefined, b: number | null | undefined, round: (v: number) => number) => (a === null || a === undefined || b === null || b === undefined ? null : round(a - b));
    const figures = {
      feedback: c.sentiment.feedback_count,
      mean_sentiment: c.sentiment.mean_sentiment,
      positive_share: c.sentiment.distribution.positive.share,
      negative_share: c.sentiment.distribution.negative.share,
      nps: c.nps?.score ?? null,
      nps_responses: c.nps?.responses ?? 0,
      closure_rate: c.feedback_loop.closure_rate,
    };
    const vsPrevious = p
      ? {
          report_id: previous!.id,
          period: { start: previous!.period_start.toISOString(), end: previous!.period_end.toISOString() },
          feedback: figures.feedback - p.sentiment.feedback_count,
          mean_sentiment: diff(figures.mean_sentiment, p.sentiment.mean_sentiment, r4),
          negative_share: diff(figures.negative_share, p.sentiment.distribution.negative.share, r4),
          nps: diff(figures.nps, p.nps?.score, r1),
          closure_rate: diff(figures.closure_rate, p.feedback_loop.closure_rate, r4),
        }
      : null;
    const pct = (v: number | null) => (v === null ? "n/a" : `${r1(v * 100)} %`);
    const sign = (v: number | null, unit = "") => (v === null ? "" : ` (${v >= 0 ? "+" : ""}${v}${unit} vs the previous report)`);
    const headlines = [
      `${figures.feedback} pieces of feedback, mean sentiment ${figures.mean_sentiment ?? "n/a"} (−1…+1)${sign(vsPrevious?.mean_sentiment ?? null)}; ${pct(figures.positive_share)} positive, ${pct(figures.negative_share)} negative.`,
      figures.nps === null ? "No NPS answers in the period." : `NPS ${figures.nps} from ${figures.nps_responses} answers${sign(vsPrevious?.nps ?? null, " points")}.`,
      `Feedback loop closure rate ${pct(figures.closure_rate)}${vsPrevious?.closure_rate !== null && vsPrevious?.closure_rate !== undefined ? ` (${vsPrevious.closure_rate >= 0 ? "+" : ""}${r1(vsPrevious.closure_rate * 100)} points)` : ""}.`,
    ];
    const themes = (c.themes?.terms ?? []).slice(0, 5).map((t) => t.term);
    if (themes.length) headlines.push(`Most mentioned: ${themes.join(", ")}.`);
    const req = c.top_requests.slice(0, 3);
    if (req.length) headlines.push(`Top requests by ARR affected: ${req.map((r) => `${r.category} (${r.accounts} accounts, ${r.affected_arr})`).join("; ")}.`);
    if (openInsights.length) headlines.push(`Open insights by ARR: ${openInsights.map((i) => `${i.title} (${toMoney(i.affected_arr)})`).join("; ")}.`);
    return {
      action: "generate_executive_summary" as const,
      report_id: report.id,
      title: report.title,
      period: { start: report.period_start.toISOString(), end: report.period_end.toISOString() },
      report_created_at: report.created_at.toISOString(),
      figures,
      vs_previous_report: vsPrevious,
      top_themes: themes,
      top_requests: req,
      open_insights: openInsights.map((i) => ({ insight_id: i.id, title: i.title, status: i.status, priority: i.priority, affected_arr: toMoney(i.affected_arr) })),
      headlines,
      source: "the stored VOC report (figures as of its creation), the report before it for the same scope, and today's open product insights",
      missing_data: p ? [] : [{ what: "no earlier VOC report for the same scope, so there is no comparison", how_to_supply: "create_voc_report for the previous period" }],
    };
  }

  // ------------------------------------------------------------------ loop writes

  private async acknowledge(input: VocInput) {
    const now = this.now();
    const ids = [...new Set(input.feedback_ids!)];
    return this.prisma.$transaction(async (tx) => {
      const found = await feedbackByIds(tx, ids);
      const unknown = ids.filter((id) => !found.some((f) => f.id === id));
      if (unknown.length) throw validationError(`feedback_ids: unknown feedback id${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}`, "nothing was changed");
      const moved = await advanceFeedback(tx, ids, "acknowledged", now);
      if (input.responded_by && moved.length) await tx.feedback.updateMany({ where: { id: { in: moved }, responded_by: null }, data: { responded_by: input.responded_by } });
      await writeAudit(tx, { action: "acknowledge_feedback", entity_type: "feedback", entity_id: null, changes: { feedback_ids: ids, acknowledged: moved, by: input.responded_by ?? null } });
      return {
        action: "acknowledge_feedback" as const,
        acknowledged: moved,
        unchanged: ids.filter((id) => !moved.includes(id)).sort(),
        note: "feedback already acknowledged, in the roadmap or closed stays as it is",
      };
    });
  }

  private async close(input: VocInput) {
    const now = this.now();
    return this.prisma.$transaction(async (tx) => {
      const f = await tx.feedback.findUnique({ where: { id: input.feedback_id! }, include: { account: { select: { company_name: true, csm_name: true, csm_email: true } } } });
      if (!f) throw notFound("feedback", input.feedback_id!, "use manage_voice_of_customer track_feedback_loop to find feedback ids");
      if (f.status === "closed_loop") throw conflict(`feedback ${f.id} is already closed (${f.closed_at?.toISOString()})`, "nothing was changed; the response sent then is in the feedback's response field");
      const updated = await tx.feedback.update({
        where: { id: f.id },
        data: { status: "closed_loop", closed_at: now, acknowledged_at: f.acknowledged_at ?? now, response: input.response!, responded_by: input.responded_by ?? f.responded_by, updated_at: now },
      });
      let notification: DeliveryReport | { integration: "sendgrid" | "intercom"; status: "skipped"; reason: string } | null = null;
      const inApp = input.notify_channel === "in_app";
      if (input.notify_submitter) {
        const signer = input.responded_by ?? f.account.csm_name ?? "Customer Success";
        const about = f.title ? `: ${f.title.length > 80 ? `${f.title.slice(0, 77)}…` : f.title}` : "";
        const body = `Hi ${f.submitter_name ?? "there"},\n\nThank you for the feedback you sent us on ${f.created_at.toISOString().slice(0, 10)}.\n\n${input.response}\n\n${signer}`;
        if (!f.submitter_email) {
          notification = { integration: inApp ? "intercom" : "sendgrid", status: "skipped", reason: "the feedback has no submitter_email to reply to" };
        } else if (inApp) {
          // Intercom finds (or creates) the contact by email at delivery time.
          notification = await enqueue(tx, this.config, {
            integration: "intercom",
            operation: "intercom.send_message",
            idempotency_key: `${CLOSE_KEY(f.id)}:in_app`,
            account_id: f.account_id,
            payload: { email: f.submitter_email, body, message_type: "inapp" },
          });
        } else {
          notification = await enqueue(tx, this.config, {
            integration: "sendgrid",
            operation: "sendgrid.send",
            idempotency_key: CLOSE_KEY(f.id),
            account_id: f.account_id,
            payload: {
              to: [{ email: f.submitter_email, ...(f.submitter_name ? { name: f.submitter_name } : {}) }],
              ...(this.config.SENDGRID_FROM_EMAIL ? { from: { email: this.config.SENDGRID_FROM_EMAIL, ...(this.config.SENDGRID_FROM_NAME ? { name: this.config.SENDGRID_FROM_NAME } : {}) } } : {}),
              ...(f.account.csm_email ? { reply_to: { email: f.account.csm_email, ...(f.account.csm_name ? { name: f.account.csm_name } : {}) } } : {}),
              subject: `Following up on your feedback${about}`,
              text: body,
              categories: ["feedback_loop"],
              custom_args: { feedback_id: f.id, client_id: f.account_id },
            } satisfies SendMailPayload as unknown as Record<string, unknown>,
          });
        }
      }
      // The timeline derives "feedback received" from the feedback table, not the closing: record it here.
      await writeTimeline(tx, { account_id: f.account_id, event_type: "feedback", summary: `Feedback loop closed: ${f.feedback_type}`, data: { feedback_id: f.id, notification: notification?.status ?? "not_requested" }, occurred_at: now });
      await writeAudit(tx, { action: "close_feedback_loop", entity_type: "feedback", entity_id: f.id, changes: { from_status: f.status, response_length: input.response!.length, responded_by: updated.responded_by, notification: notification?.status ?? "not_requested" } });
      return { action: "close_feedback_loop" as const, feedback: feedbackView(updated, now, f.account.company_name), notification };
    });
  }

  private async roadmap(input: VocInput) {
    const now = this.now();
    const newIds = [...new Set(input.feedback_ids ?? [])];
    return this.prisma.$transaction(async (tx) => {
      const insight = await tx.productInsight.findUnique({ where: { id: input.insight_id! } });
      if (!insight) throw notFound("insight", input.insight_id!, "use share_product_insights with action 'list' to find the insight_id");
      const found = await feedbackByIds(tx, newIds);
      const unknown = newIds.filter((id) => !found.some((f) => f.id === id));
      if (unknown.length) throw validationError(`feedback_ids: unknown feedback id${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}`, "nothing was changed");
      const supporting = [...new Set([...insight.supporting_feedback_ids, ...newIds])];
      const linked = newIds.filter((id) => !insight.supporting_feedback_ids.includes(id)).sort();
      const fromNew = new Set(found.map((f) => f.account_id));
      // Accounts erased since the insight was shared drop out of the list and the sum.
      const existing = await accountsByIds(tx, [...new Set([...insight.affected_account_ids, ...fromNew])]);
      const affectedIds = existing.map((a) => a.id).sort();
      const affected = await affectedAccounts(tx, affectedIds);
      const fbAccounts = new Set((await feedbackByIds(tx, supporting)).map((f) => f.account_id));
      const status = input.insight_status ?? (insight.status === "open" ? "planned" : insight.status);
      const updated = await tx.productInsight.update({
        where: { id: insight.id },
        data: {
          supporting_feedback_ids: supporting,
          affected_account_ids: affectedIds,
          affected_arr: new Prisma.Decimal(affected.total),
          roadmap_item: input.roadmap_item ?? insight.roadmap_item,
          status,
          updated_at: now,
        },
      });
      const moved = status === "declined" ? [] : await advanceFeedback(tx, supporting, "in_roadmap", now);
      if (moved.length) {
        const accounts = await tx.feedback.findMany({ where: { id: { in: moved } }, select: { account_id: true, id: true } });
        const per = new Map<string, string[]>();
        for (const a of accounts) per.set(a.account_id, [...(per.get(a.account_id) ?? []), a.id]);
        for (const [account_id, ids] of per) {
          await writeTimeline(tx, { account_id, event_type: "feedback", summary: `Feedback added to the roadmap: ${updated.roadmap_item ?? updated.title}`, data: { insight_id: updated.id, feedback_ids: ids }, occurred_at: now });
        }
      }
      await writeAudit(tx, {
        action: "update_customer_roadmap",
        entity_type: "product_insight",
        entity_id: updated.id,
        changes: { linked_feedback: linked, roadmap_item: updated.roadmap_item, from_status: insight.status, to_status: status, affected_arr: affected.total, feedback_in_roadmap: moved },
      });
      const notes: string[] = [];
      if (status === "declined") notes.push("the insight is declined, so its feedback was not moved to in_roadmap; close the loop with close_feedback_loop to tell the customers");
      if (!input.insight_status && insight.status === "open") notes.push("the insight moved from open to planned because it is now on the roadmap; pass insight_status to choose another");
      return {
        action: "update_customer_roadmap" as const,
        insight: insightView(updated),
        linked_feedback_ids: linked,
        feedback_moved_to_in_roadmap: moved,
        affected_accounts: accountBreakdown(affected.accounts, new Set(affectedIds.filter((id) => !fbAccounts.has(id))), fbAccounts),
        churned_affected_arr: toMoney(affected.churned),
        arr_basis: `${ARR_BASIS}; recomputed over today's ARR when the roadmap link changes`,
        notes,
      };
    });
  }
}

interface VocContent {
  scope?: { client_id: string | null };
  sentiment: { feedback_count: number; mean_sentiment: number | null; distribution: Record<"positive" | "neutral" | "negative", { count: number; share: number | null }> };
  nps: { score: number | null; responses: number } | null;
  themes: { terms: Array<{ term: string }> } | null;
  top_requests: Array<{ category: string; feedback: number; accounts: number; affected_arr: number }>;
  feedback_loop: { closure_rate: number | null };
}
