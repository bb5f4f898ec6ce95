// `cs-mcp import` as a person runs it: the built CLI against a copy of a migrated embedded data directory.
// Exit codes: 0 all imported, 1 rows rejected or --strict rolled back, 2 usage errors.
import { spawnSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { embeddedDataDir } from "../helpers/databases.ts";
import { CLI, serverEnv } from "../helpers/server.ts";

const FIX = "tests/fixtures/import";
const { dir, remove } = embeddedDataDir();
afterAll(() => remove());

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, "import", ...args], { env: serverEnv({ LOG_LEVEL: "warn", CS_MCP_DATA_DIR: dir }), timeout: 60_000 });
  return { code: r.status, out: r.stdout.toString(), err: r.stderr.toString() };
}

describe("cs-mcp import (built CLI, embedded database)", () => {
  it("imports accounts then usage events; --json summary with the external_id → client_id mapping; re-import is a no-op", () => {
    const acc = cli(["accounts", `${FIX}/accounts.csv`, "--json"]);
    expect(acc.code, acc.err).toBe(0);
    const summary = JSON.parse(acc.out) as { kind: string; rows: number; created: number; mapping: Record<string, string>; errors: unknown[]; duration_ms: number };
    expect(summary).toMatchObject({ kind: "accounts", file: `${FIX}/accounts.csv`, rows: 3, created: 3, updated: 0, skipped: 0, errors: [] });
    expect(Object.keys(summary.mapping)).toEqual(["crm-1", "crm-2", "crm-3"]);
    expect(summary.mapping["crm-1"]).toMatch(/^cs_\d+_acme_inc$/);
    expect(typeof summary.duration_ms).toBe("number");

    const ev = cli(["usage_events", `${FIX}/usage_events.jsonl`]);
    // The fixture names one account by a fixed client_id that this run did not issue: one row error.
    expect(ev.code).toBe(1);
    expect(ev.out).toMatch(/^import usage_events from .*: 6 rows, 4 created, 0 updated, 1 skipped, 1 rejected/);
    expect(ev.out).toContain("line 4: account: no account has client_id or external_id 'cs_1735689600_globex'");

    const again = cli(["usage_events", `${FIX}/usage_events.csv`, "--json"]);
    expect(JSON.parse(again.out)).toMatchObject({ created: 0, updated: 0, skipped: 5, rejected: 1 });
  });

  it("--strict exits 1 and keeps nothing; --dry-run exits 0 and keeps nothing", () => {
    const strict = cli(["usage_events", `${FIX}/usage_events_bad.csv`, "--strict", "--json"]);
    expect(strict.code).toBe(1);
    expect(JSON.parse(strict.out)).toMatchObject({ rolled_back: true, created: 0, error_count: 4 });
    const dry = cli(["tickets", `${FIX}/tickets.csv`, "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.out).toContain("3 created");
    expect(dry.out).toContain("dry run: nothing written");
    const real = cli(["tickets", `${FIX}/tickets.csv`, "--json"]);
    expect(JSON.parse(real.out)).toMatchObject({ created: 3 });
  });

  it("usage errors exit 2: unknown kind, missing file, missing arguments, bad --format", () => {
    expect(cli(["widgets", `${FIX}/accounts.csv`]).code).toBe(2);
    const missing = cli(["accounts", "nope.csv"]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("file not found: nope.csv");
    expect(cli(["accounts"]).code).toBe(2);
    const fmt = cli(["accounts", `${FIX}/accounts.csv`, "--format", "xml"]);
    expect(fmt.code).toBe(2);
    expect(fmt.err).toContain("--format: must be one of csv, jsonl");
  });
});
