// When the embedded database stops being the right choice: portfolio size against the limits measured by
// `bench:scoring` (docs/performance.md). Above them a portfolio call (calculate_health_score {all: true})
// holds the single embedded connection for too long and the process's memory grows with the WebAssembly
// heap, which never shrinks; PostgreSQL (DATABASE_URL) keeps both out of the server process.
import type { Database } from "../../db/database.ts";

/**
 * Up to these sizes the embedded database is fine: bench:scoring measured 4,000 accounts / 800,000 events
 * scored in 17.7 s on a loaded 2-core machine, within the 30 s default tool deadline, and 20,000 / 4M in
 * 98 s (RSS ~540 MB), far past it; time grows about linearly with the portfolio.
 */
export const EMBEDDED_LIMITS = { accounts: 5_000, usage_events: 1_000_000 } as const;

export interface SizeCheck {
  check: "portfolio size";
  status: "ok" | "failing";
  detail: string;
}

export async function portfolioSizeCheck(db: Pick<Database, "kind" | "query">): Promise<SizeCheck> {
  // Accounts counted; usage events estimated from the planner's statistics (a count would scan millions of rows).
  const [row] = await db.query<{ accounts: number; events: number }>(
    `SELECT (SELECT count(*) FROM accounts WHERE status = 'active')::int AS accounts,
            GREATEST(0, COALESCE((SELECT reltuples FROM pg_class WHERE oid = to_regclass('usage_events')), 0))::bigint::float8 AS events`,
  );
  const accounts = Number(row?.accounts ?? 0);
  const events = Number(row?.events ?? 0);
  const size = `${accounts.toLocaleString("en-US")} active accounts, ~${events.toLocaleString("en-US")} usage events`;
  if (db.kind === "postgres") return { check: "portfolio size", status: "ok", detail: `${size} on PostgreSQL` };
  const over = accounts > EMBEDDED_LIMITS.accounts || events > EMBEDDED_LIMITS.usage_events;
  const limits = `${EMBEDDED_LIMITS.accounts.toLocaleString("en-US")} accounts or ${EMBEDDED_LIMITS.usage_events.toLocaleString("en-US")} usage events`;
  return over
    ? { check: "portfolio size", status: "failing", detail: `${size}: above the embedded database's range (${limits}); move to PostgreSQL (set DATABASE_URL, then cs-mcp migrate and import)` }
    : { check: "portfolio size", status: "ok", detail: `${size}: within the embedded database's range (up to ${limits}; above that, use PostgreSQL)` };
}
