// The import benchmark (issue 4): how fast `cs-mcp import usage_events` loads a large CSV, against
// PostgreSQL's own COPY of the same file as the baseline. Generates 1,000,000 usage events for 1,000
// accounts in a temp directory; imports the accounts, then the events, into a throwaway PostgreSQL
// database (DATABASE_URL is the admin URL); loads the same file with `psql \copy` into a second fresh,
// migrated database with the same accounts; and measures the embedded (PGlite) import of 100,000 rows.
// Exported for bench/run.ts; `node dist/bench/import.js [--rows N]` runs it alone and prints the result.
import { spawnSync } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { once } from "node:events";
import { pathToFileURL } from "node:url";
import { loadConfig } from "../src/config/load.ts";
import { createLogger } from "../src/observability/logger.ts";
import { openDatabase, type Database } from "../src/db/database.ts";
import { runImport } from "../src/import/run.ts";
import pg from "pg";
import { machineInfo, type MachineInfo } from "./machine.ts";
import { createThrowawayDb, describeUrl } from "./postgres.ts";

export interface ImportBenchOptions {
  /** Usage events in the PostgreSQL file. Default 1,000,000. */
  rows?: number;
  /** Accounts the events belong to. Default 1,000. */
  accounts?: number;
  /** Usage events for the embedded run. Default 100,000. */
  embeddedRows?: number;
  /** PostgreSQL admin URL; default DATABASE_URL. Without one the PostgreSQL part is skipped. */
  adminUrl?: string | undefined;
  log?: (msg: string) => void;
}

export interface ImportRun {
  rows: number;
  created: number;
  seconds: number;
  rows_per_second: number;
}

export interface ImportBenchResult {
  benchmark: "import";
  machine: MachineInfo;
  file: { rows: number; accounts: number; bytes: number; generate_seconds: number };
  postgres: null | {
    server: string;
    accounts_import: ImportRun;
    importer: ImportRun;
    copy: { rows: number; seconds: number; rows_per_second: number };
    /** importer seconds / COPY seconds: how many times longer the importer takes than COPY. */
    importer_to_copy_time_ratio: number;
    reimport: ImportRun;
  };
  embedded: { accounts_import: ImportRun; importer: ImportRun };
  notes: string[];
}


const EVENTS = ["login", "report_run", "export", "dashboard_view", "api_call", "invite_sent", "search", "settings_change"];
const FEATURES = ["", "reports", "exports", "dashboards", "api", "admin"];

/** Writes the accounts CSV and the usage-events CSV (account = client_id, so COPY can load it too). */
async function writeEventsCsv(path: string, clientIds: readonly string[], rows: number): Promise<number> {
  const out = createWriteStream(path);
  let bytes = 0;
  const push = async (s: string) => {
    bytes += Buffer.byteLength(s);
    if (!out.write(s)) await once(out, "drain");
  };
  await push("account,user_id,event,feature,occurred_at\n");
  const start = Date.UTC(2025, 0, 1);
  let chunk = "";
  for (let i = 0; i < rows; i++) {
    const account = clientIds[i % clientIds.length] as string;
    const user = `u${(i * 7) % 50}`;
    const event = EVENTS[(i * 13) % EVENTS.length] as string;
    const feature = FEATURES[(i * 5) % FEATURES.length] as string;
    // Distinct instants: every row is unique, so COPY (which has no ON CONFLICT) loads the same rows.
    const at = new Date(start + i * 1000).toISOString();
    chunk += `${account},${user},${event},${feature},${at}\n`;
    if (chunk.length > 1 << 16) {
      await push(chunk);
      chunk = "";
    }
  }
  await push(chunk);
  out.end();
  await once(out, "finish");
  return bytes;
}

function accountsCsv(path: string, accounts: number): void {
  const lines = ["external_id,company_name,tier,contract_value,primary_contact_email"];
  for (let i = 0; i < accounts; i++) lines.push(`bench-${i},Bench Company ${i},standard,${10_000 + i},owner${i}@bench.example`);
  writeFileSync(path, `${lines.join("\n")}\n`);
}

const asRun = (s: { rows: number; created: number; duration_ms: number }): ImportRun => ({
  rows: s.rows,
  created: s.created,
  seconds: Math.round(s.duration_ms) / 1000,
  rows_per_second: Math.round(s.rows / (s.duration_ms / 1000)),
});

async function importAll(db: Database, config: ReturnType<typeof loadConfig>, accountsFile: string, eventsFile: string, log: (m: string) => void) {
  const acc = await runImport(db, config, { kind: "accounts", file: accountsFile });
  if (acc.error_count) throw new Error(`account import failed: ${JSON.stringify(acc.errors.slice(0, 3))}`);
  const ev = await runImport(db, config, {
    kind: "usage_events",
    file: eventsFile,
    onProgress: (p) => log(`  ${p.rows.toLocaleString("en-US")} rows, ${p.rows_per_second.toLocaleString("en-US")} rows/s`),
  });
  if (ev.error_count) throw new Error(`usage import failed: ${JSON.stringify(ev.errors.slice(0, 3))}`);
  return { acc, ev };
}

export async function runImportBench(opts: ImportBenchOptions = {}): Promise<ImportBenchResult> {
  const rows = opts.rows ?? 1_000_000;
  const accounts = opts.accounts ?? 1_000;
  const embeddedRows = opts.embeddedRows ?? 100_000;
  const adminUrl = opts.adminUrl ?? process.env.DATABASE_URL;
  const log = opts.log ?? ((m: string) => process.stderr.write(`[bench:import] ${m}\n`));
  const logger = createLogger("silent");
  const notes: string[] = [];
  const tmp = mkdtempSync(join(tmpdir(), "cs-mcp-bench-import-"));
  const accountsFile = join(tmp, "accounts.csv");
  const eventsFile = join(tmp, "usage_events.csv");
  const smallFile = join(tmp, "usage_events_small.csv");
  accountsCsv(accountsFile, accounts);

  try {
    // The client ids are only known once the accounts are imported; the events file names accounts by
    // client_id so COPY can load the very same file. One import into a scratch embedded database gives them.
    const embDir = join(tmp, "embedded");
    const embConfig = loadConfig({ CS_MCP_DATA_DIR: embDir, LOG_LEVEL: "silent" });
    const emb = await openDatabase(embConfig, logger);
    let embedded: ImportBenchResult["embedded"];
    let clientIds: string[];
    let bytes = 0;
    let generateSeconds = 0;
    try {
      const t0 = performance.now();
      const acc = await runImport(emb, embConfig, { kind: "accounts", file: accountsFile });
      clientIds = Object.values(acc.mapping ?? {});
      if (clientIds.length !== accounts) throw new Error(`expected ${accounts} accounts, got ${clientIds.length}`);
      const g0 = performance.now();
      bytes = await writeEventsCsv(eventsFile, clientIds, rows);
      await writeEventsCsv(smallFile, clientIds, embeddedRows);
      generateSeconds = Math.round(performance.now() - g0) / 1000;
      log(`generated ${rows.toLocaleString("en-US")} usage events (${(bytes / 1e6).toFixed(1)} MB) in ${generateSeconds} s`);
      log(`embedded: importing ${embeddedRows.toLocaleString("en-US")} usage events`);
      const ev = await runImport(emb, embConfig, { kind: "usage_events", file: smallFile, progressEvery: 50_000, onProgress: (p) => log(`  ${p.rows.toLocaleString("en-US")} rows, ${p.rows_per_second.toLocaleString("en-US")} rows/s`) });
      if (ev.error_count) throw new Error(`embedded usage import failed: ${JSON.stringify(ev.errors.slice(0, 3))}`);
      embedded = { accounts_import: asRun({ ...acc, duration_ms: acc.duration_ms || performance.now() - t0 }), importer: asRun(ev) };
    } finally {
      await emb.close();
    }

    let postgres: ImportBenchResult["postgres"] = null;
    if (!adminUrl) notes.push("DATABASE_URL not set: the PostgreSQL importer and COPY figures were skipped");
    else {
      // The importer, in a throwaway database. Client ids embed the second they were issued: when this
      // database's ids differ from the file's, the events file is rewritten with them (not timed).
      const a = await createThrowawayDb(adminUrl, "bench_import");
      const b = await createThrowawayDb(adminUrl, "bench_import");
      try {
        const cfgA = loadConfig({ DATABASE_URL: a.url, LOG_LEVEL: "silent", DB_STATEMENT_TIMEOUT_MS: "600000" });
        const dbA = await openDatabase(cfgA, logger, { migrate: true });
        let importer: ImportRun;
        let accountsRun: ImportRun;
        let reimport: ImportRun;
        try {
          const acc = await runImport(dbA, cfgA, { kind: "accounts", file: accountsFile });
          const ids = Object.values(acc.mapping ?? {});
          if (ids.join() !== clientIds.join()) {
            log("client ids differ from the file's (a new second): regenerating the events file");
            clientIds = ids;
            bytes = await writeEventsCsv(eventsFile, clientIds, rows);
          }
          accountsRun = asRun(acc);
          log(`postgres ${describeUrl(a.url)}: importing ${rows.toLocaleString("en-US")} usage events`);
          const ev = await runImport(dbA, cfgA, { kind: "usage_events", file: eventsFile, onProgress: (p) => log(`  ${p.rows.toLocaleString("en-US")} rows, ${p.rows_per_second.toLocaleString("en-US")} rows/s`) });
          if (ev.error_count || ev.created !== rows) throw new Error(`usage import: ${ev.created} created, errors ${JSON.stringify(ev.errors.slice(0, 3))}`);
          importer = asRun(ev);
          log(`  importer: ${importer.seconds} s, ${importer.rows_per_second.toLocaleString("en-US")} rows/s; re-importing (all rows skipped)`);
          reimport = asRun(await runImport(dbA, cfgA, { kind: "usage_events", file: eventsFile }));
        } finally {
          await dbA.close();
        }

        // COPY: the same file into a second migrated database holding the same accounts (same ids).
        const cfgB = loadConfig({ DATABASE_URL: b.url, LOG_LEVEL: "silent" });
        const dbB = await openDatabase(cfgB, logger, { migrate: true });
        try {
          const s = await dbB.session();
          try {
            await s.query(`INSERT INTO accounts (id, client_name, company_name, company_key) SELECT id, id, id, id FROM unnest($1::text[]) AS u(id)`, [`{${clientIds.join(",")}}`]);
          } finally {
            s.release();
          }
        } finally {
          await dbB.close();
        }
        log("COPY baseline: psql \\copy of the same file");
        const c0 = performance.now();
        const r = spawnSync("psql", [b.url, "-v", "ON_ERROR_STOP=1", "-q", "-c", `\\copy usage_events (account_id, user_id, event, feature, occurred_at) FROM '${eventsFile}' WITH (FORMAT csv, HEADER true)`], { encoding: "utf8", timeout: 600_000 });
        const copySeconds = Math.round(performance.now() - c0) / 1000;
        if (r.status !== 0) throw new Error(`psql \\copy failed: ${r.stderr || r.error?.message}`);
        notes.push("COPY time includes starting psql and connecting (a few ms); the importer's includes parsing, zod validation and account resolution");
        notes.push("COPY loads empty features as NULL only for unquoted empty fields (CSV format), as the importer does");
        postgres = {
          server: describeUrl(adminUrl),
          accounts_import: accountsRun,
          importer,
          copy: { rows, seconds: copySeconds, rows_per_second: Math.round(rows / copySeconds) },
          importer_to_copy_time_ratio: Math.round((importer.seconds / copySeconds) * 100) / 100,
          reimport,
        };
        log(`  COPY: ${copySeconds} s, ${postgres.copy.rows_per_second.toLocaleString("en-US")} rows/s; importer/COPY time ratio ${postgres.importer_to_copy_time_ratio}`);
      } finally {
        await a.drop().catch(() => {});
        await b.drop().catch(() => {});
      }
    }
    return {
      benchmark: "import",
      machine: machineInfo(),
      file: { rows, accounts, bytes, generate_seconds: generateSeconds },
      postgres,
      embedded,
      notes,
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const i = process.argv.indexOf("--rows");
  const rows = i > 0 ? Number(process.argv[i + 1]) : undefined;
  runImportBench(rows ? { rows } : {}).then(
    (r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`),
    (err) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
