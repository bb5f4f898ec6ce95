// The database password reaches pg_dump / pg_restore only through PGPASSWORD: never their argv, and
// never an error built from their output. A stand-in tool (a shell script) records what it was given.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findPgTool, runPgTool, splitPassword } from "../../src/backup/pg-tools.ts";

const dir = mkdtempSync(join(tmpdir(), "cs-mcp-pgtool-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const URL_WITH_PASSWORD = "postgresql://cs:p%40ss-w0rd!@127.0.0.1:5432/cs?sslmode=disable";

function tool(body: string): string {
  const path = join(dir, `tool-${Math.random().toString(36).slice(2)}`);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe("PostgreSQL client tools", () => {
  it("get the password in PGPASSWORD and a password-free URL in argv", async () => {
    const out = join(dir, "seen");
    await runPgTool(tool(`printf '%s\\n' "$@" > ${out}; printf 'PGPASSWORD=%s\\n' "$PGPASSWORD" >> ${out}`), ["--format=custom"], URL_WITH_PASSWORD);
    const seen = readFileSync(out, "utf8").trim().split("\n");
    expect(seen).toEqual(["--format=custom", "--dbname=postgresql://cs@127.0.0.1:5432/cs?sslmode=disable", "PGPASSWORD=p@ss-w0rd!"]);
  });

  it("fail with their stderr, the password taken out", async () => {
    const failing = tool(`echo "could not connect: postgresql://cs:p@ss-w0rd!@127.0.0.1/cs password p@ss-w0rd! rejected" >&2; exit 1`);
    const err = await runPgTool(failing, [], URL_WITH_PASSWORD).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/^tool-\w+ failed \(exit 1\): could not connect: postgresql:\/\/cs:\*\*\*@127\.0\.0\.1\/cs password \*\*\* rejected$/);
    expect((err as Error).message).not.toContain("w0rd");
  });

  it("splitPassword decodes the password and keeps the rest of the URL", () => {
    expect(splitPassword(URL_WITH_PASSWORD)).toEqual({ url: "postgresql://cs@127.0.0.1:5432/cs?sslmode=disable", password: "p@ss-w0rd!" });
    expect(splitPassword("postgres://cs@h/db").password).toBeUndefined();
  });

  it("a server newer than every pg_dump found is named with what is missing", async () => {
    await expect(findPgTool("pg_dump", 99)).rejects.toThrow(
      /^pg_dump for PostgreSQL 99 or newer not found on PATH or under \/usr\/lib\/postgresql\/<version>\/bin.*\. Install the PostgreSQL 99 client tools \(Debian\/Ubuntu: postgresql-client-99\)\.$/,
    );
  });
});
