// Batched stderr loses nothing when the process ends: lines still waiting for their batch are written
// synchronously on exit(), on an uncaught error and when the event loop runs dry. Runs the built logger.
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const LOGGER = pathToFileURL(resolve("dist/src/observability/logger.js")).href;

function run(ending: string): { status: number | null; lines: Array<Record<string, unknown>> } {
  const script = `import { createLogger } from ${JSON.stringify(LOGGER)};
const log = createLogger("info");
for (let i = 0; i < 300; i++) log.info({ n: i }, "line");
${ending}`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", env: { PATH: process.env.PATH ?? "" } });
  const lines = r.stderr.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { status: r.status, lines };
}

const ALL = Array.from({ length: 300 }, (_, i) => i);

describe("stderr log lines at process end", () => {
  it("are all written, in order, when the process calls exit(3) right after logging", () => {
    const r = run("log.fatal({ n: 300 }, 'fatal'); process.exit(3);");
    expect(r.status).toBe(3);
    expect(r.lines.map((l) => l.n)).toEqual([...ALL, 300]);
    expect(r.lines.at(-1)?.msg).toBe("fatal");
  });

  it("are all written when the event loop runs dry", () => {
    const r = run("");
    expect(r.status).toBe(0);
    expect(r.lines.map((l) => l.n)).toEqual(ALL);
  });

  it("are all written when an uncaught error ends the process", () => {
    const r = run("setTimeout(() => { throw new Error('boom'); }, 0);");
    expect(r.status).toBe(1);
    expect(r.lines.map((l) => l.n)).toEqual(ALL);
  });
});
