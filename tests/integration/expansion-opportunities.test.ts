// Expansion opportunities on both back ends: upsell at the exact gates (usage 0.70 yes / 0.69 no, health 75 yes /
// 74 no, tenure 60 days yes / 59 no), the score and value recomputed here from the inserted rows, accounts with
// missing data named, cross-sell share and value from inserted similar accounts, seat overage, and the
// deduplication against open opportunities (a second run updates or leaves alone, never inserts again).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { call, callError, pipelineFor } from "../helpers/pipeline.ts";
import { expansionTools } from "../../src/tools/expansion/index.ts";
import type { ToolPipeline } from "../../src/server/pipeline.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const DAY = 86_400_000;
const daysAgo = (d: number) => new Date(NOW.getTime() - d * DAY);
const r4 = (v: number) => Math.round(v * 10_000) / 10_000;
const cents = (v: number) => Math.round(v * 100) / 100;

interface Spec {
  tier?: "starter" | "standard" | "professional" | "enterprise";
  industry?: string | null;
  tenureDays?: number;
  tenureMs?: number;
  seats?: number | null;
  accountSeats?: number | null;
  arr?: number;
  contract?: boolean;
  products?: string[];
  addOns?: string[];
  health?: number | null;
  users?: number;
  prevUsers?: number;
}

describe.each(BACKENDS)("expansion opportunities on %s", (backend) => {
  let t: TestDb;
  let p: ToolPipeline;
  let n = 0;

  async function account(s: Spec): Promise<string> {
    const slug = `exp_${backend}_${++n}`;
    const id = `cs_1700000000_${slug}`;
    const prisma = t.db.prisma;
    const created = s.tenureMs !== undefined ? new Date(NOW.getTime() - s.tenureMs) : daysAgo(s.tenureDays ?? 400);
    await prisma.account.create({
      data: { id, client_name: slug, company_name: `Company ${slug}`, company_key: slug, tier: s.tier ?? "standard", industry: s.industry ?? null, arr: s.contract === false ? 0 : (s.arr ?? 12000), seats: s.accountSeats ?? null, created_at: created },
    });
    // Tenure runs from the earliest contract start when it is older than the account: here it starts with it.
    if (s.contract !== false) {
      await prisma.contract.create({
        data: { account_id: id, contract_value: s.arr ?? 12000, seats: s.seats === undefined ? 10 : s.seats, products: s.products ?? ["core"], add_ons: s.addOns ?? [], start_date: created, end_date: new Date(NOW.getTime() + 165 * DAY), status: "active" },
      });
    }
    if (s.health !== null && s.health !== undefined) {
      await prisma.healthScore.create({ data: { account_id: id, overall_score: s.health, weights: {}, trend: "stable", band: "healthy", calculated_at: daysAgo(1) } });
    }
    const events: Array<{ account_id: string; user_id: string; event: string; feature: string; occurred_at: Date }> = [];
    for (let u = 0; u < (s.users ?? 0); u++) events.push({ account_id: id, user_id: `u${u}`, event: "view", feature: "reports", occurred_at: daysAgo(1) });
    for (let u = 0; u < (s.prevUsers ?? 0); u++) events.push({ account_id: id, user_id: `u${u}`, event: "view", feature: "reports", occurred_at: daysAgo(40) });
    if (events.length) await prisma.usageEvent.createMany({ data: events });
    return id;
  }

  const openRows = (id: string) => t.db.prisma.expansionOpportunity.findMany({ where: { account_id: id, status: "open" }, orderBy: [{ type: "asc" }, { product: "asc" }] });

  beforeAll(async () => {
    t = await openTestDb(backend);
    p = pipelineFor(t, expansionTools, NOW);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("upsell: usage exactly 0.70, health exactly 75 and tenure exactly 60 days qualify; score and value from the rows", async () => {
    expect(t.config.EXPANSION_MIN_USAGE).toBe(0.7);
    expect(t.config.UPSELL_TARGET_UTILIZATION).toBe(0.6);
    const id = await account({ seats: 10, users: 7, prevUsers: 5, health: 75, tenureDays: 60, arr: 12000 });
    const out = await call(p, "identify_upsell_opportunities", { client_id: id });
    // usage 7/10, growth (7−5)/5, score 0.5×0.7 + 0.3×0.75 + 0.2×0.4; extra seats ceil(7/0.6) − 10 = 2 at 12000/10.
    const score = r4(0.5 * 0.7 + 0.3 * 0.75 + 0.2 * ((7 - 5) / 5));
    const extra = Math.ceil(7 / 0.6) - 10;
    expect(score).toBe(0.655);
    expect(extra).toBe(2);
    expect(out.totals).toMatchObject({ opportunities: 1, created: 1, updated: 0, unchanged: 0 });
    const o = out.opportunities[0];
    expect(o).toMatchObject({ client_id: id, type: "upsell", product: "", score, estimated_value: cents(extra * (12000 / 10)), outcome: "created" });
    expect(o.signals).toMatchObject({ usage_ratio: 0.7, health: 75, tenure_days: 60, seats: 10, active_users: 7, extra_seats: 2, arr_per_seat: 1200 });
    const rows = await openRows(id);
    expect(rows).toHaveLength(1);
    expect(Number(rows[0]!.score)).toBe(score);
    expect(Number(rows[0]!.estimated_value)).toBe(2400);
    expect(await t.db.prisma.auditLog.count({ where: { action: "identify_upsell_opportunities", entity_id: rows[0]!.id } })).toBe(1);
  });

  it("upsell: usage 0.69, health 74 and tenure 59 days are not eligible, each with its reason; nothing is stored", async () => {
    const low = await account({ seats: 100, users: 69, health: 90 });
    const sick = await account({ seats: 10, users: 8, health: 74 });
    const young = await account({ seats: 10, users: 8, health: 90, tenureMs: 60 * DAY - 60_000 });
    for (const [id, reason] of [
      [low, "usage 0.69 (69 of 100 seats) < 0.7"],
      [sick, "health 74 < 75"],
      [young, "tenure 59 days < 60"],
    ] as const) {
      const out = await call(p, "identify_upsell_opportunities", { client_id: id });
      expect(out.totals.opportunities).toBe(0);
      expect(out.not_eligible).toEqual([{ client_id: id, reasons: [reason] }]);
      expect(await openRows(id)).toHaveLength(0);
    }
  });

  it("upsell: an eligible account under UPSELL_MIN_SCORE is reported, not stored", async () => {
    const id = await account({ seats: 10, users: 7, prevUsers: 7, health: 75 });
    const out = await call(p, "identify_upsell_opportunities", { client_id: id });
    expect(out.below_min_score).toHaveLength(1);
    expect(out.below_min_score[0]).toMatchObject({ client_id: id, score: r4(0.5 * 0.7 + 0.3 * 0.75), min_score: 0.65 });
    expect(await openRows(id)).toHaveLength(0);
  });

  it("names the missing data: an account with no contract and no seats; health computed when none is stored", async () => {
    const id = await account({ contract: false, health: null, users: 3 });
    const out = await call(p, "identify_upsell_opportunities", { client_id: id });
    expect(out.totals).toMatchObject({ opportunities: 0, skipped_missing_data: 1 });
    expect(out.skipped_missing_data[0].missing.map((m: { what: string }) => m.what)).toEqual([
      "no seat count: no active contract, and the account has no seats",
      "ARR is 0 (no active contract and accounts.arr is 0), so no value per seat",
    ]);
    for (const m of out.skipped_missing_data[0].missing) expect(m.how_to_supply.length).toBeGreaterThan(10);
    // Nothing at all stored: no health can be computed either, and no usage.
    const empty = await account({ contract: false, health: null });
    const none = await call(p, "identify_upsell_opportunities", { client_id: empty });
    expect(none.skipped_missing_data[0].missing.map((m: { what: string }) => m.what)).toEqual([
      "no health score: none is stored and no component has data to compute one",
      "no seat count: no active contract, and the account has no seats",
      "ARR is 0 (no active contract and accounts.arr is 0), so no value per seat",
      "no usage events are stored, so active users are unknown",
    ]);
    // With seats and a contract but no stored score, the health engine's score is used and named.
    const computed = await account({ seats: 10, users: 9, prevUsers: 3, health: null });
    const c = await call(p, "identify_upsell_opportunities", { client_id: computed, min_health_score: 0 });
    // usage 0.9 and growth min(1, (9−3)/3) = 1 put the score at ≥ 0.65 whatever the health: it is stored.
    expect(c.opportunities).toHaveLength(1);
    const sig = c.opportunities[0].signals;
    expect(sig.health_source).toBe("computed_now");
    expect(Number.isInteger(sig.health) && sig.health >= 0 && sig.health <= 100).toBe(true);
    expect(c.opportunities[0].score).toBe(r4(0.5 * 0.9 + 0.3 * (sig.health / 100) + 0.2 * 1));
    expect(await t.db.prisma.healthScore.count({ where: { account_id: computed } })).toBe(0);
  });

  it("cross-sell: share of similar accounts owning the product, value the median ARR share of the owners", async () => {
    const industry = `xsell-${backend}`;
    const peers = [
      { products: ["core", "analytics"], addOns: [], arr: 20000 },
      { products: ["core", "analytics"], addOns: ["sso"], arr: 30000 },
      { products: ["core", "analytics"], addOns: [], arr: 16000 },
      { products: ["core"], addOns: ["sso"], arr: 10000 },
    ];
    for (const x of peers) await account({ tier: "professional", industry, ...x, health: 60 });
    const target = await account({ tier: "professional", industry, products: ["core"], health: 90 });
    const out = await call(p, "identify_crosssell_opportunities", { client_id: target });

    const healthAdj = 0.5 + 0.5 * 0.9;
    const owners = (name: string) => peers.filter((x) => [...x.products, ...x.addOns].includes(name));
    const median = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
    };
    const expected = (name: string) => ({
      score: r4((owners(name).length / peers.length) * healthAdj),
      value: cents(median(owners(name).map((x) => x.arr / (x.products.length + x.addOns.length)))),
    });
    expect(expected("analytics")).toEqual({ score: 0.7125, value: 10000 });
    expect(out.opportunities).toHaveLength(1);
    expect(out.opportunities[0]).toMatchObject({ client_id: target, type: "cross_sell", product: "analytics", score: expected("analytics").score, estimated_value: expected("analytics").value, outcome: "created" });
    expect(out.opportunities[0].signals).toMatchObject({ similar_accounts: 4, owners: 3, ownership_share: 0.75, similarity_basis: `tier professional + industry ${industry}` });
    // sso: 2 of 4 own it → 0.5 × 0.95 = 0.475 < CROSSSELL_MIN_SCORE 0.60
    expect(out.below_min_score).toEqual([expect.objectContaining({ product: "sso", score: expected("sso").score, estimated_value: expected("sso").value, min_score: 0.6 })]);
    const rows = await openRows(target);
    expect(rows.map((r) => [r.type, r.product, Number(r.score), Number(r.estimated_value)])).toEqual([["cross_sell", "analytics", 0.7125, 10000]]);

    // product_family keeps only that family; include_add_ons false drops add-ons from the candidates.
    const fam = await call(p, "identify_crosssell_opportunities", { client_id: target, product_family: "sso" });
    expect(fam.opportunities).toHaveLength(0);
    expect(fam.below_min_score.map((b: { product: string }) => b.product)).toEqual(["sso"]);
    const noAddOns = await call(p, "identify_crosssell_opportunities", { client_id: target, include_add_ons: false });
    expect(noAddOns.below_min_score).toHaveLength(0);
    expect(noAddOns.opportunities[0]).toMatchObject({ product: "analytics", outcome: "unchanged" });
    expect(await openRows(target)).toHaveLength(1);
  });

  it("cross-sell: too few similar accounts is reported as missing data", async () => {
    const target = await account({ tier: "enterprise", industry: `lonely-${backend}`, products: ["core"], health: 90 });
    const out = await call(p, "identify_crosssell_opportunities", { client_id: target, min_similar_accounts: 50 });
    expect(out.skipped_missing_data[0].missing[0].what).toMatch(/^only \d+ similar accounts \(active, with a contract, tier enterprise\) exist; at least 50 are needed$/);
  });

  it("deduplicates: a second run updates the open opportunity or leaves it alone, and never inserts a duplicate", async () => {
    const id = await account({ seats: 10, users: 12, prevUsers: 12, health: 90, arr: 10000 });
    const first = await call(p, "identify_expansion_opportunities", { client_id: id, opportunity_types: ["upsell", "seats"] });
    // seats: 2 over 10 → score min(1, 0.7 + 0.3×0.2), value 2 × 1000; upsell: ceil(12/0.6) − 12 = 8 extra seats × 1000
    expect(first.by_type.seats).toEqual({ opportunities: 1, created: 1, updated: 0, unchanged: 0, estimated_value: 2000 });
    expect(first.by_type.upsell).toEqual({ opportunities: 1, created: 1, updated: 0, unchanged: 0, estimated_value: 8000 });
    const seatsOpp = first.opportunities.find((o: { type: string }) => o.type === "seats");
    expect(seatsOpp.score).toBe(r4(0.7 + 0.3 * (2 / 10)));
    expect(first.opportunities.find((o: { type: string }) => o.type === "upsell").score).toBe(r4(0.5 * 1 + 0.3 * 0.9 + 0));
    const before = await openRows(id);
    expect(before).toHaveLength(2);

    const again = await call(p, "identify_expansion_opportunities", { client_id: id, opportunity_types: ["upsell", "seats"] });
    expect(again.totals).toMatchObject({ opportunities: 2, created: 0, updated: 0, unchanged: 2 });
    expect(await openRows(id)).toEqual(before);

    // Two more active users: both opportunities are re-scored in place.
    await t.db.prisma.usageEvent.createMany({ data: [12, 13].map((u) => ({ account_id: id, user_id: `u${u}`, event: "view", feature: "reports", occurred_at: daysAgo(2) })) });
    const third = await call(p, "identify_expansion_opportunities", { client_id: id, opportunity_types: ["upsell", "seats"] });
    expect(third.totals).toMatchObject({ created: 0, updated: 2, unchanged: 0 });
    const after = await openRows(id);
    expect(after.map((r) => r.id)).toEqual(before.map((r) => r.id));
    const seatsRow = after.find((r) => r.type === "seats")!;
    expect(Number(seatsRow.estimated_value)).toBe(4 * 1000);
    expect(Number(seatsRow.score)).toBe(r4(0.7 + 0.3 * (4 / 10)));
    expect(seatsRow.updated_at?.toISOString()).toBe(NOW.toISOString());
    expect(third.opportunities.find((o: { type: string }) => o.type === "seats")).toMatchObject({ outcome: "updated", previous_value: 2000, estimated_value: 4000 });
    // The upsell tool sees the same open row (same key): unchanged, still one row per type.
    const upsell = await call(p, "identify_upsell_opportunities", { client_id: id });
    expect(upsell.totals).toMatchObject({ created: 0, unchanged: 1 });
    expect(await t.db.prisma.expansionOpportunity.count({ where: { account_id: id } })).toBe(2);
  });

  it("tier upgrade: users at the next tier's median, value = next tier's median ARR − ARR (medians from the stored rows)", async () => {
    for (const [users, arr] of [[20, 50000], [30, 60000], [40, 70000]] as const) await account({ tier: "enterprise", users, arr, seats: 50, health: 80 });
    const id = await account({ tier: "professional", seats: 40, users: 35, prevUsers: 35, health: 90, arr: 30000 });
    // Independent medians over every active enterprise account in this database (other tests add some too).
    const prisma = t.db.prisma;
    const ent = await prisma.account.findMany({ where: { tier: "enterprise", status: "active" }, include: { contracts: { where: { status: "active" } } } });
    const since = new Date(NOW.getTime() - 30 * DAY);
    const users: number[] = [];
    const arrs: number[] = [];
    for (const a of ent) {
      const ev = await prisma.usageEvent.findMany({ where: { account_id: a.id, occurred_at: { gte: since, lt: NOW } }, distinct: ["user_id"], select: { user_id: true } });
      users.push(ev.length);
      const arr = a.contracts.length ? Number(a.contracts[0]!.contract_value) : Number(a.arr);
      if (arr > 0) arrs.push(arr);
    }
    const median = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
    };
    const mu = median(users);
    const ma = median(arrs);
    expect(35).toBeGreaterThanOrEqual(mu);
    const out = await call(p, "identify_expansion_opportunities", { client_id: id, opportunity_types: ["tier_upgrade"] });
    expect(out.opportunities).toHaveLength(1);
    expect(out.opportunities[0]).toMatchObject({ type: "tier_upgrade", product: "enterprise", estimated_value: cents(ma - 30000), score: r4(0.5 * Math.min(1, 35 / mu) + 0.3 * 0.9 + 0.2 * (35 / 40)) });
    expect(out.opportunities[0].signals).toMatchObject({ next_tier_accounts: ent.length, next_tier_median_users: mu, next_tier_median_arr: ma });
  });

  it("bad input names the field and changes nothing; an unknown client is not found", async () => {
    const before = await t.db.prisma.expansionOpportunity.count();
    const e1 = await callError(p, "identify_expansion_opportunities", { opportunity_types: ["bogus"] });
    expect(e1.code).toBe("validation_error");
    expect(e1.message).toContain("opportunity_types.0: must be one of upsell, cross_sell, seats, tier_upgrade");
    const e2 = await callError(p, "identify_upsell_opportunities", { min_usage_threshold: 1.5 });
    expect(e2.message).toMatch(/^invalid arguments: min_usage_threshold: /);
    const e3 = await callError(p, "identify_upsell_opportunities", { client_id: "cs_1700000000_nobody_here" });
    expect(e3).toMatchObject({ code: "not_found", message: "client cs_1700000000_nobody_here was not found" });
    const e4 = await callError(p, "identify_crosssell_opportunities", { client_id: "acme" });
    expect(e4.message).toContain("client_id: must be a client_id of the form cs_<digits>_<lowercase slug>");
    expect(await t.db.prisma.expansionOpportunity.count()).toBe(before);
  });
});
