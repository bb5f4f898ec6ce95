// What the figures were measured on: recorded with every result, since ratios still depend on the machine.
import { cpus, totalmem, platform, release, arch, loadavg } from "node:os";
import { readFileSync } from "node:fs";

export interface MachineInfo {
  cpu: string;
  cores: number;
  memory_gb: number;
  os: string;
  node: string;
  date: string;
  /** 1-minute load average when the run started and when it ended (other work on the machine skews results). */
  load_avg_1m: { start: number; end: number | null };
}

/** The 1-minute load average, 2 decimals. */
export function loadAverage(): number {
  return Math.round((loadavg()[0] ?? 0) * 100) / 100;
}

function cpuModel(): string {
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8")
      .split("\n")
      .find((l) => l.startsWith("model name"));
    const model = line?.split(":")[1]?.trim();
    if (model) return model;
  } catch {
    /* not Linux */
  }
  return cpus()[0]?.model.trim() || "unknown";
}

export function machineInfo(now = new Date()): MachineInfo {
  return {
    cpu: cpuModel(),
    cores: cpus().length,
    memory_gb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os: `${platform()} ${release()} ${arch()}`,
    node: process.version,
    date: now.toISOString(),
    load_avg_1m: { start: loadAverage(), end: null },
  };
}
