import { describe, it, expect } from "vitest";
import { ConfigError, flagsToEnv, loadConfig } from "../../src/config/load.ts";
import { SETTINGS } from "../../src/config/settings.ts";
import { HEALTH_WEIGHT_VARS } from "../../src/config/schema.ts";

/** Runs loadConfig and returns the ConfigError it throws (fails the test when it does not throw one). */
function refused(env: Record<string, string | undefined>, flags: Record<string, string | boolean | undefined> = {}): ConfigError {
  try {
    loadConfig(env, flags);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`expected loadConfig to refuse ${JSON.stringify(env)} ${JSON.stringify(flags)}`);
}

describe("loadConfig defaults", () => {
  const c = loadConfig({});

  it("uses the documented health weights 0.35/0.25/0.15/0.15/0.10", () => {
    expect(c.HEALTH_WEIGHT_USAGE).toBe(0.35);
    expect(c.HEALTH_WEIGHT_ENGAGEMENT).toBe(0.25);
    expect(c.HEALTH_WEIGHT_SUPPORT).toBe(0.15);
    expect(c.HEALTH_WEIGHT_SATISFACTION).toBe(0.15);
    expect(c.HEALTH_WEIGHT_PAYMENT).toBe(0.1);
  });

  it("uses the SLA minutes 15/240/480/1440/2880 and at-risk 80%", () => {
    expect(c.SLA_FIRST_RESPONSE_MINUTES).toBe(15);
    expect(c.SLA_RESOLUTION_P1_MINUTES).toBe(240);
    expect(c.SLA_RESOLUTION_P2_MINUTES).toBe(480);
    expect(c.SLA_RESOLUTION_P3_MINUTES).toBe(1440);
    expect(c.SLA_RESOLUTION_P4_MINUTES).toBe(2880);
    expect(c.SLA_AT_RISK_PERCENT).toBe(80);
  });

  it("uses reminder days [90,60,30,14,7]", () => {
    expect(c.RENEWAL_REMINDER_DAYS).toEqual([90, 60, 30, 14, 7]);
  });

  it("uses the server defaults", () => {
    expect(c.LOG_LEVEL).toBe("info");
    expect(c.CS_MCP_TOOLSETS).toEqual([]);
    expect(c.CS_MCP_EXCLUDE_TOOLS).toEqual([]);
    expect(c.CS_MCP_READ_ONLY).toBe(false);
    expect(c.CS_MCP_TOOL_TIMEOUT_MS).toBe(30_000);
    expect(c.CS_MCP_RATE_LIMIT_PER_MINUTE).toBe(600);
    expect(c.CS_MCP_MAX_MESSAGE_BYTES).toBe(4 * 1024 * 1024);
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.REDIS_URL).toBeUndefined();
    expect(c.CS_MCP_AUTO_MIGRATE).toBe(false);
    expect(c.DB_POOL_MAX).toBe(20);
  });

  it("uses the band, churn and revenue defaults", () => {
    expect([c.HEALTH_AT_RISK_BELOW, c.HEALTH_HEALTHY_FROM, c.HEALTH_CHAMPION_FROM]).toEqual([50, 75, 90]);
    expect([c.CHURN_LOW_FROM, c.CHURN_MEDIUM_FROM, c.CHURN_HIGH_FROM]).toEqual([0.15, 0.4, 0.7]);
    expect(c.HEALTH_TREND_DELTA).toBe(2);
    expect(c.GROSS_MARGIN).toBe(0.8);
    expect(c.CLV_MAX_LIFETIME_YEARS).toBe(10);
    expect(c.RETENTION_TRIGGER_HEALTH).toBe(60);
    expect(c.ESCALATION_HEALTH_BELOW).toBe(40);
  });

  it("reads only the env object it is given (not process.env)", () => {
    const saved = process.env.HEALTH_TREND_DELTA;
    process.env.HEALTH_TREND_DELTA = "7";
    try {
      expect(loadConfig({}).HEALTH_TREND_DELTA).toBe(2);
      expect(loadConfig({ HEALTH_TREND_DELTA: "7" }).HEALTH_TREND_DELTA).toBe(7);
    } finally {
      if (saved === undefined) delete process.env.HEALTH_TREND_DELTA;
      else process.env.HEALTH_TREND_DELTA = saved;
    }
  });

  it("each SETTINGS default string, written into the environment, gives the same config as no environment at all", () => {
    // .env.example is generated from these strings: they must agree with the schema's real defaults.
    const env: Record<string, string> = {};
    for (const s of SETTINGS) {
      if (s.default === undefined || s.default.startsWith("(")) continue; // "(per-user data directory)" is prose
      env[s.env] = s.default;
    }
    expect(Object.keys(env).length).toBeGreaterThan(50);
    expect(loadConfig(env)).toEqual(loadConfig({}));
  });

  it("SETTINGS has unique variable names and unique flags", () => {
    const envs = SETTINGS.map((s) => s.env);
    expect(new Set(envs).size).toBe(envs.length);
    const flags = SETTINGS.flatMap((s) => ("flag" in s && s.flag ? [s.flag] : []));
    expect(new Set(flags).size).toBe(flags.length);
    for (const f of flags) expect(f).toMatch(/^[a-z][a-z0-9-]*$/);
  });
});

describe("loadConfig coercion of environment strings", () => {
  it("coerces numeric strings", () => {
    const c = loadConfig({
      HEALTH_WEIGHT_USAGE: "0.5",
      HEALTH_WEIGHT_ENGAGEMENT: "0.1",
      CS_MCP_TOOL_TIMEOUT_MS: "1500",
      HEALTH_TREND_DELTA: " 3.5 ",
    });
    expect(c.HEALTH_WEIGHT_USAGE).toBe(0.5);
    expect(c.HEALTH_WEIGHT_ENGAGEMENT).toBe(0.1);
    expect(c.CS_MCP_TOOL_TIMEOUT_MS).toBe(1500);
    expect(c.HEALTH_TREND_DELTA).toBe(3.5);
  });

  it.each(["true", "1", "yes", "on", "TRUE", "Yes"])("reads %j as true", (v) => {
    expect(loadConfig({ CS_MCP_READ_ONLY: v }).CS_MCP_READ_ONLY).toBe(true);
  });

  it.each(["false", "0", "no", "off", "FALSE"])("reads %j as false", (v) => {
    expect(loadConfig({ CS_MCP_AUTO_MIGRATE: v }).CS_MCP_AUTO_MIGRATE).toBe(false);
  });

  it("refuses a boolean it cannot read, naming the variable and its flag", () => {
    const e = refused({ CS_MCP_READ_ONLY: "maybe" });
    expect(e.problems).toHaveLength(1);
    expect(e.problems[0]).toMatch(/^CS_MCP_READ_ONLY \(--read-only\): must be true or false/);
  });

  it("treats an empty or blank string as unset", () => {
    const c = loadConfig({
      HEALTH_WEIGHT_USAGE: "",
      LOG_LEVEL: "",
      DATABASE_URL: "",
      REDIS_URL: "   ",
      CS_MCP_READ_ONLY: "",
      SLA_RESOLUTION_P1_MINUTES: " ",
      SENDGRID_FROM_EMAIL: "",
      CS_MCP_TOOLSETS: "",
    });
    expect(c.HEALTH_WEIGHT_USAGE).toBe(0.35);
    expect(c.LOG_LEVEL).toBe("info");
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.REDIS_URL).toBeUndefined();
    expect(c.CS_MCP_READ_ONLY).toBe(false);
    expect(c.SLA_RESOLUTION_P1_MINUTES).toBe(240);
    expect(c.SENDGRID_FROM_EMAIL).toBeUndefined();
    expect(c.CS_MCP_TOOLSETS).toEqual([]);
  });

  it("treats an empty RENEWAL_REMINDER_DAYS as unset (default days)", () => {
    // settings.ts: "Environment strings arrive as text; an empty string means 'not set'", as for every other setting.
    expect(loadConfig({ RENEWAL_REMINDER_DAYS: "" }).RENEWAL_REMINDER_DAYS).toEqual([90, 60, 30, 14, 7]);
    expect(loadConfig({ RENEWAL_REMINDER_DAYS: "  " }).RENEWAL_REMINDER_DAYS).toEqual([90, 60, 30, 14, 7]);
  });

  it("splits comma lists and trims their items", () => {
    const c = loadConfig({ CS_MCP_TOOLSETS: " core , health ,,", CS_MCP_EXCLUDE_TOOLS: "list_clients", RENEWAL_REMINDER_DAYS: "30, 7" });
    expect(c.CS_MCP_TOOLSETS).toEqual(["core", "health"]);
    expect(c.CS_MCP_EXCLUDE_TOOLS).toEqual(["list_clients"]);
    expect(c.RENEWAL_REMINDER_DAYS).toEqual([30, 7]);
  });

  it("accepts postgres:// and postgresql:// URLs and keeps them as given", () => {
    expect(loadConfig({ DATABASE_URL: "postgres://u:p@localhost:5432/cs" }).DATABASE_URL).toBe("postgres://u:p@localhost:5432/cs");
    expect(loadConfig({ DATABASE_URL: "postgresql://h/db" }).DATABASE_URL).toBe("postgresql://h/db");
    expect(loadConfig({ REDIS_URL: "rediss://:pw@cache:6380" }).REDIS_URL).toBe("rediss://:pw@cache:6380");
  });
});

describe("loadConfig: flags override the environment", () => {
  it("a flag wins over the variable it maps to", () => {
    const c = loadConfig(
      { CS_MCP_READ_ONLY: "false", CS_MCP_TOOLSETS: "retention", LOG_LEVEL: "debug" },
      { "read-only": true, toolsets: "core,health" },
    );
    expect(c.CS_MCP_READ_ONLY).toBe(true);
    expect(c.CS_MCP_TOOLSETS).toEqual(["core", "health"]);
    expect(c.LOG_LEVEL).toBe("debug"); // no flag given: the environment stays
  });

  it("flags alone set values, and an undefined flag leaves the environment's value", () => {
    const c = loadConfig({ DB_POOL_MAX: "7" }, { "log-level": "warn", "db-pool-max": undefined, "database-url": "postgres://h/d" });
    expect(c.LOG_LEVEL).toBe("warn");
    expect(c.DB_POOL_MAX).toBe(7);
    expect(c.DATABASE_URL).toBe("postgres://h/d");
  });

  it("flagsToEnv maps known flags to their variables, stringifies booleans and ignores unknown flags", () => {
    expect(flagsToEnv({ "read-only": true, toolsets: "core", "tool-timeout-ms": "500", nonsense: "x", migrate: false })).toEqual({
      CS_MCP_READ_ONLY: "true",
      CS_MCP_TOOLSETS: "core",
      CS_MCP_TOOL_TIMEOUT_MS: "500",
      CS_MCP_AUTO_MIGRATE: "false",
    });
  });

  it("a bad flag value is reported with the variable and the flag", () => {
    const e = refused({}, { "tool-timeout-ms": "5" });
    expect(e.problems.some((p) => p.startsWith("CS_MCP_TOOL_TIMEOUT_MS (--tool-timeout-ms):"))).toBe(true);
  });
});

describe("loadConfig: health weights must sum to 1 ± 0.01", () => {
  it("refuses weights summing to 1.15 with a message naming all five variables and the sum", () => {
    // 0.5 + 0.25 + 0.15 + 0.15 + 0.10 = 1.15
    const e = refused({ HEALTH_WEIGHT_USAGE: "0.5" });
    expect(e.problems).toHaveLength(1);
    const msg = e.message;
    for (const v of ["HEALTH_WEIGHT_USAGE", "HEALTH_WEIGHT_ENGAGEMENT", "HEALTH_WEIGHT_SUPPORT", "HEALTH_WEIGHT_SATISFACTION", "HEALTH_WEIGHT_PAYMENT"]) {
      expect(msg).toContain(v);
    }
    expect(msg).toContain("1.1500");
    expect(HEALTH_WEIGHT_VARS).toHaveLength(5);
  });

  it("refuses weights summing to 0.80", () => {
    // 0.35 + 0.25 + 0.15 + 0.05 + 0 = 0.80
    const e = refused({ HEALTH_WEIGHT_SATISFACTION: "0.05", HEALTH_WEIGHT_PAYMENT: "0" });
    expect(e.message).toContain("0.8000");
  });

  it("accepts a total of 1.009 and 0.991", () => {
    // 0.35 + 0.25 + 0.15 + 0.15 + 0.109 = 1.009
    expect(loadConfig({ HEALTH_WEIGHT_PAYMENT: "0.109" }).HEALTH_WEIGHT_PAYMENT).toBe(0.109);
    // 0.35 + 0.25 + 0.15 + 0.15 + 0.091 = 0.991
    expect(loadConfig({ HEALTH_WEIGHT_PAYMENT: "0.091" }).HEALTH_WEIGHT_PAYMENT).toBe(0.091);
  });

  it("refuses a total of 1.011 and 0.989", () => {
    expect(refused({ HEALTH_WEIGHT_PAYMENT: "0.111" }).message).toContain("1.0110");
    expect(refused({ HEALTH_WEIGHT_PAYMENT: "0.089" }).message).toContain("0.9890");
  });

  it("accepts another split that sums to exactly 1", () => {
    const c = loadConfig({
      HEALTH_WEIGHT_USAGE: "0.2",
      HEALTH_WEIGHT_ENGAGEMENT: "0.2",
      HEALTH_WEIGHT_SUPPORT: "0.2",
      HEALTH_WEIGHT_SATISFACTION: "0.2",
      HEALTH_WEIGHT_PAYMENT: "0.2",
    });
    expect(c.HEALTH_WEIGHT_PAYMENT).toBe(0.2);
  });
});

describe("loadConfig: URLs", () => {
  it.each(["mysql://x", "not a url", "http://u:s3cret@h/db", "postgres//h/db"])("refuses DATABASE_URL=%j naming DATABASE_URL and --database-url", (url) => {
    const e = refused({ DATABASE_URL: url });
    expect(e.problems).toEqual(["DATABASE_URL (--database-url): must be a postgres:// or postgresql:// URL"]);
  });

  it("never echoes the rejected DATABASE_URL (it may carry a password)", () => {
    const url = "http://u:s3cret@h/db";
    const e = refused({ DATABASE_URL: url });
    expect(e.message).not.toContain("s3cret");
    expect(e.message).not.toContain(url);
    expect(e.message).not.toContain("u:");
    expect(JSON.stringify(e.problems)).not.toContain("s3cret");
  });

  it("never echoes a rejected REDIS_URL either", () => {
    const e = refused({ REDIS_URL: "http://:t0psecret@cache:6379" });
    expect(e.problems).toEqual(["REDIS_URL (--redis-url): must be a redis:// or rediss:// URL"]);
    expect(e.message).not.toContain("t0psecret");
  });

  it("refuses an http(s) override that is not http(s)", () => {
    const e = refused({ ZENDESK_BASE_URL: "ftp://example.com" });
    expect(e.problems).toEqual(["ZENDESK_BASE_URL: must be a http(s) URL"]);
  });

  it("refuses a sender that is not an email address", () => {
    const e = refused({ SENDGRID_FROM_EMAIL: "nobody" });
    expect(e.problems).toEqual(["SENDGRID_FROM_EMAIL: must be an email address"]);
  });
});

describe("loadConfig: ranges and enums", () => {
  it("refuses HEALTH_WEIGHT_USAGE=1.5 by name", () => {
    const e = refused({ HEALTH_WEIGHT_USAGE: "1.5" });
    expect(e.problems.some((p) => p.startsWith("HEALTH_WEIGHT_USAGE: ") && /<=\s*1/.test(p))).toBe(true);
  });

  it("refuses SLA_AT_RISK_PERCENT=100 by name (1..99)", () => {
    const e = refused({ SLA_AT_RISK_PERCENT: "100" });
    expect(e.problems).toHaveLength(1);
    expect(e.problems[0]).toMatch(/^SLA_AT_RISK_PERCENT: .*99/);
    expect(loadConfig({ SLA_AT_RISK_PERCENT: "99" }).SLA_AT_RISK_PERCENT).toBe(99);
  });

  it("refuses LOG_LEVEL=loud naming the variable and --log-level", () => {
    const e = refused({ LOG_LEVEL: "loud" });
    expect(e.problems).toHaveLength(1);
    expect(e.problems[0]).toMatch(/^LOG_LEVEL \(--log-level\): /);
    expect(e.problems[0]).not.toContain("loud");
  });

  it("refuses a non-number and a non-integer", () => {
    expect(refused({ DB_POOL_MAX: "abc" }).problems[0]).toMatch(/^DB_POOL_MAX \(--db-pool-max\): /);
    expect(refused({ DB_POOL_MAX: "2.5" }).problems[0]).toMatch(/^DB_POOL_MAX \(--db-pool-max\): .*\bint/i);
  });

  it("refuses values just outside bounds and accepts the bounds themselves", () => {
    expect(refused({ CS_MCP_TOOL_TIMEOUT_MS: "99" }).problems[0]).toMatch(/^CS_MCP_TOOL_TIMEOUT_MS /);
    expect(loadConfig({ CS_MCP_TOOL_TIMEOUT_MS: "100" }).CS_MCP_TOOL_TIMEOUT_MS).toBe(100);
    expect(refused({ CS_MCP_MAX_MESSAGE_BYTES: "1023" }).problems[0]).toMatch(/^CS_MCP_MAX_MESSAGE_BYTES: /);
    expect(loadConfig({ CS_MCP_MAX_MESSAGE_BYTES: "1024" }).CS_MCP_MAX_MESSAGE_BYTES).toBe(1024);
    expect(refused({ GROSS_MARGIN: "-0.1" }).problems[0]).toMatch(/^GROSS_MARGIN: /);
  });

  it("reports every bad variable at once", () => {
    const e = refused({ LOG_LEVEL: "loud", SLA_AT_RISK_PERCENT: "100", DB_POOL_MAX: "0" });
    const vars = e.problems.map((p) => p.split(/[ :]/)[0]).sort();
    expect(vars).toEqual(["DB_POOL_MAX", "LOG_LEVEL", "SLA_AT_RISK_PERCENT"]);
    expect(e.message.startsWith("invalid configuration:\n  - ")).toBe(true);
    expect(e.name).toBe("ConfigError");
  });
});

describe("loadConfig: cross-field rules", () => {
  it("refuses HEALTH_HEALTHY_FROM above HEALTH_CHAMPION_FROM", () => {
    const e = refused({ HEALTH_HEALTHY_FROM: "95" }); // 50 ≤ 95 but 95 > 90
    expect(e.problems).toHaveLength(1);
    expect(e.problems[0]).toMatch(/^HEALTH_HEALTHY_FROM: /);
    expect(e.problems[0]).toContain("HEALTH_CHAMPION_FROM");
  });

  it("refuses HEALTH_AT_RISK_BELOW above HEALTH_HEALTHY_FROM", () => {
    const e = refused({ HEALTH_AT_RISK_BELOW: "80" }); // 80 > 75
    expect(e.problems[0]).toContain("HEALTH_AT_RISK_BELOW");
  });

  it("accepts equal band edges", () => {
    const c = loadConfig({ HEALTH_AT_RISK_BELOW: "75", HEALTH_HEALTHY_FROM: "75", HEALTH_CHAMPION_FROM: "75", ESCALATION_HEALTH_BELOW: "40" });
    expect([c.HEALTH_AT_RISK_BELOW, c.HEALTH_HEALTHY_FROM, c.HEALTH_CHAMPION_FROM]).toEqual([75, 75, 75]);
  });

  it("refuses churn levels out of order (strictly increasing low < medium < high)", () => {
    const a = refused({ CHURN_LOW_FROM: "0.5" }); // 0.5 > medium 0.4
    expect(a.problems).toEqual(["CHURN_MEDIUM_FROM: must satisfy CHURN_LOW_FROM < CHURN_MEDIUM_FROM < CHURN_HIGH_FROM"]);
    const b = refused({ CHURN_MEDIUM_FROM: "0.7" }); // equal to high 0.7
    expect(b.problems[0]).toMatch(/^CHURN_MEDIUM_FROM: /);
    const c = loadConfig({ CHURN_LOW_FROM: "0.1", CHURN_MEDIUM_FROM: "0.2", CHURN_HIGH_FROM: "0.3" });
    expect([c.CHURN_LOW_FROM, c.CHURN_MEDIUM_FROM, c.CHURN_HIGH_FROM]).toEqual([0.1, 0.2, 0.3]);
  });

  it("refuses ESCALATION_HEALTH_BELOW above RETENTION_TRIGGER_HEALTH", () => {
    const e = refused({ ESCALATION_HEALTH_BELOW: "61" });
    expect(e.problems).toEqual(["ESCALATION_HEALTH_BELOW: must not exceed RETENTION_TRIGGER_HEALTH"]);
    expect(loadConfig({ ESCALATION_HEALTH_BELOW: "60" }).ESCALATION_HEALTH_BELOW).toBe(60);
  });
});

describe("loadConfig: RENEWAL_REMINDER_DAYS", () => {
  it("refuses '30,x' by name", () => {
    const e = refused({ RENEWAL_REMINDER_DAYS: "30,x" });
    expect(e.problems.length).toBeGreaterThan(0);
    for (const p of e.problems) expect(p).toMatch(/^RENEWAL_REMINDER_DAYS: /);
  });

  it("refuses 0 and values above 3650 days", () => {
    expect(refused({ RENEWAL_REMINDER_DAYS: "0" }).problems[0]).toMatch(/^RENEWAL_REMINDER_DAYS: /);
    expect(refused({ RENEWAL_REMINDER_DAYS: "30,3651" }).problems[0]).toMatch(/^RENEWAL_REMINDER_DAYS: /);
    expect(loadConfig({ RENEWAL_REMINDER_DAYS: "3650,1" }).RENEWAL_REMINDER_DAYS).toEqual([3650, 1]);
  });

  it("refuses a fractional day", () => {
    expect(refused({ RENEWAL_REMINDER_DAYS: "7.5" }).problems[0]).toMatch(/^RENEWAL_REMINDER_DAYS: /);
  });
});
