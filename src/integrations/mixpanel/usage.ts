// Mixpanel usage read back into usage_events: export lines → rows, one set-based INSERT per chunk with
// ON CONFLICT DO NOTHING on (account_id, user_id, event, occurred_at), so re-running an import adds nothing.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { ExportedEvent, MixpanelApi } from "./client.ts";

export interface UsageImportResult {
  received: number;
  inserted: number;
  /** Lines without a distinct_id or a usable time. */
  skipped: number;
}

const CHUNK = 5000;

/** Export `time` is seconds (or milliseconds with time_in_ms): anything above 1e11 is taken as ms. */
function occurredAt(time: unknown): Date | null {
  const n = typeof time === "number" ? time : typeof time === "string" && time.trim() !== "" ? Number(time) : NaN;
  if (!Number.isFinite(n) || n <= 0) return null;
  return new Date(n > 1e11 ? n : n * 1000);
}

export function toUsageRows(events: ExportedEvent[]): { rows: Array<{ user_id: string; event: string; feature: string | null; occurred_at: string }>; skipped: number } {
  const rows: Array<{ user_id: string; event: string; feature: string | null; occurred_at: string }> = [];
  let skipped = 0;
  for (const e of events) {
    const p = e.properties ?? {};
    const user = p.distinct_id ?? p.$user_id;
    const at = occurredAt(p.time);
    if (user === undefined || user === null || String(user) === "" || !at || !e.event) {
      skipped++;
      continue;
    }
    const feature = typeof p.feature === "string" && p.feature ? p.feature : null;
    rows.push({ user_id: String(user), event: e.event, feature, occurred_at: at.toISOString() });
  }
  return { rows, skipped };
}

/** Inserts the exported events of one account as usage_events (source "mixpanel"); duplicates are ignored. */
export async function importMixpanelUsage(prisma: PrismaClient, accountId: string, events: ExportedEvent[]): Promise<UsageImportResult> {
  const { rows, skipped } = toUsageRows(events);
  let inserted = 0;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const json = JSON.stringify(rows.slice(i, i + CHUNK));
    inserted += await prisma.$executeRawUnsafe(
      `INSERT INTO usage_events (account_id, user_id, event, feature, occurred_at, source)
       SELECT $1, r.user_id, r.event, r.feature, r.occurred_at, 'mixpanel'
         FROM jsonb_to_recordset($2::jsonb) AS r(user_id text, event text, feature text, occurred_at timestamptz)
       ON CONFLICT (account_id, user_id, event, occurred_at) DO NOTHING`,
      accountId,
      json,
    );
  }
  return { received: events.length, inserted, skipped };
}

/**
 * Reads one account's usage over a date range through the export API and lands it in usage_events.
 * Events are attributed to the account by an event property (default `account_id`).
 */
export async function syncMixpanelUsage(
  prisma: PrismaClient,
  client: MixpanelApi,
  accountId: string,
  range: { from_date: string; to_date: string },
  signal: AbortSignal,
  opts: { accountProperty?: string; events?: string[] } = {},
): Promise<UsageImportResult> {
  const prop = (opts.accountProperty ?? "account_id").replace(/["\\]/g, "");
  const value = accountId.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
  const events = await client.exportEvents({ ...range, where: `properties["${prop}"] == "${value}"`, ...(opts.events ? { events: opts.events } : {}) }, signal);
  return importMixpanelUsage(prisma, accountId, events);
}
