// manage_certification_program: define_module | list | enroll | record_result | issue | status.
// Rules:
//   - a result passes when score ≥ the module's passing_score; each recorded result is one attempt; a user
//     gets at most max_attempts results per module (per account), and none after passing it;
//   - a certification (account, user, level) covers module_ids (default: every module of its level);
//     it is 'passed' when every module is passed, 'failed' when a module is out of attempts without a pass,
//     otherwise 'enrolled'; 'issued' only through action issue, which needs every module passed;
//   - training complete: modules passed ÷ modules of the certification ≥ TRAINING_COMPLETE_PERCENT.
// Each action checks the fields it needs (naming the missing ones) and refuses those it does not use.
import { checkActionFields } from "../shared/action-fields.ts";
import type { Prisma as P, PrismaClient } from "../../generated/prisma/client.ts";
import type { Config } from "../../config/load.ts";
import { TrainingRepository, type ModuleRow, type ResultStats } from "../../repositories/onboarding-training.ts";
import { writeAudit, writeTimeline } from "../../repositories/audit.ts";
import { conflict, notFound, validationError } from "../../server/errors.ts";
import { dateOnly, toIso } from "../../security/validation.ts";

export const CERT_ACTIONS = ["define_module", "list", "enroll", "record_result", "issue", "status"] as const;
export type CertAction = (typeof CERT_ACTIONS)[number];
export const LEVELS = ["foundation", "advanced", "expert"] as const;
export type Level = (typeof LEVELS)[number];

export interface CertInput {
  action: CertAction;
  client_id?: string | undefined;
  certification_level?: Level | undefined;
  user_email?: string | undefined;
  module_ids?: string[] | undefined;
  module_id?: string | undefined;
  score?: number | undefined;
  result_date?: string | undefined;
  code?: string | undefined;
  name?: string | undefined;
  description?: string | undefined;
  passing_score?: number | undefined;
  max_attempts?: number | undefined;
  duration_minutes?: number | undefined;
  limit: number;
  offset: number;
}

type Field = Exclude<keyof CertInput, "action" | "limit" | "offset">;
const FIELDS: Field[] = ["client_id", "certification_level", "user_email", "module_ids", "module_id", "score", "result_date", "code", "name", "description", "passing_score", "max_attempts", "duration_minutes"];

const RULES: Record<CertAction, { required: Field[]; allowed: Field[] }> = {
  define_module: { required: ["code", "name", "certification_level"], allowed: ["code", "name", "description", "certification_level", "passing_score", "max_attempts", "duration_minutes"] },
  list: { required: [], allowed: ["client_id", "certification_level", "user_email"] },
  enroll: { required: ["client_id", "user_email", "certification_level"], allowed: ["client_id", "user_email", "certification_level", "module_ids"] },
  record_result: { required: ["client_id", "user_email", "module_id", "score"], allowed: ["client_id", "user_email", "module_id", "score", "result_date"] },
  issue: { required: ["client_id", "user_email", "certification_level"], allowed: ["client_id", "user_email", "certification_level"] },
  status: { required: ["client_id"], allowed: ["client_id", "user_email", "certification_level"] },
};

/** Schema defaults of training_modules, applied when define_module leaves them out. */
const MODULE_DEFAULTS = { passing_score: 75, max_attempts: 3, duration_minutes: 60 };

type CertRow = { id: string; account_id: string; user_email: string; level: string; module_ids: string[]; status: string; attempts: number; best_score: number | null; enrolled_at: Date; issued_at: Date | null };

const round1 = (x: number) => Math.round(x * 10) / 10;

export function moduleView(m: ModuleRow) {
  return { module_id: m.id, code: m.code, name: m.name, description: m.description, level: m.level, passing_score: m.passing_score, max_attempts: m.max_attempts, duration_minutes: m.duration_minutes };
}

export class CertificationService {
  private readonly repo: TrainingRepository;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly config: Config,
    private readonly now: () => Date,
  ) {
    this.repo = new TrainingRepository(prisma);
  }

  checkFields(input: CertInput): void {
    checkActionFields(input.action, input, FIELDS, RULES);
  }

  async handle(input: CertInput) {
    this.checkFields(input);
    switch (input.action) {
      case "define_module":
        return this.defineModule(input);
      case "list":
        return this.list(input);
      case "enroll":
        return this.enroll(input);
      case "record_result":
        return this.recordResult(input);
      case "issue":
        return this.issue(input);
      case "status":
        return this.status(input);
    }
  }

  /** A certification with per-module best score, attempts used and left, and the derived status. */
  private view(c: CertRow, modules: ModuleRow[], stats: ResultStats[]) {
    const per = c.module_ids.map((id) => {
      const m = modules.find((x) => x.id === id)!;
      const s = stats.find((x) => x.module_id === id && x.user_email === c.user_email);
      const attempts = s?.attempts ?? 0;
      return {
        module_id: m.id,
        code: m.code,
        name: m.name,
        passing_score: m.passing_score,
        max_attempts: m.max_attempts,
        attempts_used: attempts,
        attempts_left: s?.passed ? 0 : Math.max(0, m.max_attempts - attempts),
        best_score: s?.best_score ?? null,
        passed: s?.passed ?? false,
        last_result_at: toIso(s?.last_result_at ?? null),
      };
    });
    const passed = per.filter((p) => p.passed).length;
    const percent = per.length ? round1((passed / per.length) * 100) : 0;
    const exhausted = per.some((p) => !p.passed && p.attempts_left === 0);
    const derived = c.status === "issued" ? "issued" : passed === per.length && per.length > 0 ? "passed" : exhausted ? "failed" : "enrolled";
    const scored = per.filter((p) => p.best_score !== null);
    return {
      certification_id: c.id,
      client_id: c.account_id,
      user_email: c.user_email,
      level: c.level,
      status: derived,
      modules: per,
      modules_required: per.length,
      modules_passed: passed,
      percent_passed: percent,
      training_complete: per.length > 0 && passed * 100 >= this.config.TRAINING_COMPLETE_PERCENT * per.length, // whole numbers, not the rounded percent
      training_complete_percent: this.config.TRAINING_COMPLETE_PERCENT,
      missing_modules: per.filter((p) => !p.passed).map((p) => p.code),
      attempts: per.reduce((s, p) => s + p.attempts_used, 0),
      best_score: scored.length ? Math.round(scored.reduce((s, p) => s + p.best_score!, 0) / scored.length) : null,
      enrolled_at: toIso(c.enrolled_at)!,
      issued_at: toIso(c.issued_at),
    };
  }

  private async views(db: PrismaClient | P.TransactionClient, certs: CertRow[]) {
    if (!certs.length) return [];
    const ids = [...new Set(certs.flatMap((c) => c.module_ids))];
    const modules = await db.trainingModule.findMany({ where: { id: { in: ids } } });
    const byAccount = new Map<string, CertRow[]>();
    for (const c of certs) byAccount.set(c.account_id, [...(byAccount.get(c.account_id) ?? []), c]);
    const out = [];
    for (const [account, list] of byAccount) {
      const stats = await this.repo.resultStats(account, null, ids, db);
      out.push(...list.map((c) => this.view(c, modules, stats)));
    }
    return out;
  }

  private async account(db: PrismaClient | P.TransactionClient, id: string) {
    const a = await db.account.findUnique({ where: { id }, select: { id: true, company_name: true } });
    if (!a) throw notFound("client", id, "use list_clients to find the client_id");
    return a;
  }

  private async defineModule(input: CertInput) {
    return this.prisma.$transaction(async (tx) => {
      const existing = await tx.trainingModule.findUnique({ where: { code: input.code! } });
      if (existing) throw conflict(`a training module with code '${input.code}' already exists (${existing.id})`, "use another code, or use the existing module", { module_id: existing.id });
      const m = await tx.trainingModule.create({
        data: {
          code: input.code!,
          name: input.name!,
          description: input.description ?? null,
          level: input.certification_level!,
          passing_score: input.passing_score ?? MODULE_DEFAULTS.passing_score,
          max_attempts: input.max_attempts ?? MODULE_DEFAULTS.max_attempts,
          duration_minutes: input.duration_minutes ?? MODULE_DEFAULTS.duration_minutes,
          created_at: this.now(),
        },
      });
      await writeAudit(tx, { action: "define_training_module", entity_type: "training_module", entity_id: m.id, changes: { code: m.code, level: m.level, passing_score: m.passing_score, max_attempts: m.max_attempts } });
      return { action: "define_module" as const, module: moduleView(m) };
    });
  }

  private async list(input: CertInput) {
    if (input.user_email && !input.client_id) throw validationError("user_email: filters an account's certifications; give client_id with it");
    const rows = await this.repo.moduleCatalogue(input.certification_level ?? null, input.limit, input.offset);
    const total = rows[0]?.total ?? 0;
    let certifications = null;
    if (input.client_id) {
      await this.account(this.prisma, input.client_id);
      const certs = await this.prisma.certification.findMany({
        where: { account_id: input.client_id, ...(input.user_email ? { user_email: input.user_email } : {}), ...(input.certification_level ? { level: input.certification_level } : {}) },
        orderBy: [{ user_email: "asc" }, { level: "asc" }],
      });
      certifications = await this.views(this.prisma, certs);
    }
    return {
      action: "list" as const,
      modules: rows.map((r) => ({ ...moduleView(r), sessions: r.sessions, learners_passed: r.learners_passed })),
      total_modules: total,
      limit: input.limit,
      offset: input.offset,
      next_offset: input.offset + rows.length < total ? input.offset + rows.length : null,
      certifications,
      ...(total === 0 && input.offset === 0 ? { missing: "no training modules are defined; define them with action 'define_module' (code, name, certification_level, passing_score, max_attempts)" } : {}),
    };
  }

  private async enroll(input: CertInput) {
    return this.prisma.$transaction(async (tx) => {
      const account = await this.account(tx, input.client_id!);
      let modules: ModuleRow[];
      if (input.module_ids) {
        const r = await this.repo.resolveModules(input.module_ids, tx);
        if (r.missing.length) throw validationError(`module_ids: no training module with id or code ${r.missing.map((m) => `'${m}'`).join(", ")}`, "list modules with action 'list', or define them with action 'define_module'");
        modules = r.modules;
      } else {
        modules = await this.repo.modulesAtLevel(input.certification_level!, tx);
        if (!modules.length) throw validationError(`module_ids: no training modules are defined at level '${input.certification_level}', so the certification has nothing to cover; define them with action 'define_module' or pass module_ids`);
      }
      const existing = await tx.certification.findUnique({ where: { account_id_user_email_level: { account_id: account.id, user_email: input.user_email!, level: input.certification_level! } } });
      if (existing) throw conflict(`${input.user_email} is already enrolled in the ${input.certification_level} certification of ${account.id} (${existing.id}, ${existing.status})`, "use action 'status' to see progress", { certification_id: existing.id });
      const c = await tx.certification.create({
        data: { account_id: account.id, user_email: input.user_email!, level: input.certification_level!, module_ids: modules.map((m) => m.id), status: "enrolled", enrolled_at: this.now() },
      });
      const [v] = await this.views(tx, [c]);
      if (v!.status !== c.status) await tx.certification.update({ where: { id: c.id }, data: { status: v!.status, attempts: v!.attempts, best_score: v!.best_score } });
      await writeAudit(tx, { action: "enroll_certification", entity_type: "certification", entity_id: c.id, changes: { client_id: account.id, user_email: c.user_email, level: c.level, modules: modules.map((m) => m.code) } });
      return { action: "enroll" as const, certification: v! };
    });
  }

  private async recordResult(input: CertInput) {
    const now = this.now();
    const at = input.result_date ? (input.result_date.length === 10 ? dateOnly(input.result_date) : new Date(input.result_date)) : now;
    if (at.getTime() > now.getTime()) throw validationError(`result_date: ${input.result_date} is in the future (now is ${now.toISOString()})`);
    return this.prisma.$transaction(async (tx) => {
      const account = await this.account(tx, input.client_id!);
      // Serialise results of the same account so two calls cannot both use the last attempt.
      await tx.$queryRawUnsafe(`SELECT id FROM accounts WHERE id = $1 FOR UPDATE`, account.id);
      const { modules } = await this.repo.resolveModules([input.module_id!], tx);
      const m = modules[0];
      if (!m) throw notFound("training module", input.module_id!, "list modules with action 'list', or define it with action 'define_module'");
      const [s] = await this.repo.resultStats(account.id, input.user_email!, [m.id], tx);
      const used = s?.attempts ?? 0;
      if (s?.passed) throw conflict(`${input.user_email} already passed module ${m.code} (best score ${s.best_score}); no further result is recorded`, "use action 'status' to see the certification", { module_id: m.id });
      if (used >= m.max_attempts) {
        throw conflict(
          `${input.user_email} has used all ${used} attempts of module ${m.code} (max_attempts ${m.max_attempts}); no further result can be recorded`,
          "the module's max_attempts is fixed when it is defined; agree a retake policy outside this tool",
          { module_id: m.id, attempts_used: used, max_attempts: m.max_attempts },
        );
      }
      const passed = input.score! >= m.passing_score;
      const attempt = used + 1;
      const row = await tx.trainingCompletion.create({
        data: { account_id: account.id, module_id: m.id, user_email: input.user_email!, status: passed ? "passed" : "failed", score: input.score!, attempt, completed_at: at },
      });
      // Certifications of this user that cover the module follow the result.
      const certs = await tx.certification.findMany({ where: { account_id: account.id, user_email: input.user_email!, module_ids: { has: m.id } } });
      const views = await this.views(tx, certs);
      for (const v of views) {
        await tx.certification.update({ where: { id: v.certification_id }, data: { status: v.status, attempts: v.attempts, best_score: v.best_score } });
      }
      await writeAudit(tx, { action: "record_certification_result", entity_type: "training_completion", entity_id: row.id, changes: { client_id: account.id, user_email: input.user_email, module: m.code, score: input.score, passed, attempt } });
      return {
        action: "record_result" as const,
        result: {
          completion_id: row.id,
          user_email: input.user_email!,
          module: moduleView(m),
          score: input.score!,
          passing_score: m.passing_score,
          passed,
          attempt,
          attempts_left: passed ? 0 : m.max_attempts - attempt,
          recorded_at: toIso(at)!,
        },
        certifications: views,
        ...(views.length ? {} : { note: `${input.user_email} is not enrolled in a certification that covers ${m.code}; the result is stored and counts once they enroll` }),
      };
    });
  }

  private async issue(input: CertInput) {
    const now = this.now();
    return this.prisma.$transaction(async (tx) => {
      const account = await this.account(tx, input.client_id!);
      const c = await tx.certification.findUnique({ where: { account_id_user_email_level: { account_id: account.id, user_email: input.user_email!, level: input.certification_level! } } });
      if (!c) throw notFound("certification", `${input.certification_level} for ${input.user_email} at ${account.id}`, "enroll the user first with action 'enroll'");
      if (c.status === "issued") throw conflict(`the ${c.level} certification of ${c.user_email} was already issued at ${toIso(c.issued_at)}`, "nothing to do", { certification_id: c.id });
      const [v] = await this.views(tx, [c]);
      const missing = v!.modules.filter((m) => !m.passed);
      if (missing.length) {
        throw conflict(
          `cannot issue the ${c.level} certification to ${c.user_email}: modules not passed: ${missing.map((m) => `${m.code} (${m.best_score === null ? "no result" : `best ${m.best_score} of ${m.passing_score} needed`}, ${m.attempts_left} attempt${m.attempts_left === 1 ? "" : "s"} left)`).join(", ")}`,
          "record passing results with action 'record_result' first",
          { missing_modules: missing.map((m) => m.code) },
        );
      }
      await tx.certification.update({ where: { id: c.id }, data: { status: "issued", issued_at: now, attempts: v!.attempts, best_score: v!.best_score } });
      await writeTimeline(tx, { account_id: account.id, event_type: "note", summary: `Certification issued: ${c.level} to ${c.user_email}`, data: { certification_id: c.id }, occurred_at: now });
      await writeAudit(tx, { action: "issue_certification", entity_type: "certification", entity_id: c.id, changes: { client_id: account.id, user_email: c.user_email, level: c.level } });
      return { action: "issue" as const, certification: { ...v!, status: "issued", issued_at: now.toISOString() } };
    });
  }

  private async status(input: CertInput) {
    const account = await this.account(this.prisma, input.client_id!);
    const certs = await this.prisma.certification.findMany({
      where: { account_id: account.id, ...(input.user_email ? { user_email: input.user_email } : {}), ...(input.certification_level ? { level: input.certification_level } : {}) },
      orderBy: [{ user_email: "asc" }, { level: "asc" }],
    });
    const views = await this.views(this.prisma, certs);
    const complete = views.filter((v) => v.training_complete).length;
    return {
      action: "status" as const,
      client_id: account.id,
      company_name: account.company_name,
      certifications: views,
      summary: {
        certifications: views.length,
        issued: views.filter((v) => v.status === "issued").length,
        ready_to_issue: views.filter((v) => v.status === "passed").length,
        failed: views.filter((v) => v.status === "failed").length,
        training_complete: complete,
        percent_training_complete: views.length ? round1((complete / views.length) * 100) : null,
        training_complete_percent: this.config.TRAINING_COMPLETE_PERCENT,
      },
      ...(views.length ? {} : { missing: `no certifications match for ${account.id}; enroll users with action 'enroll'` }),
    };
  }
}
