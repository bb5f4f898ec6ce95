import { describe, it, expect } from "vitest";
import { REDACT_PATHS, scrubText } from "../../src/observability/redact.ts";
import { currentRequest, requestContext } from "../../src/observability/context.ts";
import { memoryLogger } from "./memory-log.ts";

describe("scrubText", () => {
  it("hides the password of a URL and keeps the rest", () => {
    expect(scrubText("connect postgres://admin:hunter2@db.example.com:5432/app failed")).toBe(
      "connect postgres://admin:***@db.example.com:5432/app failed",
    );
  });

  it("hides every URL password in the text", () => {
    expect(scrubText("a=postgresql://u1:p1@h1/d b=rediss://u2:p2@h2:6380")).toBe("a=postgresql://u1:***@h1/d b=rediss://u2:***@h2:6380");
  });

  it("hides the password of a URL with an empty user name (redis://:password@host)", () => {
    // The usual form of a Redis URL with AUTH but no ACL user.
    const out = scrubText("Redis error at redis://:s3cretpw@cache:6379/0");
    expect(out).not.toContain("s3cretpw");
  });

  it("leaves a URL without credentials unchanged", () => {
    const t = "see https://example.com/a/b?c=d and postgres://host/db";
    expect(scrubText(t)).toBe(t);
  });

  it("hides Bearer and Basic tokens", () => {
    expect(scrubText("Authorization: Bearer eyJhbGciOi.J9-x_y~z+/=")).toBe("Authorization: Bearer ***");
    expect(scrubText("Authorization: Basic dXNlcjpwYXNz")).toBe("Authorization: Basic ***");
  });

  it("hides SendGrid-shaped keys", () => {
    expect(scrubText("key SG.abcdefghij_K.ABCDEFGHIJ-klmnop used")).toBe("key SG.*** used");
    expect(scrubText("SG.abcdefghijklmnop.qrstuvwxyz0123456789")).toBe("SG.***");
  });

  it("hides cs-mcp API keys (csmcp_ and 38 base62 characters) wherever they appear", () => {
    const key = `csmcp_${"aB3".repeat(12)}x9`;
    expect(scrubText(`pasted ${key} into the config`)).toBe("pasted csmcp_*** into the config");
    expect(scrubText(`key=${key}`)).toBe("key=csmcp_***");
    expect(scrubText("csmcp_short stays")).toBe("csmcp_short stays");
  });

  it("does not touch short SG.-like words", () => {
    expect(scrubText("SG.abc.def is not a key")).toBe("SG.abc.def is not a key");
  });

  it("leaves plain text unchanged", () => {
    expect(scrubText("nothing secret here: 42 accounts")).toBe("nothing secret here: 42 accounts");
  });
});

describe("REDACT_PATHS", () => {
  it("covers the secret and personal keys at four depths", () => {
    for (const k of ["password", "DATABASE_URL", "email", "SENDGRID_API_KEY", "authorization"]) {
      expect(REDACT_PATHS).toEqual(expect.arrayContaining([k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]));
    }
  });
});

describe("createLogger", () => {
  it("redacts secrets and personal fields in logged objects", () => {
    const { logger, lines } = memoryLogger();
    logger.info({ user: { email: "a@b.c" }, password: "x", config: { DATABASE_URL: "postgres://u:p@h/d" } }, "m");
    const all = lines();
    expect(all).toHaveLength(1);
    const line = all[0]!;
    expect(line.msg).toBe("m");
    expect(line.password).toBe("[redacted]");
    expect(line.user).toEqual({ email: "[redacted]" });
    expect(line.config).toEqual({ DATABASE_URL: "[redacted]" });
    const text = JSON.stringify(line);
    expect(text).not.toContain("a@b.c");
    expect(text).not.toContain("postgres://");
  });

  it("redacts at depth three and keeps unrelated fields", () => {
    const { logger, lines } = memoryLogger();
    logger.info({ req: { headers: { authorization: "Bearer t", accept: "json" } }, a: { b: { c: { token: "tok" } } }, count: 3 }, "x");
    const line = lines()[0]!;
    expect(line.req).toEqual({ headers: { authorization: "[redacted]", accept: "json" } });
    expect(line.a).toEqual({ b: { c: { token: "[redacted]" } } });
    expect(line.count).toBe(3);
  });

  it("writes the base fields and an ISO time", () => {
    const { logger, lines } = memoryLogger();
    logger.warn("w");
    const line = lines()[0]!;
    expect(line.level).toBe(40);
    expect(line.service).toBe("customer-success-mcp");
    expect(line.pid).toBe(process.pid);
    expect(typeof line.time).toBe("string");
    expect(new Date(line.time as string).toISOString()).toBe(line.time);
  });

  it("honours the level", () => {
    const { logger, raw } = memoryLogger("warn");
    logger.info("hidden");
    logger.error("shown");
    expect(raw).toHaveLength(1);
    expect(JSON.parse(raw[0]!).msg).toBe("shown");
  });

  it("adds request_id and tool from the request context", () => {
    const { logger, lines } = memoryLogger();
    requestContext.run({ request_id: "r1", tool: "t" }, () => logger.info("x"));
    logger.info("outside");
    const [inside, outside] = lines();
    expect(inside).toMatchObject({ msg: "x", request_id: "r1", tool: "t" });
    expect(outside).not.toHaveProperty("request_id");
    expect(outside).not.toHaveProperty("tool");
  });

  it("keeps the request context across awaits", async () => {
    const { logger, lines } = memoryLogger();
    await requestContext.run({ request_id: "r2", tool: "slow" }, async () => {
      await new Promise((r) => setTimeout(r, 5));
      expect(currentRequest()).toEqual({ request_id: "r2", tool: "slow" });
      logger.info("later");
    });
    expect(lines()[0]).toMatchObject({ request_id: "r2", tool: "slow" });
    expect(currentRequest()).toBeUndefined();
  });
});
