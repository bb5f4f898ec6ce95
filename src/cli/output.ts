// The only place that writes to stdout outside the MCP transport: the CLI's own answers (`call`,
// `doctor`, `migrate`, `demo`, `--help`). The server itself never uses this while serving.
export function printOut(text: string): void {
  process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
}

export function printJson(value: unknown): void {
  printOut(JSON.stringify(value, null, 2));
}

export function printErr(text: string): void {
  process.stderr.write(text.endsWith("\n") ? text : `${text}\n`);
}
