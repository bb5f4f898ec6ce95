// pg_dump / pg_restore for the PostgreSQL back end: found on PATH or under /usr/lib/postgresql/<v>/bin,
// at least the server's major version (pg_dump refuses a newer server), and run with the password in
// PGPASSWORD so that it never appears in a child's argv, in a log or in an error.
import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const DEBIAN_ROOT = "/usr/lib/postgresql";

export type PgTool = "pg_dump" | "pg_restore";

/** DATABASE_URL split into a password-free URL (safe for argv) and the password (for PGPASSWORD). */
export function splitPassword(databaseUrl: string): { url: string; password: string | undefined } {
  const u = new URL(databaseUrl);
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  u.password = "";
  return { url: u.toString(), password };
}

/** Removes anything that looks like a URL password, and the password itself, from a message. */
export function redact(text: string, password: string | undefined): string {
  const out = password ? text.split(password).join("***") : text;
  // Greedy up to the token's last '@': a password may itself contain '@'.
  return out.replace(/(postgres(?:ql)?:\/\/[^:/@\s]*):\S*@/gi, "$1:***@");
}

async function majorOf(binary: string): Promise<number | null> {
  try {
    const { stdout } = await run(binary, ["--version"], { timeout: 10_000 });
    const m = /\b(\d+)(?:\.\d+)?/.exec(stdout.replace(/^[^)]*\)/, ""));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** The tool matching the server's major version: /usr/lib/postgresql/<major>/bin first, then the
 * newest other version there, then PATH; throws naming what was found and what is missing. */
export async function findPgTool(tool: PgTool, serverMajor: number): Promise<string> {
  const candidates: string[] = [];
  if (existsSync(DEBIAN_ROOT)) {
    const versions = readdirSync(DEBIAN_ROOT).map(Number).filter((v) => Number.isInteger(v));
    versions.sort((a, b) => (a === serverMajor ? -1 : b === serverMajor ? 1 : b - a));
    for (const v of versions) candidates.push(join(DEBIAN_ROOT, String(v), "bin", tool));
  }
  for (const dir of (process.env.PATH ?? "").split(delimiter).filter(Boolean)) candidates.push(join(dir, tool));
  const seen: string[] = [];
  for (const c of candidates) {
    if (!existsSync(c)) continue;
    const major = await majorOf(c);
    if (major !== null && major >= serverMajor) return c;
    seen.push(`${c} (version ${major ?? "unknown"})`);
  }
  throw new Error(
    `${tool} for PostgreSQL ${serverMajor} or newer not found on PATH or under ${DEBIAN_ROOT}/<version>/bin` +
      (seen.length ? `; found only ${seen.join(", ")}` : "") +
      `. Install the PostgreSQL ${serverMajor} client tools (Debian/Ubuntu: postgresql-client-${serverMajor}).`,
  );
}

/** Runs a PostgreSQL client tool against databaseUrl; the password travels in PGPASSWORD only. */
export async function runPgTool(binary: string, args: string[], databaseUrl: string): Promise<void> {
  const { url, password } = splitPassword(databaseUrl);
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (password !== undefined) env.PGPASSWORD = password;
  delete env.DATABASE_URL;
  try {
    await run(binary, [...args, `--dbname=${url}`], { env, maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const e = err as { stderr?: string; code?: number | string; message: string };
    const detail = (e.stderr || e.message).trim().split("\n").slice(-5).join("; ");
    throw new Error(redact(`${binary.split("/").pop()} failed (exit ${e.code ?? "?"}): ${detail}`, password));
  }
}
