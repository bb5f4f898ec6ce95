// A warm start loads only what its first call needs: the built server, spawned under a loader hook that
// records every module it loads (tests/helpers/record-modules.mjs), answers list_clients having loaded that
// one tool's module and the client service, no module of another tool or toolset and no other service;
// a tool of another toolset then loads on its call and answers from the same stored data.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { embeddedDataDir } from "../helpers/databases.ts";
import { dataOf, startServer } from "../helpers/server.ts";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const DIST = resolve("dist/src");
/** The loaded modules of dist/src/<dir>/, as paths below it (`core/list-clients.js`). */
function loaded(file: string, dir: "tools" | "services"): string[] {
  const prefix = `file://${DIST}/${dir}/`;
  const urls = readFileSync(file, "utf8").trim().split("\n");
  return [...new Set(urls.filter((u) => u.startsWith(prefix)).map((u) => u.slice(prefix.length)))].sort();
}
const toolModules = (file: string) => loaded(file, "tools").filter((m) => m.includes("/"));

describe("tool modules and services load on first use", () => {
  it("list_clients loads its own module and the client service only; track_renewals then loads and answers", async () => {
    const { dir, remove } = embeddedDataDir();
    const scratch = mkdtempSync(join(tmpdir(), "cs-mcp-modules-"));
    const modules = join(scratch, "modules.txt");
    const server = await startServer({
      CS_MCP_DATA_DIR: dir,
      CS_MCP_TOOLSETS: "",
      // The outbox dispatcher starts a second after the open and loads vendor code: not part of this question.
      OUTBOX_DISPATCH_IN_SERVER: "false",
      NODE_OPTIONS: `--import ${resolve("tests/helpers/record-modules.mjs")}`,
      CS_MCP_TEST_MODULES_FILE: modules,
    });
    cleanups.push(async () => {
      await server.close();
      remove();
      rmSync(scratch, { recursive: true, force: true });
    });

    const first = dataOf<{ total: number; clients: unknown[] }>(await server.call("list_clients", {}));
    expect(first).toMatchObject({ total: 0, clients: [] });
    expect(toolModules(modules)).toEqual(["core/list-clients.js"]);
    // The container, the client service and what it is made of; no other service's module.
    const services = loaded(modules, "services");
    expect(services).toContain("container.js");
    expect(services).toContain("clients.js");
    expect(services.filter((m) => !["container.js", "clients.js", "client-ids.js"].includes(m) && !m.startsWith("shared/"))).toEqual([]);

    const renewal = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    const registered = dataOf<{ client_id: string }>(
      await server.call("register_client", { client_name: "Acme", company_name: "Acme Corp", primary_contact_email: "jane@acme.example", contract_value: 48000, renewal_date: renewal }),
    );
    const renewals = dataOf<{ renewals: Array<{ client_id: string; arr: number; renewal_date: string }> }>(await server.call("track_renewals", { days_until_renewal: 60 }));
    expect(renewals.renewals.map((r) => ({ client_id: r.client_id, arr: r.arr, renewal_date: r.renewal_date }))).toEqual([{ client_id: registered.client_id, arr: 48000, renewal_date: renewal }]);

    const after = toolModules(modules);
    expect(after).toEqual(expect.arrayContaining(["core/list-clients.js", "core/register-client.js", "expansion/track-renewals.js"]));
    expect(after.filter((m) => !m.startsWith("core/") && !m.startsWith("expansion/"))).toEqual([]);
    expect(after).not.toContain("expansion/forecast-renewals.js");
    expect(loaded(modules, "services")).toContain("expansion/index.js");
    // The expansion service scores churn risk (retention/churn-*.js); no other toolset's service came with it.
    expect(loaded(modules, "services").filter((m) => m === "retention/index.js" || /^(onboarding|support|feedback|communication|programs|demo)\//.test(m))).toEqual([]);
  });
});
