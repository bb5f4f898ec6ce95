// Where the embedded database lives, and a lock so that only one process opens it: PGlite is a
// single-process database, and two servers writing the same directory would corrupt it. The lock names
// its holder by pid and process start time, so a pid reused by an unrelated process does not hold it.
import { mkdirSync, openSync, closeSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join, resolve } from "node:path";
import envPaths from "env-paths";

export function defaultDataDir(): string {
  return envPaths("customer-success-mcp", { suffix: "" }).data;
}

export function resolveDataDir(configured: string | undefined): string {
  const dir = resolve(configured ?? defaultDataDir());
  // PGlite does not create missing parent directories.
  // Owner-only: the directory holds every account's data.
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

export class DataDirLockedError extends Error {
  constructor(dir: string, pid: number) {
    super(
      `the embedded database in ${dir} is in use by another cs-mcp process (pid ${pid}); ` +
        `stop it, or give this one its own CS_MCP_DATA_DIR, or use DATABASE_URL for a shared PostgreSQL`,
    );
    this.name = "DataDirLockedError";
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * When the process started (clock ticks since boot, /proc/<pid>/stat field 22), or null where there is
 * no /proc. A pid is reused after its process dies; pid and start time together name one process.
 */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may hold spaces: count fields after its ")".
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

/** Whether the lock's holder ("<pid> <start time>", or a bare pid from older versions) still runs. */
function holderRuns(content: string): number | null {
  const [pidText, started] = content.trim().split(/\s+/);
  const pid = Number.parseInt(pidText ?? "", 10);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || !isAlive(pid)) return null;
  if (started === undefined) return pid;
  const now = processStartTime(pid);
  // Where start times cannot be read, a live pid is taken as the holder (the safe side).
  return now === null || now === started ? pid : null;
}

/** Takes the directory's lock file, replacing a stale one left by a process that died. Returns the release. */
export function lockDataDir(dir: string): () => void {
  const file = join(dir, "cs-mcp.lock");
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, "wx");
      const started = processStartTime(process.pid);
      writeSync(fd, started === null ? String(process.pid) : `${process.pid} ${started}`);
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const holder = holderRuns(readFileSync(file, "utf8"));
      if (holder !== null) throw new DataDirLockedError(dir, holder);
      try {
        unlinkSync(file);
      } catch {
        /* another process removed it first */
      }
    }
  }
  throw new Error(`could not take the lock on ${dir}`);
}
