// Communities, their members and posts: lookups, paginated lists with post counts, and the analytics of a
// period in a few set-based statements (members, activity, posts per bucket, top contributors, accounts).
import type { PrismaClient, Prisma as P } from "../generated/prisma/client.ts";
import { churnedArrSql, currentArrSql } from "./current-arr.ts";

type Db = PrismaClient | P.TransactionClient;

export interface MemberRow {
  id: string;
  community_id: string;
  account_id: string | null;
  company_name: string | null;
  email: string;
  name: string | null;
  role: string;
  status: string;
  status_reason: string | null;
  status_changed_at: Date | null;
  joined_at: Date;
  contact_id: string | null;
  contact_name: string | null;
  contact_role: string | null;
  posts: number;
  last_post_at: Date | null;
  total: number;
}

export interface PostRow {
  id: string;
  community_id: string;
  member_id: string;
  author_email: string;
  author_name: string | null;
  account_id: string | null;
  title: string | null;
  body: string;
  status: string;
  moderation_reason: string | null;
  moderated_at: Date | null;
  created_at: Date;
  total: number;
}

/** Members with their account, the contact their email matches at that account, and their post counts. */
const MEMBER_SELECT = `
  SELECT m.id, m.community_id, m.account_id, a.company_name, m.email, m.name, m.role, m.status, m.status_reason,
         m.status_changed_at, m.joined_at, c.id AS contact_id, c.name AS contact_name, c.role AS contact_role,
         (SELECT count(*)::int FROM community_posts p WHERE p.member_id = m.id) AS posts,
         (SELECT max(p.created_at) FROM community_posts p WHERE p.member_id = m.id) AS last_post_at,
         (count(*) OVER ())::int AS total
    FROM community_members m
    LEFT JOIN accounts a ON a.id = m.account_id
    LEFT JOIN LATERAL (SELECT ct.id, ct.name, ct.role FROM contacts ct
                        WHERE ct.account_id = m.account_id AND lower(ct.email) = lower(m.email) LIMIT 1) c ON true`;

export class CommunityRepository {
  constructor(private readonly prisma: PrismaClient) {}

  findCommunity(id: string, db: Db = this.prisma) {
    return db.community.findUnique({ where: { id } });
  }

  async listCommunities(limit: number, offset: number) {
    return this.prisma.$queryRawUnsafe<Array<{ id: string; name: string; description: string | null; visibility: string; created_at: Date; members: number; active_members: number; posts: number; total: number }>>(
      `SELECT c.id, c.name, c.description, c.visibility, c.created_at,
              (SELECT count(*)::int FROM community_members m WHERE m.community_id = c.id AND m.status <> 'removed') AS members,
              (SELECT count(*)::int FROM community_members m WHERE m.community_id = c.id AND m.status = 'active') AS active_members,
              (SELECT count(*)::int FROM community_posts p WHERE p.community_id = c.id AND p.status = 'published') AS posts,
              (count(*) OVER ())::int AS total
         FROM communities c ORDER BY c.created_at, c.id LIMIT $1 OFFSET $2`,
      limit,
      offset,
    );
  }

  /** Accounts whose contacts (or primary contact) have this email: the candidates to link a member to. */
  emailMatches(email: string, db: Db = this.prisma) {
    return db.$queryRawUnsafe<Array<{ account_id: string; company_name: string; contact_id: string | null; via: "contact" | "primary_contact" }>>(
      `SELECT DISTINCT ON (a.id) a.id AS account_id, a.company_name, ct.id AS contact_id,
              CASE WHEN ct.id IS NOT NULL THEN 'contact' ELSE 'primary_contact' END AS via
         FROM accounts a
         LEFT JOIN contacts ct ON ct.account_id = a.id AND lower(ct.email) = lower($1)
        WHERE ct.id IS NOT NULL OR lower(a.primary_contact_email) = lower($1)
        ORDER BY a.id, ct.id NULLS LAST`,
      email,
    );
  }

  async member(id: string, db: Db = this.prisma): Promise<MemberRow | null> {
    const rows = await db.$queryRawUnsafe<MemberRow[]>(`${MEMBER_SELECT} WHERE m.id = $1`, id);
    return rows[0] ?? null;
  }

  async memberByEmail(communityId: string, email: string, db: Db = this.prisma): Promise<MemberRow | null> {
    const rows = await db.$queryRawUnsafe<MemberRow[]>(`${MEMBER_SELECT} WHERE m.community_id = $1 AND m.email = lower($2)`, communityId, email);
    return rows[0] ?? null;
  }

  listMembers(f: { community_id: string; status?: string | undefined; role?: string | undefined; account_id?: string | undefined }, limit: number, offset: number) {
    return this.prisma.$queryRawUnsafe<MemberRow[]>(
      `${MEMBER_SELECT}
        WHERE m.community_id = $1 AND ($2::text IS NULL OR m.status = $2) AND ($3::text IS NULL OR m.role = $3) AND ($4::text IS NULL OR m.account_id = $4)
        ORDER BY m.joined_at, m.id LIMIT $5 OFFSET $6`,
      f.community_id,
      f.status ?? null,
      f.role ?? null,
      f.account_id ?? null,
      limit,
      offset,
    );
  }

  /** Posts newest first; only published ones unless moderated posts are asked for. */
  listPosts(f: { community_id: string; member_id?: string | undefined; include_moderated: boolean }, limit: number, offset: number) {
    return this.prisma.$queryRawUnsafe<PostRow[]>(
      `SELECT p.id, p.community_id, p.member_id, m.email AS author_email, m.name AS author_name, m.account_id, p.title, p.body,
              p.status, p.moderation_reason, p.moderated_at, p.created_at, (count(*) OVER ())::int AS total
         FROM community_posts p JOIN community_members m ON m.id = p.member_id
        WHERE p.community_id = $1 AND ($2::text IS NULL OR p.member_id = $2) AND ($3::boolean OR p.status = 'published')
        ORDER BY p.created_at DESC, p.id DESC LIMIT $4 OFFSET $5`,
      f.community_id,
      f.member_id ?? null,
      f.include_moderated,
      limit,
      offset,
    );
  }

  async postCounts(memberId: string) {
    const [row] = await this.prisma.$queryRawUnsafe<Array<{ published: number; hidden: number; removed: number }>>(
      `SELECT count(*) FILTER (WHERE status = 'published')::int AS published, count(*) FILTER (WHERE status = 'hidden')::int AS hidden,
              count(*) FILTER (WHERE status = 'removed')::int AS removed
         FROM community_posts WHERE member_id = $1`,
      memberId,
    );
    return row ?? { published: 0, hidden: 0, removed: 0 };
  }

  /**
   * The community over (start, end]: members on the books at the end (not removed, joined by then), new
   * members, members who posted, posts by status. Member status is the current one (no status history).
   */
  async analyticsTotals(communityId: string, start: Date, end: Date) {
    const [row] = await this.prisma.$queryRawUnsafe<
      Array<{ members_total: number; members_active_status: number; members_suspended: number; new_members: number; active_members: number; posts: number; posts_published: number; posts_hidden: number; posts_removed: number; accounts: number; accounts_arr: string; churned_accounts: number; churned_arr: string; unlinked_members: number }>
    >(
      `WITH mem AS (SELECT * FROM community_members WHERE community_id = $1 AND status <> 'removed' AND joined_at <= $3),
            pst AS (SELECT * FROM community_posts WHERE community_id = $1 AND created_at > $2 AND created_at <= $3),
            acc AS (SELECT DISTINCT account_id FROM mem WHERE account_id IS NOT NULL)
       SELECT (SELECT count(*) FROM mem)::int AS members_total,
              (SELECT count(*) FROM mem WHERE status = 'active')::int AS members_active_status,
              (SELECT count(*) FROM mem WHERE status = 'suspended')::int AS members_suspended,
              (SELECT count(*) FROM mem WHERE joined_at > $2)::int AS new_members,
              (SELECT count(DISTINCT p.member_id) FROM pst p JOIN mem ON mem.id = p.member_id)::int AS active_members,
              (SELECT count(*) FROM pst)::int AS posts,
              (SELECT count(*) FROM pst WHERE status = 'published')::int AS posts_published,
              (SELECT count(*) FROM pst WHERE status = 'hidden')::int AS posts_hidden,
              (SELECT count(*) FROM pst WHERE status = 'removed')::int AS posts_removed,
              (SELECT count(*) FROM acc)::int AS accounts,
              (SELECT COALESCE(sum(${currentArrSql("a")}), 0)::text FROM accounts a JOIN acc ON acc.account_id = a.id) AS accounts_arr,
              (SELECT count(*) FROM accounts a JOIN acc ON acc.account_id = a.id WHERE a.status = 'churned')::int AS churned_accounts,
              (SELECT COALESCE(sum(${churnedArrSql("a")}), 0)::text FROM accounts a JOIN acc ON acc.account_id = a.id) AS churned_arr,
              (SELECT count(*) FROM mem WHERE account_id IS NULL)::int AS unlinked_members`,
      communityId,
      start,
      end,
    );
    return row!;
  }

  /** Posts per bucket (UTC day, ISO week from Monday, or month) over (start, end], empty buckets included. */
  postsPerBucket(communityId: string, start: Date, end: Date, granularity: "day" | "week" | "month") {
    return this.prisma.$queryRawUnsafe<Array<{ bucket_start: string; posts: number; posting_members: number }>>(
      `WITH b AS (SELECT gs AS bs FROM generate_series(date_trunc($4::text, $2::timestamptz AT TIME ZONE 'UTC'),
                                                      date_trunc($4::text, $3::timestamptz AT TIME ZONE 'UTC'),
                                                      ('1 ' || $4::text)::interval) gs),
            p AS (SELECT date_trunc($4::text, created_at AT TIME ZONE 'UTC') AS bs, count(*)::int AS posts, count(DISTINCT member_id)::int AS posting_members
                    FROM community_posts WHERE community_id = $1 AND created_at > $2 AND created_at <= $3 GROUP BY 1)
       SELECT to_char(b.bs, 'YYYY-MM-DD') AS bucket_start, COALESCE(p.posts, 0) AS posts, COALESCE(p.posting_members, 0) AS posting_members
         FROM b LEFT JOIN p ON p.bs = b.bs ORDER BY b.bs`,
      communityId,
      start,
      end,
      granularity,
    );
  }

  topContributors(communityId: string, start: Date, end: Date, limit: number) {
    return this.prisma.$queryRawUnsafe<Array<{ member_id: string; email: string; name: string | null; account_id: string | null; company_name: string | null; posts: number; last_post_at: Date }>>(
      `SELECT m.id AS member_id, m.email, m.name, m.account_id, a.company_name, count(*)::int AS posts, max(p.created_at) AS last_post_at
         FROM community_posts p JOIN community_members m ON m.id = p.member_id LEFT JOIN accounts a ON a.id = m.account_id
        WHERE p.community_id = $1 AND p.created_at > $2 AND p.created_at <= $3 AND m.status <> 'removed' AND m.joined_at <= $3
        GROUP BY m.id, m.email, m.name, m.account_id, a.company_name
        ORDER BY posts DESC, m.email LIMIT $4`,
      communityId,
      start,
      end,
      limit,
    );
  }

  accountsRepresented(communityId: string, end: Date, limit: number) {
    return this.prisma.$queryRawUnsafe<Array<{ account_id: string; company_name: string; tier: string; arr: string; status: string; members: number }>>(
      `SELECT a.id AS account_id, a.company_name, a.tier::text AS tier, a.arr::text AS arr, a.status::text AS status, count(*)::int AS members
         FROM community_members m JOIN accounts a ON a.id = m.account_id
        WHERE m.community_id = $1 AND m.status <> 'removed' AND m.joined_at <= $2
        GROUP BY a.id, a.company_name, a.tier, a.arr, a.status
        ORDER BY ${currentArrSql("a")} DESC, a.arr DESC, a.id LIMIT $3`,
      communityId,
      end,
      limit,
    );
  }
}
