// Servers of `npm run bench:http`: spawned as child processes listening on 127.0.0.1 on a free port
// (each prints "listening on http://…/mcp" on stderr once bound), read from /proc while they run (peak
// RSS, CPU time) and stopped by their PID at the end: SIGTERM, then SIGKILL if still there after a bound.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { cleanEnv } from "./spawn.ts";

export interface HttpServerSpec {
  label: string;
  script: string;
  args?: string[];
  /** Flags for node itself, e.g. --cpu-prof. */
  nodeArgs?: string[];
  env?: Record<string, string>;
  cwd: string;
}

export interface HttpServerProcess {
  label: string;
  pid: number;
  /** http://127.0.0.1:PORT/mcp */
  url: string;
  /** Peak resident set size of the process so far (VmHWM), in MB. */
  peakRssMb(): number | null;
  /** User + system CPU time of the process so far, in ms. */
  cpuMs(): number | null;
  stderr(): string;
  stop(): Promise<void>;
}

const STDERR_KEEP = 32 * 1024;
const LISTENING = /listening on (http:\/\/\S+\/mcp)/;

/** VmHWM of /proc/PID/status ("VmHWM:   123456 kB"), in MB; null when the process is gone or not on Linux. */
export function parseVmHwmMb(status: string): number | null {
  const m = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
  return m ? Math.round((Number(m[1]) / 1024) * 10) / 10 : null;
}

/** utime + stime of /proc/PID/stat in ms (fields 14 and 15, in clock ticks of 1/100 s). */
export function parseStatCpuMs(stat: string, ticksPerSecond = 100): number | null {
  // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? ((utime + stime) * 1000) / ticksPerSecond : null;
}

function readProc(pid: number, file: string): string | null {
  try {
    return readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch {
    return null;
  }
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once("exit", () => resolve()));
}

export async function startHttpServer(spec: HttpServerSpec, startTimeoutMs = 60_000): Promise<HttpServerProcess> {
  const child = spawn(process.execPath, [...(spec.nodeArgs ?? []), spec.script, ...(spec.args ?? [])], { cwd: spec.cwd, env: cleanEnv(spec.env), stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${spec.label}: not listening after ${startTimeoutMs} ms\n${err}`)), startTimeoutMs);
    child.stderr!.on("data", (d: Buffer) => {
      err = (err + d.toString()).slice(-STDERR_KEEP);
      const m = LISTENING.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${spec.label}: exited before listening (${code ?? signal})\n${err}`));
    });
  });
  const pid = child.pid!;
  return {
    label: spec.label,
    pid,
    url,
    peakRssMb: () => parseVmHwmMb(readProc(pid, "status") ?? ""),
    cpuMs: () => parseStatCpuMs(readProc(pid, "stat") ?? ""),
    stderr: () => err,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = exited(child);
      process.kill(pid, "SIGTERM");
      const late = setTimeout(() => {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          /* already gone */
        }
      }, 15_000);
      await gone;
      clearTimeout(late);
    },
  };
}
