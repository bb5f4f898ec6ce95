// The demo's customer programs, generated after the accounts and their survey answers:
// - executive business reviews for professional and enterprise accounts: past ones completed with outcomes
//   (their sentiment follows the account's profile; a few cancelled), upcoming ones scheduled and not yet
//   prepared (prepare_ebr assembles them from the stored history);
// - advocates: contacts of champion or healthy accounts whose latest NPS answer (their own, else the
//   account's) is a promoter, enrolled after that answer, with contributions worth the configured points;
// - communities (belonging to no account) with members from the accounts, and their posts;
// - a newsletter with past issues and a draft one, subscriptions, and a past email campaign, with the
//   sends and SendGrid events (delivered, open, click, bounce) whose counts the sends carry.
import type { DemoAccount, DemoContact, DemoCoreData } from "./generate.ts";
import { DAY, HOUR, MINUTE, type DemoStreams, type Rng, utcMidnight, uuid7 } from "./random.ts";
import type { DemoSettings } from "./settings.ts";
import { evaluateEligibility, type ContributionType } from "../programs/advocacy-rules.ts";

export interface DemoExecutiveReview {
  id: string;
  account_id: string;
  title: string;
  scheduled_at: Date;
  status: "scheduled" | "completed" | "cancelled";
  attendees: string[];
  agenda: string[];
  outcomes: Record<string, unknown> | null;
  completed_at: Date | null;
  cancelled_at: Date | null;
  cancel_reason: string | null;
  created_at: Date;
}

export interface DemoAdvocate {
  id: string;
  account_id: string;
  email: string;
  name: string;
  status: "active" | "paused";
  status_reason: string | null;
  points: number;
  eligibility: Record<string, unknown>;
  enrolled_at: Date;
}

export interface DemoAdvocateContribution {
  id: string;
  advocate_id: string;
  type: ContributionType;
  description: string;
  points: number;
  referred_account_id: string | null;
  occurred_at: Date;
}

export interface DemoCommunity {
  id: string;
  name: string;
  description: string;
  visibility: "public" | "private";
  created_at: Date;
}

export interface DemoCommunityMember {
  id: string;
  community_id: string;
  account_id: string;
  email: string;
  name: string;
  role: "member" | "moderator" | "admin";
  status: "active" | "suspended";
  status_reason: string | null;
  status_changed_at: Date | null;
  joined_at: Date;
}

export interface DemoCommunityPost {
  id: string;
  community_id: string;
  member_id: string;
  title: string;
  body: string;
  status: "published" | "hidden";
  moderation_reason: string | null;
  moderated_at: Date | null;
  created_at: Date;
}

export interface DemoNewsletter {
  id: string;
  name: string;
  subject: string;
  content: string;
  content_text: string;
  status: "draft" | "sent";
  scheduled_at: Date | null;
  sent_at: Date | null;
  created_at: Date;
}

export interface DemoNewsletterSubscription {
  id: string;
  newsletter_id: string;
  account_id: string;
  email: string;
  status: "subscribed" | "unsubscribed";
  subscribed_at: Date;
  unsubscribed_at: Date | null;
}

export interface DemoEmailCampaign {
  id: string;
  name: string;
  template_type: string;
  subject: string;
  body_text: string;
  body_html: string;
  sender_email: string;
  target: Record<string, unknown>;
  status: "sent";
  track_opens: boolean;
  track_clicks: boolean;
  scheduled_at: Date | null;
  sent_at: Date;
  newsletter_id: string | null;
  created_at: Date;
}

export interface DemoEmailSend {
  id: string;
  campaign_id: string;
  account_id: string;
  contact_id: string;
  email: string;
  subject: string;
  status: "delivered" | "bounced";
  sent_at: Date;
  accepted_at: Date;
  delivered_at: Date | null;
  open_count: number;
  click_count: number;
  newsletter_id: string | null;
}

export interface DemoEmailEvent {
  id: string;
  send_id: string;
  type: "delivered" | "open" | "click" | "bounce";
  occurred_at: Date;
  data: Record<string, unknown>;
}

export interface DemoProgramsData {
  executive_reviews: DemoExecutiveReview[];
  advocates: DemoAdvocate[];
  advocate_contributions: DemoAdvocateContribution[];
  communities: DemoCommunity[];
  community_members: DemoCommunityMember[];
  community_posts: DemoCommunityPost[];
  newsletters: DemoNewsletter[];
  newsletter_subscriptions: DemoNewsletterSubscription[];
  email_campaigns: DemoEmailCampaign[];
  email_sends: DemoEmailSend[];
  email_events: DemoEmailEvent[];
}

const S_EBR = 25;
const S_ADVOCACY = 26;
const S_COMMUNITY = 27;
const S_NEWSLETTER = 28;
const S_CAMPAIGN = 29;
const G_COMMUNITIES = 104;
const G_NEWSLETTERS = 105;

const EBR_AGENDA = ["Results against the goals agreed last time", "Adoption and usage trends", "Support and satisfaction", "Roadmap preview", "Priorities for the next quarter"];
const EBR_SENTIMENT: Record<DemoAccount["profile"], readonly (readonly [string, number])[]> = {
  champion: [["very_positive", 0.6], ["positive", 0.4]],
  healthy: [["positive", 0.55], ["neutral", 0.3], ["very_positive", 0.15]],
  churner: [["mixed", 0.5], ["negative", 0.35], ["neutral", 0.15]],
  churned: [["mixed", 0.5], ["negative", 0.5]],
};
const EBR_DECISIONS = {
  good: ["Expand the rollout to the operations team", "Adopt automation rules for the weekly reporting", "Add the analytics module for the finance team", "Nominate two admins for advanced certification"],
  bad: ["Run a usage recovery plan with weekly check-ins", "Escalate the open performance issues to engineering", "Re-train the new team leads", "Review the renewal scope before the contract end"],
};
const EBR_ACTIONS = {
  good: ["Share the expansion proposal", "Schedule advanced training for the admins", "Set up the finance dashboards", "Draft a joint case study"],
  bad: ["Send a weekly usage report to the sponsor", "Deliver a root-cause report on the outages", "Book re-training sessions for the team leads", "Prepare renewal options with pricing"],
};
const EBR_CANCEL = ["Customer postponed: budget review in progress", "Sponsor unavailable; to be rescheduled", "Customer reorganisation; review moved to next quarter"];

const CONTRIBUTIONS: Record<ContributionType, readonly string[]> = {
  case_study: ["Published case study on cutting reporting time", "Joint case study on the CRM integration rollout"],
  reference_call: ["Reference call with a prospect in the same industry", "Reference call for an enterprise evaluation"],
  review: ["Five-star review on a software review site", "Review on the partner marketplace"],
  referral: ["Referred a peer company", "Introduced us to a sister company"],
  speaking: ["Spoke at the customer webinar on dashboards", "Panel speaker at the annual user conference"],
  award: ["Customer of the year nomination", "Innovation award entry with us"],
};

const COMMUNITIES = [
  {
    name: "Analytics Practitioners (demo)",
    description: "Share dashboards, report recipes and data modelling tips with other analysts",
    visibility: "public" as const,
    posts: [
      ["How we built a weekly leadership dashboard", "We replaced five spreadsheets with one dashboard and a scheduled report. Happy to share the template and the filters we used."],
      ["Tip: pre-aggregated datasets make big reports fast", "Our year-over-year report went from forty seconds to three after switching the widgets to a pre-aggregated dataset."],
      ["Question: comparing periods with custom fiscal years?", "Our fiscal year starts in April. Has anyone set up period-over-period comparisons that respect it?"],
      ["Filters on calculated fields are slow", "Filtering on a formula field made our report crawl. Moving the filter to the source field fixed it."],
      ["Favourite chart types for executive audiences", "Bullet charts and simple trend lines work best for our board. What do you use?"],
    ],
  },
  {
    name: "Admins & Champions Circle (demo)",
    description: "A private group for workspace administrators and internal champions",
    visibility: "private" as const,
    posts: [
      ["Rolling out SSO without locking anyone out", "Test with one admin, keep the break-glass account, then enforce. Our rollout checklist is attached."],
      ["Folder permissions vs workspace roles", "We give most people the Viewer role and grant edit rights per folder. It keeps things tidy."],
      ["Onboarding new hires in one hour", "A short admin session plus the foundation module gets new users productive on day one."],
      ["Seat true-ups: how do you track them?", "We deactivate departed employees every Friday to keep the seat count in check."],
    ],
  },
  {
    name: "Developers & API (demo)",
    description: "REST API, webhooks and integrations: questions, snippets and patterns",
    visibility: "public" as const,
    posts: [
      ["Handling 429 responses gracefully", "Respect Retry-After and add jitter. Our sync has not failed since we switched to exponential backoff."],
      ["Verifying webhook signatures in Node", "Compute the HMAC over the raw body, not the parsed JSON, or the signatures will never match."],
      ["Batch endpoints saved our nightly import", "Moving to the batch endpoint cut our nightly import from an hour to six minutes."],
    ],
  },
] as const;

const NEWSLETTER_ISSUES = [
  { subject: "What's new: faster dashboards and scheduled exports", topic: "Dashboards now load up to three times faster, and reports can be exported on a schedule." },
  { subject: "What's new: automation rules get webhook actions", topic: "Automation rules can now call webhooks, and alerts support Slack threads." },
  { subject: "What's new: granular permissions and audit log improvements", topic: "Folder-level permissions and a searchable audit log are available to all admins." },
];

function byAccount<T extends { account_id: string }>(rows: readonly T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const r of rows) {
    const list = map.get(r.account_id);
    if (list) list.push(r);
    else map.set(r.account_id, [r]);
  }
  return map;
}

/** A weekday at a business hour on or before `ms`'s day. */
function businessTime(rng: Rng, ms: number): number {
  let day = utcMidnight(ms);
  while ([0, 6].includes(new Date(day).getUTCDay())) day -= DAY;
  return day + rng.int(14, 18) * HOUR + rng.pick([0, 30]) * MINUTE;
}

function quarterTitle(ms: number): string {
  const d = new Date(ms);
  return `Q${Math.floor(d.getUTCMonth() / 3) + 1} ${d.getUTCFullYear()} executive business review`;
}

export function generatePrograms(data: DemoCoreData, streams: DemoStreams, settings: DemoSettings): DemoProgramsData {
  const out: DemoProgramsData = {
    executive_reviews: [],
    advocates: [],
    advocate_contributions: [],
    communities: [],
    community_members: [],
    community_posts: [],
    newsletters: [],
    newsletter_subscriptions: [],
    email_campaigns: [],
    email_sends: [],
    email_events: [],
  };
  const contacts = byAccount(data.contacts);
  const nps = byAccount(data.survey_responses.filter((r) => r.survey_type === "nps"));

  data.accounts.forEach((account, index) => {
    const own = contacts.get(account.id) ?? [];
    generateReviews(account, own, streams.account(index, S_EBR), streams, out);
    generateAdvocates(account, own, nps.get(account.id) ?? [], data.accounts, streams.account(index, S_ADVOCACY), streams, settings, out);
  });
  generateCommunities(data, contacts, streams, out);
  generateNewsletters(data, contacts, streams, out);
  return out;
}

// ------------------------------------------------------------------ executive reviews

function generateReviews(account: DemoAccount, contacts: readonly DemoContact[], rng: Rng, streams: DemoStreams, out: DemoProgramsData): void {
  if (account.tier !== "enterprise" && account.tier !== "professional") return;
  const { nowMs, today } = streams;
  const interval = account.tier === "enterprise" ? 91 : 182;
  const created = account.created_at.getTime();
  const end = account.churned_at ? account.churned_at.getTime() : nowMs;
  const sponsor = contacts.find((c) => c.role === "executive_sponsor") ?? contacts[0];
  const attendeesOf = () => [account.csm_email, ...(sponsor ? [sponsor.email] : []), ...contacts.filter((c) => c !== sponsor && (c.role === "champion" || c.is_primary)).map((c) => c.email)];
  const good = account.profile === "champion" || account.profile === "healthy";

  let at = Math.max(created + 75 * DAY, today - 365 * DAY + rng.int(0, interval) * DAY);
  let last: DemoExecutiveReview | null = null;
  while (true) {
    const when = businessTime(rng, at);
    if (when >= end || when >= nowMs - DAY) break;
    const cancelled = rng.chance(account.profile === "churner" || account.profile === "churned" ? 0.3 : 0.08);
    const createdAt = when - rng.int(14, 30) * DAY;
    const review: DemoExecutiveReview = {
      id: uuid7(createdAt, rng),
      account_id: account.id,
      title: quarterTitle(when),
      scheduled_at: new Date(when),
      status: cancelled ? "cancelled" : "completed",
      attendees: attendeesOf(),
      agenda: EBR_AGENDA.slice(0, rng.int(3, 5)),
      outcomes: null,
      completed_at: null,
      cancelled_at: null,
      cancel_reason: null,
      created_at: new Date(Math.max(created, createdAt)),
    };
    if (cancelled) {
      review.cancelled_at = new Date(when - rng.int(1, 5) * DAY);
      review.cancel_reason = rng.pick(EBR_CANCEL);
    } else {
      const completedAt = when + rng.int(60, 120) * MINUTE;
      const sentiment = rng.weighted(EBR_SENTIMENT[account.profile]);
      const pool = good && sentiment !== "mixed" && sentiment !== "negative" ? "good" : "bad";
      const owners = [account.csm_email, ...(sponsor ? [sponsor.email] : [])];
      const next = new Date(utcMidnight(completedAt) + interval * DAY).toISOString().slice(0, 10);
      review.completed_at = new Date(completedAt);
      review.outcomes = {
        sentiment,
        decisions: [...new Set([rng.pick(EBR_DECISIONS[pool]), rng.pick(EBR_DECISIONS[pool])])],
        action_items: [...new Set([rng.pick(EBR_ACTIONS[pool]), rng.pick(EBR_ACTIONS[pool])])].map((description) => ({
          description,
          owner: rng.pick(owners),
          due_date: new Date(utcMidnight(completedAt) + rng.int(14, 45) * DAY).toISOString().slice(0, 10),
          status: "open",
        })),
        notes: pool === "good" ? "Sponsor pleased with adoption; agreed next steps." : "Sponsor raised concerns about adoption and support; recovery steps agreed.",
        next_review_date: next,
      };
      last = review;
    }
    out.executive_reviews.push(review);
    at = when + interval * DAY + rng.int(-10, 10) * DAY;
  }
  // The next review, booked but not prepared yet (active accounts only).
  if (account.status === "active" && (account.tier === "enterprise" ? rng.chance(0.75) : rng.chance(0.4))) {
    const due = last ? Math.max(nowMs + 2 * DAY, last.scheduled_at.getTime() + interval * DAY) : nowMs + rng.int(5, 45) * DAY;
    const when = businessTime(rng, Math.min(due, nowMs + 60 * DAY) + 2 * DAY);
    if (when > nowMs) {
      out.executive_reviews.push({
        id: uuid7(nowMs - rng.int(1, 20) * DAY, rng),
        account_id: account.id,
        title: account.profile === "churner" ? "Renewal risk review with the executive sponsor" : quarterTitle(when),
        scheduled_at: new Date(when),
        status: "scheduled",
        attendees: attendeesOf(),
        agenda: EBR_AGENDA.slice(0, 4),
        outcomes: null,
        completed_at: null,
        cancelled_at: null,
        cancel_reason: null,
        created_at: new Date(Math.min(nowMs - HOUR, when - rng.int(7, 30) * DAY)),
      });
    }
  }
}

// ------------------------------------------------------------------ advocacy

function generateAdvocates(
  account: DemoAccount,
  contacts: readonly DemoContact[],
  nps: readonly DemoCoreData["survey_responses"][number][],
  accounts: readonly DemoAccount[],
  rng: Rng,
  streams: DemoStreams,
  settings: DemoSettings,
  out: DemoProgramsData,
): void {
  const { nowMs } = streams;
  if (account.status !== "active" || !(account.profile === "champion" || account.profile === "healthy")) return;
  if (!rng.chance(account.profile === "champion" ? 0.8 : 0.12)) return;
  const byTime = [...nps].sort((a, b) => a.responded_at.getTime() - b.responded_at.getTime());
  const accountLatest = byTime[byTime.length - 1];
  const candidates = contacts.filter((c) => ["champion", "primary", "executive_sponsor", "admin"].includes(c.role));
  const n = account.profile === "champion" ? rng.int(1, 2) : 1;
  let enrolled = 0;
  for (const c of candidates) {
    if (enrolled >= n) break;
    // The NPS answer eligibility reads: the contact's own latest, else the account's latest.
    const ownAnswers = byTime.filter((r) => r.respondent_email === c.email);
    const latest = ownAnswers[ownAnswers.length - 1] ?? accountLatest;
    if (!latest || latest.score < 9) continue;
    const enrolledAt = latest.responded_at.getTime() + rng.int(2, 20) * DAY;
    if (enrolledAt >= nowMs - DAY) continue;
    const eligibility = evaluateEligibility(
      {
        account_status: account.status,
        company_name: account.company_name,
        health_score: null,
        health_band: null,
        health_calculated_at: null,
        health_source: null,
        nps_score: latest.score,
        nps_responded_at: latest.responded_at,
        nps_respondent: latest.respondent_email,
        nps_source: latest.respondent_email === c.email ? "advocate" : "account",
      },
      settings,
    );
    const id = uuid7(enrolledAt, rng);
    // Contributions since enrolment, worth the configured points.
    let points = 0;
    let t = enrolledAt;
    for (let k = rng.int(account.profile === "champion" ? 1 : 0, account.profile === "champion" ? 4 : 2); k > 0; k--) {
      t += rng.int(10, 90) * DAY;
      if (t >= nowMs) break;
      const type = rng.weighted<ContributionType>([["review", 3], ["reference_call", 3], ["case_study", 1], ["referral", 2], ["speaking", 1], ["award", 0.5]]);
      const referred = type === "referral" ? accounts.find((a) => a.id !== account.id && a.created_at.getTime() > t && a.created_at.getTime() < t + 60 * DAY) : undefined;
      const p = settings.ADVOCACY_POINTS[type];
      points += p;
      out.advocate_contributions.push({
        id: uuid7(t, rng),
        advocate_id: id,
        type,
        description: referred ? `${rng.pick(CONTRIBUTIONS[type])}: ${referred.company_name}` : rng.pick(CONTRIBUTIONS[type]),
        points: p,
        referred_account_id: referred?.id ?? null,
        occurred_at: new Date(t),
      });
    }
    const paused = rng.chance(0.1);
    out.advocates.push({
      id,
      account_id: account.id,
      email: c.email,
      name: c.name,
      status: paused ? "paused" : "active",
      status_reason: paused ? "Asked for a break during a busy quarter" : null,
      points,
      // What was found at enrolment. No health score is stored until calculate_health_score runs, so the
      // enrolment carries an override naming the demo profile and the promoter answer it rests on.
      eligibility: {
        ...eligibility,
        checked_at: new Date(enrolledAt).toISOString(),
        override_reason: eligibility.eligible ? null : `demo portfolio: ${account.profile} account, NPS ${latest.score} on ${latest.responded_at.toISOString().slice(0, 10)}; no health score stored yet (run calculate_health_score)`,
      },
      enrolled_at: new Date(enrolledAt),
    });
    enrolled++;
  }
}

// ------------------------------------------------------------------ communities

function generateCommunities(data: DemoCoreData, contacts: Map<string, DemoContact[]>, streams: DemoStreams, out: DemoProgramsData): void {
  const { nowMs, today } = streams;
  const g = streams.global(G_COMMUNITIES);
  const communities = COMMUNITIES.map((c) => {
    const created = today - g.int(500, 700) * DAY + 15 * HOUR;
    const row: DemoCommunity = { id: uuid7(created, g), name: c.name, description: c.description, visibility: c.visibility, created_at: new Date(created) };
    out.communities.push(row);
    return { row, spec: c };
  });

  data.accounts.forEach((account, index) => {
    const rng = streams.account(index, S_COMMUNITY);
    const join = account.profile === "champion" ? 0.9 : account.profile === "healthy" ? 0.4 : 0.2;
    if (!rng.chance(join)) return;
    const end = account.churned_at ? account.churned_at.getTime() : nowMs;
    for (const c of contacts.get(account.id) ?? []) {
      if (!rng.chance(c.is_primary || c.role === "champion" || c.role === "admin" || c.role === "technical_lead" ? 0.7 : 0.25)) continue;
      for (const { row, spec } of communities) {
        const fits = spec.visibility === "private" ? ["primary", "admin", "champion"].includes(c.role) : spec.name.startsWith("Developers") ? c.role === "technical_lead" || rng.chance(0.15) : rng.chance(0.7);
        if (!fits) continue;
        const joined = Math.max(c.created_at.getTime(), row.created_at.getTime()) + rng.int(1, 120) * DAY + rng.int(0, 12) * HOUR;
        if (joined >= end) continue;
        const suspended = account.profile === "churner" && rng.chance(0.08);
        const role = account.profile === "champion" && c.role === "champion" && rng.chance(0.5) ? (spec.visibility === "private" && rng.chance(0.3) ? "admin" : "moderator") : "member";
        const member: DemoCommunityMember = {
          id: uuid7(joined, rng),
          community_id: row.id,
          account_id: account.id,
          email: c.email,
          name: c.name,
          role,
          status: suspended ? "suspended" : "active",
          status_reason: suspended ? "Repeated off-topic promotional posts" : null,
          status_changed_at: suspended ? new Date(Math.min(end, nowMs) - rng.int(1, 20) * DAY) : null,
          joined_at: new Date(joined),
        };
        if (member.status_changed_at && member.status_changed_at.getTime() <= joined) member.status_changed_at = new Date(joined + HOUR);
        out.community_members.push(member);
        // Posts: champions post more.
        const posts = rng.poisson(account.profile === "champion" ? 2.2 : 0.8);
        for (let k = 0; k < posts; k++) {
          const at = joined + Math.floor(rng.float() * Math.max(DAY, end - joined));
          if (at >= end || at >= nowMs) continue;
          const [title, body] = rng.pick<readonly [string, string]>(spec.posts);
          const hidden = suspended && k === 0;
          out.community_posts.push({
            id: uuid7(at, rng),
            community_id: row.id,
            member_id: member.id,
            title,
            body,
            status: hidden ? "hidden" : "published",
            moderation_reason: hidden ? "Promotional content outside the community guidelines" : null,
            moderated_at: hidden ? new Date(Math.min(nowMs - MINUTE, at + rng.int(1, 24) * HOUR)) : null,
            created_at: new Date(at),
          });
        }
      }
    }
  });
}

// ------------------------------------------------------------------ newsletters and a campaign

function generateNewsletters(data: DemoCoreData, contacts: Map<string, DemoContact[]>, streams: DemoStreams, out: DemoProgramsData): void {
  const { nowMs, today } = streams;
  const g = streams.global(G_NEWSLETTERS);
  const monthlyCreated = today - 200 * DAY + 14 * HOUR;
  const issueDays = [75, 45, 14];
  const lastIssueAt = today - issueDays[issueDays.length - 1]! * DAY + 15 * HOUR;
  const monthly: DemoNewsletter = {
    id: uuid7(monthlyCreated, g),
    name: "Customer Success Monthly (demo)",
    subject: NEWSLETTER_ISSUES[NEWSLETTER_ISSUES.length - 1]!.subject,
    content: `<h1>Hello {{first_name}}</h1><p>${NEWSLETTER_ISSUES[NEWSLETTER_ISSUES.length - 1]!.topic}</p><p>Your CSM, {{csm_name}}</p>`,
    content_text: `Hello {{first_name}}, ${NEWSLETTER_ISSUES[NEWSLETTER_ISSUES.length - 1]!.topic} Your CSM, {{csm_name}}`,
    status: "sent",
    scheduled_at: new Date(lastIssueAt),
    sent_at: new Date(lastIssueAt + 5 * MINUTE),
    created_at: new Date(monthlyCreated),
  };
  const adminCreated = today - 10 * DAY + 16 * HOUR;
  const adminNotes: DemoNewsletter = {
    id: uuid7(adminCreated, g),
    name: "Admin Release Notes (demo)",
    subject: "Admin release notes: SSO and permissions changes",
    content: "<h1>Admin release notes</h1><p>SSO enforcement now keeps a break-glass admin, and folder permissions can be copied between folders.</p>",
    content_text: "Admin release notes: SSO enforcement now keeps a break-glass admin, and folder permissions can be copied between folders.",
    status: "draft",
    scheduled_at: null,
    sent_at: null,
    created_at: new Date(adminCreated),
  };
  out.newsletters.push(monthly, adminNotes);

  // Issues of the monthly newsletter, and one past campaign (a webinar invitation to primary contacts).
  const issues = issueDays.map((d, k) => {
    const sent = today - d * DAY + 15 * HOUR;
    const spec = NEWSLETTER_ISSUES[k]!;
    const campaign: DemoEmailCampaign = {
      id: uuid7(sent - HOUR, g),
      name: monthly.name,
      template_type: "newsletter",
      subject: spec.subject,
      body_text: `Hello {{first_name}}, ${spec.topic} Your CSM, {{csm_name}}`,
      body_html: `<h1>Hello {{first_name}}</h1><p>${spec.topic}</p><p>Your CSM, {{csm_name}}</p>`,
      sender_email: "news@cs-team.example",
      target: { mode: "newsletter", newsletter_id: monthly.id },
      status: "sent",
      track_opens: true,
      track_clicks: true,
      scheduled_at: new Date(sent),
      sent_at: new Date(sent + 5 * MINUTE),
      newsletter_id: monthly.id,
      created_at: new Date(sent - HOUR),
    };
    return campaign;
  });
  const webinarSent = today - 30 * DAY + 16 * HOUR;
  const webinar: DemoEmailCampaign = {
    id: uuid7(webinarSent - 2 * HOUR, g),
    name: "Webinar invitation: dashboards deep dive (demo)",
    template_type: "announcement",
    subject: "{{first_name}}, join our dashboards deep dive",
    body_text: "Hi {{first_name}}, join our product team for a live deep dive into dashboards and scheduled reports. Your CSM, {{csm_name}}",
    body_html: "<p>Hi {{first_name}},</p><p>Join our product team for a live deep dive into dashboards and scheduled reports.</p><p>Your CSM, {{csm_name}}</p>",
    sender_email: "events@cs-team.example",
    target: { mode: "tier", value: "enterprise", segment: null, recipient_scope: "primary", include_churned: false },
    status: "sent",
    track_opens: true,
    track_clicks: true,
    scheduled_at: null,
    sent_at: new Date(webinarSent),
    newsletter_id: null,
    created_at: new Date(webinarSent - 2 * HOUR),
  };
  out.email_campaigns.push(...issues, webinar);

  data.accounts.forEach((account, index) => {
    const rng = streams.account(index, S_NEWSLETTER);
    const crng = streams.account(index, S_CAMPAIGN);
    const end = account.churned_at ? account.churned_at.getTime() : nowMs;
    const engaged = account.profile === "champion" ? 0.75 : account.profile === "healthy" ? 0.5 : 0.25;
    for (const c of contacts.get(account.id) ?? []) {
      // Subscriptions: most primary and admin contacts, some others; a few left again.
      if (rng.chance(c.is_primary || c.role === "admin" ? 0.75 : 0.35)) {
        const subscribed = Math.max(c.created_at.getTime(), monthly.created_at.getTime()) + rng.int(0, 20) * DAY + rng.int(0, 20) * HOUR;
        if (subscribed < end) {
          const leaves = rng.chance(account.profile === "churner" ? 0.2 : 0.06);
          let left = leaves ? subscribed + rng.int(10, 150) * DAY : null;
          if (left !== null && left >= Math.min(end, nowMs)) left = null;
          out.newsletter_subscriptions.push({ id: uuid7(subscribed, rng), newsletter_id: monthly.id, account_id: account.id, email: c.email, status: left === null ? "subscribed" : "unsubscribed", subscribed_at: new Date(subscribed), unsubscribed_at: left === null ? null : new Date(left) });
          // The issues went to whoever was subscribed when each was sent.
          for (const issue of issues) {
            const at = issue.sent_at.getTime();
            if (at > subscribed && (left === null || at < left) && at < end) addSend(rng, issue, account, c, at, engaged, nowMs, out);
          }
        }
      }
      if (c.is_primary && rng.chance(0.15)) {
        const at = today - 5 * DAY + 10 * HOUR;
        if (at > c.created_at.getTime() && at < end) out.newsletter_subscriptions.push({ id: uuid7(at, rng), newsletter_id: adminNotes.id, account_id: account.id, email: c.email, status: "subscribed", subscribed_at: new Date(at), unsubscribed_at: null });
      }
    }
    // The webinar invitation went to the primary contact of every enterprise account active at the time.
    const primary = (contacts.get(account.id) ?? []).find((c) => c.is_primary);
    if (primary && account.tier === "enterprise" && account.created_at.getTime() < webinarSent && end > webinarSent) addSend(crng, webinar, account, primary, webinarSent, engaged, nowMs, out);
  });
}

function addSend(rng: Rng, campaign: DemoEmailCampaign, account: DemoAccount, contact: DemoContact, at: number, engaged: number, nowMs: number, out: DemoProgramsData): void {
  const id = uuid7(at, rng);
  const sentAt = at + rng.int(0, 300) * 1000;
  const bounced = rng.chance(0.02);
  const events: DemoEmailEvent[] = [];
  let delivered: number | null = null;
  let opens = 0;
  let clicks = 0;
  if (bounced) {
    events.push({ id: uuid7(sentAt, rng), send_id: id, type: "bounce", occurred_at: new Date(sentAt + rng.int(5, 120) * 1000), data: { reason: "550 5.1.1 mailbox unavailable", demo: true } });
  } else {
    delivered = sentAt + rng.int(2, 60) * 1000;
    events.push({ id: uuid7(delivered, rng), send_id: id, type: "delivered", occurred_at: new Date(delivered), data: { demo: true } });
    if (rng.chance(engaged)) {
      let t = delivered;
      for (let k = rng.int(1, 3); k > 0; k--) {
        t += rng.int(10, 2 * 24 * 60) * MINUTE;
        if (t >= nowMs) break;
        events.push({ id: uuid7(t, rng), send_id: id, type: "open", occurred_at: new Date(t), data: { demo: true } });
        opens++;
      }
      if (opens > 0 && rng.chance(0.35)) {
        t += rng.int(1, 10) * MINUTE;
        if (t < nowMs) {
          events.push({ id: uuid7(t, rng), send_id: id, type: "click", occurred_at: new Date(t), data: { url: "https://example.com/whats-new", demo: true } });
          clicks++;
        }
      }
    }
  }
  out.email_sends.push({
    id,
    campaign_id: campaign.id,
    account_id: account.id,
    contact_id: contact.id,
    email: contact.email,
    subject: campaign.subject.replace("{{first_name}}", contact.name.split(" ")[0] ?? ""),
    status: bounced ? "bounced" : "delivered",
    sent_at: new Date(sentAt),
    accepted_at: new Date(sentAt),
    delivered_at: delivered === null ? null : new Date(delivered),
    open_count: opens,
    click_count: clicks,
    newsletter_id: campaign.newsletter_id,
  });
  out.email_events.push(...events);
}
