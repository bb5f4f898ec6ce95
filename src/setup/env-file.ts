// Writes the `.env` that `cs-mcp setup` produced: mode 0600 (it holds secrets), never over an existing file
// unless forced. Values are quoted when they hold anything beyond a plain token, as process.loadEnvFile reads them.
import { chmodSync, existsSync, writeFileSync } from "node:fs";

export class EnvFileExistsError extends Error {
  constructor(readonly path: string) {
    super(`${path} exists: cs-mcp setup does not overwrite it; move it away or pass --force`);
    this.name = "EnvFileExistsError";
  }
}

function quote(value: string): string {
  if (/^[\w.:/@%+=,~-]*$/.test(value)) return value;
  if (!value.includes("'") && !value.includes("\n")) return `'${value}'`;
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

export function renderEnvFile(values: ReadonlyArray<[string, string]>, header: string): string {
  return `${header.split("\n").map((l) => `# ${l}`).join("\n")}\n${values.map(([k, v]) => `${k}=${quote(v)}`).join("\n")}\n`;
}

export function writeEnvFile(path: string, content: string, force: boolean): void {
  if (existsSync(path) && !force) throw new EnvFileExistsError(path);
  writeFileSync(path, content, { mode: 0o600, flag: force ? "w" : "wx" });
  chmodSync(path, 0o600); // an overwritten file keeps its old mode otherwise
}
