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
    "Store trigger → actions communication workflows, list them, read one, activate or deactivate it, and evaluate it: " +
    "which accounts its trigger matches right now, from stored data (churned accounts never match). action create " +
    "(default) needs workflow_name, trigger_type and actions (trigger_conditions, description, delay_minutes, is_active " +
    "optional); list filters by trigger_type and is_active; get, activate, deactivate and evaluate need workflow_id or " +
    `workflow_name. Trigger types and their trigger_conditions: ${TRIGGER_TYPES.map((t) => `${t} (${TRIGGERS[t].about})`).join("; ")}; ` +
    "every trigger also accepts tiers: [..] to narrow the accounts. Action types (each an object with type): " +
    `${WORKFLOW_ACTION_TYPES.map((t) => `${t} (${ACTION_TYPES[t].about})`).join("; ")}. send_email templates use the ` +
    "tokens of send_personalized_email and are checked when stored. A bad field is named in the error and nothing is " +
    "stored. The server stores and evaluates workflows; it does not run their actions by itself. Example: " +
    "{workflow_name: 'Low health outreach', trigger_type: 'health_below', trigger_conditions: {threshold: 50}, actions: " +
    "[{type: 'notify_csm', message: 'Health fell below 50'}, {type: 'send_email', subject_line: 'Checking in, " +
    "{{first_name}}', body_text: 'Hi {{first_name}}, …'}], delay_minutes: 60}.",
  input: z.strictObject({
    action: z.enum(WORKFLOW_ACTIONS, { error: `must be one of ${WORKFLOW_ACTIONS.join(", ")}` }).default("create").describe("create (default), list, get, activate, deactivate or evaluate"),
    workflow_id: z.uuid({ error: "must be a workflow_id (a UUID) from create or list" }).optional().describe("The workflow (get, activate, deactivate, evaluate)"),
    workflow_name: text(200).optional().describe("Unique name (create); or the workflow to act on instead of workflow_id"),
    description: text(2000).optional().describe("What the workflow is for (create)"),
    trigger_type: z.string().max(64, "must be at most 64 characters").optional().describe(`What starts it (create; filter for list): ${TRIGGER_TYPES.join(", ")}`),
    trigger_conditions: z.record(z.string(), z.unknown()).optional().describe("Conditions of the trigger type, e.g. {threshold: 50} for health_below, {days: 60} for renewal_within_days"),
    actions: z.array(z.record(z.string(), z.unknown())).optional().describe("1–10 actions in order, each {type, …fields}, e.g. {type: 'create_task', title: 'Call the sponsor', due_in_days: 2}"),
    delay_minutes: z.number().int("must be a whole number").min(0, "must not be negative").max(525_600, "must be at most 525,600 (one year)").optional().describe("Minutes between the trigger and the actions (create; default 0)"),
    is_active: z.boolean().optional().describe("Whether the workflow is active (create, default true; filter for list)"),
    limit: z.number().int().min(1).max(100).default(50).describe("Most rows returned by list and evaluate, 1–100 (default 50)"),
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
