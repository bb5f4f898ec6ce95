// Lint rule: stdout belongs to the MCP protocol. Only the CLI's own output module and the stdio
// transport may write to it; console.log/info/debug are banned everywhere in src/.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const ALLOWED = new Set(["src/cli/output.ts", "src/server/stdio-transport.ts"]);
const RULES = [
  { re: /\bconsole\.(log|info|debug|table|dir)\s*\(/, why: "console output goes to stdout" },
  { re: /\bprocess\.stdout\.write\s*\(/, why: "writes to stdout" },
  { re: /\bpino\s*\(\s*\)/, why: "pino() without a destination logs to stdout" },
];

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === "generated") continue;
    if (statSync(p).isDirectory()) yield* files(p);
    else if (p.endsWith(".ts")) yield p;
  }
}

const problems = [];
for (const file of files("src")) {
  const rel = relative(".", file).split("\\").join("/");
  if (ALLOWED.has(rel)) continue;
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, i) => {
      for (const rule of RULES) if (rule.re.test(line)) problems.push(`${rel}:${i + 1}: ${rule.why}: ${line.trim()}`);
    });
}
if (problems.length) {
  console.error(`stdout lint: ${problems.length} problem(s)\n${problems.join("\n")}`);
  process.exit(1);
}
console.error("stdout lint: ok");
