// The onboarding plan generator: a pure function from the plan's inputs to dated milestones and tasks.
// Nothing is read from the database here, so the rule below is the whole story and tests can recompute it.
//
// THE RULE
// 1. Milestone catalogue, in this order; each is included by its rule and carries a relative weight:
//      kickoff            always                              weight 1
//      technical_setup    always                              weight low 1 | medium 2 | high 3
//      integration        technical_complexity medium|high    weight medium 2 | high 3
//      data_migration     technical_complexity high           weight 3, +1 when team_size ≥ 250
//      admin_training     always                              weight 1
//      end_user_training  team_size > 10                      weight 1 (≤ 50 people) | 2 (≤ 250) | 3 (> 250)
//      first_value        always                              weight 1
//      go_live            always                              weight 1, +1 for product_tier enterprise (hypercare)
//      success_review     always                              weight 1
// 2. Minimum timeline by complexity: low 2 weeks, medium 4, high 8 (shorter is refused, naming timeline_weeks).
// 3. Dates: D = 7 × timeline_weeks days; with C_k the cumulative weight up to milestone k and W the total,
//    milestone k is due on start_date + round(D × C_k ÷ W) days (round half up). The last one lands on
//    start_date + D, the plan's target_date.
// 4. Tasks: the i-th of n tasks of a milestone whose window runs from the previous milestone's offset P
//    (0 for the first) to its own offset M is due on start_date + P + round((M − P) × i ÷ n) days; the last
//    task is due with its milestone. Owners are customer | csm | support | engineering.
// 5. Goals and criteria: first_value gets one customer task per customer goal; success_review one csm task
//    per success criterion. professional and enterprise tiers add an executive sponsor to the kickoff and an
//    executive review to the success review.

export const COMPLEXITIES = ["low", "medium", "high"] as const;
export type Complexity = (typeof COMPLEXITIES)[number];
export const TASK_OWNERS = ["customer", "csm", "support", "engineering"] as const;
export type TaskOwner = (typeof TASK_OWNERS)[number];
export type ProductTier = "starter" | "standard" | "professional" | "enterprise";

export const MIN_TIMELINE_WEEKS: Record<Complexity, number> = { low: 2, medium: 4, high: 8 };

export interface PlanInput {
  customer_goals: string[];
  success_criteria: string[];
  product_tier: ProductTier;
  team_size: number;
  technical_complexity: Complexity;
  timeline_weeks: number;
  /** Midnight UTC of the plan's first day. */
  start_date: Date;
}

export interface GeneratedTask {
  title: string;
  owner: TaskOwner;
  due_offset_days: number;
  due_date: Date;
}

export interface GeneratedMilestone {
  code: string;
  name: string;
  description: string;
  sequence: number;
  weight: number;
  due_offset_days: number;
  due_date: Date;
  tasks: GeneratedTask[];
}

interface TaskTemplate {
  title: string;
  owner: TaskOwner;
}

interface MilestoneTemplate {
  code: string;
  name: string;
  /** null: not part of this plan. */
  weight(i: PlanInput): number | null;
  description(i: PlanInput): string;
  tasks(i: PlanInput): TaskTemplate[];
}

const executiveTier = (i: PlanInput) => i.product_tier === "professional" || i.product_tier === "enterprise";

export const MILESTONE_CATALOGUE: readonly MilestoneTemplate[] = [
  {
    code: "kickoff",
    name: "Kickoff",
    weight: () => 1,
    description: () => "Agree the plan, owners, goals and success criteria with the customer",
    tasks: (i) => [
      { title: "Hold the kickoff meeting and walk through the onboarding plan", owner: "csm" },
      { title: executiveTier(i) ? "Name the customer's onboarding owner and executive sponsor" : "Name the customer's onboarding owner", owner: "customer" },
      { title: `Confirm the ${i.customer_goals.length} goal(s) and ${i.success_criteria.length} success criteria`, owner: "csm" },
    ],
  },
  {
    code: "technical_setup",
    name: "Technical setup",
    weight: (i) => ({ low: 1, medium: 2, high: 3 })[i.technical_complexity],
    description: () => "Workspace provisioned, authentication and permissions configured, first users have access",
    tasks: () => [
      { title: "Provision the workspace and user accounts", owner: "customer" },
      { title: "Configure authentication (SSO) and permissions", owner: "engineering" },
      { title: "Verify access for the first users", owner: "support" },
    ],
  },
  {
    code: "integration",
    name: "Integration",
    weight: (i) => (i.technical_complexity === "low" ? null : i.technical_complexity === "medium" ? 2 : 3),
    description: () => "The customer's primary systems are connected and data flows through them",
    tasks: () => [
      { title: "Connect the primary integrations", owner: "engineering" },
      { title: "Validate data flowing through the integrations", owner: "engineering" },
      { title: "Sign off the integration setup", owner: "customer" },
    ],
  },
  {
    code: "data_migration",
    name: "Data migration",
    weight: (i) => (i.technical_complexity !== "high" ? null : 3 + (i.team_size >= 250 ? 1 : 0)),
    description: () => "Legacy data mapped, migrated and validated",
    tasks: () => [
      { title: "Map the legacy data to the new model", owner: "engineering" },
      { title: "Run and check a test migration", owner: "engineering" },
      { title: "Run the production migration and validate it", owner: "customer" },
    ],
  },
  {
    code: "admin_training",
    name: "Admin training",
    weight: () => 1,
    description: () => "The customer's administrators are trained (deliver_training_session) and can run the product",
    tasks: () => [
      { title: "Deliver admin training", owner: "csm" },
      { title: "Administrators complete the foundation training modules", owner: "customer" },
    ],
  },
  {
    code: "end_user_training",
    name: "End-user training",
    weight: (i) => (i.team_size <= 10 ? null : i.team_size <= 50 ? 1 : i.team_size <= 250 ? 2 : 3),
    description: (i) => `Training rolled out to the team of ${i.team_size}`,
    tasks: () => [
      { title: "Schedule end-user training sessions", owner: "csm" },
      { title: "Roll the product out to end users", owner: "customer" },
      { title: "Hold office hours for end-user questions", owner: "support" },
    ],
  },
  {
    code: "first_value",
    name: "First value",
    weight: () => 1,
    description: (i) => `First measurable progress on the customer's goals: ${i.customer_goals.join("; ")}`,
    tasks: (i) => [
      ...i.customer_goals.map((g): TaskTemplate => ({ title: `Show first progress on goal: ${g}`, owner: "customer" })),
      { title: "Confirm first value with the customer", owner: "csm" },
    ],
  },
  {
    code: "go_live",
    name: "Activation / go-live",
    weight: (i) => 1 + (i.product_tier === "enterprise" ? 1 : 0),
    description: () => "The product is live for all intended users",
    tasks: () => [
      { title: "Go-live readiness review", owner: "csm" },
      { title: "Launch to all users", owner: "customer" },
      { title: "Hypercare: watch tickets and usage after launch", owner: "support" },
    ],
  },
  {
    code: "success_review",
    name: "Success review",
    weight: () => 1,
    description: (i) => `Review the success criteria: ${i.success_criteria.join("; ")}`,
    tasks: (i) => [
      ...i.success_criteria.map((c): TaskTemplate => ({ title: `Verify success criterion: ${c}`, owner: "csm" })),
      ...(executiveTier(i) ? [{ title: "Executive review of the onboarding outcomes", owner: "csm" } as TaskTemplate] : []),
      { title: "Hand over to the ongoing customer success plan", owner: "csm" },
    ],
  },
];

export const GENERATOR_RULE =
  "Milestones from the catalogue (kickoff; technical_setup; integration if complexity medium/high; data_migration if high; " +
  "admin_training; end_user_training if team_size > 10; first_value; go_live; success_review), each with a weight set by " +
  "complexity, team size and tier; milestone k is due on start_date + round(7 × timeline_weeks × cumulative_weight_k ÷ total_weight) " +
  "days, so the last one lands on the target date; task i of n in a milestone spanning offsets P→M is due at P + round((M − P) × i ÷ n).";

const DAY = 86_400_000;
const addDays = (d: Date, n: number) => new Date(d.getTime() + n * DAY);

/** The error message (naming timeline_weeks and the minimum) when the timeline is too short for the complexity, else null. */
export function checkTimeline(i: Pick<PlanInput, "technical_complexity" | "timeline_weeks">): string | null {
  const min = MIN_TIMELINE_WEEKS[i.technical_complexity];
  return i.timeline_weeks < min
    ? `timeline_weeks: ${i.timeline_weeks} is too short for technical_complexity '${i.technical_complexity}'; the minimum is ${min} weeks (low 2, medium 4, high 8)`
    : null;
}

export function generatePlan(i: PlanInput): { milestones: GeneratedMilestone[]; target_date: Date; total_days: number; total_weight: number } {
  const included = MILESTONE_CATALOGUE.map((t) => ({ t, w: t.weight(i) })).filter((x): x is { t: MilestoneTemplate; w: number } => x.w !== null);
  const total = included.reduce((s, x) => s + x.w, 0);
  const days = 7 * i.timeline_weeks;
  let cumulative = 0;
  let prev = 0;
  const milestones = included.map(({ t, w }, k) => {
    cumulative += w;
    const offset = Math.round((days * cumulative) / total);
    const templates = t.tasks(i);
    const n = templates.length;
    const tasks = templates.map((task, j): GeneratedTask => {
      const o = prev + Math.round(((offset - prev) * (j + 1)) / n);
      return { title: task.title, owner: task.owner, due_offset_days: o, due_date: addDays(i.start_date, o) };
    });
    const m: GeneratedMilestone = {
      code: t.code,
      name: t.name,
      description: t.description(i),
      sequence: k + 1,
      weight: w,
      due_offset_days: offset,
      due_date: addDays(i.start_date, offset),
      tasks,
    };
    prev = offset;
    return m;
  });
  return { milestones, target_date: addDays(i.start_date, days), total_days: days, total_weight: total };
}
