// Everything get_client_overview shows, in ONE call of the cs_client_overview() database function
// (prisma/migrations/20261122000000_client_overview_function, health history since
// 20261203171326_client_overview_history): each section is a sub-select folded into a JSON object, planned
// once per connection, one round trip per overview. Sent straight to the driver (Database.query): on the
// embedded database Prisma's raw-query path costs more than the function itself; on PostgreSQL as a
// named statement, prepared once per connection.
import type { Database } from "../db/database.ts";

/** Rows as JSON: timestamps are ISO strings, numerics are numbers, dates YYYY-MM-DD. */
export interface OverviewRow {
  account: null | {
    id: string; client_name: string; company_name: string; industry: string | null; tier: string; lifecycle_stage: string;
    status: string; arr: number; currency: string; seats: number | null; external_id: string | null;
    primary_contact_email: string | null; primary_contact_name: string | null; csm_name: string | null; csm_email: string | null;
    created_at: string; is_demo: boolean;
    /** customer-since.ts: imported, else the earliest contract start, else created_at. */
    customer_since_effective: string; attributes: Record<string, string | number>; churned_at: string | null; churn_reason: string | null;
  };
  contract: null | {
    id: string; contract_value: number; currency: string; billing_frequency: string; start_date: string | null; end_date: string | null;
    renewal_date: string | null; auto_renew: boolean; payment_status: string; seats: number | null; status: string;
  };
  health: null | {
    overall_score: number | null; band: string; trend: string | null; usage_score: number | null; engagement_score: number | null;
    support_score: number | null; satisfaction_score: number | null; payment_score: number | null; missing_components: string[]; calculated_at: string;
  };
  /** The last stored health scores, oldest first (empty when health is null); calculated_at as PostgreSQL writes it. */
  history: HealthPoint[];
  open_by_priority: Array<{ priority: "P1" | "P2" | "P3" | "P4"; n: number; oldest: string }>;
  recent_open: Array<{ id: string; subject: string; priority: string; status: string; created_at: string; resolution_breached: boolean }>;
  risks: Array<{ id: string; category: string; indicator: string; severity: string; detected_at: string }>;
  escalations: Array<{ id: string; severity: string; status: string; reason: string; created_at: string }>;
  latest_nps: null | { score: number; responded_at: string };
  nps_window: { n: number; promoters: number; detractors: number };
  plan: null | { id: string; status: string; target_date: string | null; total: number; completed: number; overdue: number };
  opportunities: Array<{ id: string; type: string; product: string; estimated_value: number; score: number }>;
  opportunity_totals: { n: number; value: number };
  last_engagement: null | { at: string; kind: string };
}

const OVERVIEW_SQL = "SELECT cs_client_overview($1::text, $2::timestamptz, $3::timestamptz, $4::date, $5::int) AS overview";
/** Prepared once per PostgreSQL connection: each overview then skips parsing and planning its statement (~0.1 ms). */
export const OVERVIEW_STATEMENT = "cs_client_overview_5";

export async function loadOverview(db: Pick<Database, "query">, accountId: string, now: Date, npsSince: Date, historyPoints: number): Promise<OverviewRow> {
  const today = now.toISOString().slice(0, 10);
  const rows = await db.query<{ overview: OverviewRow | string }>(
    OVERVIEW_SQL,
    [accountId, now.toISOString(), npsSince.toISOString(), today, historyPoints],
    { name: OVERVIEW_STATEMENT },
  );
  const raw = rows[0]?.overview;
  return (typeof raw === "string" ? JSON.parse(raw) : raw) as OverviewRow;
}

/** One stored health score with its components (a point of the account view's chart). */
export interface HealthPoint {
  calculated_at: string; overall_score: number | null; usage: number | null; engagement: number | null;
  support: number | null; satisfaction: number | null; payment: number | null;
}
