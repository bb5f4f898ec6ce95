// deliver_training_session: records a delivered session of a defined training module and one 'attended'
// completion row per attendee, with the audit record, in one transaction. Modules are rows of
// training_modules (defined with manage_certification_program action define_module), named by id or code.
// The session itself reaches the timeline from training_sessions (repositories/timeline.ts).
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { Config } from "../../config/load.ts";
import { TrainingRepository } from "../../repositories/onboarding-training.ts";
import { writeAudit } from "../../repositories/audit.ts";
import { conflict, notFound, validationError } from "../../server/errors.ts";
import { dateOnly, toIso } from "../../security/validation.ts";

export const SESSION_FORMATS = ["live", "virtual", "self_paced", "workshop"] as const;

export interface DeliverInput {
  client_id: string;
  training_module_id: string;
  session_format: (typeof SESSION_FORMATS)[number];
  attendee_emails: string[];
  session_date: string;
  duration_minutes?: number | undefined;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

export class TrainingService {
  private readonly repo: TrainingRepository;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly config: Config,
    private readonly now: () => Date,
  ) {
    this.repo = new TrainingRepository(prisma);
  }

  async deliver(input: DeliverInput) {
    const now = this.now();
    const at = input.session_date.length === 10 ? dateOnly(input.session_date) : new Date(input.session_date);
    const problems: string[] = [];
    if (at.getTime() > now.getTime()) problems.push(`session_date: ${input.session_date} is in the future (now is ${now.toISOString()}); record a session once it has been delivered`);
    const seen = new Set<string>();
    const twice = input.attendee_emails.filter((e) => (seen.has(e) ? true : (seen.add(e), false)));
    if (twice.length) problems.push(`attendee_emails: lists ${[...new Set(twice)].join(", ")} more than once`);
    if (problems.length) throw validationError(problems.join("; "), "fix the named fields and call again; nothing was stored");

    return this.prisma.$transaction(async (tx) => {
      const account = await tx.account.findUnique({ where: { id: input.client_id }, select: { id: true, company_name: true } });
      if (!account) throw notFound("client", input.client_id, "use list_clients to find the client_id");
      const { modules } = await this.repo.resolveModules([input.training_module_id], tx);
      const module = modules[0];
      if (!module) {
        throw notFound("training module", input.training_module_id, "define it with manage_certification_program action 'define_module', or list modules with action 'list'");
      }
      const dup = await tx.trainingSession.findFirst({ where: { account_id: account.id, module_id: module.id, session_date: at }, select: { id: true } });
      if (dup) throw conflict(`a ${module.code} session for ${account.id} at ${at.toISOString()} is already recorded (${dup.id})`, "nothing to do if it is the same session; otherwise give its exact time in session_date", { session_id: dup.id });

      const duration = input.duration_minutes ?? module.duration_minutes;
      const session = await tx.trainingSession.create({
        data: { account_id: account.id, module_id: module.id, session_format: input.session_format, session_date: at, duration_minutes: duration, created_at: now },
      });
      await tx.trainingCompletion.createMany({
        data: input.attendee_emails.map((email) => ({ account_id: account.id, module_id: module.id, session_id: session.id, user_email: email, status: "attended", attempt: 1, completed_at: at })),
      });
      const completions = await tx.trainingCompletion.findMany({ where: { session_id: session.id }, orderBy: { user_email: "asc" }, select: { id: true, user_email: true, status: true } });

      // Coverage of the account's contacts: who attended or passed any module, against TRAINING_COMPLETE_PERCENT.
      const contacts = await tx.contact.findMany({ where: { account_id: account.id }, select: { email: true } });
      const trained = await tx.trainingCompletion.findMany({
        where: { account_id: account.id, status: { in: ["attended", "completed", "passed"] }, user_email: { in: contacts.map((c) => c.email.toLowerCase()) } },
        distinct: ["user_email"],
        select: { user_email: true },
      });
      const share = contacts.length ? round1((trained.length / contacts.length) * 100) : null;

      await writeAudit(tx, {
        action: "deliver_training_session",
        entity_type: "training_session",
        entity_id: session.id,
        changes: { client_id: account.id, module: module.code, session_format: input.session_format, attendees: input.attendee_emails.length, duration_minutes: duration },
      });
      return {
        session: {
          session_id: session.id,
          client_id: account.id,
          company_name: account.company_name,
          session_format: session.session_format,
          session_date: toIso(session.session_date)!,
          duration_minutes: session.duration_minutes,
        },
        module: { module_id: module.id, code: module.code, name: module.name, level: module.level, passing_score: module.passing_score, max_attempts: module.max_attempts },
        attendees: completions.map((c) => ({ user_email: c.user_email, completion_id: c.id, status: c.status })),
        account_training: {
          contacts: contacts.length,
          contacts_trained: trained.length,
          percent_trained: share,
          training_complete_percent: this.config.TRAINING_COMPLETE_PERCENT,
          // Compared on whole numbers, not the rounded percentage: 752 of 1,003 (74.98 %) is not 75 %.
          training_complete: contacts.length ? trained.length * 100 >= this.config.TRAINING_COMPLETE_PERCENT * contacts.length : null,
          definition: "contacts of the account with an attended, completed or passed training record ÷ the account's contacts; complete at TRAINING_COMPLETE_PERCENT",
          ...(contacts.length ? {} : { missing: "the account has no contacts stored, so the share cannot be computed; add contacts (register_client / update_client_info)" }),
        },
        next_step: `record assessment results with manage_certification_program action 'record_result' (module ${module.code}, passing score ${module.passing_score})`,
      };
    });
  }
}
