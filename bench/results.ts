// The shape of one foundation benchmark run, as written to bench/results/foundation.json.
import type { MachineInfo } from "./machine.ts";
import type { Summary } from "./stats.ts";

export interface StartupResult {
  /** echo | cs-mcp warm | cs-mcp cold */
  label: string;
  what: string;
  samples_ms: number[];
  median_ms: number;
  ratio_to_echo: number;
  /** The child's CPU time (user + system) when the first answer arrived, median in ms: load on the machine distorts it less than wall time. */
  cpu_median_ms?: number;
}

export interface RoundTripResult {
  backend: "baseline" | "embedded" | "postgres";
  label: string;
  tool: string;
  summary: Summary;
  ratio_median_to_echo: number;
}

export interface TargetResult {
  name: string;
  /** What is compared, e.g. "median get_client_overview / median echo". */
  measure: string;
  limit: number;
  value: number;
  met: boolean;
  /** What limit and value are: a ratio to the baseline (default), milliseconds or megabytes. */
  unit?: "ratio" | "ms" | "MB";
}

export interface FoundationResults {
  benchmark: "foundation";
  server_version: string;
  machine: MachineInfo;
  config: {
    startup_runs: { echo: number; warm: number; cold: number };
    round_trips: { warmup: number; calls: number };
    portfolio: { accounts: number; seed: number };
    server_settings: Record<string, string>;
  };
  seeding: { embedded: Record<string, unknown>; postgres?: Record<string, unknown> };
  startup: StartupResult[];
  /** Resident memory after the first answer and a few seconds idle (medians). */
  idle_rss_mb?: { echo: number | null; embedded: number | null };
  round_trips: RoundTripResult[];
  /** server: host:port (no credentials); database: the throwaway database's name. */
  postgres: { status: "measured" | "skipped" | "failed"; note: string; server?: string; database?: string };
  targets: TargetResult[];
  notes: string[];
  duration_s: number;
}
