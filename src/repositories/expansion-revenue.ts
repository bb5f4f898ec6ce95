// The open expansion pipeline for track_revenue_expansion; the ARR movements themselves come from
// arr-movements.ts, shared with track_cs_metrics.
import type { PrismaClient } from "../generated/prisma/client.ts";

export class ExpansionRevenueRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** Open opportunities' value per account and type. */
  async openPipeline(): Promise<Array<{ account_id: string; type: string; n: number; value: string }>> {
    const rows = await this.prisma.$queryRawUnsafe<Array<{ account_id: string; type: string; n: number; value: string }>>(
      `SELECT account_id, type, count(*)::int AS n, sum(estimated_value)::text AS value
         FROM expansion_opportunities WHERE status = 'open' GROUP BY account_id, type ORDER BY account_id, type`,
    );
    return rows.map((r) => ({ ...r, n: Number(r.n) }));
  }
}
