// Accounts by id and name for the resource list (pages in id order) and for completion of client_id
// arguments (matches on id, company or client name; prefix matches before substring matches).
import type { Database } from "../db/database.ts";

/** LIKE pattern text for a literal: client ids are full of '_', LIKE's one-character wildcard. */
const likeLiteral = (s: string) => s.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);

export interface DirectoryEntry {
  id: string;
  company_name: string;
}

export class AccountDirectoryRepository {
  constructor(private readonly db: Pick<Database, "query">) {}

  async count(): Promise<number> {
    const [row] = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM accounts`);
    return row?.n ?? 0;
  }

  page(offset: number, limit: number): Promise<DirectoryEntry[]> {
    return this.db.query<DirectoryEntry>(`SELECT id, company_name FROM accounts ORDER BY id LIMIT $1 OFFSET $2`, [limit, offset]);
  }

  /** Up to `limit` matches, ranked, and how many there are in all. */
  async match(text: string, limit: number): Promise<{ ids: string[]; total: number }> {
    const q = likeLiteral(text);
    const rows = await this.db.query<{ id: string; total: number }>(
      `SELECT id, count(*) OVER ()::int AS total
         FROM (SELECT id, company_name,
                      CASE WHEN lower(id) LIKE $1 ESCAPE '\\' OR lower(company_name) LIKE $1 ESCAPE '\\' OR lower(client_name) LIKE $1 ESCAPE '\\' THEN 0 ELSE 1 END AS rank
                 FROM accounts
                WHERE lower(id) LIKE $2 ESCAPE '\\' OR lower(company_name) LIKE $2 ESCAPE '\\' OR lower(client_name) LIKE $2 ESCAPE '\\') m
        ORDER BY rank, lower(company_name), id
        LIMIT $3`,
      [`${q}%`, `%${q}%`, limit],
    );
    return { ids: rows.map((r) => r.id), total: rows[0]?.total ?? 0 };
  }
}
