// The value after a command-line flag of a bench (`--runs 3` → "3"), or undefined when the flag is absent.
export function option(name: string, argv: readonly string[] = process.argv): string | undefined {
  const i = argv.indexOf(name);
  return i !== -1 ? argv[i + 1] : undefined;
}
