// A call answered `timeout` has changed nothing, and a retry does not write twice. The portfolio
// tools store many rows per call; each one here is held at a point of its work until its deadline
// (CS_MCP_TOOL_TIMEOUT_MS, the smallest allowed) has fired, so the deadline always falls between the
// reads and the commit whatever the machine's speed. The test then waits for the handler itself to
// settle before counting rows: a handler that commits after its timeout answer is caught.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { createServices, type Services } from "../../src/services/index.ts";
import { Metrics } from "../../src/observability/metrics.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { createRateLimiter } from "../../src/server/rate-limit.ts";
import { ToolPipeline } from "../../src/server/pipeline.ts";
import type { AnyTool, ToolContext } from "../../src/server/define-tool.ts";
import { loadDemo } from "../../src/services/demo/load.ts";
import { calculateHealthScore } from "../../src/tools/health/calculate-health-score.ts";
import { identifyChurnRisk } from "../../src/tools/retention/identify-churn-risk.ts";
import { identifyExpansionOpportunities } from "../../src/tools/expansion/identify-expansion-opportunities.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const ACCOUNTS = 60;

const untilAborted = (signal: AbortSignal) =>
  new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));

/** Wraps a tool so the test can hold its work until the deadline and await the handler's own settlement. */
function observed(tool: AnyTool, settled: Array<Promise<unknown>>, signals: AbortSignal[], holdProgress: boolean): AnyTool {
  return {
    ...tool,
    handler(args: unknown, ctx: ToolContext) {
      signals.push(ctx.signal);
      const held: ToolContext = holdProgress
        ? { ...ctx, progress: async (...a) => { await untilAborted(ctx.signal); await ctx.progress(...a); } }
        : ctx;
      const p = tool.handler(args, held);
      settled.push(p.catch(() => undefined));
      return p;
    },
  };
}

async function count(t: TestDb, table: string): Promise<number> {
  const [row] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return row!.n;
}

describe.each(BACKENDS)("timed-out portfolio calls store nothing (%s)", (backend) => {
  let t: TestDb;
  let services: Services;
  const settled: Array<Promise<unknown>> = [];
  const signals: AbortSignal[] = [];
  let pipeline: ToolPipeline;

  beforeAll(async () => {
    t = await openTestDb(backend, { CS_MCP_TOOL_TIMEOUT_MS: "100" });
    await loadDemo(t.db, { seed: 5, accounts: ACCOUNTS, now: NOW });
    services = createServices({ db: t.db, redis: null, config: t.config, metrics: new Metrics(), now: () => NOW });
    // identify_expansion_opportunities reports no progress: hold it inside its write transaction instead.
    const opps = (services.expansion.opportunities as unknown as { opps: { upsert: (...a: unknown[]) => Promise<unknown> } }).opps;
    const upsert = opps.upsert.bind(opps);
    opps.upsert = async (...a: unknown[]) => {
      const out = await upsert(...a);
      await untilAborted(signals.at(-1)!);
      return out;
    };
    pipeline = new ToolPipeline(
      [
        observed(calculateHealthScore, settled, signals, true),
        observed(identifyChurnRisk, settled, signals, true),
        observed(identifyExpansionOpportunities, settled, signals, false),
      ],
      { services, logger: createLogger("silent"), metrics: new Metrics(), limiter: createRateLimiter(0, null), timeoutMs: t.config.CS_MCP_TOOL_TIMEOUT_MS },
    );
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  async function timesOutLeavingNothing(tool: string, args: Record<string, unknown>, tables: string[]) {
    const before = await Promise.all(tables.map((table) => count(t, table)));
    const r = await pipeline.call(tool, args);
    await Promise.all(settled.splice(0));
    expect(r.isError).toBe(true);
    const error = JSON.parse((r.content[0] as { text: string }).text).error as { code: string; message: string };
    expect(error.code).toBe("timeout");
    expect(error.message).toBe(`${tool} did not finish within 100 ms; nothing was changed`);
    expect(await Promise.all(tables.map((table) => count(t, table)))).toEqual(before);
  }

  it("calculate_health_score {all}: no score stored, no account updated", async () => {
    const updatedBefore = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM accounts WHERE health_score IS NOT NULL");
    await timesOutLeavingNothing("calculate_health_score", { all: true }, ["health_scores", "audit_log"]);
    const updatedAfter = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM accounts WHERE health_score IS NOT NULL");
    expect(updatedAfter).toEqual(updatedBefore);
  });

  it("identify_churn_risk over the portfolio: no prediction stored", async () => {
    await timesOutLeavingNothing("identify_churn_risk", {}, ["churn_predictions", "audit_log"]);
  });

  it("identify_expansion_opportunities: no opportunity stored or updated", async () => {
    const before = await t.db.query("SELECT id, score, estimated_value, updated_at FROM expansion_opportunities ORDER BY id");
    await timesOutLeavingNothing("identify_expansion_opportunities", {}, ["expansion_opportunities", "audit_log"]);
    expect(await t.db.query("SELECT id, score, estimated_value, updated_at FROM expansion_opportunities ORDER BY id")).toEqual(before);
  });
});
