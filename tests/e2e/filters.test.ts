// Toolset, read-only and exclusion filters, as flags and as environment variables, seen by a client.
import { spawnSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { embeddedDataDir } from "../helpers/databases.ts";
import { CLI, serverEnv, startServer, type RunningServer } from "../helpers/server.ts";
import { ALL_TOOLS } from "../../src/tools/definitions.ts";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function toolsWith(env: Record<string, string>, args: string[] = []): Promise<{ names: string[]; server: RunningServer }> {
  const { dir, remove } = embeddedDataDir();
  const server = await startServer({ CS_MCP_DATA_DIR: dir, ...env }, args);
  cleanups.push(async () => {
    await server.close();
    remove();
  });
  const { tools } = await server.client.listTools();
  return { names: tools.map((t) => t.name).sort(), server };
}

describe("tool filters", () => {
  it("--toolsets core exposes exactly the core tools", async () => {
    const { names } = await toolsWith({}, ["--toolsets", "core"]);
    expect(names).toEqual(ALL_TOOLS.filter((t) => t.toolset === "core").map((t) => t.name).sort());
    expect(names).toHaveLength(5);
  });

  it("CS_MCP_READ_ONLY=true exposes only tools whose readOnlyHint is true (or that then compute without storing), and hides writers from calls", async () => {
    const { names, server } = await toolsWith({ CS_MCP_READ_ONLY: "true" });
    expect(names).toEqual(ALL_TOOLS.filter((t) => t.annotations.readOnlyHint || t.readOnlyCompute).map((t) => t.name).sort());
    expect(names).not.toContain("register_client");
    await expect(server.call("register_client", { client_name: "a", company_name: "b", primary_contact_email: "c@d.io" })).rejects.toThrow(/Unknown tool: register_client/);
  });

  it("--exclude-tools removes the named tools", async () => {
    const { names } = await toolsWith({ CS_MCP_EXCLUDE_TOOLS: "update_client_info,health_check_deep" });
    expect(names).toEqual(ALL_TOOLS.map((t) => t.name).filter((n) => n !== "update_client_info" && n !== "health_check_deep").sort());
  });

  it("refuses an unknown toolset at start-up, naming the variable", () => {
    const { dir, remove } = embeddedDataDir();
    cleanups.push(remove);
    const r = spawnSync(process.execPath, [CLI, "--toolsets", "core,magic"], { env: serverEnv({ CS_MCP_DATA_DIR: dir }), input: "", timeout: 20_000 });
    expect(r.status).toBe(1);
    expect(r.stderr.toString()).toContain("CS_MCP_TOOLSETS (--toolsets): unknown toolset 'magic'");
    expect(r.stdout.toString()).toBe("");
  });

  it("refuses health weights that do not sum to 1, naming the variables", () => {
    const r = spawnSync(process.execPath, [CLI], { env: serverEnv({ HEALTH_WEIGHT_USAGE: "0.5" }), input: "", timeout: 20_000 });
    expect(r.status).toBe(2);
    expect(r.stderr.toString()).toContain("HEALTH_WEIGHT_USAGE + HEALTH_WEIGHT_ENGAGEMENT + HEALTH_WEIGHT_SUPPORT + HEALTH_WEIGHT_SATISFACTION + HEALTH_WEIGHT_PAYMENT must sum to 1 ± 0.01 (they sum to 1.1500)");
  });

  it("refuses a malformed DATABASE_URL without echoing it", () => {
    const r = spawnSync(process.execPath, [CLI], { env: serverEnv({ DATABASE_URL: "mysql://root:hunter2@db/x" }), input: "", timeout: 20_000 });
    expect(r.status).toBe(2);
    expect(r.stderr.toString()).toContain("DATABASE_URL (--database-url): must be a postgres:// or postgresql:// URL");
    expect(r.stderr.toString()).not.toContain("hunter2");
  });
});
