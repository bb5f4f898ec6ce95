// Expansion opportunities: one open row per (account, type, product). A run that finds an opportunity again
// updates the open row's score, value and rationale (or leaves it alone when both figures are unchanged);
// only a new key inserts. Set-based: one locking read, one multi-row insert, one multi-row update.
import type { Prisma as P, PrismaClient } from "../generated/prisma/client.ts";

type Tx = P.TransactionClient;

export interface OpportunityRow {
  account_id: string;
  type: string;
  product: string;
  /** 0–1, 4 decimals. */
  score: number;
  /** numeric text, 2 decimals. */
  estimated_value: string;
  rationale: string;
}

export interface StoredOutcome {
  opportunity_id: string;
  account_id: string;
  type: string;
  product: string;
  outcome: "created" | "updated" | "unchanged";
  previous_score: number | null;
  previous_value: string | null;
}

export interface OpenOpportunity {
  id: string;
  account_id: string;
  type: string;
  product: string;
  score: string;
  estimated_value: string;
  rationale: string;
  created_at: Date;
  updated_at: Date | null;
}

const key = (r: { account_id: string; type: string; product: string }) => `${r.account_id}\u0000${r.type}\u0000${r.product}`;

export class ExpansionOpportunityRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async upsert(tx: Tx, rows: OpportunityRow[], now: Date): Promise<StoredOutcome[]> {
    if (rows.length === 0) return [];
    const existing = await tx.$queryRawUnsafe<Array<{ id: string; account_id: string; type: string; product: string; score: string; estimated_value: string }>>(
      `SELECT e.id, e.account_id, e.type, e.product, e.score::text AS score, e.estimated_value::text AS estimated_value
         FROM expansion_opportunities e
         JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(account_id, type, product)
           ON e.account_id = k.account_id AND e.type = k.type AND e.product = k.product
        WHERE e.status = 'open'
        FOR UPDATE OF e`,
      rows.map((r) => r.account_id),
      rows.map((r) => r.type),
      rows.map((r) => r.product),
    );
    const open = new Map(existing.map((e) => [key(e), e]));
    const inserts: OpportunityRow[] = [];
    const updates: Array<OpportunityRow & { id: string }> = [];
    const out: StoredOutcome[] = [];
    for (const r of rows) {
      const e = open.get(key(r));
      if (!e) {
        inserts.push(r);
        continue;
      }
      const same = Number(e.score) === r.score && Number(e.estimated_value) === Number(r.estimated_value);
      if (!same) updates.push({ ...r, id: e.id });
      out.push({ opportunity_id: e.id, account_id: r.account_id, type: r.type, product: r.product, outcome: same ? "unchanged" : "updated", previous_score: Number(e.score), previous_value: e.estimated_value });
    }
    if (inserts.length) {
      // ON CONFLICT covers a run that inserted the same key after our read: the row is then updated, not duplicated.
      const created = await tx.$queryRawUnsafe<Array<{ id: string; account_id: string; type: string; product: string }>>(
        `INSERT INTO expansion_opportunities (id, account_id, type, product, score, estimated_value, rationale, status, created_at)
         SELECT gen_random_uuid()::text, v.account_id, v.type, v.product, v.score::numeric, v.value::numeric, v.rationale, 'open', $7::timestamptz
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS v(account_id, type, product, score, value, rationale)
         ON CONFLICT (account_id, type, product) WHERE status = 'open'
         DO UPDATE SET score = EXCLUDED.score, estimated_value = EXCLUDED.estimated_value, rationale = EXCLUDED.rationale, updated_at = $7::timestamptz
         RETURNING id, account_id, type, product`,
        inserts.map((r) => r.account_id),
        inserts.map((r) => r.type),
        inserts.map((r) => r.product),
        inserts.map((r) => r.score.toFixed(4)),
        inserts.map((r) => r.estimated_value),
        inserts.map((r) => r.rationale),
        now,
      );
      const ids = new Map(created.map((c) => [key(c), c.id]));
      for (const r of inserts) out.push({ opportunity_id: ids.get(key(r))!, account_id: r.account_id, type: r.type, product: r.product, outcome: "created", previous_score: null, previous_value: null });
    }
    if (updates.length) {
      await tx.$executeRawUnsafe(
        `UPDATE expansion_opportunities e
            SET score = v.score::numeric, estimated_value = v.value::numeric, rationale = v.rationale, updated_at = $5::timestamptz
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS v(id, score, value, rationale)
          WHERE e.id = v.id`,
        updates.map((u) => u.id),
        updates.map((u) => u.score.toFixed(4)),
        updates.map((u) => u.estimated_value),
        updates.map((u) => u.rationale),
        now,
      );
    }
    return out;
  }

  /** Open opportunities of the given accounts (null = all), newest first. */
  async open(ids: string[] | null): Promise<OpenOpportunity[]> {
    return this.prisma.$queryRawUnsafe<OpenOpportunity[]>(
      `SELECT id, account_id, type, product, score::text AS score, estimated_value::text AS estimated_value, rationale, created_at, updated_at
         FROM expansion_opportunities
        WHERE status = 'open' AND ($1::text[] IS NULL OR account_id = ANY($1::text[]))
        ORDER BY created_at DESC, id`,
      ids,
    );
  }
}
