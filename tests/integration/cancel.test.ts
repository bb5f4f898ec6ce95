// A client's cancel (the signal the SDK aborts on notifications/cancelled) stops a portfolio run and
// leaves no row behind. The cancel is sent from the run's first progress report, so it always lands
// after the signals are loaded and before anything is written, whatever the machine's speed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { pipelineFor } from "../helpers/pipeline.ts";
import { loadDemo } from "../../src/services/demo/load.ts";
import { calculateHealthScore } from "../../src/tools/health/calculate-health-score.ts";
import { identifyChurnRisk } from "../../src/tools/retention/identify-churn-risk.ts";
import type { ToolPipeline } from "../../src/server/pipeline.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");

describe.each(BACKENDS)("a cancelled portfolio run stores nothing (%s)", (backend) => {
  let t: TestDb;
  let pipeline: ToolPipeline;

  const count = async (table: string) => (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n;
  const storedHealth = async () => (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM accounts WHERE health_score IS NOT NULL`))[0]!.n;

  beforeAll(async () => {
    t = await openTestDb(backend);
    await loadDemo(t.db, { seed: 9, accounts: 50, now: NOW });
    pipeline = pipelineFor(t, [calculateHealthScore, identifyChurnRisk], NOW);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  async function cancelledAtFirstProgress(tool: string, args: Record<string, unknown>) {
    const client = new AbortController();
    const reports: number[] = [];
    const r = await pipeline.call(tool, args, {
      signal: client.signal,
      sendProgress: async (progress) => {
        reports.push(progress);
        client.abort();
      },
    });
    expect(reports[0]).toBe(0);
    expect(r.isError).toBe(true);
    return JSON.parse((r.content[0] as { text: string }).text).error as { code: string; message: string };
  }

  it("calculate_health_score {all: true}", async () => {
    const err = await cancelledAtFirstProgress("calculate_health_score", { all: true });
    expect(err).toMatchObject({ code: "timeout", message: "the call was cancelled; nothing was changed" });
    expect(await count("health_scores")).toBe(0);
    expect(await storedHealth()).toBe(0);
    // Not cancelled, the same call stores a row per account with data: the run above really was stopped.
    const ok = await pipeline.call("calculate_health_score", { all: true });
    expect(ok.isError, JSON.stringify(ok.content)).toBeFalsy();
    expect(await count("health_scores")).toBeGreaterThan(0);
  });

  it("identify_churn_risk over every account", async () => {
    const err = await cancelledAtFirstProgress("identify_churn_risk", {});
    expect(err).toMatchObject({ code: "timeout", message: "the call was cancelled; nothing was changed" });
    expect(await count("churn_predictions")).toBe(0);
  });
});
