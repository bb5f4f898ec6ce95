import { describe, it, expect } from "vitest";
import { z } from "zod";
import {
  ToolError,
  conflict,
  describeZodIssues,
  fromZodError,
  notFound,
  serializeError,
  toSafeError,
  validationError,
} from "../../src/server/errors.ts";
import { memoryLogger } from "./memory-log.ts";

function issuesOf(schema: z.ZodType, value: unknown) {
  const r = schema.safeParse(value);
  expect(r.success).toBe(false);
  return r.error!.issues;
}

describe("describeZodIssues", () => {
  const schema = z.strictObject({
    name: z.string().min(3, "must be at least 3 characters"),
    count: z.number().int(),
    nested: z.strictObject({ when: z.string().regex(/^\d{4}$/, "must be a year") }).optional(),
    items: z.array(z.number()).optional(),
  });

  it("formats `path: rule` for a custom message", () => {
    expect(describeZodIssues(issuesOf(schema, { name: "ab", count: 1 }))).toEqual(["name: must be at least 3 characters"]);
  });

  it("joins nested paths and array indexes with dots", () => {
    expect(describeZodIssues(issuesOf(schema, { name: "abc", count: 1, nested: { when: "x" } }))).toEqual(["nested.when: must be a year"]);
    const lines = describeZodIssues(issuesOf(schema, { name: "abc", count: 1, items: [1, "two"] }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^items\.1: /);
  });

  it("says a missing field is required", () => {
    expect(describeZodIssues(issuesOf(schema, { name: "abc" }))).toEqual(["count: is required"]);
  });

  it("names one unknown key as unknown field 'x'", () => {
    expect(describeZodIssues(issuesOf(schema, { name: "abc", count: 1, x: 1 }))).toEqual([
      "unknown field 'x' (not part of this tool's parameters)",
    ]);
  });

  it("names several unknown keys, and prefixes a nested unknown key with its path", () => {
    expect(describeZodIssues(issuesOf(schema, { name: "abc", count: 1, x: 1, y: 2 }))).toEqual([
      "unknown fields 'x', 'y' (not part of this tool's parameters)",
    ]);
    expect(describeZodIssues(issuesOf(schema, { name: "abc", count: 1, nested: { when: "2024", extra: true } }))).toEqual([
      "nested: unknown field 'extra' (not part of this tool's parameters)",
    ]);
  });

  it("names a root-level problem (arguments)", () => {
    const lines = describeZodIssues(issuesOf(schema, "not an object"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\(arguments\): /);
  });

  it("fromZodError builds a validation_error listing every line", () => {
    const r = schema.safeParse({ name: "ab", x: 1 });
    const e = fromZodError(r.error!);
    expect(e).toBeInstanceOf(ToolError);
    expect(e.code).toBe("validation_error");
    expect(e.message.startsWith("invalid arguments: ")).toBe(true);
    expect(e.message).toContain("name: must be at least 3 characters");
    expect(e.message).toContain("count: is required");
    expect(e.message).toContain("unknown field 'x'");
    expect(e.details).toEqual({ issues: describeZodIssues(r.error!.issues) });
    expect(e.hint).toMatch(/nothing was changed/);
  });
});

describe("ToolError helpers", () => {
  it("notFound, conflict and validationError carry their codes", () => {
    const nf = notFound("account", "cs_1_x");
    expect(nf.code).toBe("not_found");
    expect(nf.message).toBe("account cs_1_x was not found");
    expect(nf.hint).toBeTruthy();
    expect(conflict("dup", "h", { id: 1 })).toMatchObject({ code: "conflict", message: "dup", hint: "h", details: { id: 1 } });
    expect(validationError("bad")).toMatchObject({ code: "validation_error", message: "bad" });
    expect(nf.name).toBe("ToolError");
  });
});

describe("toSafeError", () => {
  it("passes a ToolError's code, message, hint and details through", () => {
    const { logger, raw } = memoryLogger();
    const safe = toSafeError(new ToolError("not_found", "account cs_1_a was not found", "list first", { id: "cs_1_a" }), logger);
    expect(safe).toEqual({ code: "not_found", message: "account cs_1_a was not found", hint: "list first", details: { id: "cs_1_a" } });
    expect(raw).toEqual([]); // expected errors are not logged as errors here
  });

  it("omits hint and details when the ToolError has none", () => {
    const { logger } = memoryLogger();
    expect(toSafeError(new ToolError("conflict", "dup"), logger)).toEqual({ code: "conflict", message: "dup" });
  });

  it("scrubs credentials from a ToolError's message", () => {
    const { logger } = memoryLogger();
    const safe = toSafeError(new ToolError("unavailable", "cannot reach redis://app:hunter2@cache:6379"), logger);
    expect(safe.message).toBe("cannot reach redis://app:***@cache:6379");
  });

  it("maps a Prisma unique violation (P2002) to conflict", () => {
    const { logger, lines } = memoryLogger();
    const safe = toSafeError(Object.assign(new Error("Unique constraint failed on the fields: (`company_key`)"), { code: "P2002" }), logger);
    expect(safe.code).toBe("conflict");
    expect(safe.message).toBe("a record with the same unique values already exists");
    expect(safe.reference).toBeUndefined();
    expect(lines()).toHaveLength(1);
    expect(lines()[0]).toMatchObject({ level: 40, msg: "database error mapped to conflict" });
  });

  it("names the rule when a one-per-account index refuses a row (the shape both drivers give through Prisma)", () => {
    const { logger } = memoryLogger();
    const err = Object.assign(new Error("Unique constraint failed on the fields: (`account_id`)"), {
      code: "P2002",
      meta: { modelName: "OnboardingPlan", driverAdapterError: { cause: { originalCode: "23505", originalMessage: 'duplicate key value violates unique constraint "onboarding_plans_one_active_key"' } } },
    });
    const safe = toSafeError(err, logger);
    expect(safe).toEqual({
      code: "conflict",
      message: "the account already has an active onboarding plan (another call created one at the same time)",
      hint: "track it with track_onboarding_progress, or pass replace_active_plan: true to replace it",
    });
  });

  it("maps a plain object { code: 'P2002' } to conflict", () => {
    const { logger } = memoryLogger();
    expect(toSafeError({ code: "P2002" }, logger).code).toBe("conflict");
  });

  it("maps SQLSTATE 23505 in a driver message to conflict and P2025 to not_found", () => {
    const { logger } = memoryLogger();
    expect(toSafeError(new Error('duplicate key value violates unique constraint "x" (23505)'), logger).code).toBe("conflict");
    expect(toSafeError({ code: "P2025", message: "Record to update not found." }, logger).code).toBe("not_found");
  });

  it("maps a check-constraint violation (23514) to validation_error naming the constraint", () => {
    const { logger } = memoryLogger();
    const safe = toSafeError(
      new Error('ERROR: new row for relation "accounts" violates check constraint "accounts_health_score_range" (SQLSTATE 23514)'),
      logger,
    );
    expect(safe.code).toBe("validation_error");
    expect(safe.message).toBe("a value is outside its allowed range (accounts_health_score_range)");
  });

  it("maps connection failures to unavailable and statement timeouts to timeout", () => {
    const { logger } = memoryLogger();
    const down = toSafeError(new Error("connect ECONNREFUSED 127.0.0.1:5432"), logger);
    expect(down.code).toBe("unavailable");
    expect(down.hint).toContain("health_check_readiness");
    expect(toSafeError({ code: "P1001" }, logger).code).toBe("unavailable");
    expect(toSafeError(new Error("canceling statement due to statement timeout"), logger).code).toBe("timeout");
    expect(toSafeError(new Error("query failed: 57014"), logger).code).toBe("timeout");
  });

  it("turns an unexpected error into internal_error with a reference, and logs it scrubbed", () => {
    const { logger, lines } = memoryLogger();
    const safe = toSafeError(new Error("boom postgres://user:pw@host/db"), logger);
    expect(safe.code).toBe("internal_error");
    expect(safe.message).toMatch(/^internal error, reference [0-9a-f]{8}$/);
    expect(safe.message).not.toContain("boom");
    expect(safe.message).not.toContain("pw");
    expect(safe.reference).toBe(safe.message.slice(-8));
    expect(JSON.stringify(safe)).not.toContain("pw@");
    expect(JSON.stringify(safe)).not.toContain("boom");

    const logged = lines();
    expect(logged).toHaveLength(1);
    const line = logged[0]!;
    expect(line.level).toBe(50);
    expect(line.msg).toBe("internal error");
    expect(line.reference).toBe(safe.reference);
    const err = line.err as { type: string; message: string; stack?: string };
    expect(err.message).toBe("boom postgres://user:***@host/db");
    expect(err.message).not.toContain("pw");
    expect(err.stack).toContain("boom postgres://user:***@host/db");
    expect(JSON.stringify(line)).not.toContain("user:pw@");
  });

  it("gives each internal error its own reference", () => {
    const { logger } = memoryLogger("silent");
    const a = toSafeError(new Error("x"), logger).reference;
    const b = toSafeError(new Error("x"), logger).reference;
    expect(a).not.toBe(b);
  });

  it("handles a thrown non-Error value, scrubbing it in the log", () => {
    const { logger, lines } = memoryLogger();
    const safe = toSafeError("some string postgres://a:b@c/d", logger);
    expect(safe.code).toBe("internal_error");
    expect(safe.message).not.toContain("some string");
    expect((lines()[0]!.err as { message: string }).message).toBe("some string postgres://a:***@c/d");
  });

  it("logs the class name of the unexpected error as err.type", () => {
    // serializeError() returns { type: "TypeError", ... }; the log line should keep it so operators can tell a
    // TypeError from a driver error. pino's default `err` serializer rewrites it from the plain object's constructor.
    const { logger, lines } = memoryLogger();
    toSafeError(new TypeError("Cannot read properties of undefined"), logger);
    expect((lines()[0]!.err as { type: string }).type).toBe("TypeError");
  });
});

describe("serializeError", () => {
  it("keeps type, scrubbed message, stack and code", () => {
    const e = Object.assign(new TypeError("bad Bearer abc.def"), { code: "E1" });
    const s = serializeError(e);
    expect(s.type).toBe("TypeError");
    expect(s.message).toBe("bad Bearer ***");
    expect(s.code).toBe("E1");
    expect(s.stack).toContain("bad Bearer ***");
    expect(s.stack).not.toContain("abc.def");
  });
});
