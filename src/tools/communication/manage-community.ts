import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { clientId, email, isoDateOrDateTime, text } from "../../security/validation.ts";
import { CUSTOMER_TEXT_NOTE, customerText, fenceCustomerText } from "../shared/customer-text.ts";
import { COMMUNITY_ACTIONS, GRANULARITIES, MEMBER_ROLES, MEMBER_STATUSES, MODERATION_ACTIONS, VISIBILITIES } from "../../services/programs/community.ts";

const enumOf = <T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `must be one of ${values.join(", ")}` });
const missingItem = z.object({ what: z.string(), how_to_supply: z.string() });

const communityView = z.object({
  community_id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  visibility: z.string(),
  created_at: z.string(),
  members: z.number().int(),
  active_members: z.number().int(),
  published_posts: z.number().int(),
});

const memberView = z.object({
  member_id: z.string(),
  community_id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  role: z.string(),
  status: z.string(),
  status_reason: z.string().nullable(),
  status_changed_at: z.string().nullable(),
  joined_at: z.string(),
  client_id: z.string().nullable(),
  company_name: z.string().nullable(),
  contact: z.object({ contact_id: z.string(), name: z.string().nullable(), role: z.string().nullable() }).nullable(),
  posts: z.number().int(),
  last_post_at: z.string().nullable(),
});

const postView = z.object({
  post_id: z.string(),
  community_id: z.string(),
  member_id: z.string(),
  author_email: z.string(),
  title: customerText.nullable(),
  body: customerText,
  status: z.string(),
  moderation_reason: z.string().nullable(),
  moderated_at: z.string().nullable(),
  created_at: z.string(),
});

const pageFields = {
  total: z.number().int().optional(),
  count: z.number().int().optional(),
  limit: z.number().int().optional(),
  offset: z.number().int().optional(),
  next_offset: z.number().int().nullable().optional(),
};

export const manageCommunity = defineTool({
  name: "manage_community",
  toolset: "communication",
  title: "Manage customer communities",
  description:
    `Customer communities: create_community, list_communities, add_member, get_member_profile, list_members, post_content, list_posts, get_analytics (members, posts, contributors, engagement, ARR) and moderate (audited). ${CUSTOMER_TEXT_NOTE} Example: {action: 'get_analytics', community_id: '0197…', period_days: 90}.`,
  input: z.strictObject({
    action: enumOf(COMMUNITY_ACTIONS),
    community_id: z.uuid({ error: "must be a community_id (a UUID) from create_community or list_communities" }).optional().describe("The community"),
    name: text(200).optional().describe("Unique"),
    description: text(2000).optional().describe("create_community"),
    visibility: enumOf(VISIBILITIES).optional().describe("Default private"),
    member_id: z.uuid({ error: "must be a member_id (a UUID) from add_member or list_members" }).optional().describe("The member"),
    email: email().optional().describe("Or instead of member_id"),
    member_name: text(200).optional().describe("add_member"),
    role: enumOf(MEMBER_ROLES).optional().describe("Default member"),
    client_id: clientId().optional().describe("Overrides the email match"),
    status: enumOf(MEMBER_STATUSES).optional().describe("list_members filter"),
    title: text(300).optional().describe("post_content"),
    body: text(20_000).optional().describe("post_content"),
    include_moderated: z.boolean().optional().describe("Also hidden/removed posts"),
    post_id: z.uuid({ error: "must be a post_id (a UUID) from post_content or list_posts" }).optional().describe("moderate"),
    moderation_action: enumOf(MODERATION_ACTIONS).optional().describe("Posts need post_id, members member_id"),
    reason: text(1000).optional().describe("Audited"),
    period_days: z.number().int().min(1).max(3650).optional().describe("Default 30"),
    start_date: isoDateOrDateTime().optional().describe("Instead of period_days"),
    end_date: isoDateOrDateTime().optional().describe("Default now"),
    granularity: enumOf(GRANULARITIES).optional().describe("Default week"),
    limit: z.number().int().min(1).max(25).default(25),
    offset: z.number().int().min(0).max(1_000_000).default(0),
  }),
  output: z.object({
    action: enumOf(COMMUNITY_ACTIONS),
    community: communityView.partial().required({ community_id: true, name: true }).optional().describe("The community (create_community: all fields; get_analytics: id and name)"),
    communities: z.array(communityView).optional(),
    member: memberView.optional(),
    link: z.object({ matched_by: z.enum(["client_id", "contact_email", "primary_contact_email", "none"]), note: z.string() }).optional(),
    members: z.array(memberView).optional(),
    member_stats: z.object({ total: z.number().int(), active_status: z.number().int(), suspended: z.number().int(), new_in_period: z.number().int(), active_in_period: z.number().int() }).optional(),
    post_counts: z.object({ published: z.number().int(), hidden: z.number().int(), removed: z.number().int() }).optional(),
    recent_posts: z.array(postView).optional(),
    account: z.object({ client_id: z.string(), company_name: z.string(), tier: z.string(), arr: z.number(), health_score: z.number().int().nullable(), lifecycle_stage: z.string() }).nullable().optional(),
    advocate: z.object({ advocate_id: z.string(), status: z.string(), points: z.number().int() }).nullable().optional(),
    post: postView.optional(),
    posts: z.array(postView).optional(),
    post_stats: z.object({ total: z.number().int(), published: z.number().int(), hidden: z.number().int(), removed: z.number().int(), per_period: z.array(z.object({ period_start: z.string(), posts: z.number().int(), posting_members: z.number().int() })) }).optional(),
    include_moderated: z.boolean().optional(),
    period: z.object({ start: z.string(), end: z.string(), days: z.number(), granularity: z.string() }).optional(),
    engagement: z.object({ rate_percent: z.number().nullable(), active_members: z.number().int(), members: z.number().int(), formula: z.string() }).optional(),
    top_contributors: z.array(z.object({ member_id: z.string(), email: z.string(), name: z.string().nullable(), client_id: z.string().nullable(), company_name: z.string().nullable(), posts: z.number().int(), last_post_at: z.string() })).optional(),
    accounts_represented: z
      .object({
        count: z.number().int(),
        total_arr: z.number().describe("Σ current ARR of the represented accounts (churned ones excluded)"),
        churned_accounts: z.number().int(),
        churned_arr: z.number(),
        arr_basis: z.string(),
        accounts: z.array(z.object({ client_id: z.string(), company_name: z.string(), tier: z.string(), arr: z.number(), status: z.string(), members: z.number().int() })),
      })
      .optional(),
    moderation: z.object({ moderation_action: z.string(), target: z.enum(["post", "member"]), target_id: z.string(), from_status: z.string(), to_status: z.string(), reason: z.string(), at: z.string() }).optional(),
    missing: z.array(missingItem).optional(),
    ...pageFields,
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false, idempotentHint: false },
  async handler(args, { services }) {
    const data = await services.communities.handle(args);
    return { data, text: render(data) };
  },
});

type Result = Awaited<ReturnType<import("../../services/programs/community.ts").CommunityService["handle"]>>;

function fencePost(p: { post_id: string; author_email: string; status: string; created_at: string; title: { customer_text: string; source: string } | null; body: { customer_text: string; source: string } }): string {
  return `- ${p.post_id} (${p.status}, ${p.created_at}, ${p.author_email})${p.title ? `\n${fenceCustomerText(p.title.customer_text, p.title.source)}` : ""}\n${fenceCustomerText(p.body.customer_text, p.body.source)}`;
}

function render(d: Result): string {
  switch (d.action) {
    case "create_community":
      return `Created community '${d.community.name}' (community_id ${d.community.community_id}, ${d.community.visibility}).`;
    case "list_communities":
      return `${d.total} communities${d.communities.length ? `: ${d.communities.map((c) => `${c.name} (${c.community_id}, ${c.members} members)`).join("; ")}` : ""}.${d.next_offset !== null ? ` More: offset ${d.next_offset}.` : ""}`;
    case "add_member":
      return `Added ${d.member.email} (member_id ${d.member.member_id}, ${d.member.role}) to community ${d.member.community_id}; ${d.link.note}.`;
    case "get_member_profile":
      return `Member ${d.member.member_id}: ${d.member.email}, ${d.member.role}, ${d.member.status}${d.member.company_name ? `, ${d.member.company_name} (${d.member.client_id})` : ", no linked account"}; posts published ${d.post_counts.published}, hidden ${d.post_counts.hidden}, removed ${d.post_counts.removed}.${d.advocate ? ` Advocate ${d.advocate.advocate_id} (${d.advocate.points} points).` : ""}${d.recent_posts.length ? `\nRecent posts:\n${d.recent_posts.map(fencePost).join("\n")}` : ""}`;
    case "list_members":
      return `${d.total} members match; showing ${d.count}${d.members.length ? `: ${d.members.slice(0, 20).map((m) => `${m.email} (${m.member_id}, ${m.status}, ${m.posts} posts)`).join("; ")}` : ""}.${d.next_offset !== null ? ` More: offset ${d.next_offset}.` : ""}`;
    case "post_content":
      return `Posted ${d.post.post_id} in community ${d.post.community_id}:\n${fencePost(d.post)}`;
    case "list_posts":
      return `${d.total} ${d.include_moderated ? "" : "published "}posts; showing ${d.count}.${d.next_offset !== null ? ` More: offset ${d.next_offset}.` : ""}${d.posts.length ? `\n${d.posts.map(fencePost).join("\n")}` : ""}`;
    case "get_analytics":
      return (
        `Community '${d.community.name}' ${d.period.start.slice(0, 10)} → ${d.period.end.slice(0, 10)}: ${d.member_stats.total} members (${d.member_stats.new_in_period} new, ${d.member_stats.active_in_period} active), ` +
        `${d.post_stats.total} posts, engagement ${d.engagement.rate_percent ?? "n/a"}%, ${d.accounts_represented.count} accounts represented (ARR ${d.accounts_represented.total_arr}).` +
        (d.missing.length ? ` Missing: ${d.missing.map((m) => m.what).join("; ")}.` : "")
      );
    case "moderate":
      return `${d.moderation.moderation_action} on ${d.moderation.target} ${d.moderation.target_id}: ${d.moderation.from_status} → ${d.moderation.to_status} (reason recorded and audited).`;
  }
}
