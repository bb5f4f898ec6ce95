// usage_events: account*, user_id*, event*, feature, occurred_at*. Insert-only: a row whose
// (account, user_id, event, occurred_at) is already stored is skipped (ON CONFLICT DO NOTHING), which
// also makes duplicates within the file first-wins without keeping their keys in memory.
import { z } from "zod";
import { accountRef, required, text, timestamp } from "../fields.ts";
import { columnLiterals } from "../sql.ts";
import type { KindSpec } from "./types.ts";

const schema = z.object({
  account: required(accountRef()),
  user_id: required(text(200)),
  event: required(text(200)),
  feature: text(200).optional(),
  occurred_at: required(timestamp()),
});
export type UsageRow = z.output<typeof schema>;

const SQL =
  `WITH ins AS (INSERT INTO usage_events (account_id, user_id, event, feature, occurred_at, source) ` +
  `SELECT a, u, e, f, o, 'import' FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[]) AS t(a, u, e, f, o) ` +
  `ON CONFLICT (account_id, user_id, event, occurred_at) DO NOTHING RETURNING 1) SELECT count(*)::int AS n FROM ins`;

export const usageEvents: KindSpec<UsageRow> = {
  kind: "usage_events",
  columns: ["account", "user_id", "event", "feature", "occurred_at"],
  required: ["account", "user_id", "event", "occurred_at"],
  resolvesAccount: true,
  schema,
  batchSize: 10_000,
  async open({ session }) {
    return {
      async write(rows) {
        const params = columnLiterals(rows, [(r) => r.account_id, (r) => r.row.user_id, (r) => r.row.event, (r) => r.row.feature, (r) => r.row.occurred_at]);
        const [res] = await session.query<{ n: number }>(SQL, params);
        return { created: res?.n ?? 0, updated: 0, errors: [] };
      },
    };
  },
};
