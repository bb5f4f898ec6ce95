// manage_community: communities, members (linked to accounts and contacts by email), posts (customer
// text), analytics over a period from the stored rows, and moderation with a reason and an audit record.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { CURRENT_ARR_RULE } from "../../repositories/current-arr.ts";
import { CommunityRepository, type MemberRow, type PostRow } from "../../repositories/programs-community.ts";
import { writeAudit } from "../../repositories/audit.ts";
import { conflict, notFound, validationError } from "../../server/errors.ts";
import { clipText } from "../shared/clip-text.ts";
import { toIso, toMoney } from "../../security/validation.ts";
import { asCustomerText } from "../../tools/shared/customer-text.ts";
import { checkActionFields, type ActionRule } from "../shared/action-fields.ts";
import { percent, resolvePeriod } from "./fields.ts";

export const COMMUNITY_ACTIONS = ["create_community", "list_communities", "add_member", "get_member_profile", "list_members", "post_content", "list_posts", "get_analytics", "moderate"] as const;
export type CommunityAction = (typeof COMMUNITY_ACTIONS)[number];
export const MEMBER_ROLES = ["member", "moderator", "admin"] as const;
export const MEMBER_STATUSES = ["active", "suspended", "removed"] as const;
export const VISIBILITIES = ["public", "private"] as const;
export const GRANULARITIES = ["day", "week", "month"] as const;
export const MODERATION_ACTIONS = ["hide_post", "remove_post", "restore_post", "suspend_member", "reinstate_member"] as const;
export type ModerationAction = (typeof MODERATION_ACTIONS)[number];

export const ENGAGEMENT_FORMULA = "engagement rate = active members (posted at least once in the period) ÷ members at the end of the period (not removed) × 100";
const DEFAULT_PERIOD_DAYS = 30;
const TOP_CONTRIBUTORS = 10;

export interface CommunityInput {
  action: CommunityAction;
  community_id?: string | undefined;
  name?: string | undefined;
  description?: string | undefined;
  visibility?: (typeof VISIBILITIES)[number] | undefined;
  member_id?: string | undefined;
  email?: string | undefined;
  member_name?: string | undefined;
  role?: (typeof MEMBER_ROLES)[number] | undefined;
  client_id?: string | undefined;
  status?: (typeof MEMBER_STATUSES)[number] | undefined;
  title?: string | undefined;
  body?: string | undefined;
  include_moderated?: boolean | undefined;
  post_id?: string | undefined;
  moderation_action?: ModerationAction | undefined;
  reason?: string | undefined;
  period_days?: number | undefined;
  start_date?: string | undefined;
  end_date?: string | undefined;
  granularity?: (typeof GRANULARITIES)[number] | undefined;
  limit: number;
  offset: number;
}

type Field = Exclude<keyof CommunityInput, "action" | "limit" | "offset">;
const FIELDS: Field[] = ["community_id", "name", "description", "visibility", "member_id", "email", "member_name", "role", "client_id", "status", "title", "body", "include_moderated", "post_id", "moderation_action", "reason", "period_days", "start_date", "end_date", "granularity"];

const RULES: Record<CommunityAction, ActionRule<Field>> = {
  create_community: { required: ["name"], allowed: ["name", "description", "visibility"] },
  list_communities: { required: [], allowed: [] },
  add_member: { required: ["community_id", "email"], allowed: ["community_id", "email", "member_name", "role", "client_id"] },
  get_member_profile: { required: [], allowed: ["member_id", "community_id", "email"], atLeastOne: ["member_id", "email"] },
  list_members: { required: ["community_id"], allowed: ["community_id", "status", "role", "client_id"] },
  post_content: { required: ["community_id", "body"], allowed: ["community_id", "body", "title", "member_id", "email"], atLeastOne: ["member_id", "email"] },
  list_posts: { required: ["community_id"], allowed: ["community_id", "member_id", "include_moderated"] },
  get_analytics: { required: ["community_id"], allowed: ["community_id", "period_days", "start_date", "end_date", "granularity"] },
  moderate: { required: ["moderation_action", "reason"], allowed: ["moderation_action", "reason", "post_id", "member_id"] },
};

/** Moderation moves: which states each action starts from and the state it leaves. */
const POST_MOVES: Record<"hide_post" | "remove_post" | "restore_post", { from: string[]; to: string }> = {
  hide_post: { from: ["published"], to: "hidden" },
  remove_post: { from: ["published", "hidden"], to: "removed" },
  restore_post: { from: ["hidden", "removed"], to: "published" },
};
const MEMBER_MOVES: Record<"suspend_member" | "reinstate_member", { from: string[]; to: string }> = {
  suspend_member: { from: ["active"], to: "suspended" },
  reinstate_member: { from: ["suspended"], to: "active" },
};

function memberView(m: MemberRow) {
  return {
    member_id: m.id,
    community_id: m.community_id,
    email: m.email,
    name: m.name,
    role: m.role,
    status: m.status,
    status_reason: m.status_reason,
    status_changed_at: toIso(m.status_changed_at),
    joined_at: m.joined_at.toISOString(),
    client_id: m.account_id,
    company_name: m.company_name,
    contact: m.contact_id ? { contact_id: m.contact_id, name: m.contact_name, role: m.contact_role } : null,
    posts: Number(m.posts),
    last_post_at: toIso(m.last_post_at),
  };
}

function postView(p: Pick<PostRow, "id" | "community_id" | "member_id" | "title" | "body" | "status" | "moderation_reason" | "moderated_at" | "created_at"> & { author_email: string }) {
  const src = `community post ${p.id} by ${p.author_email}`;
  return {
    post_id: p.id,
    community_id: p.community_id,
    member_id: p.member_id,
    author_email: p.author_email,
    title: p.title === null ? null : asCustomerText(p.title, `${src} (title)`),
    body: asCustomerText(p.body, src),
    status: p.status,
    moderation_reason: p.moderation_reason,
    moderated_at: toIso(p.moderated_at),
    created_at: p.created_at.toISOString(),
  };
}

const page = (total: number, count: number, limit: number, offset: number) => ({ total, count, limit, offset, next_offset: offset + count < total ? offset + count : null });

/** Lists show the start of each post body (a body may be 20,000 characters). */
const LIST_BODY_CHARS = 500;
const listedPost = (p: Parameters<typeof postView>[0]) => postView({ ...p, body: clipText(p.body, LIST_BODY_CHARS) });

/** Posts per period: at most this many buckets in one answer. */
const MAX_BUCKETS = 150;

export class CommunityService {
  private readonly repo: CommunityRepository;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.repo = new CommunityRepository(prisma);
  }

  checkFields(input: CommunityInput): void {
    checkActionFields(input.action, input, FIELDS, RULES);
    const problems: string[] = [];
    if (input.action === "get_member_profile" && input.member_id === undefined && input.community_id === undefined) problems.push("action 'get_member_profile' with email needs community_id (missing)");
    if (input.action === "get_member_profile" && input.member_id !== undefined && (input.email !== undefined || input.community_id !== undefined)) problems.push("action 'get_member_profile': give member_id, or community_id with email, not both");
    if (input.action === "post_content" && input.member_id !== undefined && input.email !== undefined) problems.push("action 'post_content': give the author as member_id or email, not both");
    if (input.action === "get_analytics" && input.period_days !== undefined && input.start_date !== undefined) problems.push("action 'get_analytics': give period_days or start_date, not both");
    if (input.action === "moderate" && input.moderation_action) {
      const onPost = input.moderation_action.endsWith("_post");
      const need = onPost ? "post_id" : "member_id";
      const other = onPost ? "member_id" : "post_id";
      if (input[need] === undefined) problems.push(`moderation_action '${input.moderation_action}' needs ${need} (missing)`);
      if (input[other] !== undefined) problems.push(`moderation_action '${input.moderation_action}' does not use ${other}`);
    }
    if (problems.length) throw validationError(problems.join("; "), "nothing was changed");
  }

  async handle(input: CommunityInput) {
    this.checkFields(input);
    switch (input.action) {
      case "create_community":
        return this.createCommunity(input);
      case "list_communities":
        return this.listCommunities(input);
      case "add_member":
        return this.addMember(input);
      case "get_member_profile":
        return this.memberProfile(input);
      case "list_members":
        return this.listMembers(input);
      case "post_content":
        return this.post(input);
      case "list_posts":
        return this.listPosts(input);
      case "get_analytics":
        return this.analytics(input);
      case "moderate":
        return this.moderate(input);
    }
  }

  private async requireCommunity(id: string) {
    const c = await this.repo.findCommunity(id);
    if (!c) throw notFound("community", id, "use manage_community with action 'list_communities' to find the community_id");
    return c;
  }

  private async createCommunity(input: CommunityInput) {
    const now = this.now();
    return this.prisma.$transaction(async (tx) => {
      const existing = await tx.community.findUnique({ where: { name: input.name! } });
      if (existing) throw conflict(`a community named '${input.name}' already exists (community_id ${existing.id})`, "use that community_id, or choose another name", { community_id: existing.id });
      const c = await tx.community.create({ data: { name: input.name!, description: input.description ?? null, visibility: input.visibility ?? "private", created_at: now } });
      await writeAudit(tx, { action: "create_community", entity_type: "community", entity_id: c.id, changes: { name: c.name, visibility: c.visibility } });
      return { action: "create_community" as const, community: { community_id: c.id, name: c.name, description: c.description, visibility: c.visibility, created_at: c.created_at.toISOString(), members: 0, active_members: 0, published_posts: 0 } };
    });
  }

  private async listCommunities(input: CommunityInput) {
    const rows = await this.repo.listCommunities(input.limit, input.offset);
    const total = rows.length ? Number(rows[0]!.total) : 0;
    return {
      action: "list_communities" as const,
      communities: rows.map((c) => ({ community_id: c.id, name: c.name, description: c.description, visibility: c.visibility, created_at: c.created_at.toISOString(), members: Number(c.members), active_members: Number(c.active_members), published_posts: Number(c.posts) })),
      ...page(total, rows.length, input.limit, input.offset),
    };
  }

  private async addMember(input: CommunityInput) {
    const now = this.now();
    const email = input.email!;
    return this.prisma.$transaction(async (tx) => {
      const community = await this.repo.findCommunity(input.community_id!, tx);
      if (!community) throw notFound("community", input.community_id!, "use manage_community with action 'list_communities' to find the community_id");
      const existing = await tx.communityMember.findUnique({ where: { community_id_email: { community_id: community.id, email } } });
      if (existing) throw conflict(`${email} is already a member of '${community.name}' (member_id ${existing.id}, status ${existing.status})`, existing.status === "suspended" ? "reinstate the member with action 'moderate' (moderation_action 'reinstate_member')" : "use get_member_profile with that member_id", { member_id: existing.id });

      // Link by email: the given account (the contact there, if any), else the one account whose contact
      // or primary contact has this email. Several accounts → no guess; the answer says so.
      let accountId: string | null = null;
      let link: { matched_by: "client_id" | "contact_email" | "primary_contact_email" | "none"; note: string };
      if (input.client_id) {
        const account = await tx.account.findUnique({ where: { id: input.client_id }, select: { id: true, company_name: true } });
        if (!account) throw notFound("client", input.client_id, "use list_clients to find the client_id");
        accountId = account.id;
        link = { matched_by: "client_id", note: `linked to ${account.company_name} as given` };
      } else {
        const matches = await this.repo.emailMatches(email, tx);
        if (matches.length === 1) {
          accountId = matches[0]!.account_id;
          link = matches[0]!.via === "contact"
            ? { matched_by: "contact_email", note: `email matches contact ${matches[0]!.contact_id} of ${matches[0]!.company_name}` }
            : { matched_by: "primary_contact_email", note: `email is the primary contact of ${matches[0]!.company_name}` };
        } else if (matches.length > 1) {
          throw validationError(`client_id: ${email} is a contact of ${matches.length} accounts (${matches.map((m) => m.account_id).join(", ")}); give client_id to say which one the member belongs to`, "nothing was changed", { candidates: matches.map((m) => m.account_id) });
        } else {
          link = { matched_by: "none", note: "no account contact has this email; the member is not linked to an account (register the contact with update_client_info to link future members)" };
        }
      }
      const m = await tx.communityMember.create({ data: { community_id: community.id, account_id: accountId, email, name: input.member_name ?? null, role: input.role ?? "member", status: "active", joined_at: now } });
      await writeAudit(tx, { action: "add_community_member", entity_type: "community_member", entity_id: m.id, changes: { community_id: community.id, client_id: accountId, role: m.role, link: link.matched_by } });
      const row = await this.repo.member(m.id, tx);
      return { action: "add_member" as const, member: memberView(row!), link };
    });
  }

  private async findMember(input: CommunityInput) {
    const m = input.member_id ? await this.repo.member(input.member_id) : await this.repo.memberByEmail(input.community_id!, input.email!);
    if (!m) throw notFound("community member", input.member_id ?? `${input.email} in community ${input.community_id}`, "use manage_community with action 'list_members' to find the member_id");
    return m;
  }

  private async memberProfile(input: CommunityInput) {
    if (input.community_id) await this.requireCommunity(input.community_id);
    const m = await this.findMember(input);
    const [counts, recent, account, advocate] = await Promise.all([
      this.repo.postCounts(m.id),
      this.repo.listPosts({ community_id: m.community_id, member_id: m.id, include_moderated: false }, 5, 0),
      m.account_id ? this.prisma.account.findUnique({ where: { id: m.account_id }, select: { id: true, company_name: true, tier: true, arr: true, health_score: true, lifecycle_stage: true } }) : null,
      m.account_id ? this.prisma.advocate.findUnique({ where: { account_id_email: { account_id: m.account_id, email: m.email } }, select: { id: true, status: true, points: true } }) : null,
    ]);
    return {
      action: "get_member_profile" as const,
      member: memberView(m),
      post_counts: counts,
      recent_posts: recent.map(listedPost),
      account: account ? { client_id: account.id, company_name: account.company_name, tier: account.tier, arr: toMoney(account.arr), health_score: account.health_score, lifecycle_stage: account.lifecycle_stage } : null,
      advocate: advocate ? { advocate_id: advocate.id, status: advocate.status, points: advocate.points } : null,
    };
  }

  private async listMembers(input: CommunityInput) {
    await this.requireCommunity(input.community_id!);
    const rows = await this.repo.listMembers({ community_id: input.community_id!, status: input.status, role: input.role, account_id: input.client_id }, input.limit, input.offset);
    const total = rows.length ? Number(rows[0]!.total) : 0;
    return { action: "list_members" as const, members: rows.map(memberView), ...page(total, rows.length, input.limit, input.offset) };
  }

  private async post(input: CommunityInput) {
    const now = this.now();
    return this.prisma.$transaction(async (tx) => {
      const community = await this.repo.findCommunity(input.community_id!, tx);
      if (!community) throw notFound("community", input.community_id!, "use manage_community with action 'list_communities' to find the community_id");
      const m = input.member_id ? await this.repo.member(input.member_id, tx) : await this.repo.memberByEmail(community.id, input.email!, tx);
      if (!m) throw notFound("community member", input.member_id ?? input.email!, "add the author with action 'add_member' first");
      if (m.community_id !== community.id) throw validationError(`member_id: member ${m.id} belongs to another community (${m.community_id})`);
      if (m.status !== "active") throw conflict(`member ${m.id} is ${m.status}${m.status_reason ? ` (${m.status_reason})` : ""} and cannot post`, "reinstate the member with action 'moderate' first");
      const p = await tx.communityPost.create({ data: { community_id: community.id, member_id: m.id, title: input.title ?? null, body: input.body!, status: "published", created_at: now } });
      await writeAudit(tx, { action: "post_community_content", entity_type: "community_post", entity_id: p.id, changes: { community_id: community.id, member_id: m.id, length: p.body.length } });
      return { action: "post_content" as const, post: postView({ ...p, author_email: m.email }) };
    });
  }

  private async listPosts(input: CommunityInput) {
    await this.requireCommunity(input.community_id!);
    const rows = await this.repo.listPosts({ community_id: input.community_id!, member_id: input.member_id, include_moderated: input.include_moderated ?? false }, input.limit, input.offset);
    const total = rows.length ? Number(rows[0]!.total) : 0;
    return { action: "list_posts" as const, posts: rows.map(listedPost), include_moderated: input.include_moderated ?? false, ...page(total, rows.length, input.limit, input.offset) };
  }

  private async analytics(input: CommunityInput) {
    const community = await this.requireCommunity(input.community_id!);
    const period = resolvePeriod(this.now(), input.period_days ?? DEFAULT_PERIOD_DAYS, input.start_date, input.end_date);
    const granularity = input.granularity ?? "week";
    const approxBuckets = Math.ceil(period.days / { day: 1, week: 7, month: 30.44 }[granularity]);
    if (approxBuckets > MAX_BUCKETS) {
      throw validationError(`granularity: ${granularity} buckets over this period exceed ${MAX_BUCKETS}; choose a coarser granularity or a shorter period`);
    }
    const [t, buckets, top, accounts] = await Promise.all([
      this.repo.analyticsTotals(community.id, period.start, period.end),
      this.repo.postsPerBucket(community.id, period.start, period.end, granularity),
      this.repo.topContributors(community.id, period.start, period.end, TOP_CONTRIBUTORS),
      this.repo.accountsRepresented(community.id, period.end, 20),
    ]);
    const missing: Array<{ what: string; how_to_supply: string }> = [];
    if (t.members_total === 0) missing.push({ what: "no members joined by the end of the period", how_to_supply: "add members with manage_community action 'add_member'" });
    else if (t.posts === 0) missing.push({ what: "no posts in the period: activity and engagement are 0 from stored posts", how_to_supply: "record posts with manage_community action 'post_content'" });
    if (t.unlinked_members > 0) missing.push({ what: `${t.unlinked_members} members are not linked to an account (their email matches no contact): their ARR is not counted`, how_to_supply: "register the contacts on their accounts, or add members with client_id" });
    return {
      action: "get_analytics" as const,
      community: { community_id: community.id, name: community.name },
      period: { start: period.start.toISOString(), end: period.end.toISOString(), days: period.days, granularity },
      member_stats: { total: t.members_total, active_status: t.members_active_status, suspended: t.members_suspended, new_in_period: t.new_members, active_in_period: t.active_members },
      post_stats: { total: t.posts, published: t.posts_published, hidden: t.posts_hidden, removed: t.posts_removed, per_period: buckets.map((b) => ({ period_start: b.bucket_start, posts: Number(b.posts), posting_members: Number(b.posting_members) })) },
      engagement: { rate_percent: percent(t.active_members, t.members_total), active_members: t.active_members, members: t.members_total, formula: ENGAGEMENT_FORMULA },
      top_contributors: top.map((r) => ({ member_id: r.member_id, email: r.email, name: r.name, client_id: r.account_id, company_name: r.company_name, posts: Number(r.posts), last_post_at: r.last_post_at.toISOString() })),
      accounts_represented: {
        count: t.accounts,
        total_arr: toMoney(t.accounts_arr),
        churned_accounts: t.churned_accounts,
        churned_arr: toMoney(t.churned_arr),
        arr_basis: CURRENT_ARR_RULE,
        accounts: accounts.map((a) => ({ client_id: a.account_id, company_name: a.company_name, tier: a.tier, arr: toMoney(a.arr), status: a.status, members: Number(a.members) })),
      },
      missing,
    };
  }

  private async moderate(input: CommunityInput) {
    const now = this.now();
    const action = input.moderation_action!;
    return this.prisma.$transaction(async (tx) => {
      if (action === "hide_post" || action === "remove_post" || action === "restore_post") {
        const p = await tx.communityPost.findUnique({ where: { id: input.post_id! }, include: { member: { select: { email: true } } } });
        if (!p) throw notFound("community post", input.post_id!, "use manage_community with action 'list_posts' (include_moderated true) to find the post_id");
        const move = POST_MOVES[action];
        if (!move.from.includes(p.status)) throw conflict(`post ${p.id} is ${p.status}; '${action}' applies to ${move.from.join(" or ")} posts`, "nothing was changed");
        const updated = await tx.communityPost.update({ where: { id: p.id }, data: { status: move.to, moderation_reason: input.reason!, moderated_at: now } });
        await writeAudit(tx, { action: `community_${action}`, entity_type: "community_post", entity_id: p.id, changes: { from: p.status, to: move.to, reason: input.reason!, community_id: p.community_id, member_id: p.member_id } });
        return { action: "moderate" as const, moderation: { moderation_action: action, target: "post" as const, target_id: p.id, from_status: p.status, to_status: move.to, reason: input.reason!, at: now.toISOString() }, post: postView({ ...updated, author_email: p.member.email }) };
      }
      const m = await tx.communityMember.findUnique({ where: { id: input.member_id! } });
      if (!m) throw notFound("community member", input.member_id!, "use manage_community with action 'list_members' to find the member_id");
      const move = MEMBER_MOVES[action];
      if (!move.from.includes(m.status)) throw conflict(`member ${m.id} is ${m.status}; '${action}' applies to ${move.from.join(" or ")} members`, "nothing was changed");
      await tx.communityMember.update({ where: { id: m.id }, data: { status: move.to, status_reason: input.reason!, status_changed_at: now } });
      await writeAudit(tx, { action: `community_${action}`, entity_type: "community_member", entity_id: m.id, changes: { from: m.status, to: move.to, reason: input.reason!, community_id: m.community_id } });
      const row = await this.repo.member(m.id, tx);
      return { action: "moderate" as const, moderation: { moderation_action: action, target: "member" as const, target_id: m.id, from_status: m.status, to_status: move.to, reason: input.reason!, at: now.toISOString() }, member: memberView(row!) };
    });
  }
}
