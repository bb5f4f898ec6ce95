import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";
import { clientId, email, isoDateOrDateTime, text } from "../../security/validation.ts";
import { CERT_ACTIONS, LEVELS } from "../../services/onboarding/certification.ts";

const moduleOut = z.object({
  module_id: z.string(),
  code: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  level: z.string(),
  passing_score: z.number().int(),
  max_attempts: z.number().int(),
  duration_minutes: z.number().int(),
});

const certOut = z.object({
  certification_id: z.string(),
  client_id: z.string(),
  user_email: z.string(),
  level: z.string(),
  status: z.string(),
  modules: z.array(
    z.object({
      module_id: z.string(),
      code: z.string(),
      name: z.string(),
      passing_score: z.number().int(),
      max_attempts: z.number().int(),
      attempts_used: z.number().int(),
      attempts_left: z.number().int(),
      best_score: z.number().int().nullable(),
      passed: z.boolean(),
      last_result_at: z.string().nullable(),
    }),
  ),
  modules_required: z.number().int(),
  modules_passed: z.number().int(),
  percent_passed: z.number(),
  training_complete: z.boolean(),
  training_complete_percent: z.number().int(),
  missing_modules: z.array(z.string()),
  attempts: z.number().int(),
  best_score: z.number().int().nullable(),
  enrolled_at: z.string(),
  issued_at: z.string().nullable(),
});

const moduleRef = text(120);

export const manageCertificationProgram = defineTool({
  name: "manage_certification_program",
  toolset: "onboarding",
  title: "Manage training modules and certifications",
  description:
    "Training modules and certifications: define_module, list, enroll, record_result (pass at " +
    "passing_score, limited attempts), issue (all modules passed), status. Sessions: " +
    "deliver_training_session. Example: {action: 'record_result', client_id: 'cs_1700000000_acme_corp', " +
    "user_email: 'ana@acme.com', module_id: 'ADMIN-101', score: 82}.",
  input: z.strictObject({
    action: z.enum(CERT_ACTIONS, { error: `must be one of ${CERT_ACTIONS.join(", ")}` }),
    client_id: clientId().optional().describe("enroll, record_result, issue, status; list filter"),
    certification_level: z.enum(LEVELS, { error: `must be one of ${LEVELS.join(", ")}` }).optional().describe("Certification or module level"),
    user_email: email().optional().describe("The learner"),
    module_ids: z.array(moduleRef).min(1, "must list at least one module").max(50, "must list at most 50 modules").optional().describe("enroll; default all of the level"),
    module_id: moduleRef.optional().describe("record_result: id or code"),
    score: z.number().int("must be a whole number").min(0, "must be 0–100").max(100, "must be 0–100").optional().describe("record_result"),
    result_date: isoDateOrDateTime().optional().describe("record_result; default now"),
    code: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,59}$/, "must be 1–60 letters, digits, _ . or -, starting with a letter or digit").optional().describe("define_module, e.g. ADMIN-101"),
    name: text(200).optional().describe("define_module"),
    description: text(2000).optional().describe("define_module"),
    passing_score: z.number().int().min(0, "must be 0–100").max(100, "must be 0–100").optional().describe("define_module; default 75"),
    max_attempts: z.number().int().min(1, "must be 1–20").max(20, "must be 1–20").optional().describe("define_module; default 3"),
    duration_minutes: z.number().int().min(1, "must be 1–1440").max(1440, "must be 1–1440").optional().describe("define_module; default 60"),
    limit: z.number().int().min(1).max(200).default(50).describe("list: page size"),
    offset: z.number().int().min(0).max(1_000_000).default(0).describe("list: rows to skip"),
  }),
  output: z.object({
    action: z.enum(CERT_ACTIONS),
    module: moduleOut.optional(),
    modules: z.array(moduleOut.extend({ sessions: z.number().int(), learners_passed: z.number().int() })).optional(),
    total_modules: z.number().int().optional(),
    limit: z.number().int().optional(),
    offset: z.number().int().optional(),
    next_offset: z.number().int().nullable().optional(),
    certification: certOut.optional(),
    certifications: z.array(certOut).nullable().optional(),
    result: z
      .object({
        completion_id: z.string(),
        user_email: z.string(),
        module: moduleOut,
        score: z.number().int(),
        passing_score: z.number().int(),
        passed: z.boolean(),
        attempt: z.number().int(),
        attempts_left: z.number().int(),
        recorded_at: z.string(),
      })
      .optional(),
    client_id: z.string().optional(),
    company_name: z.string().optional(),
    summary: z
      .object({
        certifications: z.number().int(),
        issued: z.number().int(),
        ready_to_issue: z.number().int(),
        failed: z.number().int(),
        training_complete: z.number().int(),
        percent_training_complete: z.number().nullable(),
        training_complete_percent: z.number().int(),
      })
      .optional(),
    note: z.string().optional(),
    missing: z.string().optional(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false, idempotentHint: false },
  async handler(args, { services }) {
    const d = await services.onboarding.certification.handle(args);
    let text: string;
    switch (d.action) {
      case "define_module":
        text = `Defined module ${d.module.code} (${d.module.name}, ${d.module.level}): passing score ${d.module.passing_score}, ${d.module.max_attempts} attempts, id ${d.module.module_id}.`;
        break;
      case "list":
        text = `${d.total_modules} module(s)${d.modules.length ? `: ${d.modules.map((m) => `${m.code} (${m.level}, pass ${m.passing_score})`).join(", ")}` : ""}.${d.certifications ? ` ${d.certifications.length} certification(s) for the account.` : ""}${d.missing ? ` ${d.missing}.` : ""}`;
        break;
      case "enroll":
      case "issue":
        text = `${d.action === "enroll" ? "Enrolled" : "Issued"} ${d.certification.level} certification ${d.certification.certification_id} for ${d.certification.user_email}: ${d.certification.modules_passed}/${d.certification.modules_required} modules passed (${d.certification.status}).`;
        break;
      case "record_result":
        text = `${d.result.user_email} ${d.result.passed ? "passed" : "failed"} ${d.result.module.code} with ${d.result.score} (pass ${d.result.passing_score}), attempt ${d.result.attempt}, ${d.result.attempts_left} left.${d.note ? ` ${d.note}.` : ""}`;
        break;
      case "status":
        text = `${d.company_name}: ${d.summary.certifications} certification(s), ${d.summary.issued} issued, ${d.summary.ready_to_issue} ready to issue, ${d.summary.failed} failed; ${d.summary.training_complete} at ≥ ${d.summary.training_complete_percent}% of modules passed.${d.certifications.length ? ` ${d.certifications.slice(0, 10).map((c) => `${c.user_email} ${c.level} ${c.status}${c.missing_modules.length ? ` (missing ${c.missing_modules.join(", ")})` : ""}`).join("; ")}.` : ""}`;
        break;
    }
    return { data: d, text };
  },
});
