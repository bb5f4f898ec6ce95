#!/usr/bin/env node
// Runs the @modelcontextprotocol/conformance server scenarios that apply to this server against the built
// `cs-mcp serve --http` (run `npm run build` first). The suite needs Node >= 22: both it and Node 22 come from
// the npm registry into a prefix of their own (CS_MCP_CONFORMANCE_PREFIX, default under /tmp), so the
// project's own Node requirement (>= 20.19) is unchanged. Exits non-zero, printing the suite's output, when
// a scenario fails, when the tools cannot be installed, or when the server does not start.
//
// Scenarios not run, and why (`conformance list --server` names them all):
// - tools-call-*, tools-call-with-*, elicitation-*, json-schema-2020-12, resources-read-*, resources-templates-read,
//   prompts-get-*: they call fixtures of the suite's reference server (tool test_simple_text, resource
//   test://static-text, prompt test_simple_prompt...) that a production server does not have.
// - logging-set-level, resources-subscribe/unsubscribe: capabilities this server does not declare (its logs
//   go to stderr; its resources are computed on read).
// - server-sse-polling, server-sse-multiple-streams: session streams over GET; this server is stateless (one
//   POST, one answer) so any instance behind a load balancer can answer.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const NODE = "22.23.3";
const SUITE = "0.1.16";
export const SCENARIOS = ["server-initialize", "ping", "tools-list", "resources-list", "prompts-list", "completion-complete", "dns-rebinding-protection"];

const prefix = process.env.CS_MCP_CONFORMANCE_PREFIX ?? join(tmpdir(), `cs-mcp-conformance-node${NODE}-suite${SUITE}`);
const nodeBin = join(prefix, "node_modules", ".bin", "node");
const suiteBin = join(prefix, "node_modules", "@modelcontextprotocol", "conformance", "package.json");

function fail(message, detail = "") {
  process.stderr.write(`conformance: ${message}\n${detail}`);
  process.exit(1);
}

function install() {
  if (existsSync(nodeBin) && existsSync(suiteBin)) return;
  process.stderr.write(`conformance: installing node@${NODE} and @modelcontextprotocol/conformance@${SUITE} into ${prefix}\n`);
  const r = spawnSync("npm", ["install", "--prefix", prefix, "--no-audit", "--no-fund", "--no-save", "--loglevel=error", `node@${NODE}`, `@modelcontextprotocol/conformance@${SUITE}`], { encoding: "utf8" });
  if (r.status !== 0 || !existsSync(nodeBin)) fail(`npm install failed (${r.status})`, `${r.stdout}${r.stderr}`);
  const v = spawnSync(nodeBin, ["--version"], { encoding: "utf8" }).stdout.trim();
  if (v !== `v${NODE}`) fail(`expected node v${NODE} in ${prefix}, got '${v}'`);
}

function suiteEntry() {
  const pkg = JSON.parse(readFileSync(suiteBin, "utf8"));
  const bin = typeof pkg.bin === "string" ? pkg.bin : Object.values(pkg.bin)[0];
  return resolve(prefix, "node_modules", "@modelcontextprotocol", "conformance", bin);
}

/** The built server on 127.0.0.1, a free port, a fresh embedded database; resolves with its URL. */
function startServer(dataDir) {
  const proc = spawn(process.execPath, [resolve("dist/src/cli.js"), "serve", "--http", "--port", "0"], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", CS_MCP_DATA_DIR: dataDir, LOG_LEVEL: "warn" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  const url = new Promise((ok, ko) => {
    proc.stderr.on("data", (d) => {
      err += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(err);
      if (m) ok(m[1]);
    });
    proc.once("exit", (code) => ko(new Error(`the server exited (${code}) before listening:\n${err}`)));
  });
  return { proc, url };
}

install();
const entry = suiteEntry();
const work = mkdtempSync(join(tmpdir(), "cs-mcp-conformance-run-"));
const { proc, url: listening } = startServer(join(work, "data"));
let failed = [];
try {
  const url = await listening;
  for (const scenario of SCENARIOS) {
    const r = spawnSync(nodeBin, [entry, "server", "--url", url, "--scenario", scenario, "-o", join(work, "out")], { encoding: "utf8", timeout: 120_000 });
    const out = `${r.stdout}${r.stderr}`;
    const ok = r.status === 0 && /\b0 failed\b/.test(out) && !/\b[1-9]\d* failed\b/.test(out);
    process.stderr.write(`conformance: ${scenario} ${ok ? "ok" : "FAILED"}\n`);
    if (!ok) failed.push({ scenario, out });
  }
} catch (err) {
  failed = [{ scenario: "(server start)", out: String(err) }];
} finally {
  proc.kill("SIGTERM");
  await new Promise((r) => (proc.exitCode !== null ? r() : proc.once("exit", r)));
}
if (failed.length) {
  fail(`${failed.length} of ${SCENARIOS.length} scenarios failed (results kept in ${work})`, failed.map((f) => `----- ${f.scenario}\n${f.out}\n`).join(""));
}
rmSync(work, { recursive: true, force: true });
process.stderr.write(`conformance: every applicable server scenario passes (${SCENARIOS.length}: ${SCENARIOS.join(", ")}) with suite ${SUITE} on node ${NODE}\n`);
