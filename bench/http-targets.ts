// What the virtual clients of `npm run bench:http` call, as plain data that crosses to the load-generator
// processes (bench/http-load-worker.ts) over IPC: the echo baseline, or cs-mcp's CS mix over a set of
// account ids with API keys shared round-robin. loadTarget turns it into the calls themselves.
import type { MixEntry } from "./http-stats.ts";

/** What a CS manager's agent does: read an account, list accounts, score one account's health, record an NPS answer. */
export const CS_MIX: readonly MixEntry[] = [
  { op: "get_client_overview", percent: 35 },
  { op: "list_clients", percent: 25 },
  { op: "calculate_health_score", percent: 25 },
  { op: "collect_feedback", percent: 15 },
];
const ECHO_MIX: readonly MixEntry[] = [{ op: "echo", percent: 100 }];

export type TargetSpec = { kind: "echo" } | { kind: "cs"; ids: string[]; keys: string[] };

export interface LoadTarget {
  mix: readonly MixEntry[];
  /** Arguments of one call of `op` by client i. */
  args(op: string, client: number, k: number): Record<string, unknown>;
  /** The bearer credential of client i (none for the echo baseline). */
  token?(client: number): string;
}

function csArgs(ids: readonly string[]) {
  return (op: string, client: number, k: number): Record<string, unknown> => {
    const id = ids[(client * 7 + k) % ids.length]!;
    switch (op) {
      case "get_client_overview":
        return { client_id: id };
      case "list_clients":
        return { limit: 20, sort_by: "arr", sort_order: "desc" };
      case "calculate_health_score":
        return { client_id: id };
      case "collect_feedback":
        return { client_id: id, feedback_type: "nps", score: (client + k) % 11, submitter_email: `csm${client % 50}@bench.example.com`, source: "survey" };
      default:
        throw new Error(`no arguments for ${op}`);
    }
  };
}

export function loadTarget(spec: TargetSpec): LoadTarget {
  if (spec.kind === "echo") return { mix: ECHO_MIX, args: (_op, i, k) => ({ text: `echo ${i}.${k}` }) };
  const { ids, keys } = spec;
  return { mix: CS_MIX, args: csArgs(ids), token: (i) => keys[i % keys.length]! };
}
