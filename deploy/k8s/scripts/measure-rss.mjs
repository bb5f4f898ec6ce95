// Measures the resident memory of `cs-mcp serve --http` (the Deployment's process) to size its requests and
// limits: RSS after start-up (idle), then its peak (VmHWM) while CLIENTS MCP clients each make CALLS tool calls
// over Streamable HTTP, then RSS after the load. Linux only (/proc). Run after `npm run build`:
//   DATABASE_URL=postgres://… node deploy/k8s/scripts/measure-rss.mjs      (PostgreSQL: what k8s runs)
//   CLIENTS=20 CALLS=50 node deploy/k8s/scripts/measure-rss.mjs            (embedded PGlite when no DATABASE_URL)
// The database should hold the demo portfolio (`cs-mcp demo`) so the calls read real rows.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const CLIENTS = Number(process.env.CLIENTS ?? 20);
const CALLS = Number(process.env.CALLS ?? 50);
const mib = (kb) => `${(kb / 1024).toFixed(0)} MiB`;
const status = (pid) => Object.fromEntries(readFileSync(`/proc/${pid}/status`, "utf8").split("\n").filter((l) => /^Vm(RSS|HWM):/.test(l)).map((l) => [l.split(":")[0], Number(l.split(/\s+/)[1])]));

const child = spawn(process.execPath, ["dist/src/cli.js", "serve", "--http", "--port", "0"], { env: { ...process.env, LOG_LEVEL: "warn", CS_MCP_TOOLSETS: "all" }, stdio: ["ignore", "ignore", "pipe"] });
let err = "";
const port = await new Promise((resolve, reject) => {
  child.stderr.on("data", (d) => {
    err += d;
    const m = /listening on http:\/\/127\.0\.0\.1:(\d+)\/mcp/.exec(err);
    if (m) resolve(Number(m[1]));
  });
  child.once("exit", (code) => reject(new Error(`server exited ${code}: ${err}`)));
});
const url = new URL(`http://127.0.0.1:${port}/mcp`);
// Idle: the first call opens the runtime (database, services); then let the heap settle.
const warm = new Client({ name: "rss", version: "1" });
await warm.connect(new StreamableHTTPClientTransport(url));
await warm.callTool({ name: "list_clients", arguments: { limit: 10 } });
await new Promise((r) => setTimeout(r, 3000));
const idle = status(child.pid);

const tools = [["list_clients", { limit: 50 }], ["track_renewals", {}], ["track_cs_metrics", { metric_type: "nps" }], ["manage_escalations", { action: "list" }]];
const started = Date.now();
let failed = 0;
const errors = new Map();
await Promise.all(Array.from({ length: CLIENTS }, async (_, c) => {
  const client = new Client({ name: `rss-${c}`, version: "1" });
  await client.connect(new StreamableHTTPClientTransport(url));
  for (let i = 0; i < CALLS; i++) {
    const [name, args] = tools[(c + i) % tools.length];
    const r = await client.callTool({ name, arguments: args }).catch((e) => ({ isError: true, content: [{ text: String(e) }] }));
    if (r.isError) {
      failed++;
      errors.set(name, String(r.content?.[0]?.text ?? "").slice(0, 200));
    }
  }
  await client.close();
}));
const seconds = (Date.now() - started) / 1000;
const after = status(child.pid);
console.log(JSON.stringify({
  database: process.env.DATABASE_URL ? "postgres" : "embedded",
  idle_rss: mib(idle.VmRSS),
  load: `${CLIENTS} clients x ${CALLS} calls in ${seconds.toFixed(1)} s (${failed} tool errors)`,
  peak_rss: mib(after.VmHWM),
  rss_after_load: mib(after.VmRSS),
  ...(errors.size ? { errors: Object.fromEntries(errors) } : {}),
}));
await warm.close();
child.kill("SIGTERM");
