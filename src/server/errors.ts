// Typed errors services throw, and the one boundary that turns anything thrown into a safe tool result:
// a code, a message and a hint for the model. Unexpected errors become "internal error, reference <id>"
// for the client, with the full detail on stderr only.
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import { scrubText } from "../observability/redact.ts";
import type { Logger } from "../observability/logger.ts";

export type ErrorCode =
  | "validation_error"
  | "not_found"
  | "conflict"
  | "rate_limited"
  | "forbidden"
  | "integration_unavailable"
  | "timeout"
  | "unavailable"
  | "internal_error";

export class ToolError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "ToolError";
  }
}

export const validationError = (message: string, hint?: string, details?: Record<string, unknown>) =>
  new ToolError("validation_error", message, hint, details);
export const notFound = (what: string, id: string, hint?: string) =>
  new ToolError("not_found", `${what} ${id} was not found`, hint ?? "check the id, or list existing records first");
export const conflict = (message: string, hint?: string, details?: Record<string, unknown>) =>
  new ToolError("conflict", message, hint, details);

/** One line per zod issue: `field.path: rule`, the field named as the caller wrote it. */
export function describeZodIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const path = issue.path.map(String).join(".") || "(arguments)";
    if (issue.code === "unrecognized_keys") {
      const keys = (issue as { keys: string[] }).keys;
      const at = issue.path.length ? `${path}: ` : "";
      return `${at}unknown field${keys.length > 1 ? "s" : ""} ${keys.map((k) => `'${k}'`).join(", ")} (not part of this tool's parameters)`;
    }
    if (issue.code === "invalid_type" && /received undefined/.test(issue.message)) return `${path}: is required`;
    return `${path}: ${issue.message}`;
  });
}

export function fromZodError(error: z.ZodError, hint = "fix the named fields and call again; nothing was changed"): ToolError {
  const lines = describeZodIssues(error.issues);
  return validationError(`invalid arguments: ${lines.join("; ")}`, hint, { issues: lines });
}

export interface SafeError {
  code: ErrorCode;
  message: string;
  hint?: string;
  reference?: string;
  details?: Record<string, unknown>;
}

/**
 * The one-per-X rules the database enforces with unique indexes (migrations
 * 20261203000000_one_open_plan_and_review, 20261203093702_one_training_session, and the schema's
 * @@unique): a concurrent call that loses the race is told the rule, not just "a duplicate".
 */
const UNIQUE_RULES: Record<string, { message: string; hint: string }> = {
  onboarding_plans_one_active_key: {
    message: "the account already has an active onboarding plan (another call created one at the same time)",
    hint: "track it with track_onboarding_progress, or pass replace_active_plan: true to replace it",
  },
  executive_reviews_one_open_key: {
    message: "the account already has an open executive review (another call scheduled one at the same time)",
    hint: "list it with conduct_executive_review action 'list_upcoming_ebrs'; complete or cancel it first",
  },
  training_sessions_account_id_module_id_session_date_key: {
    message: "this module's session for the account at that time is already recorded (another call recorded it at the same time)",
    hint: "nothing to do if it is the same session; otherwise give its exact time in session_date",
  },
  advocates_account_id_email_key: {
    message: "this email is already an advocate of the account (another call enrolled it at the same time)",
    hint: "use manage_advocacy_program action 'get_advocate_profile'",
  },
  certifications_account_id_user_email_level_key: {
    message: "this user is already enrolled in this certification of the account (another call enrolled them at the same time)",
    hint: "use manage_certification_program action 'status' to see progress",
  },
  community_members_community_id_email_key: {
    message: "this email is already a member of the community (another call added it at the same time)",
    hint: "use manage_community action 'get_member_profile'",
  },
};

/** Maps a Prisma/driver error we understand to a ToolError; undefined for anything else. */
function fromDatabaseError(err: unknown): ToolError | undefined {
  const e = err as { code?: string; message?: string; meta?: Record<string, unknown> };
  const text = typeof e?.message === "string" ? e.message : "";
  if (e?.code === "P2002" || /\b23505\b/.test(text)) {
    const constraint = /unique constraint "([^"]+)"/.exec(`${text} ${JSON.stringify(e?.meta ?? {})}`.replace(/\\"/g, '"'))?.[1];
    const rule = constraint ? UNIQUE_RULES[constraint] : undefined;
    return rule ? conflict(rule.message, rule.hint) : conflict("a record with the same unique values already exists");
  }
  if (e?.code === "P2025") return new ToolError("not_found", "the record was not found (it may have been deleted)");
  if (/\b23514\b/.test(text)) {
    const constraint = /check constraint "([^"]+)"/.exec(text)?.[1];
    return validationError(`a value is outside its allowed range${constraint ? ` (${constraint})` : ""}`);
  }
  if (e?.code === "P1001" || e?.code === "P2024" || /ECONNREFUSED|Connection terminated|timeout exceeded when trying to connect/i.test(text)) {
    return new ToolError("unavailable", "the database is not reachable right now", "try again shortly; health_check_readiness shows the database state");
  }
  if (/\b57014\b|canceling statement due to statement timeout/.test(text)) {
    return new ToolError("timeout", "the database query took longer than DB_STATEMENT_TIMEOUT_MS", "narrow the request (a client_id, a shorter period, a smaller limit)");
  }
  return undefined;
}

export function toSafeError(err: unknown, logger: Logger): SafeError {
  if (err instanceof ToolError) {
    return {
      code: err.code,
      message: scrubText(err.message),
      ...(err.hint ? { hint: err.hint } : {}),
      ...(err.details ? { details: err.details } : {}),
    };
  }
  const mapped = fromDatabaseError(err);
  if (mapped) {
    logger.warn({ err: serializeError(err) }, "database error mapped to %s", mapped.code);
    return { code: mapped.code, message: mapped.message, ...(mapped.hint ? { hint: mapped.hint } : {}) };
  }
  const reference = randomUUID().slice(0, 8);
  logger.error({ err: serializeError(err), reference }, "internal error");
  return {
    code: "internal_error",
    message: `internal error, reference ${reference}`,
    hint: "this is a server fault, not a problem with the arguments; the operator can find the reference in the server's log",
    reference,
  };
}

/** For stderr: the message and stack with credentials scrubbed. */
export function serializeError(err: unknown): { type: string; message: string; stack?: string; code?: unknown } {
  if (err instanceof Error) {
    return {
      type: err.name,
      message: scrubText(err.message),
      ...(err.stack ? { stack: scrubText(err.stack) } : {}),
      ...((err as { code?: unknown }).code !== undefined ? { code: (err as { code?: unknown }).code } : {}),
    };
  }
  return { type: typeof err, message: scrubText(String(err)) };
}

/**
 * A short, safe reason for a failed connection or query to a dependency (database, Redis): the class of
 * failure, never the raw text, which may carry a URL with its password.
 */
export function describeConnectionError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/no answer within \d+ ms/.test(message)) return /no answer within \d+ ms/.exec(message)![0];
  if (/ECONNREFUSED|Can't reach database server|max retries per request/i.test(message)) return "connection refused";
  if (/ENOTFOUND|EAI_AGAIN/.test(message)) return "host not found";
  if (/password authentication failed|NOAUTH|WRONGPASS|authentication/i.test(message)) return "authentication failed";
  const missing = /database "[^"]+" does not exist/.exec(message);
  if (missing) return missing[0];
  if (/timeout|timed out|ETIMEDOUT/i.test(message)) return "timed out";
  if (err instanceof Error && err.name === "DataDirLockedError") return message;
  return "query failed";
}
