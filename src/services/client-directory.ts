// Accounts as MCP sees them outside tools: the pages of the cs://clients/… resource list and the
// completion of client_id arguments (prompts and the resource template).
import type { Database } from "../db/database.ts";
import { AccountDirectoryRepository } from "../repositories/account-directory.ts";

/** completion/complete answers at most 100 values (MCP). */
export const COMPLETION_LIMIT = 100;

export class ClientDirectoryService {
  private readonly repo: AccountDirectoryRepository;

  constructor(db: Pick<Database, "query">) {
    this.repo = new AccountDirectoryRepository(db);
  }

  count(): Promise<number> {
    return this.repo.count();
  }

  page(offset: number, limit: number) {
    return this.repo.page(offset, limit);
  }

  /** client_ids whose id, company or client name contains the text; those starting with it first. */
  async complete(text: string): Promise<{ values: string[]; total: number; hasMore: boolean }> {
    const { ids, total } = await this.repo.match(text.trim().slice(0, 200), COMPLETION_LIMIT);
    return { values: ids, total, hasMore: total > ids.length };
  }
}
