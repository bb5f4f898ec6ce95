import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { text } from "../../security/validation.ts";
import { ACTION_TYPES, TRIGGERS, TRIGGER_TYPES, WORKFLOW_ACTIONS, WORKFLOW_ACTION_TYPES } from "../../services/communication/workflows.ts";

const workflowView = z.object({
  workflow_id: z.string(),
  workflow_name: z.string(),
  description: z.string().nullable(),
  trigger_type: z.string(),
  trigger_conditions: z.record(z.string(), z.unknown()),
  actions: z.array(z.record(z.string(), z.unknown())),
  delay_minutes: z.number().int(),
  is_active: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
});

export const automateCommunications = defineTool({
  name: "automate_communications",
  toolset: "communication",
  title: "Store and evaluate communication workflows",
  description:
    "Store trigger → actions workflows (e.g. health_below → notify_csm, send_email, create_task, " +
    "start_retention_campaign), list, get, activate or deactivate them, and evaluate which accounts a " +
    "trigger matches now. It stores and evaluates; it does not run actions. Example: {workflow_name: 'Low" +
    " health', trigger_type: 'health_below', trigger_conditions: {threshold: 50}, actions: [{type: " +
    "'notify_csm', message: 'Health < 50'}]}.",
  input: z.strictObject({
    action: z.enum(WORKFLOW_ACTIONS, { error: `must be one of ${WORKFLOW_ACTIONS.join(", ")}` }).default("create"),
    workflow_id: z.uuid({ error: "must be a workflow_id (a UUID) from create or list" }).optional().describe("Or workflow_name"),
    workflow_name: text(200).optional().describe("Unique; or instead of workflow_id"),
    description: text(2000).optional().describe("create"),
    trigger_type: z.string().max(64, "must be at most 64 characters").optional().describe(`create; list filter. One of ${TRIGGER_TYPES.join(", ")}`),
    trigger_conditions: z.record(z.string(), z.unknown()).optional().describe("e.g. {threshold: 50}, {days: 60}"),
    actions: z.array(z.record(z.string(), z.unknown())).optional().describe("In order"),
    delay_minutes: z.number().int("must be a whole number").min(0, "must not be negative").max(525_600, "must be at most 525,600 (one year)").optional().describe("create; default 0"),
    is_active: z.boolean().optional().describe("create; list filter"),
    limit: z.number().int().min(1).max(100).default(50),
  }),
  output: z.object({
    action: z.enum(WORKFLOW_ACTIONS),
    workflow: workflowView.optional(),
    workflows: z.array(workflowView).optional(),
    total: z.number().int().optional(),
    count: z.number().int().optional(),
    changed: z.boolean().optional(),
    evaluated_at: z.string().optional(),
    matched: z.number().int().optional(),
    truncated: z.boolean().optional(),
    matches: z.array(z.object({ client_id: z.string(), company_name: z.string(), tier: z.string(), value: z.number().nullable(), detail: z.string() })).optional(),
    actions_would_run: z.array(z.string()).optional(),
    execution_note: z.string().optional(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false, idempotentHint: false },
  async handler(args, { services }) {
    const data = await services.workflows.handle(args);
    switch (data.action) {
      case "list":
        return { data, text: `${data.total} workflows${data.workflows.length ? `: ${data.workflows.map((w) => `${w.workflow_name} (${w.trigger_type}, ${w.is_active ? "active" : "inactive"}, ${w.workflow_id})`).join("; ")}` : ""}.` };
      case "evaluate":
        return {
          data,
          text: `Workflow '${data.workflow.workflow_name}' (${data.workflow.trigger_type}) matches ${data.matched} accounts now${data.matches.length ? `: ${data.matches.slice(0, 10).map((m) => `${m.company_name} (${m.client_id}, ${m.detail})`).join("; ")}` : ""}${data.truncated ? " …" : ""}. Actions it would run: ${data.actions_would_run.join(", ")}. Note: ${data.execution_note}.`,
        };
      case "create":
        return { data, text: `Stored workflow '${data.workflow.workflow_name}' (${data.workflow.workflow_id}): ${data.workflow.trigger_type} → ${data.workflow.actions.map((a) => a.type).join(", ")}, ${data.workflow.is_active ? "active" : "inactive"}. Note: ${data.execution_note}.` };
      case "get":
        return { data, text: `Workflow '${data.workflow.workflow_name}' (${data.workflow.workflow_id}): ${data.workflow.trigger_type} ${JSON.stringify(data.workflow.trigger_conditions)} → ${data.workflow.actions.map((a) => a.type).join(", ")}, ${data.workflow.is_active ? "active" : "inactive"}.` };
      default:
        return { data, text: `Workflow '${data.workflow.workflow_name}' is ${data.workflow.is_active ? "active" : "inactive"}${data.changed ? "" : " (unchanged)"}.` };
    }
  },
});
