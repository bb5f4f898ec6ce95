// share_product_insights: an insight for the product team, backed by stored feedback and the accounts it
// affects. affected accounts = affected_customers ∪ the accounts of the supporting feedback, each once;
// affected_arr = Σ their current ARR, summed in numeric (exact) and stored with the insight. The supporting
// feedback moves forward along its loop (open → acknowledged by default, or → in_roadmap), never back.
// Also lists and shows stored insights.
import { Prisma, type PrismaClient } from "../../generated/prisma/client.ts";
import { accountsByIds, advanceFeedback, affectedAccounts, feedbackByIds, insightPage, type AffectedAccountRow } from "../../repositories/feedback-insights.ts";
import { writeAudit } from "../../repositories/audit.ts";
import { notFound, validationError } from "../../server/errors.ts";
import { checkActionFields, type ActionRule } from "../shared/action-fields.ts";
import { toMoney } from "../../security/validation.ts";
import { feedbackView, type Priority } from "./model.ts";
import { clipText } from "../shared/clip-text.ts";

export const INSIGHT_ACTIONS = ["create", "list", "get"] as const;
export type InsightAction = (typeof INSIGHT_ACTIONS)[number];
export const FEEDBACK_STATUS_UPDATES = ["acknowledged", "in_roadmap", "unchanged"] as const;

export interface InsightInput {
  action: InsightAction;
  insight_id?: string | undefined;
  insight_type?: string | undefined;
  title?: string | undefined;
  description?: string | undefined;
  supporting_feedback_ids?: string[] | undefined;
  priority?: Priority | undefined;
  affected_customers?: string[] | undefined;
  customer_impact?: string | undefined;
  business_impact?: string | undefined;
  recommended_action?: string | undefined;
  feedback_status?: (typeof FEEDBACK_STATUS_UPDATES)[number] | undefined;
  status?: string | undefined;
  client_id?: string | undefined;
  limit: number;
  offset: number;
}

type Field = "insight_id" | "insight_type" | "title" | "description" | "supporting_feedback_ids" | "priority" | "affected_customers" | "customer_impact" | "business_impact" | "recommended_action" | "feedback_status" | "status" | "client_id";
const FIELDS: Field[] = ["insight_id", "insight_type", "title", "description", "supporting_feedback_ids", "priority", "affected_customers", "customer_impact", "business_impact", "recommended_action", "feedback_status", "status", "client_id"];
const RULES: Record<InsightAction, ActionRule<Field>> = {
  create: {
    required: ["insight_type", "title", "description"],
    allowed: ["insight_type", "title", "description", "supporting_feedback_ids", "priority", "affected_customers", "customer_impact", "business_impact", "recommended_action", "feedback_status"],
  },
  list: { required: [], allowed: ["insight_type", "priority", "status", "client_id"] },
  get: { required: ["insight_id"], allowed: ["insight_id"] },
};

interface InsightRow {
  id: string;
  insight_type: string;
  title: string;
  description: string;
  supporting_feedback_ids: string[];
  priority: string;
  affected_account_ids: string[];
  affected_arr: { toString(): string };
  customer_impact: string | null;
  business_impact: string | null;
  recommended_action: string | null;
  status: string;
  roadmap_item: string | null;
  created_at: Date;
  updated_at: Date;
}

export function insightView(i: InsightRow) {
  return {
    insight_id: i.id,
    insight_type: i.insight_type,
    title: i.title,
    description: i.description,
    priority: i.priority,
    status: i.status,
    roadmap_item: i.roadmap_item,
    // Up to 1,000 ids each: the first ID_SAMPLE, with the counts (get pages the feedback and accounts).
    supporting_feedback_ids: i.supporting_feedback_ids.slice(0, ID_SAMPLE),
    supporting_feedback: i.supporting_feedback_ids.length,
    affected_account_ids: i.affected_account_ids.slice(0, ID_SAMPLE),
    affected_accounts: i.affected_account_ids.length,
    affected_arr: toMoney(i.affected_arr),
    customer_impact: i.customer_impact,
    business_impact: i.business_impact,
    recommended_action: i.recommended_action,
    created_at: i.created_at.toISOString(),
    updated_at: i.updated_at.toISOString(),
  };
}

/** Ids, accounts and feedback shown per insight: an insight may link 1,000 feedback and 2,000 accounts. */
const ID_SAMPLE = 20;
const ACCOUNT_SAMPLE = 50;
const FEEDBACK_SAMPLE = 20;
const LIST_TEXT_CHARS = 300;

/** A list row: the texts' start (each up to 2,000 characters); get shows them whole. */
function listedInsight(v: ReturnType<typeof insightView>) {
  return {
    ...v,
    description: clipText(v.description, LIST_TEXT_CHARS),
    customer_impact: clipText(v.customer_impact, LIST_TEXT_CHARS),
    business_impact: clipText(v.business_impact, LIST_TEXT_CHARS),
    recommended_action: clipText(v.recommended_action, LIST_TEXT_CHARS),
  };
}

export const ARR_BASIS = "affected_arr = Σ current ARR of the affected accounts (affected_customers ∪ accounts of the supporting feedback, each counted once; churned accounts count 0, their ARR is churned_affected_arr), summed exactly in the database";

export function accountBreakdown(rows: AffectedAccountRow[], given: Set<string>, fromFeedback: Set<string>) {
  return rows.map((a) => ({
    client_id: a.id,
    company_name: a.company_name,
    arr: toMoney(a.arr),
    status: a.status,
    source: given.has(a.id) && fromFeedback.has(a.id) ? ("both" as const) : given.has(a.id) ? ("affected_customers" as const) : ("supporting_feedback" as const),
  }));
}

export class InsightService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async handle(input: InsightInput) {
    checkActionFields(input.action, input, FIELDS, RULES);
    if (input.action === "create") return this.create(input);
    if (input.action === "list") return this.list(input);
    return this.get(input.insight_id!);
  }

  private async create(input: InsightInput) {
    const now = this.now();
    const feedbackIds = [...new Set(input.supporting_feedback_ids ?? [])];
    const given = [...new Set(input.affected_customers ?? [])];
    return this.prisma.$transaction(async (tx) => {
      // Everything is checked before the first write.
      const found = await feedbackByIds(tx, feedbackIds);
      const unknownFeedback = feedbackIds.filter((id) => !found.some((f) => f.id === id));
      if (unknownFeedback.length) throw validationError(`supporting_feedback_ids: unknown feedback id${unknownFeedback.length > 1 ? "s" : ""} ${unknownFeedback.join(", ")}`, "use analyze_feedback_sentiment or manage_voice_of_customer track_feedback_loop to find feedback ids; nothing was written");
      const existing = await accountsByIds(tx, given);
      const unknownClients = given.filter((id) => !existing.some((a) => a.id === id));
      if (unknownClients.length) throw validationError(`affected_customers: unknown client_id${unknownClients.length > 1 ? "s" : ""} ${unknownClients.join(", ")}`, "use list_clients to find client ids; nothing was written");

      const fromFeedback = new Set(found.map((f) => f.account_id));
      const union = [...new Set([...given, ...fromFeedback])].sort();
      const affected = await affectedAccounts(tx, union);
      const insight = await tx.productInsight.create({
        data: {
          insight_type: input.insight_type!,
          title: input.title!,
          description: input.description!,
          supporting_feedback_ids: feedbackIds,
          priority: input.priority ?? "medium",
          affected_account_ids: union,
          affected_arr: new Prisma.Decimal(affected.total),
          customer_impact: input.customer_impact ?? null,
          business_impact: input.business_impact ?? null,
          recommended_action: input.recommended_action ?? null,
          status: "open",
          created_at: now,
          updated_at: now,
        },
      });
      const to = input.feedback_status ?? "acknowledged";
      const moved = to === "unchanged" ? [] : await advanceFeedback(tx, feedbackIds, to, now);
      await writeAudit(tx, {
        action: "share_product_insight",
        entity_type: "product_insight",
        entity_id: insight.id,
        changes: { insight_type: insight.insight_type, priority: insight.priority, supporting_feedback: feedbackIds.length, affected_accounts: union.length, affected_arr: affected.total, feedback_status: to, feedback_moved: moved },
      });
      const notes: string[] = [];
      if (!union.length) notes.push("no supporting feedback or affected customers were given, so no account or ARR is linked; add them with manage_voice_of_customer update_customer_roadmap");
      if (to !== "unchanged" && moved.length < feedbackIds.length) notes.push(`${feedbackIds.length - moved.length} supporting feedback already had status ${to} or later and were left as they were`);
      return {
        action: "create" as const,
        insight: insightView(insight),
        affected_accounts: accountBreakdown(affected.accounts.slice(0, ACCOUNT_SAMPLE), new Set(given), fromFeedback),
        churned_affected_arr: toMoney(affected.churned),
        arr_basis: ARR_BASIS,
        feedback_status_updated: { to, count: moved.length, feedback_ids: moved.slice(0, ID_SAMPLE) },
        notes,
      };
    });
  }

  private async list(input: InsightInput) {
    if (input.client_id) {
      const a = await this.prisma.account.findUnique({ where: { id: input.client_id }, select: { id: true } });
      if (!a) throw notFound("client", input.client_id, "use list_clients to find the client_id");
    }
    const { total, rows } = await insightPage(this.prisma, input, input.limit, input.offset);
    return {
      action: "list" as const,
      insights: rows.map((r) => listedInsight(insightView(r))),
      total,
      count: rows.length,
      limit: input.limit,
      offset: input.offset,
      next_offset: input.offset + rows.length < total ? input.offset + rows.length : null,
      order: "affected_arr (stored at creation or last roadmap update) descending, newest first",
    };
  }

  async get(id: string) {
    const now = this.now();
    const insight = await this.prisma.productInsight.findUnique({ where: { id } });
    if (!insight) throw notFound("insight", id, "use share_product_insights with action 'list' to find the insight_id");
    const feedback = await this.prisma.feedback.findMany({
      where: { id: { in: insight.supporting_feedback_ids } },
      orderBy: [{ created_at: "desc" }, { id: "asc" }],
      take: FEEDBACK_SAMPLE,
      include: { account: { select: { company_name: true } } },
    });
    const affected = await affectedAccounts(this.prisma, insight.affected_account_ids);
    const fromFeedback = new Set(feedback.map((f) => f.account_id));
    return {
      action: "get" as const,
      insight: insightView(insight),
      supporting_feedback: feedback.map((f) => feedbackView(f, now, f.account.company_name)),
      affected_accounts: affected.accounts.slice(0, ACCOUNT_SAMPLE).map((a) => ({ client_id: a.id, company_name: a.company_name, arr: toMoney(a.arr), status: a.status, source: fromFeedback.has(a.id) ? ("supporting_feedback" as const) : ("affected_customers" as const) })),
      current_affected_arr: toMoney(affected.total),
      churned_affected_arr: toMoney(affected.churned),
      arr_basis: `${ARR_BASIS}; affected_arr is the figure stored with the insight, current_affected_arr the same sum over today's ARR`,
    };
  }
}
