import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { clientId, email, isoDateOrDateTime, text } from "../../security/validation.ts";
import { SESSION_FORMATS } from "../../services/onboarding/training.ts";

export const deliverTrainingSession = defineTool({
  name: "deliver_training_session",
  toolset: "onboarding",
  title: "Record a delivered training session",
  description:
    "Record a delivered training session and one completion per attendee, for a module defined with " +
    "manage_certification_program (id or code); returns the share of contacts trained. Scores go to its " +
    "record_result. Example: {client_id: 'cs_1700000000_acme_corp', training_module_id: 'ADMIN-101', " +
    "session_format: 'virtual', attendee_emails: ['ana@acme.com'], session_date: '2026-03-02'}.",
  input: z.strictObject({
    client_id: clientId(),
    training_module_id: text(120).describe("Module id or code"),
    session_format: z.enum(SESSION_FORMATS, { error: `must be one of ${SESSION_FORMATS.join(", ")}` }).describe("Format"),
    attendee_emails: z.array(email()).min(1, "must list at least one attendee").max(200, "must list at most 200 attendees").describe("Each once"),
    session_date: isoDateOrDateTime().describe("Not in the future"),
    duration_minutes: z.number().int().min(1, "must be 1–1440").max(1440, "must be 1–1440").optional().describe("Default: the module's"),
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
