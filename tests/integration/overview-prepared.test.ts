// The overview's statement is prepared once per connection (a named statement), on both back ends: the
// connection lists it in pg_prepared_statements after an overview, and the overview read through it is
// the one read by the same statement unnamed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { loadDemo } from "../../src/services/demo/load.ts";
import { loadOverview, OVERVIEW_STATEMENT } from "../../src/repositories/overview.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const SINCE = new Date(NOW.getTime() - 90 * 86_400_000);

describe.each(BACKENDS)("the overview statement on %s", (backend) => {
  let t: TestDb;
  let ids: string[];
  beforeAll(async () => {
    // One connection (PostgreSQL): the prepared statement and the catalogue read below share it.
    t = await openTestDb(backend, { DB_POOL_MAX: "1" });
    await loadDemo(t.db, { seed: 5, accounts: 6, now: NOW });
    ids = (await t.db.query<{ id: string }>("SELECT id FROM accounts ORDER BY id")).map((r) => r.id);
  }, 120_000);
  afterAll(async () => {
    await t?.cleanup();
  });

  it("is prepared once on the connection and reads what the unnamed statement reads", async () => {
    const prepared = () => t.db.query<{ name: string }>("SELECT name FROM pg_prepared_statements WHERE name = $1", [OVERVIEW_STATEMENT]);
    expect(await prepared()).toEqual([]);
    for (const id of ids) {
      const named = await loadOverview(t.db, id, NOW, SINCE, 30);
      const unnamed = await loadOverview({ query: (sql, params) => t.db.query(sql, params) }, id, NOW, SINCE, 30);
      expect(named).toEqual(unnamed);
      expect(named.account?.id).toBe(id);
    }
    expect(await prepared()).toEqual([{ name: OVERVIEW_STATEMENT }]);
  });
});
