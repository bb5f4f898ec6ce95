// Training modules, sessions, completions and certifications: module look-up by id or code, and the
// per-user, per-module results (attempts, best score, passed) that certification decisions read.
import type { Prisma as P, PrismaClient } from "../generated/prisma/client.ts";

type Db = PrismaClient | P.TransactionClient;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ModuleRow {
  id: string;
  code: string;
  name: string;
  description: string | null;
  level: string;
  passing_score: number;
  max_attempts: number;
  duration_minutes: number;
  created_at: Date;
}

export interface ResultStats {
  user_email: string;
  module_id: string;
  /** Assessment results recorded (passed or failed rows). */
  attempts: number;
  best_score: number | null;
  passed: boolean;
  last_result_at: Date | null;
}

/** Results are completion rows with a pass/fail outcome; attended rows are attendance, not attempts. */
export const RESULT_STATUSES = ["passed", "failed"] as const;

export class TrainingRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** Modules by id (UUID) or code, in the order asked; `missing` lists the references that matched nothing. */
  async resolveModules(refs: string[], db: Db = this.prisma): Promise<{ modules: ModuleRow[]; missing: string[] }> {
    const ids = refs.filter((r) => UUID.test(r));
    const rows = await db.trainingModule.findMany({ where: { OR: [{ id: { in: ids } }, { code: { in: refs } }] } });
    const modules: ModuleRow[] = [];
    const missing: string[] = [];
    for (const r of refs) {
      const m = rows.find((x) => x.id === r || x.code === r);
      if (m) {
        if (!modules.some((x) => x.id === m.id)) modules.push(m);
      } else missing.push(r);
    }
    return { modules, missing };
  }

  modulesAtLevel(level: string, db: Db = this.prisma): Promise<ModuleRow[]> {
    return db.trainingModule.findMany({ where: { level }, orderBy: { code: "asc" } });
  }

  /** Every module (optionally one level) with how often it was taught and passed. */
  moduleCatalogue(level: string | null, limit: number, offset: number) {
    return this.prisma.$queryRawUnsafe<Array<ModuleRow & { sessions: number; learners_passed: number; total: number }>>(
      `SELECT m.id, m.code, m.name, m.description, m.level, m.passing_score, m.max_attempts, m.duration_minutes, m.created_at,
              (SELECT count(*)::int FROM training_sessions s WHERE s.module_id = m.id) AS sessions,
              (SELECT count(DISTINCT (c.account_id, c.user_email))::int FROM training_completions c WHERE c.module_id = m.id AND c.status = 'passed') AS learners_passed,
              count(*) OVER ()::int AS total
         FROM training_modules m
        WHERE $1::text IS NULL OR m.level = $1::text
        ORDER BY m.level, m.code
        LIMIT $2::int OFFSET $3::int`,
      level,
      limit,
      offset,
    );
  }

  /** Per (user, module) results of an account, for the given modules and (optionally) one user. */
  resultStats(accountId: string, email: string | null, moduleIds: string[], db: Db = this.prisma): Promise<ResultStats[]> {
    return db.$queryRawUnsafe<ResultStats[]>(
      `SELECT user_email, module_id,
              count(*)::int AS attempts,
              max(score)::int AS best_score,
              bool_or(status = 'passed') AS passed,
              max(completed_at) AS last_result_at
         FROM training_completions
        WHERE account_id = $1 AND ($2::text IS NULL OR user_email = $2::text)
          AND module_id = ANY($3::text[]) AND status IN ('passed', 'failed')
        GROUP BY user_email, module_id`,
      accountId,
      email,
      moduleIds,
    );
  }
}
