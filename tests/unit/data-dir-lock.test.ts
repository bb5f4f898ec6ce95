// The embedded data directory's lock: held while its holder runs, taken over when the holder is gone,
// including when the holder's pid now belongs to an unrelated process (pid reuse after a crash).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DataDirLockedError, lockDataDir, processStartTime } from "../../src/db/data-dir.ts";

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

function setup(): { dir: string; other: ChildProcess } {
  const dir = mkdtempSync(join(tmpdir(), "cs-mcp-lock-"));
  // An unrelated live process: its pid stands for one the kernel handed out again after our server died.
  const other = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  cleanup.push(() => {
    other.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, other };
}

describe.skipIf(processStartTime(process.pid) === null)("data directory lock (Linux /proc)", () => {
  it("records its holder's pid and start time", () => {
    const { dir } = setup();
    const release = lockDataDir(dir);
    expect(readFileSync(join(dir, "cs-mcp.lock"), "utf8")).toBe(`${process.pid} ${processStartTime(process.pid)}`);
    release();
  });

  it("is refused while the process named in it runs", () => {
    const { dir, other } = setup();
    writeFileSync(join(dir, "cs-mcp.lock"), `${other.pid} ${processStartTime(other.pid!)}`);
    expect(() => lockDataDir(dir)).toThrow(DataDirLockedError);
  });

  it("is taken over when its pid now belongs to a different process (another start time)", () => {
    const { dir, other } = setup();
    const started = Number(processStartTime(other.pid!));
    writeFileSync(join(dir, "cs-mcp.lock"), `${other.pid} ${started - 1}`);
    const release = lockDataDir(dir);
    expect(readFileSync(join(dir, "cs-mcp.lock"), "utf8")).toBe(`${process.pid} ${processStartTime(process.pid)}`);
    release();
  });
});
