// The feature catalog (distinct features any account used in the window: the engagement-breadth
// denominator) is read with a skip scan over (feature, occurred_at); it must count exactly what
// count(DISTINCT feature) over the window counts, on both back ends.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { HealthSignalsRepository } from "../../src/repositories/health-signals.ts";

const NOW = new Date("2026-06-30T12:00:00.000Z");
const DAY = 86_400_000;
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);

describe.each(BACKENDS)("feature catalog on %s", (backend) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(backend);
    const p = t.db.prisma;
    for (const id of ["cs_1_cat_a", "cs_1_cat_b"]) await p.account.create({ data: { id, client_name: id, company_name: id, company_key: id } });
    await p.usageEvent.createMany({
      data: [
        { account_id: "cs_1_cat_a", user_id: "u1", event: "feature_used", feature: "reports", occurred_at: ago(1) },
        { account_id: "cs_1_cat_b", user_id: "u2", event: "feature_used", feature: "reports", occurred_at: ago(2) },
        { account_id: "cs_1_cat_b", user_id: "u2", event: "feature_used", feature: "alerts", occurred_at: ago(29) },
        { account_id: "cs_1_cat_a", user_id: "u1", event: "feature_used", feature: "exports", occurred_at: ago(31) }, // before a 30-day window
        { account_id: "cs_1_cat_a", user_id: "u1", event: "feature_used", feature: "zapier", occurred_at: new Date(NOW.getTime() + DAY) }, // after now
        { account_id: "cs_1_cat_a", user_id: "u1", event: "login", feature: null, occurred_at: ago(1) },
      ],
    });
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it.each([
    [30, 2], // reports, alerts
    [45, 3], // + exports
    [1.5, 1], // reports only
  ])("counts the distinct features in a %s-day window: %i", async (days, expected) => {
    const set = await new HealthSignalsRepository(t.db.prisma).load({ accountIds: null, now: NOW, lookbackDays: days, satisfactionDays: 180, historyPoints: 6 });
    expect(set.feature_catalog).toBe(expected);
    const [row] = await t.db.query<{ n: number }>(
      "SELECT count(DISTINCT feature)::int AS n FROM usage_events WHERE occurred_at >= $1 AND occurred_at < $2 AND feature IS NOT NULL",
      [new Date(NOW.getTime() - days * DAY).toISOString(), NOW.toISOString()],
    );
    expect(set.feature_catalog).toBe(row!.n);
  });
});
