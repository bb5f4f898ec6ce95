// The metrics /metrics exports (the names agreed with the HTTP mode's prom-client registry, plus the
// prom-client default metrics the dashboard uses). Alerts and the dashboard may name only these; a live
// scrape of a running server can be checked against the same list.
export const HISTOGRAMS = ["cs_mcp_tool_call_duration_seconds", "cs_mcp_http_request_duration_seconds"];

export const METRIC_NAMES: readonly string[] = [
  "cs_mcp_tool_calls_total",
  "cs_mcp_rate_limited_total",
  "cs_mcp_outbox_pending",
  "cs_mcp_outbox_oldest_age_seconds",
  "cs_mcp_outbox_dead",
  "cs_mcp_breaker_open",
  "cs_mcp_db_pool_in_use",
  "cs_mcp_db_pool_size",
  "cs_mcp_ready",
  "cs_mcp_backup_last_success_timestamp_seconds",
  "cs_mcp_backup_last_run_failed",
  "cs_mcp_http_requests_total",
  ...HISTOGRAMS.flatMap((h) => [`${h}_bucket`, `${h}_sum`, `${h}_count`]),
  // prom-client collectDefaultMetrics()
  "process_resident_memory_bytes",
  "process_cpu_seconds_total",
  "nodejs_heap_size_used_bytes",
  "nodejs_eventloop_lag_p99_seconds",
  // Prometheus' own series for a scrape target
  "up",
];

// PromQL words that are not metric names.
const PROMQL_WORDS = new Set(
  "sum min max avg count stddev stdvar topk bottomk quantile count_values group by without on ignoring group_left group_right bool and or unless offset rate irate increase delta idelta deriv predict_linear histogram_quantile time abs ceil floor round clamp clamp_min clamp_max absent absent_over_time avg_over_time max_over_time min_over_time sum_over_time count_over_time label_replace label_join vector scalar sort sort_desc changes resets".split(" "),
);

/** Metric names a PromQL expression reads: label matchers, ranges, strings, grouping clauses and numbers removed. */
export function metricsIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, " ")
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ")
    .replace(/\b\d+(\.\d+)?(e[+-]?\d+)?\b/gi, " ");
  const words = stripped.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? [];
  return [...new Set(words.filter((w) => !PROMQL_WORDS.has(w)))];
}
