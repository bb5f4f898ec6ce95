// The bad-input matrix over stdio: every bad argument gets a validation error that names the field and
// the rule, and nothing in the database changes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embeddedDataDir } from "../helpers/databases.ts";
import { dataOf, errorOf, startServer, type RunningServer } from "../helpers/server.ts";

let server: RunningServer;
let remove: () => void;
let clientId = "";

async function accountCount(): Promise<number> {
  return dataOf<{ total: number }>(await server.call("list_clients", {})).total;
}

beforeAll(async () => {
  const d = embeddedDataDir();
  remove = d.remove;
  server = await startServer({ CS_MCP_DATA_DIR: d.dir });
  clientId = dataOf<{ client_id: string }>(
    await server.call("register_client", { client_name: "Base", company_name: "Base Co", primary_contact_email: "base@base.co", tier: "standard" }),
  ).client_id;
});
afterAll(async () => {
  await server?.close();
  remove?.();
});

const HUGE = "x".repeat(1_000_000);
const VALID_REG = { client_name: "N", company_name: "New Co", primary_contact_email: "n@new.co" };

// [tool, arguments, text the message must contain]
const MATRIX: Array<[string, Record<string, unknown>, string]> = [
  // wrong types
  ["register_client", { ...VALID_REG, contract_value: "1000" }, "contract_value: must be a number"],
  ["register_client", { ...VALID_REG, tier: "gold" }, "tier: must be one of starter, standard, professional, enterprise"],
  ["register_client", { ...VALID_REG, seats: 2.5 }, "seats:"],
  ["register_client", { ...VALID_REG, contract_value: -1 }, "contract_value: must not be negative"],
  ["register_client", { ...VALID_REG, contract_value: 10.005 }, "contract_value: must have at most 2 decimal places"],
  ["register_client", { ...VALID_REG, contract_start_date: "2025-13-01" }, "contract_start_date: must be a date in ISO 8601 form YYYY-MM-DD"],
  ["register_client", { ...VALID_REG, primary_contact_email: "not-an-email" }, "primary_contact_email: must be an email address"],
  ["register_client", { ...VALID_REG, company_name: "" }, "company_name: must not be empty"],
  ["register_client", { ...VALID_REG, company_name: "bad\u0000name" }, "company_name: must not contain the NUL character"], // the pipeline refuses NUL in any field before the schema,
  ["register_client", { client_name: "N", primary_contact_email: "n@new.co" }, "company_name: is required"],
  ["register_client", { ...VALID_REG, contract_start_date: "2026-06-01", contract_end_date: "2026-01-01" }, "contract_end_date: must not be before contract_start_date"],
  ["list_clients", { limit: "10" }, "limit: Invalid input: expected number, received string"],
  ["list_clients", { limit: 501 }, "limit:"],
  ["list_clients", { health_score_min: 101 }, "health_score_min:"],
  ["list_clients", { health_score_min: 80, health_score_max: 20 }, "health_score_min: must not exceed health_score_max"],
  ["list_clients", { lifecycle_stage_filter: "dormant" }, "lifecycle_stage_filter: must be one of onboarding"],
  ["list_clients", { cursor: "not-a-cursor" }, "cursor: is not a cursor this server issued"],
  ["get_client_timeline", { client_id: "cs_1_base", event_types: ["party"] }, "event_types.0: must be one of registered"],
  ["get_client_timeline", { client_id: "cs_1_base", start_date: "yesterday" }, "start_date: must be an ISO 8601 date"],
  // malformed ids
  ["get_client_overview", { client_id: "acme" }, "client_id: must be a client_id of the form cs_<digits>_<lowercase slug>"],
  ["get_client_overview", { client_id: "cs_123_ACME" }, "client_id: must be a client_id"],
  ["get_client_overview", { client_id: "../../etc/passwd" }, "client_id: must be a client_id"],
  ["get_client_overview", { client_id: "cs_1_a'; DROP TABLE accounts;--" }, "client_id: must be a client_id"],
  ["get_client_overview", { client_id: 42 }, "client_id: Invalid input: expected string, received number"],
  ["get_client_overview", {}, "client_id: is required"],
  // unknown fields
  ["get_client_overview", { client_id: "cs_1_base", include_everything: true }, "unknown field 'include_everything'"],
  ["update_client_info", { client_id: "cs_1_base", updates: { lifecycle_stage: "churned" } }, "updates: unknown field 'lifecycle_stage'"],
  ["update_client_info", { client_id: "cs_1_base", updates: {} }, "updates: must name at least one field"],
  // huge strings
  ["register_client", { ...VALID_REG, company_name: HUGE }, "company_name: must be at most 200 characters"],
  ["update_client_info", { client_id: "cs_1_base", updates: { industry: HUGE } }, "updates.industry: must be at most 100 characters"],
];

describe("bad input over stdio", () => {
  it.each(MATRIX.map(([tool, args, expected]) => [tool, JSON.stringify(args).slice(0, 80), args, expected] as const))("%s %s is refused naming the field", async (tool, _label, args, expected) => {
    const before = await accountCount();
    const args2 = { ...args };
    if (args2.client_id === "cs_1_base") args2.client_id = clientId;
    const err = errorOf(await server.call(tool, args2));
    expect(err.code).toBe("validation_error");
    expect(err.message).toContain(expected);
    expect(await accountCount()).toBe(before);
  });

  it("refuses __proto__ keys by path and pollutes nothing", async () => {
    const nested = JSON.parse(`{"client_id":"${clientId}","updates":{"__proto__":{"tier":"enterprise"}}}`) as Record<string, unknown>;
    await expect(server.call("update_client_info", nested)).rejects.toThrow(/params\.arguments\.updates\.__proto__: keys named "__proto__" are not accepted/);
    const top = JSON.parse(`{"client_id":"${clientId}","__proto__":{"x":1}}`) as Record<string, unknown>;
    await expect(server.call("get_client_overview", top)).rejects.toThrow(/params\.arguments\.__proto__/);
    const o = dataOf<{ profile: { tier: string } }>(await server.call("get_client_overview", { client_id: clientId }));
    expect(o.profile.tier).toBe("standard");
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it("stores SQL-looking text verbatim as data", async () => {
    const name = "Robert'); DROP TABLE accounts;-- Inc";
    const before = await accountCount();
    const r = dataOf<{ client_id: string; company_name: string }>(
      await server.call("register_client", { client_name: "x", company_name: name, primary_contact_email: "bobby@tables.io" }),
    );
    expect(r.company_name).toBe(name);
    expect(r.client_id).toMatch(/^cs_\d+_robert_drop_table_accounts_inc$/);
    expect(await accountCount()).toBe(before + 1);
  });

  it("answers an unknown client with not_found and a hint", async () => {
    const err = errorOf(await server.call("get_client_overview", { client_id: "cs_1_nobody_here" }));
    expect(err).toMatchObject({ code: "not_found", message: "client cs_1_nobody_here was not found" });
    expect(err.hint).toContain("list_clients");
  });

  it("rejects a call to a tool that does not exist with a protocol error", async () => {
    await expect(server.call("delete_everything", {})).rejects.toThrow(/Unknown tool: delete_everything/);
  });
});
