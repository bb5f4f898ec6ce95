// The monitoring configuration checked by the tools that run it: `promtool check config`, `promtool test
// rules` (each alert fires on its trigger and stays silent otherwise), `amtool check-config`; and every
// metric named by an alert or a dashboard query is one /metrics exports (tests/monitoring/metric-names.ts).
// promtool and amtool come from Debian's prometheus and prometheus-alertmanager packages (.ci/run installs them).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { METRIC_NAMES, metricsIn } from "./metric-names.ts";

const DIR = "deploy/monitoring";

function tool(cmd: string, args: string[], cwd = DIR): string {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", timeout: 120_000 });
  if (r.error) throw new Error(`${cmd} is not installed (apt-get install -y prometheus prometheus-alertmanager): ${r.error.message}`);
  const out = `${r.stdout}${r.stderr}`;
  expect(r.status, out).toBe(0);
  return out;
}

interface Rule {
  alert: string;
  expr: string;
  annotations: Record<string, string>;
}
const rules = (parse(readFileSync(`${DIR}/rules/cs-mcp.rules.yml`, "utf8")) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((g) => g.rules);
const dashboard = JSON.parse(readFileSync(`${DIR}/grafana/cs-mcp-dashboard.json`, "utf8")) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };

describe("monitoring configuration, checked by promtool and amtool", () => {
  it("promtool check config accepts prometheus.yml and its rule file", () => {
    expect(tool("promtool", ["check", "config", "prometheus.yml"])).toContain("SUCCESS: 11 rules found");
  });

  it("promtool test rules: every alert's unit tests pass", () => {
    expect(tool("promtool", ["test", "rules", "cs-mcp.rules.test.yml"], `${DIR}/rules`)).toContain("SUCCESS");
  });

  it("every alert has a unit test", () => {
    const tested = new Set([...readFileSync(`${DIR}/rules/cs-mcp.rules.test.yml`, "utf8").matchAll(/alertname: (\w+)/g)].map((m) => m[1]));
    expect(rules.map((r) => r.alert).filter((a) => !tested.has(a))).toEqual([]);
  });

  it("amtool check-config accepts alertmanager.yml", () => {
    expect(tool("amtool", ["check-config", "alertmanager.yml"])).toContain("SUCCESS");
  });

  it("each alert links its runbook, and the runbook exists", () => {
    expect(rules.map((r) => r.alert)).toEqual([
      "CsMcpHighErrorRate", "CsMcpHighLatencyP99", "CsMcpNotReady", "CsMcpOutboxBacklog", "CsMcpOutboxStale",
      "CsMcpOutboxDead", "CsMcpBreakerOpen", "CsMcpRateLimitSaturation", "CsMcpMemoryGrowth", "CsMcpBackupTooOld", "CsMcpBackupFailed",
    ]);
    for (const r of rules) {
      expect(r.annotations.runbook_url).toBe(`docs/runbooks/${r.alert}.md`);
      expect(existsSync(r.annotations.runbook_url!), r.annotations.runbook_url).toBe(true);
    }
  });
});

describe("metric names", () => {
  it("the extractor finds metric names and ignores functions, labels and grouping", () => {
    expect(metricsIn('histogram_quantile(0.99, sum by (tool, le) (rate(cs_mcp_tool_call_duration_seconds_bucket{outcome="ok"}[5m]))) > 5')).toEqual(["cs_mcp_tool_call_duration_seconds_bucket"]);
    expect(metricsIn("time() - max(cs_mcp_backup_last_success_timestamp_seconds) > 26 * 3600")).toEqual(["cs_mcp_backup_last_success_timestamp_seconds"]);
    expect(metricsIn("cs_mcp_ready == 0 or up{job=~\"cs-mcp.*\"} == 0")).toEqual(["cs_mcp_ready", "up"]);
  });

  it("alert rules name only exported metrics", () => {
    const named = rules.flatMap((r) => metricsIn(r.expr));
    expect(named.length).toBeGreaterThan(10);
    expect(named.filter((m) => !METRIC_NAMES.includes(m))).toEqual([]);
  });

  it("every dashboard query names only exported metrics", () => {
    const queries = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
    expect(queries.length).toBeGreaterThanOrEqual(17);
    for (const q of queries) {
      const names = metricsIn(q);
      expect(names.length, q).toBeGreaterThan(0);
      expect(names.filter((m) => !METRIC_NAMES.includes(m)), q).toEqual([]);
    }
  });

  it("the dashboard shows every cs_mcp metric", () => {
    const shown = new Set(dashboard.panels.flatMap((p) => p.targets.flatMap((t) => metricsIn(t.expr))));
    const base = METRIC_NAMES.filter((m) => m.startsWith("cs_mcp_") && !/_(sum|count)$/.test(m));
    expect(base.filter((m) => !shown.has(m))).toEqual([]);
  });
});
