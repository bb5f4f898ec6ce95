// Onboarding plans, milestones and tasks: writes inside the caller's transaction, and the reads the
// onboarding services share (a plan with its milestones and tasks, an account's current plan).
import type { Prisma as P, PrismaClient } from "../generated/prisma/client.ts";

type Tx = P.TransactionClient;
type Db = PrismaClient | Tx;

export const PLAN_WITH_ITEMS = {
  milestones: { orderBy: { sequence: "asc" as const }, include: { tasks: { orderBy: [{ due_date: "asc" as const }, { id: "asc" as const }] } } },
} satisfies P.OnboardingPlanInclude;

export type PlanWithItems = P.OnboardingPlanGetPayload<{ include: typeof PLAN_WITH_ITEMS }>;

export interface NewMilestone {
  name: string;
  description: string;
  sequence: number;
  due_date: Date;
  tasks: Array<{ title: string; owner: string; due_date: Date }>;
}

export class OnboardingPlanRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** The plan, its milestones and tasks in three set-based inserts. */
  async create(
    tx: Tx,
    plan: Omit<P.OnboardingPlanUncheckedCreateInput, "milestones">,
    milestones: NewMilestone[],
  ): Promise<PlanWithItems> {
    const created = await tx.onboardingPlan.create({ data: plan, select: { id: true } });
    await tx.onboardingMilestone.createMany({
      data: milestones.map((m) => ({ plan_id: created.id, name: m.name, description: m.description, sequence: m.sequence, due_date: m.due_date })),
    });
    const ids = await tx.onboardingMilestone.findMany({ where: { plan_id: created.id }, select: { id: true, sequence: true } });
    const bySeq = new Map(ids.map((r) => [r.sequence, r.id]));
    await tx.onboardingTask.createMany({
      data: milestones.flatMap((m) => m.tasks.map((t) => ({ milestone_id: bySeq.get(m.sequence)!, title: t.title, owner: t.owner, due_date: t.due_date }))),
    });
    return (await this.find(created.id, tx))!;
  }

  find(planId: string, db: Db = this.prisma): Promise<PlanWithItems | null> {
    return db.onboardingPlan.findUnique({ where: { id: planId }, include: PLAN_WITH_ITEMS });
  }

  /** The account's active plans, newest first. */
  activePlans(accountId: string, db: Db = this.prisma) {
    return db.onboardingPlan.findMany({ where: { account_id: accountId, status: "active" }, orderBy: [{ created_at: "desc" }, { id: "desc" }], select: { id: true, created_at: true, target_date: true } });
  }

  /** The plan a call without plan_id means: the newest active plan, else the newest plan of any status. */
  async currentPlan(accountId: string, db: Db = this.prisma): Promise<PlanWithItems | null> {
    const active = await db.onboardingPlan.findFirst({ where: { account_id: accountId, status: "active" }, orderBy: [{ created_at: "desc" }, { id: "desc" }], include: PLAN_WITH_ITEMS });
    return active ?? db.onboardingPlan.findFirst({ where: { account_id: accountId }, orderBy: [{ created_at: "desc" }, { id: "desc" }], include: PLAN_WITH_ITEMS });
  }

  /** Locks the plan row for the rest of the transaction (concurrent progress updates serialise on it). */
  async lock(tx: Tx, planId: string): Promise<void> {
    await tx.$queryRawUnsafe(`SELECT id FROM onboarding_plans WHERE id = $1 FOR UPDATE`, planId);
  }
}
