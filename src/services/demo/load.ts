// Writes the generated demo portfolio to the database, set-based: each table is filled by a few
// `INSERT ... SELECT FROM unnest($1::text[], ...)` statements (chunks of CHUNK_ROWS rows) on one raw
// session, inside one transaction, so a failed load leaves nothing behind. A large demo is generated and
// written part by part (generateDemoParts), so memory holds one part at a time, with a full garbage
// collection after each (collect-garbage.ts). Works the same on embedded
// PGlite and on PostgreSQL. Removal deletes the demo accounts (every account-bound table cascades) and the
// demo rows that belong to no account (support agents, articles, modules, communities, newsletters,
// campaigns: marked is_demo), except those a user's own rows have come to depend on (demo-catalogue.ts).
import type { Database } from "../../db/database.ts";
import type { SqlSession } from "../../db/sql-session.ts";
import {
  DEMO_DEFAULT_ACCOUNTS,
  DEMO_DEFAULT_SEED,
  demoCounts,
  demoPartCount,
  generateDemoParts,
  validateGenerateOptions,
  type DemoData,
  type GenerateOptions,
} from "./generate.ts";
import type { DemoSettings } from "./settings.ts";
import { removeDemoCatalogue, reuseKeptCatalogue, type CatalogueRemoval } from "./demo-catalogue.ts";
import { writeDemoExtras } from "./load-extras.ts";
import { cols, insertRows } from "./insert-rows.ts";
import { collectGarbage } from "./collect-garbage.ts";

export interface DemoOptions {
  /** Default 42. */
  seed?: number;
  /** Default 200, from 1 to DEMO_MAX_ACCOUNTS (200,000). */
  accounts?: number;
  /** Dates are generated relative to this moment. Default: the current time. */
  now?: Date;
  /** The server's settings the programs follow (onboarding threshold, advocacy points and rules). Default: the documented defaults. */
  settings?: DemoSettings;
  /** How the load splits the portfolio into parts (see generateDemoParts); tests make them small. */
  parts?: GenerateOptions["parts"];
  /** Told each step of the load (generate, write, commit): a server's first start reports them as progress. */
  onProgress?: (done: number, total: number, message: string) => void;
}

/** Rows written per table (demoCounts), the seed and how long the load took. */
export type DemoSummary = ReturnType<typeof demoCounts> & { seed: number; duration_ms: number };

/** Thrown by loadDemo when demo accounts already exist. */
export class DemoAlreadyLoadedError extends Error {
  constructor(readonly demo_accounts: number) {
    super(`demo data is already loaded (${demo_accounts} demo accounts): remove it before loading it again`);
    this.name = "DemoAlreadyLoadedError";
  }
}

const REMOVE_BATCH = 100;
// Serialises concurrent loads (pg_advisory_xact_lock key; the migration runner uses its own).
const DEMO_LOCK_KEY = 7_301_042_001;

async function writeDemo(session: SqlSession, data: DemoData): Promise<void> {
  await insertRows(
    session,
    "accounts",
    [
      ...cols(data.accounts, [
        ["id", "text"], ["client_name", "text"], ["company_name", "text"], ["company_key", "text"], ["external_id", "text"],
        ["industry", "text"], ["tier", '"Tier"'], ["lifecycle_stage", '"LifecycleStage"'], ["status", '"AccountStatus"'],
        ["arr", "numeric"], ["currency", "text"], ["seats", "int"], ["primary_contact_email", "text"],
        ["primary_contact_name", "text"], ["csm_name", "text"], ["csm_email", "text"], ["churned_at", "timestamptz"],
        ["churn_reason", "text"], ["created_at", "timestamptz"],
      ]),
      { name: "is_demo", type: "bool", value: () => true },
    ],
    data.accounts.length,
  );
  await insertRows(
    session,
    "contacts",
    cols(data.contacts, [
      ["id", "text"], ["account_id", "text"], ["email", "text"], ["name", "text"], ["role", "text"], ["phone", "text"],
      ["is_primary", "bool"], ["created_at", "timestamptz"],
    ]),
    data.contacts.length,
  );
  await insertRows(
    session,
    "contracts",
    cols(data.contracts, [
      ["id", "text"], ["account_id", "text"], ["contract_value", "numeric"], ["currency", "text"], ["billing_frequency", "text"],
      ["start_date", "date"], ["end_date", "date"], ["renewal_date", "date"], ["auto_renew", "bool"], ["notice_period_days", "int"],
      ["payment_status", "text"], ["seats", "int"], ["products", "text_list"], ["add_ons", "text_list"],
      ["discount_percent", "numeric"], ["status", "text"], ["created_at", "timestamptz"],
    ]),
    data.contracts.length,
  );
  await insertRows(
    session,
    "invoices",
    cols(data.invoices, [
      ["id", "text"], ["account_id", "text"], ["external_id", "text"], ["amount", "numeric"], ["currency", "text"],
      ["issued_at", "date"], ["due_date", "date"], ["paid_at", "timestamptz"], ["created_at", "timestamptz"],
    ]),
    data.invoices.length,
  );
  await insertRows(
    session,
    "support_tickets",
    cols(data.tickets, [
      ["id", "text"], ["account_id", "text"], ["subject", "text"], ["description", "text"], ["priority", '"TicketPriority"'],
      ["category", "text"], ["status", '"TicketStatus"'], ["requester_email", "text"], ["assigned_agent", "text"], ["team", "text"],
      ["tags", "text_list"], ["satisfaction_rating", "int"], ["escalated", "bool"], ["escalated_at", "timestamptz"],
      ["first_response_due_at", "timestamptz"], ["resolution_due_at", "timestamptz"], ["first_response_at", "timestamptz"],
      ["resolved_at", "timestamptz"], ["closed_at", "timestamptz"], ["created_at", "timestamptz"], ["updated_at", "timestamptz"],
    ]),
    data.tickets.length,
  );
  await insertRows(
    session,
    "survey_responses",
    [
      ...cols(data.survey_responses, [
        ["id", "text"], ["account_id", "text"], ["survey_type", '"SurveyType"'], ["respondent_email", "text"], ["score", "int"],
        ["reason", "text"], ["responded_at", "timestamptz"],
      ]),
      { name: "feedback_id", type: "text", value: (i) => data.survey_responses[i]?.feedback_id ?? null },
    ],
    data.survey_responses.length,
  );
  await insertRows(
    session,
    "timeline_events",
    [
      ...cols(data.timeline_events, [["id", "text"], ["account_id", "text"], ["event_type", "text"], ["summary", "text"], ["occurred_at", "timestamptz"]]),
      { name: "data", type: "jsonb", value: (i) => JSON.stringify(data.timeline_events[i]?.data ?? {}) },
    ],
    data.timeline_events.length,
  );
  await insertRows(
    session,
    "lifecycle_transitions",
    cols(data.lifecycle_transitions, [
      ["id", "text"], ["account_id", "text"], ["from_stage", '"LifecycleStage"'], ["to_stage", '"LifecycleStage"'], ["reason", "text"],
      ["transitioned_at", "timestamptz"],
    ]),
    data.lifecycle_transitions.length,
  );
  const ue = data.usage_events;
  await insertRows(
    session,
    "usage_events",
    [
      { name: "account_id", type: "text", value: (i) => ue.account_id[i] ?? null },
      { name: "user_id", type: "text", value: (i) => ue.user_id[i] ?? null },
      { name: "event", type: "text", value: (i) => ue.event[i] ?? null },
      { name: "feature", type: "text", value: (i) => ue.feature[i] ?? null },
      { name: "occurred_at", type: "timestamptz", value: (i) => new Date(ue.occurred_at[i] as number) },
      { name: "source", type: "text", value: () => "demo" },
    ],
    ue.account_id.length,
  );
  await writeDemoExtras(session, data);
}

/**
 * Generates the demo portfolio and writes it in one transaction, part by part. Refuses (DemoAlreadyLoadedError) when
 * demo accounts already exist; on any other failure nothing is written and the error says so.
 */
export async function loadDemo(db: Database, opts: DemoOptions = {}): Promise<DemoSummary> {
  const started = performance.now();
  const seed = opts.seed ?? DEMO_DEFAULT_SEED;
  const accounts = opts.accounts ?? DEMO_DEFAULT_ACCOUNTS;
  const now = opts.now ?? new Date();
  const split = opts.parts ? { parts: opts.parts } : {};
  validateGenerateOptions({ seed, accounts, now, ...split });

  const existing = await demoLoaded(db);
  if (existing > 0) throw new DemoAlreadyLoadedError(existing);
  // Generated and written part by part (generateDemoParts), so memory holds one part's rows at a time
  // whatever the account count; all parts go in one transaction, so a failed load leaves nothing.
  const parts = demoPartCount(accounts, opts.parts);
  const progress = (done: number, message: string) => opts.onProgress?.(done, parts + 1, message);
  progress(0, `generating the demo portfolio (${accounts} accounts)`);

  let counts: ReturnType<typeof demoCounts> | undefined;
  let accountsWritten = 0;
  const session = await db.session();
  try {
    await session.exec("BEGIN");
    try {
      await session.query(`SELECT pg_advisory_xact_lock(${DEMO_LOCK_KEY})`);
      // Checked again under the lock: another load may have committed in the meantime.
      const [row] = await session.query<{ n: number }>(`SELECT count(*)::int AS n FROM accounts WHERE is_demo = true`);
      if (row && row.n > 0) throw new DemoAlreadyLoadedError(row.n);
      let k = 0;
      for (let part of generateDemoParts({ seed, accounts, now, ...split, ...(opts.settings ? { settings: opts.settings } : {}) })) {
        // Demo modules and communities a previous removal had to keep are used again rather than duplicated.
        if (part.training_modules.length > 0 || part.communities.length > 0) part = await reuseKeptCatalogue(session, part);
        await writeDemo(session, part);
        counts = addCounts(counts, demoCounts(part));
        collectGarbage();
        accountsWritten += part.accounts.length;
        progress(++k, k === parts ? "committing the demo portfolio" : `wrote ${accountsWritten} of ${accounts} accounts`);
      }
      await session.exec("COMMIT");
    } catch (err) {
      await session.exec("ROLLBACK").catch(() => {});
      if (err instanceof DemoAlreadyLoadedError) throw err;
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(`loading the demo data failed, nothing was written: ${message}`, { cause: err });
    }
  } finally {
    session.release();
  }

  progress(parts + 1, "demo portfolio loaded");
  return { ...(counts as ReturnType<typeof demoCounts>), seed, duration_ms: Math.round(performance.now() - started) };
}

function addCounts<T extends Record<string, number>>(a: T | undefined, b: T): T {
  if (!a) return b;
  return Object.fromEntries(Object.entries(b).map(([k, v]) => [k, v + (a[k] ?? 0)])) as T;
}

/**
 * Deletes the demo accounts; their contacts, contracts, usage, tickets, ... go with them (ON DELETE
 * CASCADE). One transaction, in batches of REMOVE_BATCH accounts so that no single statement runs into
 * the PostgreSQL statement timeout on a large demo. Then the demo rows of no account (demo-catalogue.ts).
 */
export async function removeDemo(db: Database): Promise<{ accounts_removed: number } & CatalogueRemoval> {
  const session = await db.session();
  let removed = 0;
  let catalogue: CatalogueRemoval | undefined;
  try {
    await session.exec("BEGIN");
    try {
      for (;;) {
        const [row] = await session.query<{ n: number }>(
          `WITH batch AS (SELECT id FROM accounts WHERE is_demo = true ORDER BY id LIMIT ${REMOVE_BATCH}),
                gone AS (DELETE FROM accounts a USING batch WHERE a.id = batch.id RETURNING 1)
           SELECT count(*)::int AS n FROM gone`,
        );
        const n = row?.n ?? 0;
        removed += n;
        if (n < REMOVE_BATCH) break;
      }
      catalogue = await removeDemoCatalogue(session);
      await session.exec("COMMIT");
    } catch (err) {
      await session.exec("ROLLBACK").catch(() => {});
      throw err;
    }
  } finally {
    session.release();
  }
  return { accounts_removed: removed, ...(catalogue as CatalogueRemoval) };
}

/** How many demo accounts the database holds. */
export async function demoLoaded(db: Database): Promise<number> {
  return db.prisma.account.count({ where: { is_demo: true } });
}
