// `cs-mcp import <kind> <file> [--format csv|jsonl|json] [--dry-run] [--strict] [--json]`: loads accounts, usage
// events, tickets, NPS answers or invoices from a CSV or JSON Lines file. Exit 0 when every row was
// imported, 1 when rows were rejected (or --strict rolled the file back), 2 for usage errors.
import type { Config } from "../config/load.ts";
import type { Logger } from "../observability/logger.ts";
import { openDatabase } from "../db/database.ts";
import { printErr, printJson, printOut } from "./output.ts";

const HUMAN_ERRORS = 20;

export async function importCommand(config: Config, logger: Logger, positionals: string[], flags: Record<string, string | boolean | undefined>): Promise<number> {
  const { runImport, checkImportRequest, ImportUsageError, IMPORT_KINDS } = await import("../import/run.ts");
  const [kind, file, ...extra] = positionals;
  if (!kind || !file || extra.length) {
    printErr(`usage: cs-mcp import <${IMPORT_KINDS.join("|")}> <file> [--format csv|jsonl|json] [--dry-run] [--strict] [--json]`);
    return 2;
  }
  const format = typeof flags.format === "string" ? flags.format : undefined;
  try {
    checkImportRequest({ kind, file, format });
  } catch (err) {
    if (!(err instanceof ImportUsageError)) throw err;
    printErr(`cs-mcp import: ${err.message}`);
    return 2;
  }
  const json = Boolean(flags.json);
  const db = await openDatabase(config, logger, { migrate: config.CS_MCP_AUTO_MIGRATE });
  try {
    const summary = await runImport(db, config, {
      kind,
      file,
      format,
      dryRun: Boolean(flags["dry-run"]),
      strict: Boolean(flags.strict),
      onProgress: (p) => printErr(`import ${kind}: ${p.rows.toLocaleString("en-US")} rows read, ${p.rows_per_second.toLocaleString("en-US")} rows/s`),
    });
    if (json) printJson(summary);
    else {
      const mode = summary.dry_run ? " (dry run: nothing written)" : summary.rolled_back ? " (--strict: rolled back, nothing written)" : "";
      printOut(
        `import ${summary.kind} from ${summary.file}: ${summary.rows} rows, ${summary.created} created, ${summary.updated} updated, ` +
          `${summary.skipped} skipped, ${summary.rejected} rejected in ${(summary.duration_ms / 1000).toFixed(1)} s${mode}`,
      );
      for (const w of summary.warnings) printOut(`warning: ${w}`);
      for (const e of summary.errors.slice(0, HUMAN_ERRORS)) printOut(`  line ${e.line}: ${e.reason}`);
      if (summary.error_count > HUMAN_ERRORS) printOut(`  … and ${summary.error_count - HUMAN_ERRORS} more (use --json for the first ${summary.errors.length})`);
    }
    return summary.error_count > 0 ? 1 : 0;
  } catch (err) {
    if (err instanceof ImportUsageError) {
      printErr(`cs-mcp import: ${err.message}`);
      return 2;
    }
    throw err;
  } finally {
    await db.close();
  }
}
