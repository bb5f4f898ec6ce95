// The demo's support desk, generated after the accounts: the agent roster the tickets are assigned to, a
// queue of new untriaged tickets for route_tickets to place, escalation records for escalated tickets of
// troubled accounts, and the knowledge base with its versions and votes. Pure and deterministic like
// generate.ts: per-account rows draw from the account's own streams, the rest from global streams.
import type { DemoAccount, DemoContact, DemoCoreData, DemoPriority, DemoTicket } from "./generate.ts";
import { DAY, HOUR, MINUTE, type DemoStreams, type Rng, uuid7 } from "./random.ts";
import { KB_ARTICLES, KB_VOTE_FEEDBACK } from "./kb-content.ts";

export interface DemoSupportAgent {
  id: string;
  name: string;
  email: string;
  team: string;
  skills: string[];
  max_open: number;
  is_active: boolean;
  created_at: Date;
}

export interface DemoEscalation {
  id: string;
  account_id: string;
  ticket_id: string | null;
  severity: "low" | "medium" | "high" | "critical";
  reason: string;
  status: "open" | "in_progress" | "resolved";
  owner: string;
  resolution: string | null;
  created_at: Date;
  updated_at: Date;
  resolved_at: Date | null;
}

export interface DemoKbArticle {
  id: string;
  title: string;
  body: string;
  category: string;
  tags: string[];
  status: "draft" | "published" | "archived";
  version: number;
  helpful_votes: number;
  unhelpful_votes: number;
  author: string;
  created_at: Date;
  updated_at: Date;
  published_at: Date | null;
}

export interface DemoKbArticleVersion {
  article_id: string;
  version: number;
  title: string;
  body: string;
  editor: string;
  created_at: Date;
}

export interface DemoKbVote {
  id: string;
  article_id: string;
  helpful: boolean;
  voter_email: string | null;
  feedback: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface DemoSupportData {
  support_agents: DemoSupportAgent[];
  escalations: DemoEscalation[];
  kb_articles: DemoKbArticle[];
  kb_article_versions: DemoKbArticleVersion[];
  kb_article_votes: DemoKbVote[];
}

/**
 * The support team. Skills are matched by route_tickets against a ticket's category and tags (the ticket
 * categories of generate.ts, plus "urgent" on P1 tickets). `tickets`: whether the generated ticket history
 * is assigned to the agent (in this order: generate.ts picks by team from this list). Morgan Blake left the
 * team: inactive, so routing skips them.
 */
export const SUPPORT_AGENTS = [
  { name: "Alex Morgan", email: "alex.morgan@support-team.example", team: "Technical Support", skills: ["technical", "bug", "urgent"], max_open: 25, tickets: true },
  { name: "Sam Rivera", email: "sam.rivera@support-team.example", team: "Technical Support", skills: ["technical", "bug", "feature_request"], max_open: 20, tickets: true },
  { name: "Jamie Lee", email: "jamie.lee@support-team.example", team: "Technical Support", skills: ["technical", "feature_request", "how_to"], max_open: 20, tickets: true },
  { name: "Chris Novak", email: "chris.novak@support-team.example", team: "Technical Support", skills: ["technical", "bug", "urgent"], max_open: 18, tickets: true },
  { name: "Dana Whitfield", email: "dana.whitfield@support-team.example", team: "Billing", skills: ["billing", "account"], max_open: 12, tickets: true },
  { name: "Robin Osei", email: "robin.osei@support-team.example", team: "Integrations", skills: ["integration", "technical"], max_open: 12, tickets: true },
  { name: "Taylor Brooks", email: "taylor.brooks@support-team.example", team: "Integrations", skills: ["integration", "bug"], max_open: 10, tickets: true },
  { name: "Casey Nakamura", email: "casey.nakamura@support-team.example", team: "Onboarding", skills: ["how_to", "account"], max_open: 16, tickets: true },
  { name: "Morgan Blake", email: "morgan.blake@support-team.example", team: "Billing", skills: ["billing"], max_open: 12, tickets: false, inactive: true },
] as const;

// Purposes of the streams used here (generate.ts uses 1–8 per account).
const S_QUEUE = 20;
const S_ESCALATIONS = 21;
const G_AGENTS = 101;
const G_KB = 102;

const QUEUE_SUBJECTS: Record<string, readonly string[]> = {
  technical: ["Dashboard shows a blank page since this morning", "Reports time out for our regional team", "Users unable to log in via SSO after certificate renewal"],
  bug: ["Export to CSV drops the last column again", "Alert fired twice for the same threshold", "Date filter shows yesterday's data as today"],
  how_to: ["How do we schedule a weekly report to leadership?", "How to bulk import users from a spreadsheet", "Setting up role-based permissions for contractors"],
  billing: ["Invoice amount does not match the contract", "Question about seat true-up charges on the last invoice", "Please update our billing contact"],
  integration: ["Salesforce sync failing since the weekend", "Webhook deliveries timing out", "Slack notifications stopped for one channel"],
  account: ["Transfer account ownership to our new admin", "Deactivate departed employees in bulk"],
  feature_request: ["Request: scheduled PDF export of dashboards", "Request: more granular API scopes"],
};

const SEVERITY: Record<DemoPriority, DemoEscalation["severity"]> = { P1: "critical", P2: "high", P3: "medium", P4: "low" };
const ESCALATION_RESOLUTIONS = [
  "Engineering shipped a fix; the customer confirmed the issue is gone",
  "Workaround agreed with the customer's admin while the fix is scheduled",
  "Root cause was a misconfigured integration; corrected together with the customer",
  "CSM and support lead reviewed the case with the customer's sponsor; service credits applied",
] as const;

function contactsByAccount(contacts: readonly DemoContact[]): Map<string, DemoContact[]> {
  const map = new Map<string, DemoContact[]>();
  for (const c of contacts) {
    const list = map.get(c.account_id);
    if (list) list.push(c);
    else map.set(c.account_id, [c]);
  }
  return map;
}

export function generateSupport(data: DemoCoreData, streams: DemoStreams): DemoSupportData {
  const out: DemoSupportData = { support_agents: [], escalations: [], kb_articles: [], kb_article_versions: [], kb_article_votes: [] };
  const { nowMs, today } = streams;

  // --- the roster: joined well before the year of ticket history
  const arng = streams.global(G_AGENTS);
  for (const a of SUPPORT_AGENTS) {
    const joined = today - arng.int(400, 1400) * DAY + 15 * HOUR;
    out.support_agents.push({
      id: uuid7(joined, arng),
      name: a.name,
      email: a.email,
      team: a.team,
      skills: [...a.skills],
      max_open: a.max_open,
      is_active: !("inactive" in a && a.inactive),
      created_at: new Date(joined),
    });
  }

  const contacts = contactsByAccount(data.contacts);
  const ticketsByAccount = new Map<string, DemoTicket[]>();
  for (const t of data.tickets) {
    const list = ticketsByAccount.get(t.account_id);
    if (list) list.push(t);
    else ticketsByAccount.set(t.account_id, [t]);
  }

  data.accounts.forEach((account, index) => {
    // --- the untriaged queue: new tickets nobody has picked up yet (no agent, no team, no first response)
    const q = streams.account(index, S_QUEUE);
    if (account.status === "active") {
      const n = q.chance(account.profile === "churner" ? 0.3 : 0.07) ? q.int(1, account.profile === "churner" ? 2 : 1) : 0;
      for (let k = 0; k < n; k++) {
        const at = nowMs - q.int(2, 110) * MINUTE - q.int(0, 59_999);
        const who = (contacts.get(account.id) ?? []).filter((c) => c.created_at.getTime() < at);
        if (at <= account.created_at.getTime() || who.length === 0) continue;
        const category = q.weighted<string>([["technical", 0.3], ["bug", 0.2], ["how_to", 0.15], ["billing", 0.1], ["integration", 0.15], ["account", 0.05], ["feature_request", 0.05]]);
        const priority = q.weighted<DemoPriority>(account.profile === "churner" ? [["P1", 0.25], ["P2", 0.35], ["P3", 0.3], ["P4", 0.1]] : [["P1", 0.05], ["P2", 0.2], ["P3", 0.5], ["P4", 0.25]]);
        const subject = q.pick(QUEUE_SUBJECTS[category] ?? QUEUE_SUBJECTS.technical!);
        data.tickets.push(queueTicket(q, account, q.pick(who), at, category, priority, subject));
      }
    }

    // --- escalations: every escalated ticket of a churner or churned account, and escalated P1 tickets elsewhere
    const e = streams.account(index, S_ESCALATIONS);
    const troubled = account.profile === "churner" || account.profile === "churned";
    for (const t of ticketsByAccount.get(account.id) ?? []) {
      if (!t.escalated || !t.escalated_at || (!troubled && t.priority !== "P1")) continue;
      const created = t.escalated_at.getTime();
      const late = t.first_response_at === null || t.first_response_at.getTime() - t.created_at.getTime() > 120 * MINUTE;
      const reason = `${t.priority} ticket "${t.subject}" ${late ? "had no first response within 2 hours" : "was not resolved within 3 days"}`;
      let resolvedAt: number | null = t.resolved_at ? t.resolved_at.getTime() + e.int(1, 20) * HOUR : null;
      if (resolvedAt !== null && resolvedAt >= nowMs) resolvedAt = null;
      const status = resolvedAt !== null ? "resolved" : e.chance(0.6) ? "in_progress" : "open";
      out.escalations.push({
        id: uuid7(created, e),
        account_id: account.id,
        ticket_id: t.id,
        severity: SEVERITY[t.priority],
        reason,
        status,
        owner: account.csm_email,
        resolution: resolvedAt !== null ? e.pick(ESCALATION_RESOLUTIONS) : null,
        created_at: new Date(created),
        updated_at: new Date(resolvedAt ?? Math.max(created, Math.min(nowMs - 1, created + e.int(1, 48) * HOUR))),
        resolved_at: resolvedAt === null ? null : new Date(resolvedAt),
      });
    }
    // An at-risk churner's CSM escalated the account itself (no ticket): the renewal is in danger.
    if (account.profile === "churner" && e.chance(0.5)) {
      const created = nowMs - e.int(3, 40) * DAY - e.int(0, 8) * HOUR;
      if (created > account.created_at.getTime()) {
        out.escalations.push({
          id: uuid7(created, e),
          account_id: account.id,
          ticket_id: null,
          severity: e.chance(0.4) ? "critical" : "high",
          reason: e.pick([
            "Executive sponsor says the team stopped using the product; renewal at risk",
            "Usage down sharply over the last two months and the champion has left",
            "Customer asked for cancellation terms after repeated outages",
          ]),
          status: e.chance(0.5) ? "in_progress" : "open",
          owner: account.csm_email,
          resolution: null,
          created_at: new Date(created),
          updated_at: new Date(created + e.int(1, 48) * HOUR),
          resolved_at: null,
        });
      }
    }
  });

  generateKnowledgeBase(streams, data, out);
  return out;
}

function queueTicket(rng: Rng, account: DemoAccount, requester: DemoContact, at: number, category: string, priority: DemoPriority, subject: string): DemoTicket {
  const targets: Record<DemoPriority, number> = { P1: 240, P2: 480, P3: 1440, P4: 2880 };
  return {
    id: uuid7(at, rng),
    account_id: account.id,
    subject,
    description: `${subject}. Reported by ${requester.name} at ${account.company_name}.`,
    priority,
    category,
    status: "open",
    requester_email: requester.email,
    assigned_agent: null,
    team: null,
    tags: priority === "P1" ? [category, "urgent"] : [category],
    satisfaction_rating: null,
    escalated: false,
    escalated_at: null,
    first_response_due_at: new Date(at + 15 * MINUTE),
    resolution_due_at: new Date(at + targets[priority] * MINUTE),
    first_response_at: null,
    resolved_at: null,
    closed_at: null,
    created_at: new Date(at),
    updated_at: new Date(at),
  };
}

// ------------------------------------------------------------------ knowledge base

function generateKnowledgeBase(streams: DemoStreams, data: DemoCoreData, out: DemoSupportData): void {
  const rng = streams.global(G_KB);
  const { nowMs, today } = streams;
  const authors = SUPPORT_AGENTS.map((a) => a.name);
  // Voters: contacts of the first accounts (the pool does not depend on how many accounts there are beyond it).
  const voters = data.contacts.slice(0, 400);

  for (const spec of KB_ARTICLES) {
    const createdAt = today - rng.int(40, 520) * DAY + rng.int(13, 20) * HOUR;
    const author = rng.pick(authors);
    const editor = rng.chance(0.5) ? author : rng.pick(authors);
    const id = uuid7(createdAt, rng);
    const revised = spec.sections.length > 2 || spec.first_title !== undefined;
    const finalBody = spec.sections.join("\n\n");
    const versions: DemoKbArticleVersion[] = [];
    let updatedAt = createdAt;
    if (revised) {
      versions.push({ article_id: id, version: 1, title: spec.first_title ?? spec.title, body: spec.sections.slice(0, -1).join("\n\n"), editor: author, created_at: new Date(createdAt) });
      updatedAt = Math.min(nowMs - DAY, createdAt + rng.int(10, 30) * DAY);
      versions.push({ article_id: id, version: 2, title: spec.title, body: finalBody, editor, created_at: new Date(updatedAt) });
    } else {
      versions.push({ article_id: id, version: 1, title: spec.title, body: finalBody, editor: author, created_at: new Date(createdAt) });
    }
    const publishedAt = spec.status === "draft" ? null : createdAt + rng.int(1, 72) * HOUR;
    if (spec.status === "archived") updatedAt = Math.max(updatedAt, nowMs - rng.int(5, 30) * DAY);

    // Votes on articles that were published (archived ones kept the votes they had).
    let helpful = 0;
    let unhelpful = 0;
    if (publishedAt !== null) {
      const quality = rng.between(0.45, 0.95);
      const n = rng.int(4, 36);
      const seen = new Set<string>();
      const end = spec.status === "archived" ? updatedAt : nowMs;
      for (let k = 0; k < n; k++) {
        const voter = voters.length && rng.chance(0.75) ? rng.pick(voters) : null;
        if (voter && seen.has(voter.email)) continue;
        const at = Math.max(publishedAt, voter ? voter.created_at.getTime() : publishedAt) + Math.floor(rng.float() * 200 * DAY);
        if (at >= end) continue;
        if (voter) seen.add(voter.email);
        const isHelpful = rng.chance(quality);
        const feedback = rng.chance(0.2) ? rng.pick(isHelpful ? KB_VOTE_FEEDBACK.helpful : KB_VOTE_FEEDBACK.unhelpful) : null;
        out.kb_article_votes.push({ id: uuid7(at, rng), article_id: id, helpful: isHelpful, voter_email: voter?.email ?? null, feedback, created_at: new Date(at), updated_at: new Date(at) });
        if (isHelpful) helpful++;
        else unhelpful++;
      }
    }
    out.kb_articles.push({
      id,
      title: spec.title,
      body: finalBody,
      category: spec.category,
      tags: [...spec.tags],
      status: spec.status,
      version: versions.length,
      helpful_votes: helpful,
      unhelpful_votes: unhelpful,
      author,
      created_at: new Date(createdAt),
      updated_at: new Date(updatedAt),
      published_at: publishedAt === null ? null : new Date(publishedAt),
    });
    out.kb_article_versions.push(...versions);
  }
}
