import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { clientId, email, isoDateOrDateTime, text } from "../../security/validation.ts";
import { SESSION_FORMATS } from "../../services/onboarding/training.ts";

export const deliverTrainingSession = defineTool({
  name: "deliver_training_session",
  toolset: "onboarding",
  title: "Record a delivered training session",
  description:
    "Records a training session that was delivered to an account, and one completion record (status attended) per attendee. " +
    "The module must be defined first (manage_certification_program action 'define_module'); name it by its id or its code. " +
    "session_date may not be in the future; the same module at the same time for the same account is a conflict (no duplicate). " +
    "Returns the session, the attendees' completion ids and the share of the account's contacts trained against " +
    "TRAINING_COMPLETE_PERCENT. Assessment scores go to manage_certification_program action 'record_result'. Example: " +
    "{client_id: 'cs_1700000000_acme_corp', training_module_id: 'ADMIN-101', session_format: 'virtual', attendee_emails: " +
    "['ana@acme.com', 'bo@acme.com'], session_date: '2026-03-02T15:00:00Z', duration_minutes: 90}.",
  input: z.strictObject({
    client_id: clientId(),
    training_module_id: text(120).describe("The training module's id (UUID) or code, as defined with manage_certification_program define_module"),
    session_format: z.enum(SESSION_FORMATS, { error: `must be one of ${SESSION_FORMATS.join(", ")}` }).describe("live, virtual, self_paced or workshop"),
    attendee_emails: z.array(email()).min(1, "must list at least one attendee").max(200, "must list at most 200 attendees").describe("Who attended (1–200 emails, each once)"),
    session_date: isoDateOrDateTime().describe("When the session was delivered: YYYY-MM-DD (midnight UTC) or an ISO date-time; not in the future"),
    duration_minutes: z.number().int().min(1, "must be 1–1440").max(1440, "must be 1–1440").optional().describe("Length in minutes, 1–1440 (default: the module's duration_minutes)"),
  }),
  output: z.object({
    session: z.object({ session_id: z.string(), client_id: z.string(), company_name: z.string(), session_format: z.string(), session_date: z.string(), duration_minutes: z.number().int() }),
    module: z.object({ module_id: z.string(), code: z.string(), name: z.string(), level: z.string(), passing_score: z.number().int(), max_attempts: z.number().int() }),
    attendees: z.array(z.object({ user_email: z.string(), completion_id: z.string(), status: z.string() })),
    account_training: z.object({
      contacts: z.number().int(),
      contacts_trained: z.number().int(),
      percent_trained: z.number().nullable(),
      training_complete_percent: z.number().int(),
      training_complete: z.boolean().nullable(),
      definition: z.string(),
      missing: z.string().optional(),
    }),
    next_step: z.string(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false, idempotentHint: false },
  async handler(args, { services }) {
    const d = await services.onboarding.training.deliver(args);
    const t = d.account_training;
    return {
      data: d,
      text:
        `Recorded ${d.module.code} (${d.session.session_format}, ${d.session.duration_minutes} min) for ${d.session.company_name} on ${d.session.session_date}: ` +
        `session ${d.session.session_id}, ${d.attendees.length} attendee(s).` +
        (t.percent_trained === null ? " The account has no contacts stored, so the trained share is unknown." : ` ${t.contacts_trained}/${t.contacts} contacts trained (${t.percent_trained}%, complete at ${t.training_complete_percent}%).`),
    };
  },
});
