// The first start of the built server over stdio with the SDK client: a new data directory is created
// from the shipped pre-initialised one (no initdb, no migrations run at start-up), and with --demo the
// call that waits for the demo portfolio hears the loading as MCP progress notifications.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Progress } from "@modelcontextprotocol/sdk/types.js";
import { dataOf, startServer } from "../helpers/server.ts";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function newDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "cs-mcp-first-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe("first start", () => {
  it("--demo: the first call waiting for the demo portfolio receives its loading as progress, then the portfolio", async () => {
    const s = await startServer({ CS_MCP_DATA_DIR: newDataDir(), LOG_LEVEL: "debug" }, ["--demo"]);
    cleanups.push(() => s.close());
    const seen: Progress[] = [];
    const result = await s.client.callTool({ name: "list_clients", arguments: { limit: 1 } }, undefined, {
      onprogress: (p) => seen.push(p),
      timeout: 300_000,
    });
    expect(dataOf<{ total: number }>(result as never).total).toBe(200);
    expect(seen.length).toBeGreaterThanOrEqual(1);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.progress).toBeGreaterThan(seen[i - 1]!.progress);
    // The loader writes the portfolio in parts (src/services/demo/load.ts): one total for the whole load,
    // a step per part ("wrote N of 200 accounts" / "committing the demo portfolio"), then the last step.
    const total = seen[0]!.total!;
    expect(total).toBeGreaterThanOrEqual(2);
    for (const p of seen) {
      expect(p.total).toBe(total);
      expect(p.message).toMatch(/demo portfolio|wrote \d+ of 200 accounts/);
    }
    expect(seen.at(-1)).toMatchObject({ progress: total, total, message: "demo portfolio loaded" });
    // Created from the shipped template: initdb and the migrations did not run in this process.
    expect(s.stderr()).toContain("embedded database created from the pre-initialised template");
    expect(s.stderr()).not.toContain('"migrations applied"');
  }, 300_000);

  it("a call once the server is open gets no start-up progress", async () => {
    const s = await startServer({ CS_MCP_DATA_DIR: newDataDir() });
    cleanups.push(() => s.close());
    expect(dataOf<{ total: number }>(await s.call("list_clients", { limit: 1 })).total).toBe(0);
    const seen: Progress[] = [];
    const result = await s.client.callTool({ name: "list_clients", arguments: { limit: 1 } }, undefined, { onprogress: (p) => seen.push(p) });
    expect(dataOf<{ total: number }>(result as never).total).toBe(0);
    expect(seen).toEqual([]);
  }, 120_000);
});
