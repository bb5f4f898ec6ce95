// The realistic portfolio the round trips run against: the demo portfolio loaded by `cs-mcp demo`
// before the measured server starts, or (if the demo command fails) clients registered through the tools.
import { runCli, type RunningServer } from "./spawn.ts";

export interface SeedResult {
  method: "demo" | "register_client";
  accounts: number;
  detail: Record<string, unknown> | string;
}

/** Loads the demo portfolio into the database the env points at. Returns the demo summary, or an error. */
export async function loadDemoPortfolio(env: Record<string, string>, cwd: string, accounts: number, seed: number): Promise<SeedResult | Error> {
  try {
    const out = await runCli(["demo", "--accounts", String(accounts), "--seed", String(seed)], env, cwd);
    const summary = JSON.parse(out) as Record<string, unknown>;
    return { method: "demo", accounts: Number(summary.accounts ?? accounts), detail: summary };
  } catch (err) {
    return err as Error;
  }
}

const TIERS = ["starter", "standard", "professional", "enterprise"] as const;
const INDUSTRIES = ["SaaS", "Healthcare", "Retail", "Finance", "Manufacturing", "Education"] as const;

/** Fallback seeding: registers `accounts` clients through register_client (deterministic values). */
export async function registerPortfolio(server: RunningServer, accounts: number, reason: string): Promise<SeedResult> {
  for (let i = 0; i < accounts; i++) {
    const month = String((i % 12) + 1).padStart(2, "0");
    await server.call("register_client", {
      client_name: `Seed Contact ${i}`,
      company_name: `Seed Company ${i}`,
      primary_contact_email: `owner${i}@seed-${i}.example.com`,
      industry: INDUSTRIES[i % INDUSTRIES.length],
      tier: TIERS[i % TIERS.length],
      contract_value: 6_000 + ((i * 7_919) % 200) * 500,
      contract_start_date: `2025-${month}-01`,
      contract_end_date: `2026-${month}-01`,
      seats: 5 + (i % 50),
    });
  }
  return { method: "register_client", accounts, detail: reason };
}

/** The client ids of the portfolio (up to the first 500), in list order: pages of list_clients' largest limit. */
export async function listClientIds(server: RunningServer): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const { result } = await server.call("list_clients", { limit: 100, ...(cursor ? { cursor } : {}) });
    const data = result.structuredContent as { clients: Array<{ client_id: string }>; next_cursor: string | null };
    ids.push(...data.clients.map((c) => c.client_id));
    cursor = data.next_cursor;
  } while (cursor && ids.length < 500);
  return ids;
}

/** Which database the server really uses (guards against a leaked DATABASE_URL). */
export async function databaseKind(server: RunningServer): Promise<string> {
  const { result } = await server.call("health_check_readiness", {});
  const data = result.structuredContent as { checks: { database: { kind: string } } };
  return data.checks.database.kind;
}
