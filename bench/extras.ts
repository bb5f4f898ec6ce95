// The integration, import and portfolio-scoring benchmarks, run by `npm run bench` after the foundation bench: each result
// is a ratio to a baseline measured in the same run (a healthy vendor; PostgreSQL COPY of the same file).
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { runImportBench, type ImportBenchResult } from "./import.ts";
import { runIntegrationsBench, type IntegrationsBenchResult } from "./integrations.ts";
import { runScoringBench } from "./scoring.ts";
import { replaceDocSection } from "./report.ts";

function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

function integrationsMarkdown(r: IntegrationsBenchResult, date: string): string {
  const h = r.hang;
  const d = r.dispatcher;
  return `## Integrations (${date})

A tool call whose vendor hangs answers at its deadline instead of hanging with it; once the circuit
breaker has opened, it fails fast. Deadline ${h.deadline_ms} ms.

| measure | median | ratio to the healthy vendor |
|---|---:|---:|
| call, vendor healthy (baseline) | ${h.healthy_median_ms} ms | 1.00× |
| call, vendor hanging, breaker still closed | ${h.hanging_until_breaker_opens_median_ms} ms | ${h.ratio_hanging_to_healthy}× |
| call, vendor hanging, breaker open | ${h.hanging_with_breaker_open_median_ms} ms | ${h.ratio_breaker_open_to_healthy}× |

Outbox dispatcher against a healthy fake vendor on loopback (${d.database} database, batch ${d.batch_size},
concurrency ${d.concurrency}): ${d.deliveries} deliveries in ${d.seconds} s = **${d.deliveries_per_second} deliveries/s**.`;
}

function importMarkdown(r: ImportBenchResult, date: string): string {
  const lines = [`## Import (${date})`, ""];
  if (r.postgres) {
    const p = r.postgres;
    lines.push(
      `\`cs-mcp import usage_events\` of a generated CSV of ${r.file.rows.toLocaleString("en")} usage events for ${r.file.accounts} accounts, against PostgreSQL \`COPY\` of the same file (the floor) on ${p.server}.`,
      "",
      "| run | rows | seconds | rows/s |",
      "|---|---:|---:|---:|",
      `| PostgreSQL COPY (baseline) | ${p.copy.rows} | ${p.copy.seconds} | ${p.copy.rows_per_second} |`,
      `| cs-mcp import | ${p.importer.rows} | ${p.importer.seconds} | ${p.importer.rows_per_second} |`,
      `| cs-mcp import again (all unchanged) | ${p.reimport.rows} | ${p.reimport.seconds} | ${p.reimport.rows_per_second} |`,
      "",
      `Importer time ÷ COPY time: **${p.importer_to_copy_time_ratio}×**.`,
      "",
    );
  } else lines.push("PostgreSQL part skipped (no DATABASE_URL).", "");
  lines.push(`Embedded (PGlite): ${r.embedded.importer.rows} usage events in ${r.embedded.importer.seconds} s = ${r.embedded.importer.rows_per_second} rows/s.`);
  if (r.notes.length) lines.push("", ...r.notes.map((n) => `- ${n}`));
  return lines.join("\n");
}

export async function runExtras(root: string, quick: boolean, log: (m: string) => void): Promise<void> {
  const date = new Date().toISOString().slice(0, 10);
  const doc = join(root, "docs", "performance.md");
  log("integrations: a hanging vendor vs a healthy one, and dispatcher throughput");
  const integrations = await runIntegrationsBench();
  writeJson(join(root, "bench", "results", quick ? "integrations.quick.json" : "integrations.json"), integrations);
  log(`import: ${quick ? "100k" : "1M"} usage events vs PostgreSQL COPY`);
  const imported = await runImportBench(quick ? { rows: 100_000, embeddedRows: 20_000, log } : { log });
  writeJson(join(root, "bench", "results", quick ? "import.quick.json" : "import.json"), imported);
  if (!quick) {
    replaceDocSection(doc, "integrations", integrationsMarkdown(integrations, date));
    replaceDocSection(doc, "import", importMarkdown(imported, date));
    log(`updated ${doc}`);
  }
  process.stdout.write(`\n${integrationsMarkdown(integrations, date)}\n\n${importMarkdown(imported, date)}\n`);
  log("scoring: the whole portfolio in one call vs a per-account loop and a hand-written SQL floor");
  await runScoringBench({ quick, log }); // writes its own JSON and docs section (not in quick mode)
}
