// The pure parts of `npm run bench:http` (bench/http-stats.ts, bench/http-servers.ts): how a failure is
// classified, the call mix, a stage's summary, ratios to the baseline, and the /proc and /metrics readers.
import { describe, expect, it } from "vitest";
import { StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { classifyError, pickOp, promSum, ratiosToBaseline, summarizeStage, type Sample } from "../../bench/http-stats.ts";
import { parseStatCpuMs, parseVmHwmMb } from "../../bench/http-servers.ts";

describe("classifyError", () => {
  it("names HTTP statuses, JSON-RPC errors, timeouts and socket failures", () => {
    expect(classifyError(new StreamableHTTPError(429, "Error POSTing to endpoint"))).toBe("http_429");
    expect(classifyError(new StreamableHTTPError(401, "unauthorized"))).toBe("http_401_403");
    expect(classifyError(new StreamableHTTPError(413, "too large"))).toBe("http_4xx");
    expect(classifyError(new StreamableHTTPError(503, "busy"))).toBe("http_5xx");
    expect(classifyError(new McpError(ErrorCode.RequestTimeout, "Request timed out"))).toBe("timeout");
    expect(classifyError(new McpError(ErrorCode.InvalidParams, "bad"))).toBe("rpc_error");
    expect(classifyError(Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }) }))).toBe("connection");
    expect(classifyError(Object.assign(new TypeError("fetch failed"), { cause: { code: "UND_ERR_HEADERS_TIMEOUT" } }))).toBe("timeout");
    expect(classifyError(Object.assign(new Error("aborted"), { name: "AbortError" }))).toBe("timeout");
    expect(classifyError(new Error("something else"))).toBe("other");
    expect(classifyError("a string")).toBe("other");
  });
});

describe("pickOp", () => {
  const mix = [
    { op: "a", percent: 35 },
    { op: "b", percent: 25 },
    { op: "c", percent: 25 },
    { op: "d", percent: 15 },
  ];

  it("gives each client exactly the mix over any 100 consecutive calls", () => {
    for (const client of [0, 1, 7, 999]) {
      const counts: Record<string, number> = {};
      for (let k = 40; k < 140; k++) counts[pickOp(mix, client, k)] = (counts[pickOp(mix, client, k)] ?? 0) + 1;
      expect(counts).toEqual({ a: 35, b: 25, c: 25, d: 15 });
    }
  });

  it("refuses a mix that does not add up to 100%", () => {
    expect(() => pickOp([{ op: "a", percent: 90 }], 0, 0)).toThrow("the mix adds up to 90%, not 100%");
  });
});

describe("summarizeStage", () => {
  it("counts successes per second of the window, latency of successes only, failures by kind and per tool", () => {
    const samples: Sample[] = [
      ...Array.from({ length: 100 }, (_, i) => ({ op: "x", ms: i + 1 })), // 1..100 ms
      { op: "y", ms: 5000, error: "timeout", message: "Request timed out" },
      { op: "y", ms: 10, error: "http_5xx" },
      { op: "y", ms: 7, error: "tool_error", message: "first" },
      { op: "y", ms: 8, error: "tool_error", message: "second" },
      { op: "y", ms: 3 },
    ];
    const s = summarizeStage(samples, 4);
    expect(s.calls_ok).toBe(101);
    expect(s.calls_failed).toBe(4);
    expect(s.calls_per_s).toBe(25.3); // 101 / 4 s
    // Nearest rank over the 101 successes (1..100 and 3): p50 is the 51st smallest = 50, p99 the 100th = 99.
    expect(s.latency).toEqual({ n: 101, p50_ms: 50, p99_ms: 99, max_ms: 100 });
    expect(s.errors).toEqual({ timeout: 1, http_5xx: 1, tool_error: 2 });
    expect(s.error_examples).toEqual({ "y: timeout": "Request timed out", "y: tool_error": "first" });
    expect(s.by_op.y).toEqual({ ok: 1, failed: 4, latency: { n: 1, p50_ms: 3, p99_ms: 3, max_ms: 3 } });
    expect(s.by_op.x!.ok).toBe(100);
  });

  it("has no latency when nothing succeeded, and refuses an empty window", () => {
    expect(summarizeStage([{ op: "x", ms: 1, error: "connection" }], 1).latency).toBeNull();
    expect(() => summarizeStage([], 0)).toThrow("the window must be longer than 0 s");
  });
});

describe("ratiosToBaseline", () => {
  const stage = (calls_per_s: number, p50: number, p99: number) => ({ ...summarizeStage([{ op: "e", ms: 1 }], 1), calls_per_s, latency: { n: 1, p50_ms: p50, p99_ms: p99, max_ms: p99 } });
  it("divides by the echo figures, and gives null where either side has none", () => {
    const r = ratiosToBaseline({ summary: stage(50, 40, 300), peak_rss_mb: 300 }, { summary: stage(200, 10, 100), peak_rss_mb: 100 });
    expect(r).toEqual({ calls_per_s: 0.25, p50: 4, p99: 3, peak_rss: 3 });
    const none = ratiosToBaseline({ summary: { ...stage(0, 1, 1), latency: null }, peak_rss_mb: null }, { summary: stage(200, 10, 100), peak_rss_mb: 100 });
    expect(none).toEqual({ calls_per_s: 0, p50: null, p99: null, peak_rss: null });
  });
});

describe("readers", () => {
  it("promSum adds every label set of a series and ignores longer names", () => {
    const text = [
      "# HELP cs_mcp_tool_call_duration_seconds Tool call duration",
      'cs_mcp_tool_call_duration_seconds_sum{tool="a"} 1.5',
      'cs_mcp_tool_call_duration_seconds_sum{tool="b"} 2.25',
      'cs_mcp_tool_call_duration_seconds_count{tool="a"} 3',
      "cs_mcp_http_request_duration_seconds_sum 4",
    ].join("\n");
    expect(promSum(text, "cs_mcp_tool_call_duration_seconds_sum")).toBe(3.75);
    expect(promSum(text, "cs_mcp_http_request_duration_seconds_sum")).toBe(4);
    expect(promSum(text, "cs_mcp_tool_call_duration_seconds")).toBeNull();
  });

  it("parseVmHwmMb reads the peak RSS line of /proc/PID/status", () => {
    expect(parseVmHwmMb("Name:\tnode\nVmPeak:\t 999999 kB\nVmHWM:\t  307200 kB\nVmRSS:\t 1 kB\n")).toBe(300);
    expect(parseVmHwmMb("")).toBeNull();
  });

  it("parseStatCpuMs adds utime and stime of /proc/PID/stat, whatever the command name holds", () => {
    // Fields after "(name)": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime …
    const stat = "1234 (node (x) y) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 11 0";
    expect(parseStatCpuMs(stat)).toBe(3000);
  });
});

describe("load-generator slices (bench/http-load.ts)", () => {
  it("gives every client to exactly one process, the processes within one client of each other", async () => {
    const { slices, defaultWorkers } = await import("../../bench/http-load.ts");
    for (const [clients, n] of [[10_000, 4], [1_000, 1], [7, 3], [2, 5]] as const) {
      const parts = slices(clients, n);
      const owned = parts.flatMap(([a, b]) => Array.from({ length: b - a }, (_, k) => a + k));
      expect(owned).toEqual(Array.from({ length: clients }, (_, k) => k));
      const sizes = parts.map(([a, b]) => b - a);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      expect(parts.length).toBe(Math.min(n, clients));
    }
    expect([1_000, 2_500, 2_501, 10_000].map(defaultWorkers)).toEqual([1, 1, 2, 4]);
  });
});
