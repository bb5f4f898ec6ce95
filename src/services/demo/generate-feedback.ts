// The demo's feedback, generated after the accounts and their survey answers:
// - comments given with NPS and CSAT answers become feedback of type nps / csat, linked both ways as
//   collect_feedback links them (the survey response carries the feedback id);
// - feature requests, bug reports, product and service feedback and general remarks, whose tone follows the
//   account's profile: champions mostly praise, churners mostly complain (more often, and lately);
// - every row's sentiment is scored with the project's own scorer (services/feedback/sentiment.ts) over
//   the same text collect_feedback scores (title and content), so labels agree with what the tools compute;
// - older feedback has moved along the loop (acknowledged → in roadmap → closed with a response).
import type { DemoAccount, DemoContact, DemoCoreData } from "./generate.ts";
import { DAY, HOUR, MINUTE, type DemoStreams, type Rng, uuid7 } from "./random.ts";
import { scoreSentiment } from "../feedback/sentiment.ts";

export interface DemoFeedback {
  id: string;
  account_id: string;
  feedback_type: "nps" | "csat" | "feature_request" | "bug_report" | "product_feedback" | "service_feedback" | "general";
  source: string;
  submitter_email: string;
  submitter_name: string | null;
  title: string | null;
  content: string;
  category: string | null;
  priority: "low" | "medium" | "high" | "critical" | null;
  tags: string[];
  score: number | null;
  /** numeric(6,4) as text, −1…+1. */
  sentiment_score: string;
  sentiment_label: "positive" | "neutral" | "negative";
  status: "open" | "acknowledged" | "in_roadmap" | "closed_loop";
  created_at: Date;
  updated_at: Date;
  acknowledged_at: Date | null;
  in_roadmap_at: Date | null;
  closed_at: Date | null;
  response: string | null;
  responded_by: string | null;
}

export interface DemoFeedbackData {
  feedback: DemoFeedback[];
}

const S_FEEDBACK = 24;

type Tone = "positive" | "neutral" | "negative";
interface Template {
  type: Exclude<DemoFeedback["feedback_type"], "nps" | "csat">;
  title: string;
  content: string;
  category: string;
  tags: string[];
}

const TEMPLATES: Record<Tone, readonly Template[]> = {
  positive: [
    { type: "product_feedback", title: "Dashboards are a big win", content: "The new dashboards are excellent and fast. Our leadership team loves the weekly view and we save hours of manual reporting.", category: "dashboards", tags: ["dashboards", "reporting"] },
    { type: "service_feedback", title: "Great CSM support", content: "Our CSM is fantastic: helpful, responsive and always prepared. The onboarding sessions were really useful.", category: "support", tags: ["csm", "onboarding"] },
    { type: "product_feedback", title: "Salesforce integration works perfectly", content: "The Salesforce sync has been reliable for months. Great job, it made our pipeline reviews much easier.", category: "integrations", tags: ["salesforce", "integrations"] },
    { type: "general", title: "Happy with the rollout", content: "The whole team adopted the product quickly. Thank you, this is a great tool and a pleasure to use.", category: "adoption", tags: ["adoption"] },
    { type: "feature_request", title: "Love the alerts, want Teams too", content: "We love the Slack alerts and would be glad to get the same alerts in Microsoft Teams.", category: "alerts", tags: ["alerts", "integrations"] },
    { type: "service_feedback", title: "Support solved it fast", content: "Support solved our SSO problem in under an hour. Excellent and friendly help, thanks.", category: "support", tags: ["sso", "support"] },
  ],
  neutral: [
    { type: "feature_request", title: "Scheduled PDF export of dashboards", content: "Please add a scheduled PDF export of whole dashboards so that we can send them to our board every month.", category: "reporting", tags: ["export", "pdf"] },
    { type: "feature_request", title: "Granular API scopes", content: "We need API tokens limited to read-only access for the reporting service account.", category: "api", tags: ["api", "security"] },
    { type: "feature_request", title: "Custom fiscal year in comparisons", content: "Period comparisons should follow our fiscal year, which starts in April.", category: "reporting", tags: ["reporting", "fiscal_year"] },
    { type: "general", title: "Team reorganisation", content: "We are reorganising the analytics team next quarter and will review the workspace setup and the admin roles then.", category: "account", tags: ["admin"] },
    { type: "feature_request", title: "Bulk edit for records", content: "A bulk edit for records would let our admins update owners for many records at once.", category: "admin", tags: ["admin", "bulk_edit"] },
  ],
  negative: [
    { type: "bug_report", title: "CSV export drops a column", content: "Export to CSV drops the last column again. This breaks our finance reconciliation and it is very frustrating.", category: "reporting", tags: ["export", "csv"] },
    { type: "bug_report", title: "Dashboards fail to load", content: "Dashboards fail to load for half of our users every Monday morning. This is a serious problem and people are angry.", category: "performance", tags: ["dashboards", "performance"] },
    { type: "service_feedback", title: "Support is too slow", content: "Support response times are terrible. We waited three days for an answer to a critical issue and nobody helped.", category: "support", tags: ["support", "sla"] },
    { type: "product_feedback", title: "Reports are slow and confusing", content: "Reports are slow and the filters are confusing. Our team is unhappy and has stopped using the product for weekly reviews.", category: "reporting", tags: ["reporting", "usability"] },
    { type: "bug_report", title: "Salesforce sync keeps failing", content: "The Salesforce sync keeps failing with errors and our pipeline data is wrong. This is a blocker for us.", category: "integrations", tags: ["salesforce", "integrations"] },
    { type: "product_feedback", title: "Too expensive for the value", content: "The price is too high for what we use. Poor value compared with the alternatives we are evaluating.", category: "pricing", tags: ["pricing"] },
    { type: "bug_report", title: "Duplicate alert emails", content: "Notification emails are sent twice for every alert. Annoying and it spams our managers.", category: "alerts", tags: ["alerts", "notifications"] },
  ],
};

const TONE_MIX: Record<DemoAccount["profile"], readonly (readonly [Tone, number])[]> = {
  champion: [["positive", 0.75], ["neutral", 0.17], ["negative", 0.08]],
  healthy: [["positive", 0.45], ["neutral", 0.35], ["negative", 0.2]],
  churner: [["positive", 0.05], ["neutral", 0.15], ["negative", 0.8]],
  churned: [["positive", 0.05], ["neutral", 0.15], ["negative", 0.8]],
};
const COUNT: Record<DemoAccount["profile"], [number, number]> = { champion: [2, 4], healthy: [0, 3], churner: [3, 6], churned: [1, 4] };
const SOURCES = ["in_app", "email", "call", "meeting", "support", "community"] as const;
const RESPONSES = {
  positive: "Thank you for the kind words; we shared them with the team.",
  neutral: "Thanks for the suggestion: it is on our roadmap and we will let you know when it ships.",
  negative: "Sorry for the trouble. A fix has shipped and your CSM will follow up to confirm it works for you.",
} as const;

function contactsOf(data: DemoCoreData): Map<string, DemoContact[]> {
  const map = new Map<string, DemoContact[]>();
  for (const c of data.contacts) map.set(c.account_id, [...(map.get(c.account_id) ?? []), c]);
  return map;
}

/** Moves a piece of feedback along the loop according to its age; every step lies before now. */
function loop(rng: Rng, f: DemoFeedback, tone: Tone, csm: string, nowMs: number): void {
  const created = f.created_at.getTime();
  const age = (nowMs - created) / DAY;
  const r = rng.float();
  const target: DemoFeedback["status"] =
    age < 7 ? (r < 0.7 ? "open" : "acknowledged")
      : age < 45 ? (r < 0.35 ? "open" : r < 0.75 ? "acknowledged" : f.feedback_type === "feature_request" ? "in_roadmap" : "closed_loop")
        : r < 0.15 ? "open" : r < 0.4 ? "acknowledged" : r < 0.55 && f.feedback_type === "feature_request" ? "in_roadmap" : "closed_loop";
  let t = created;
  const step = (lo: number, hi: number) => {
    t = Math.min(nowMs - MINUTE, t + rng.int(lo, hi) * HOUR);
    return new Date(t);
  };
  if (target === "open") return;
  f.acknowledged_at = step(2, 96);
  if (target === "in_roadmap" || (target === "closed_loop" && f.feedback_type === "feature_request")) f.in_roadmap_at = step(48, 480);
  if (target === "closed_loop") {
    f.closed_at = step(24, 720);
    f.response = RESPONSES[tone];
    f.responded_by = csm;
  }
  f.status = target;
  f.updated_at = new Date(t);
}

// Texts repeat (templates, common survey reasons): each distinct text is scored once per generation.
type Scored = { sentiment_score: string; sentiment_label: DemoFeedback["sentiment_label"] };
function sentimentOf(cache: Map<string, Scored>, title: string | null, content: string): Scored {
  const text = [title, content].filter(Boolean).join(". ");
  let hit = cache.get(text);
  if (!hit) {
    const s = scoreSentiment(text);
    hit = { sentiment_score: s.score.toFixed(4), sentiment_label: s.label };
    cache.set(text, hit);
  }
  return hit;
}

export function generateFeedback(data: DemoCoreData, streams: DemoStreams): DemoFeedbackData {
  const { nowMs, today } = streams;
  const out: DemoFeedbackData = { feedback: [] };
  const scored = new Map<string, Scored>();
  const contacts = contactsOf(data);
  const surveysByAccount = new Map<string, DemoCoreData["survey_responses"]>();
  for (const r of data.survey_responses) surveysByAccount.set(r.account_id, [...(surveysByAccount.get(r.account_id) ?? []), r]);

  data.accounts.forEach((account, index) => {
    const rng = streams.account(index, S_FEEDBACK);
    const own = contacts.get(account.id) ?? [];
    const names = new Map(own.map((c) => [c.email, c.name]));
    const rows: DemoFeedback[] = [];

    // Survey comments: the answer's reason, as collect_feedback stores a survey answer with a comment.
    for (const r of surveysByAccount.get(account.id) ?? []) {
      if (!r.reason) continue;
      const f: DemoFeedback = {
        id: uuid7(r.responded_at.getTime(), rng),
        account_id: account.id,
        feedback_type: r.survey_type,
        source: "survey",
        submitter_email: r.respondent_email,
        submitter_name: names.get(r.respondent_email) ?? null,
        title: null,
        content: r.reason,
        category: null,
        priority: null,
        tags: [],
        score: r.score,
        ...sentimentOf(scored, null, r.reason),
        status: "open",
        created_at: r.responded_at,
        updated_at: r.responded_at,
        acknowledged_at: null,
        in_roadmap_at: null,
        closed_at: null,
        response: null,
        responded_by: null,
      };
      const low = r.survey_type === "nps" ? r.score <= 6 : r.score <= 2;
      // Detractors and unhappy CSAT answers get followed up; most other comments stay filed.
      if (low || rng.chance(0.2)) loop(rng, f, f.sentiment_label, account.csm_email, nowMs);
      r.feedback_id = f.id;
      rows.push(f);
    }

    // Other feedback: its tone follows the profile; churners' complaints cluster in the last 90 days.
    const [lo, hi] = COUNT[account.profile];
    const end = account.churned_at ? account.churned_at.getTime() : nowMs;
    const start = Math.max(account.created_at.getTime() + 3 * DAY, today - 365 * DAY);
    for (let k = rng.int(lo, hi); k > 0; k--) {
      const tone = rng.weighted(TONE_MIX[account.profile]);
      const recent = account.profile === "churner" && rng.chance(0.7);
      const at = recent ? nowMs - rng.between(0.5, 90) * DAY : start + rng.float() * (end - start);
      if (at <= start || at >= end) continue;
      const who = own.filter((c) => c.created_at.getTime() < at);
      if (!who.length) continue;
      const c = rng.pick(who);
      const t = rng.pick(TEMPLATES[tone]);
      const when = Math.floor(at);
      const f: DemoFeedback = {
        id: uuid7(when, rng),
        account_id: account.id,
        feedback_type: t.type,
        source: rng.pick(SOURCES),
        submitter_email: c.email,
        submitter_name: c.name,
        title: t.title,
        content: t.content,
        category: t.category,
        priority: t.type === "bug_report" ? (account.profile === "churner" ? rng.pick(["high", "critical"] as const) : rng.pick(["medium", "high"] as const)) : t.type === "feature_request" ? rng.pick(["low", "medium"] as const) : null,
        tags: [...t.tags],
        score: null,
        ...sentimentOf(scored, t.title, t.content),
        status: "open",
        created_at: new Date(when),
        updated_at: new Date(when),
        acknowledged_at: null,
        in_roadmap_at: null,
        closed_at: null,
        response: null,
        responded_by: null,
      };
      loop(rng, f, tone, account.csm_email, end === nowMs ? nowMs : Math.min(nowMs, end + 30 * DAY));
      rows.push(f);
    }
    rows.sort((a, b) => a.created_at.getTime() - b.created_at.getTime() || (a.id < b.id ? -1 : 1));
    out.feedback.push(...rows);
  });
  return out;
}
