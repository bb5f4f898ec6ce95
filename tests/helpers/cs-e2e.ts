// Shared pieces of the customer-success workflow tests over stdio (tests/e2e/cs-*.test.ts): a database per
// back end for the spawned server, the `cs-mcp` CLI run asynchronously (import files the test writes, the
// outbox worker as a second process), polling, and calendar arithmetic on the real clock (a spawned server
// cannot have its time pinned, so the tests place their data relative to now, far from every boundary).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { embeddedDataDir, postgresDatabase, type Backend } from "./databases.ts";
import { CLI, serverEnv } from "./server.ts";

export const DAY_MS = 86_400_000;

export interface CsBackend {
  backend: Backend;
  /** Environment of the server, the CLI and the worker: the database only (add integrations per test). */
  env: Record<string, string>;
  /** Embedded: one process at a time holds the data directory (stop the server before a CLI import). */
  exclusive: boolean;
  /** A scratch directory for the files the test writes; removed by cleanup. */
  files: string;
  cleanup(): Promise<void>;
}

/** A fresh database for spawned processes: a migrated embedded copy, or a new PostgreSQL database migrated at first open. */
export async function csBackend(backend: Backend): Promise<CsBackend> {
  const files = mkdtempSync(join(tmpdir(), "cs-e2e-files-"));
  const removeFiles = () => rmSync(files, { recursive: true, force: true });
  if (backend === "embedded") {
    const { dir, remove } = embeddedDataDir();
    return { backend, env: { CS_MCP_DATA_DIR: dir }, exclusive: true, files, cleanup: async () => { remove(); removeFiles(); } };
  }
  const { url, drop } = await postgresDatabase();
  return { backend, env: { DATABASE_URL: url, CS_MCP_AUTO_MIGRATE: "true" }, exclusive: false, files, cleanup: async () => { await drop(); removeFiles(); } };
}

export interface CliResult {
  code: number | null;
  out: string;
  err: string;
}

/**
 * Runs `cs-mcp <args>` to completion without blocking this process's event loop (the vendor fakes of the
 * test live in it and must keep answering the server meanwhile). Killed after `timeoutMs`.
 */
export function runCli(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: serverEnv({ LOG_LEVEL: "warn", ...env }), stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

export interface ImportSummary {
  kind: string;
  rows: number;
  created: number;
  updated: number;
  skipped: number;
  rejected: number;
  errors: Array<{ line: number; column?: string; reason: string }>;
  mapping?: Record<string, string>;
  email_events?: { received: number; stored: number; unmatched: number; sends_updated: number; contacts_unsubscribed: number; by_type: Record<string, number> };
}

/** Writes `content` to `<dir>/<name>` and runs `cs-mcp import <kind> <file> --json`; fails on any rejected row. */
export async function importFile(b: CsBackend, kind: string, name: string, content: string): Promise<ImportSummary> {
  const file = join(b.files, name);
  writeFileSync(file, content);
  const r = await runCli(["import", kind, file, "--json"], b.env);
  if (r.code !== 0) throw new Error(`cs-mcp import ${kind} exited ${r.code}: ${r.out}\n${r.err}`);
  return JSON.parse(r.out) as ImportSummary;
}

/** JSON Lines of the given records. */
export const jsonl = (rows: Array<Record<string, unknown>>) => rows.map((r) => JSON.stringify(r)).join("\n") + "\n";

/** CSV with a header row; every cell quoted (commas and quotes in company names survive). */
export function csv(columns: string[], rows: Array<Record<string, unknown>>): string {
  const q = (v: unknown) => (v === undefined || v === null ? "" : `"${String(v).replace(/"/g, '""')}"`);
  return [columns.join(","), ...rows.map((r) => columns.map((c) => q(r[c])).join(","))].join("\n") + "\n";
}

/** `cs-mcp worker` as a second process; stop() sends SIGTERM and waits for it to exit. */
export function startWorker(env: Record<string, string>): { stop(): Promise<void>; stderr: () => string } {
  const child: ChildProcess = spawn(process.execPath, [CLI, "worker"], { env: serverEnv({ LOG_LEVEL: "info", ...env }), stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    stderr: () => err,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** Polls `fn` until it returns something other than undefined. */
export async function waitFor<T>(fn: () => Promise<T | undefined>, what: string, ms = 40_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Midnight UTC of the day of `d`. */
export const utcDay = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
/** YYYY-MM-DD of `d` (UTC). */
export const ymd = (d: Date) => d.toISOString().slice(0, 10);
export const addDays = (d: Date, n: number) => new Date(d.getTime() + n * DAY_MS);
/** An instant `days` days (fractional allowed) before `from`, as ISO 8601. */
export const daysAgo = (from: Date, days: number) => new Date(from.getTime() - days * DAY_MS).toISOString();

/** Sum of money amounts in cents, back to a number with two decimals (no float drift in the expectation). */
export const sumMoney = (xs: number[]) => xs.reduce((a, x) => a + Math.round(x * 100), 0) / 100;
/** One decimal, as the server rounds percentages and NPS. */
export const round1 = (v: number) => Math.round(v * 10) / 10;

/** NPS as DOMAIN.md defines it: % promoters (9–10) − % detractors (0–6), rounded to one decimal. */
export function npsOf(scores: number[]): { score: number; promoters: number; passives: number; detractors: number } {
  const promoters = scores.filter((s) => s >= 9).length;
  const detractors = scores.filter((s) => s <= 6).length;
  return { score: round1(((promoters - detractors) / scores.length) * 100), promoters, passives: scores.length - promoters - detractors, detractors };
}
