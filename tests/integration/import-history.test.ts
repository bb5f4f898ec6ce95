// Imported accounts keep their history (issue 15 §1–2): a customer whose contract started six years ago is
// neither "0 days" nor "onboarding"; past churners load with their outcome and count as churned; extra
// columns become typed attributes shown in the overview. The built CLI, spawned, on an embedded data dir.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { embeddedDataDir } from "../helpers/databases.ts";
import { CLI, serverEnv } from "../helpers/server.ts";

const { dir, remove } = embeddedDataDir();
const files = mkdtempSync(join(tmpdir(), "cs-import-history-"));
afterAll(() => {
  remove();
  rmSync(files, { recursive: true, force: true });
});

function run(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: serverEnv({ LOG_LEVEL: "warn", CS_MCP_DATA_DIR: dir }), timeout: 120_000 });
  return { code: r.status, out: r.stdout.toString(), err: r.stderr.toString() };
}

const DAY = 86_400_000;
const today = new Date();
const daysAgo = (n: number) => new Date(today.getTime() - n * DAY).toISOString().slice(0, 10);
const daysAhead = (n: number) => new Date(today.getTime() + n * DAY).toISOString().slice(0, 10);
const SIX_YEARS = 6 * 365 + 1;

// Each step spawns the CLI (a few seconds each on a shared machine): generous per-test time limits.
describe("importing accounts with their history", { timeout: 600_000 }, () => {
  it("an account whose contract started 6 years ago: ~6 years tenure in overview and churn factors, stage not onboarding", () => {
    const csv = [
      "external_id,company_name,contract_value,contract_start_date,renewal_date,plan,monthly_charges",
      `old-1,Oldco,24000,${daysAgo(SIX_YEARS)},${daysAhead(200)},enterprise,1999.5`,
      `new-1,Newco,1200,${daysAgo(10)},${daysAhead(355)},starter,100`,
    ].join("\n");
    writeFileSync(join(files, "accounts.csv"), csv);
    const imp = run(["import", "accounts", join(files, "accounts.csv"), "--json"]);
    expect(imp.code, imp.err).toBe(0);
    const summary = JSON.parse(imp.out) as { created: number; mapping: Record<string, string>; attributes: Record<string, string>; warnings: string[] };
    expect(summary.created).toBe(2);
    expect(summary.attributes).toEqual({ plan: "categorical", monthly_charges: "numeric" });
    expect(summary.warnings).toEqual([]);
    const old = summary.mapping["old-1"]!;

    const ov = run(["call", "get_client_overview", JSON.stringify({ client_id: old })]);
    expect(ov.code, ov.err + ov.out).toBe(0);
    const profile = (JSON.parse(ov.out) as { profile: { lifecycle_stage: string; tenure_days: number; customer_since: string; attributes: Record<string, unknown> } }).profile;
    expect(profile.tenure_days).toBeGreaterThanOrEqual(SIX_YEARS - 1);
    expect(profile.tenure_days).toBeLessThanOrEqual(SIX_YEARS + 1);
    expect(profile.customer_since.slice(0, 10)).toBe(daysAgo(SIX_YEARS));
    expect(profile.lifecycle_stage).toBe("maturity");
    expect(profile.attributes).toEqual({ monthly_charges: 1999.5, plan: "enterprise" });

    const newer = JSON.parse(run(["call", "get_client_overview", JSON.stringify({ client_id: summary.mapping["new-1"] })]).out) as { profile: { lifecycle_stage: string; tenure_days: number } };
    expect(newer.profile).toMatchObject({ lifecycle_stage: "onboarding", tenure_days: 10 });

    const churn = run(["call", "identify_churn_risk", JSON.stringify({ client_id: old })]);
    expect(churn.code, churn.err + churn.out).toBe(0);
    const factors = (JSON.parse(churn.out) as { account: { factors: Array<{ factor: string; detail: string }> } }).account.factors;
    expect(factors.map((f) => f.factor)).not.toContain("short_tenure");
    expect(factors.map((f) => f.factor)).not.toContain("lifecycle_stage");
    expect(JSON.stringify(factors)).not.toContain("customer for 0 days");
  });

  it("past churners load with status, churned_at and churn_reason and count as churned; bad outcome rows are refused by column", () => {
    const csv = [
      "external_id,company_name,contract_value,contract_start_date,status,churned_at,churn_reason",
      `gone-1,Goneco,5000,${daysAgo(800)},churned,${daysAgo(30)},price`,
      `bad-1,Badco,5000,${daysAgo(800)},churned,,`,
      `bad-2,Badco2,5000,${daysAgo(800)},paused,,`,
    ].join("\n");
    writeFileSync(join(files, "churned.csv"), csv);
    const imp = run(["import", "accounts", join(files, "churned.csv"), "--json"]);
    expect(imp.code).toBe(1);
    const summary = JSON.parse(imp.out) as { created: number; mapping: Record<string, string>; errors: Array<{ line: number; column: string; reason: string }> };
    expect(summary.created).toBe(1);
    expect(summary.errors).toEqual([
      { line: 3, column: "churned_at", reason: "churned_at: is required when status is churned" },
      { line: 4, column: "status", reason: "status: must be one of active, churned" },
    ]);
    const ov = JSON.parse(run(["call", "get_client_overview", JSON.stringify({ client_id: summary.mapping["gone-1"] })]).out) as { profile: Record<string, unknown> };
    expect(ov.profile).toMatchObject({ status: "churned", lifecycle_stage: "churned", churn_reason: "price" });
    expect(String(ov.profile.status_since).slice(0, 10)).toBe(daysAgo(30));
    // Churned accounts are not scored as active ones.
    const portfolio = JSON.parse(run(["call", "identify_churn_risk", "{}"]).out) as { accounts: Array<{ client_id: string }> };
    expect(portfolio.accounts.map((a) => a.client_id)).not.toContain(summary.mapping["gone-1"]);
  });
});
