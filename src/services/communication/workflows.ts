// automate_communications: trigger → actions workflows stored in communication_workflows. Each trigger type
// has its own conditions and each action type its own fields, validated here with messages that name the
// field (trigger_conditions.threshold, actions[1].title…). A stored workflow can be listed, read, activated
// and deactivated, and evaluated: which accounts its trigger matches now, from stored rows. This server
// does not run the actions by itself; `evaluate` says so, and what would be acted on.
import { checkActionFields } from "../shared/action-fields.ts";
import { z } from "zod";
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { WorkflowRepository, type TriggerQuery } from "../../repositories/communication-workflows.ts";
import { writeAudit } from "../../repositories/audit.ts";
import { conflict, notFound, validationError } from "../../server/errors.ts";
import { LIFECYCLE_STAGES, TIERS } from "../../security/validation.ts";
import { CAMPAIGN_TYPES, INTERVENTION_LEVELS } from "../retention/campaigns.ts";
import { compileTemplates } from "./render.ts";

export const WORKFLOW_ACTIONS = ["create", "list", "get", "activate", "deactivate", "evaluate"] as const;
export type WorkflowAction = (typeof WORKFLOW_ACTIONS)[number];

const int = (min: number, max: number) => z.number({ error: "must be a number" }).int("must be a whole number").min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);
const tiers = z.array(z.enum(TIERS, { error: `must be one of ${TIERS.join(", ")}` })).min(1, "must list at least one tier").optional();
const stage = z.enum(LIFECYCLE_STAGES, { error: `must be one of ${LIFECYCLE_STAGES.join(", ")}` });

/** Per trigger type: its conditions (all also accept `tiers` to narrow the accounts). */
export const TRIGGERS = {
  health_below: { about: "accounts whose current health score is below threshold (0–100)", schema: z.strictObject({ threshold: int(1, 100), tiers }) },
  renewal_within_days: { about: "accounts with a contract renewal date within the next `days` (1–365)", schema: z.strictObject({ days: int(1, 365), tiers }) },
  onboarding_milestone_overdue: {
    about: "accounts with an active onboarding plan whose milestone is not completed more than days_overdue (default 0) days after its due date",
    schema: z.strictObject({ days_overdue: int(0, 365).default(0), tiers }),
  },
  nps_detractor: {
    about: "accounts whose latest NPS answer within within_days (default 90) is at most max_score (default 6)",
    schema: z.strictObject({ max_score: int(0, 6).default(6), within_days: int(1, 730).default(90), tiers }),
  },
  ticket_escalated: {
    about: "accounts with a ticket escalated within the last within_days (default 7), optionally only priorities [P1…P4]",
    schema: z.strictObject({ within_days: int(1, 365).default(7), priorities: z.array(z.enum(["P1", "P2", "P3", "P4"], { error: "must be P1, P2, P3 or P4" })).min(1).optional(), tiers }),
  },
  usage_drop: {
    about: "accounts whose usage events in the last window_days (default 30) fell by at least drop_percent (1–100) against the window before",
    schema: z.strictObject({ drop_percent: z.number({ error: "must be a number" }).gt(0, "must be above 0").max(100, "must be at most 100"), window_days: int(7, 180).default(30), tiers }),
  },
  lifecycle_change: {
    about: "accounts that moved lifecycle stage within the last within_days (default 7), optionally to_stage / from_stage",
    schema: z.strictObject({ within_days: int(1, 365).default(7), to_stage: stage.optional(), from_stage: stage.optional(), tiers }),
  },
} as const;
export const TRIGGER_TYPES = Object.keys(TRIGGERS) as Array<keyof typeof TRIGGERS>;
export type TriggerType = keyof typeof TRIGGERS;

const body = (max: number) => z.string({ error: "must be text" }).trim().min(1, "must not be empty").max(max, `must be at most ${max} characters`);

/** Per action type: its fields. */
export const ACTION_TYPES = {
  send_email: {
    about: "email the account's contacts: subject_line and body_text and/or body_html (templates with stored tokens), recipient_scope primary|all",
    schema: z.strictObject({
      type: z.literal("send_email"),
      subject_line: body(998),
      body_text: body(200_000).optional(),
      body_html: body(500_000).optional(),
      template_type: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, "must be a lowercase slug").optional(),
      recipient_scope: z.enum(["primary", "all"], { error: "must be primary or all" }).default("primary"),
    }),
  },
  create_task: { about: "a task for the account's CSM: title, due_in_days (default 3), assignee (default the CSM)", schema: z.strictObject({ type: z.literal("create_task"), title: body(300), due_in_days: int(0, 365).default(3), assignee: body(200).optional() }) },
  notify_csm: { about: "notify the account's CSM: message", schema: z.strictObject({ type: z.literal("notify_csm"), message: body(2000) }) },
  start_retention_campaign: {
    about: "start a retention campaign: campaign_type, intervention_level (default medium)",
    schema: z.strictObject({
      type: z.literal("start_retention_campaign"),
      campaign_type: z.enum(CAMPAIGN_TYPES, { error: `must be one of ${CAMPAIGN_TYPES.join(", ")}` }),
      intervention_level: z.enum(INTERVENTION_LEVELS, { error: `must be one of ${INTERVENTION_LEVELS.join(", ")}` }).default("medium"),
    }),
  },
} as const;
export const WORKFLOW_ACTION_TYPES = Object.keys(ACTION_TYPES) as Array<keyof typeof ACTION_TYPES>;

export interface WorkflowInput {
  action: WorkflowAction;
  workflow_id?: string | undefined;
  workflow_name?: string | undefined;
  description?: string | undefined;
  trigger_type?: string | undefined;
  trigger_conditions?: Record<string, unknown> | undefined;
  actions?: Array<Record<string, unknown>> | undefined;
  delay_minutes?: number | undefined;
  is_active?: boolean | undefined;
  limit: number;
}

type Field = "workflow_id" | "workflow_name" | "description" | "trigger_type" | "trigger_conditions" | "actions" | "delay_minutes" | "is_active";
const FIELDS: Field[] = ["workflow_id", "workflow_name", "description", "trigger_type", "trigger_conditions", "actions", "delay_minutes", "is_active"];
const RULES: Record<WorkflowAction, { required: Field[]; allowed: Field[]; oneOf?: Field[] }> = {
  create: { required: ["workflow_name", "trigger_type", "actions"], allowed: ["workflow_name", "description", "trigger_type", "trigger_conditions", "actions", "delay_minutes", "is_active"] },
  list: { required: [], allowed: ["trigger_type", "is_active"] },
  get: { required: [], allowed: ["workflow_id", "workflow_name"], oneOf: ["workflow_id", "workflow_name"] },
  activate: { required: [], allowed: ["workflow_id", "workflow_name"], oneOf: ["workflow_id", "workflow_name"] },
  deactivate: { required: [], allowed: ["workflow_id", "workflow_name"], oneOf: ["workflow_id", "workflow_name"] },
  evaluate: { required: [], allowed: ["workflow_id", "workflow_name"], oneOf: ["workflow_id", "workflow_name"] },
};

const EXECUTION_NOTE =
  "this server stores workflows and evaluates their triggers against stored data; it does not run their actions by itself — act on the matches (send_personalized_email, execute_retention_campaign…) or let your automation call evaluate";

/** `prefix.field: rule` per issue; a field that is absent is "is required" (the schemas' own messages describe bad values). */
function issuesOf(prefix: string, error: z.ZodError, raw: unknown): string[] {
  const at = (path: PropertyKey[]) => path.reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k] : undefined), raw);
  return error.issues.map((i) => {
    if (i.code === "unrecognized_keys") return `${prefix}: unknown field${i.keys.length > 1 ? "s" : ""} ${i.keys.map((k) => `'${k}'`).join(", ")}`;
    const path = i.path.length ? `${prefix}.${i.path.map(String).join(".")}` : prefix;
    return `${path}: ${i.code === "invalid_type" && at(i.path) === undefined ? "is required" : i.message}`;
  });
}

interface WorkflowRow {
  id: string;
  name: string;
  description: string | null;
  trigger_type: string;
  trigger_conditions: unknown;
  actions: unknown;
  delay_minutes: number;
  is_active: boolean;
  created_at: Date;
  updated_at: Date;
}

function view(w: WorkflowRow) {
  return {
    workflow_id: w.id,
    workflow_name: w.name,
    description: w.description,
    trigger_type: w.trigger_type,
    trigger_conditions: w.trigger_conditions as Record<string, unknown>,
    actions: w.actions as Array<Record<string, unknown>>,
    delay_minutes: w.delay_minutes,
    is_active: w.is_active,
    created_at: w.created_at.toISOString(),
    updated_at: w.updated_at.toISOString(),
  };
}

export class WorkflowService {
  private readonly repo: WorkflowRepository;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.repo = new WorkflowRepository(prisma);
  }

  checkFields(input: WorkflowInput): void {
    checkActionFields(input.action, input, FIELDS, RULES);
  }

  /** The trigger's conditions with defaults applied, or an error naming each bad field. */
  validateTrigger(type: string | undefined, conditions: Record<string, unknown> | undefined): { type: TriggerType; conditions: Record<string, unknown> } {
    if (!type || !(type in TRIGGERS)) throw validationError(`trigger_type: must be one of ${TRIGGER_TYPES.join(", ")}`, TRIGGER_TYPES.map((t) => `${t}: ${TRIGGERS[t as TriggerType].about}`).join("; "));
    const t = type as TriggerType;
    const parsed = TRIGGERS[t].schema.safeParse(conditions ?? {});
    if (!parsed.success) throw validationError(`${issuesOf("trigger_conditions", parsed.error, conditions ?? {}).join("; ")} (trigger_type ${t})`, `${t}: ${TRIGGERS[t].about}`);
    const c = parsed.data as Record<string, unknown>;
    if (t === "lifecycle_change" && c.to_stage && c.to_stage === c.from_stage) throw validationError("trigger_conditions.to_stage: must differ from from_stage (trigger_type lifecycle_change)");
    return { type: t, conditions: Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)) };
  }

  validateActions(actions: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
    if (!Array.isArray(actions) || actions.length < 1 || actions.length > 10) throw validationError("actions: must list 1 to 10 actions");
    const problems: string[] = [];
    const out: Array<Record<string, unknown>> = [];
    actions.forEach((a, i) => {
      const at = `actions[${i}]`;
      const type = a?.type;
      if (typeof type !== "string" || !(type in ACTION_TYPES)) {
        problems.push(`${at}.type: must be one of ${WORKFLOW_ACTION_TYPES.join(", ")}`);
        return;
      }
      const spec = ACTION_TYPES[type as keyof typeof ACTION_TYPES];
      const parsed = spec.schema.safeParse(a);
      if (!parsed.success) {
        problems.push(...issuesOf(at, parsed.error, a).map((m) => `${m} (${type})`));
        return;
      }
      const v = parsed.data as Record<string, unknown>;
      if (type === "send_email") {
        if (v.body_text === undefined && v.body_html === undefined) {
          problems.push(`${at}.body_text, ${at}.body_html: send_email needs at least one body`);
          return;
        }
        try {
          compileTemplates(
            [
              { field: `${at}.subject_line`, kind: "subject", source: v.subject_line as string },
              ...(v.body_html !== undefined ? [{ field: `${at}.body_html`, kind: "html" as const, source: v.body_html as string }] : []),
              ...(v.body_text !== undefined ? [{ field: `${at}.body_text`, kind: "text" as const, source: v.body_text as string }] : []),
            ],
            {},
          );
        } catch (err) {
          problems.push((err as Error).message);
          return;
        }
      }
      out.push(Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)));
    });
    if (problems.length) throw validationError(problems.join("; "), WORKFLOW_ACTION_TYPES.map((t) => `${t}: ${ACTION_TYPES[t].about}`).join("; "));
    return out;
  }

  async handle(input: WorkflowInput) {
    this.checkFields(input);
    switch (input.action) {
      case "create":
        return this.create(input);
      case "list":
        return this.list(input);
      case "get":
        return { action: "get" as const, workflow: view(await this.find(input)) };
      case "activate":
      case "deactivate":
        return this.toggle(input, input.action === "activate");
      case "evaluate":
        return this.evaluate(input);
    }
  }

  private async find(input: WorkflowInput, db: Pick<PrismaClient, "communicationWorkflow"> = this.prisma): Promise<WorkflowRow> {
    const w = input.workflow_id
      ? await db.communicationWorkflow.findUnique({ where: { id: input.workflow_id } })
      : await db.communicationWorkflow.findUnique({ where: { name: input.workflow_name! } });
    if (!w) throw notFound("workflow", input.workflow_id ?? input.workflow_name!, "use automate_communications with action 'list' to see the stored workflows");
    return w;
  }

  private async create(input: WorkflowInput) {
    const trigger = this.validateTrigger(input.trigger_type, input.trigger_conditions);
    const actions = this.validateActions(input.actions!);
    const now = this.now();
    return this.prisma.$transaction(async (tx) => {
      const existing = await tx.communicationWorkflow.findUnique({ where: { name: input.workflow_name! }, select: { id: true } });
      if (existing) throw conflict(`workflow_name: a workflow named '${input.workflow_name}' already exists (${existing.id})`, "choose another name, or activate/deactivate the existing one", { workflow_id: existing.id });
      const w = await tx.communicationWorkflow.create({
        data: {
          name: input.workflow_name!,
          description: input.description ?? null,
          trigger_type: trigger.type,
          trigger_conditions: trigger.conditions as object,
          actions: actions as object[],
          delay_minutes: input.delay_minutes ?? 0,
          is_active: input.is_active ?? true,
          created_at: now,
          updated_at: now,
        },
      });
      await writeAudit(tx, { action: "create_communication_workflow", entity_type: "communication_workflow", entity_id: w.id, changes: { name: w.name, trigger_type: w.trigger_type, actions: actions.map((a) => a.type), is_active: w.is_active } });
      return { action: "create" as const, workflow: view(w), execution_note: EXECUTION_NOTE };
    });
  }

  private async list(input: WorkflowInput) {
    if (input.trigger_type !== undefined && !(input.trigger_type in TRIGGERS)) throw validationError(`trigger_type: must be one of ${TRIGGER_TYPES.join(", ")}`);
    const where = { ...(input.trigger_type ? { trigger_type: input.trigger_type } : {}), ...(input.is_active !== undefined ? { is_active: input.is_active } : {}) };
    const [total, rows] = await Promise.all([
      this.prisma.communicationWorkflow.count({ where }),
      this.prisma.communicationWorkflow.findMany({ where, orderBy: [{ created_at: "asc" }, { id: "asc" }], take: input.limit }),
    ]);
    return { action: "list" as const, workflows: rows.map(view), total, count: rows.length };
  }

  private async toggle(input: WorkflowInput, active: boolean) {
    return this.prisma.$transaction(async (tx) => {
      const w = await this.find(input, tx);
      if (w.is_active === active) return { action: input.action as "activate" | "deactivate", workflow: view(w), changed: false };
      const updated = await tx.communicationWorkflow.update({ where: { id: w.id }, data: { is_active: active, updated_at: this.now() } });
      await writeAudit(tx, { action: active ? "activate_communication_workflow" : "deactivate_communication_workflow", entity_type: "communication_workflow", entity_id: w.id, changes: { is_active: { from: w.is_active, to: active } } });
      return { action: input.action as "activate" | "deactivate", workflow: view(updated), changed: true };
    });
  }

  private async evaluate(input: WorkflowInput) {
    const w = await this.find(input);
    const now = this.now();
    const c = w.trigger_conditions as Record<string, unknown>;
    const t = w.trigger_type as TriggerType;
    const query: TriggerQuery =
      t === "health_below"
        ? { type: t, threshold: c.threshold as number }
        : t === "renewal_within_days"
          ? { type: t, days: c.days as number }
          : t === "onboarding_milestone_overdue"
            ? { type: t, days_overdue: (c.days_overdue as number) ?? 0 }
            : t === "nps_detractor"
              ? { type: t, max_score: (c.max_score as number) ?? 6, within_days: (c.within_days as number) ?? 90 }
              : t === "ticket_escalated"
                ? { type: t, within_days: (c.within_days as number) ?? 7, priorities: (c.priorities as string[] | undefined) ?? null }
                : t === "usage_drop"
                  ? { type: t, drop_percent: c.drop_percent as number, window_days: (c.window_days as number) ?? 30 }
                  : { type: "lifecycle_change", within_days: (c.within_days as number) ?? 7, to_stage: (c.to_stage as string | undefined) ?? null, from_stage: (c.from_stage as string | undefined) ?? null };
    const rows = await this.repo.matches(query, (c.tiers as string[] | undefined) ?? null, now, input.limit);
    const total = rows[0]?.total ?? 0;
    return {
      action: "evaluate" as const,
      workflow: view(w),
      evaluated_at: now.toISOString(),
      matched: total,
      truncated: total > rows.length,
      matches: rows.map(({ total: _t, ...r }) => r),
      actions_would_run: (w.actions as Array<{ type: string }>).map((a) => a.type),
      execution_note: `${w.is_active ? "" : "the workflow is inactive; "}${EXECUTION_NOTE}${w.delay_minutes ? `; its actions are meant to run ${w.delay_minutes} minutes after the trigger` : ""}`,
    };
  }
}
