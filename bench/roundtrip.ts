// Round trips over stdio: a tool called back to back through the SDK client, after a warm-up.
import type { RunningServer } from "./spawn.ts";

export interface ToolCase {
  /** Row label in the report (the tool name, plus what differs from its defaults). */
  label: string;
  tool: string;
  /** Arguments of call number i (warm-up calls first, then the measured ones, numbered on). */
  args(i: number): Record<string, unknown>;
}

export interface RoundTripPlan {
  warmup: number;
  calls: number;
}

/** Durations (ms) of `plan.calls` sequential calls, after `plan.warmup` unmeasured ones. */
export async function measureRoundTrips(server: RunningServer, c: ToolCase, plan: RoundTripPlan): Promise<number[]> {
  let i = 0;
  for (; i < plan.warmup; i++) await server.call(c.tool, c.args(i));
  const samples: number[] = [];
  for (let k = 0; k < plan.calls; k++, i++) samples.push((await server.call(c.tool, c.args(i))).ms);
  return samples;
}

/** The cs-mcp core tool cases over a seeded portfolio, reads first (writes change what reads see). */
export function coreToolCases(clientIds: readonly string[], runTag: string): ToolCase[] {
  if (clientIds.length === 0) throw new Error("no client ids to measure with");
  const pick = (i: number) => clientIds[i % clientIds.length]!;
  const updated = clientIds[0]!;
  return [
    { label: "get_client_overview", tool: "get_client_overview", args: (i) => ({ client_id: pick(i) }) },
    { label: "list_clients (limit 50)", tool: "list_clients", args: () => ({ limit: 50 }) },
    { label: "get_client_timeline", tool: "get_client_timeline", args: (i) => ({ client_id: pick(i) }) },
    { label: "health_check_liveness", tool: "health_check_liveness", args: () => ({}) },
    {
      label: "update_client_info",
      tool: "update_client_info",
      // Alternates between two values, so every call changes one field (and writes one timeline event).
      args: (i) => ({ client_id: updated, updates: { seats: i % 2 ? 41 : 40 }, reason: "bench" }),
    },
    {
      label: "register_client",
      tool: "register_client",
      args: (i) => ({
        client_name: `Bench Contact ${i}`,
        company_name: `Bench Company ${runTag} ${i}`,
        primary_contact_email: `contact${i}@bench-${runTag}-${i}.example.com`,
        tier: "standard",
        contract_value: 12_000 + (i % 10) * 1_000,
        contract_start_date: "2026-01-01",
        contract_end_date: "2026-12-31",
      }),
    },
  ];
}
