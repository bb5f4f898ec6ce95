// A generated portfolio with a known churn process, for the churn model's tests and bench/churn.ts. Each
// account draws its traits (plan, region, seats, auto-renew, contract length, usage trend, NPS, P1 tickets,
// overdue invoices); its churn log-odds are a fixed linear function of them (TRUE_LOG_ODDS below) and the
// outcome is drawn from it. A churner's history is written as it stood before its churned_at; an active
// account's as of now. The hand-set model sees usage, NPS, tickets and invoices but not plan or auto-renew.
import type { PrismaClient } from "../src/generated/prisma/client.ts";
import { mulberry32 } from "../src/services/demo/random.ts";

export function rng(seed: number) {
  const next = mulberry32(seed);
  return { next, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)), chance: (p: number) => next() < p };
}

export interface Traits {
  plan: "basic" | "pro" | "enterprise";
  region: "emea" | "amer" | "apac";
  seats: number;
  auto_renew: boolean;
  declining: boolean;
  detractor: boolean;
  p1: boolean;
  overdue: boolean;
}

/** The generating process: churn log-odds of an account with these traits. */
export function trueLogOdds(t: Traits): number {
  return -2.6 + (t.plan === "basic" ? 1.3 : t.plan === "enterprise" ? -0.8 : 0) + (t.auto_renew ? -1.2 : 0.4) + (t.declining ? 1.8 : 0) + (t.detractor ? 1.0 : 0) + (t.p1 ? 0.8 : 0) + (t.overdue ? 0.9 : 0) - 0.02 * t.seats;
}

const DAY = 86_400_000;

export interface GeneratedPortfolio {
  churners: Set<string>;
  ids: string[];
}

/** Writes `n` accounts (ids `${prefix}_<i>`) with their history; churners get status churned and churned_at. */
export async function generateChurnPortfolio(prisma: PrismaClient, n: number, now: Date, seed = 1515, prefix = "cs_1700000000_gen"): Promise<GeneratedPortfolio> {
  const r = rng(seed);
  const at = (base: number, days: number) => new Date(base + days * DAY);
  const day = (ms: number) => new Date(`${new Date(ms).toISOString().slice(0, 10)}T00:00:00.000Z`);
  const churners = new Set<string>();
  const ids: string[] = [];
  const accounts = [];
  const contracts = [];
  const events: Array<{ account_id: string; user_id: string; event: string; feature: string; occurred_at: Date }> = [];
  const tickets = [];
  const surveys = [];
  const invoices = [];
  for (let i = 0; i < n; i++) {
    const id = `${prefix}_${i}`;
    ids.push(id);
    const t: Traits = {
      plan: (["basic", "pro", "enterprise"] as const)[r.int(0, 2)]!,
      region: (["emea", "amer", "apac"] as const)[r.int(0, 2)]!,
      seats: r.int(5, 40),
      auto_renew: r.chance(0.5),
      declining: r.chance(0.25),
      detractor: r.chance(0.2),
      p1: r.chance(0.12),
      overdue: r.chance(0.12),
    };
    const churned = r.chance(1 / (1 + Math.exp(-trueLogOdds(t))));
    if (churned) churners.add(id);
    // As-of instant: churned_at for a churner (1–300 days ago), now for an active account.
    const asOf = churned ? now.getTime() - r.int(1, 300) * DAY - r.int(0, 80_000) * 1000 : now.getTime();
    const since = asOf - r.int(120, 1500) * DAY;
    accounts.push({
      id, client_name: `Gen ${i}`, company_name: `Gen ${i}`, company_key: `gen ${i}`, primary_contact_email: `g${i}@gen.example`,
      lifecycle_stage: churned ? ("churned" as const) : ("maturity" as const), status: churned ? ("churned" as const) : ("active" as const),
      churned_at: churned ? new Date(asOf) : null, customer_since: new Date(since), arr: t.seats * 1200,
      attributes: { plan: t.plan, region: t.region, seats: t.seats }, created_at: new Date(now.getTime() - 2 * DAY),
    });
    const start = day(asOf - r.int(30, 330) * DAY);
    contracts.push({ account_id: id, contract_value: t.seats * 1200, seats: t.seats, start_date: start, end_date: day(start.getTime() + 365 * DAY), renewal_date: day(start.getTime() + 365 * DAY), auto_renew: t.auto_renew, status: churned ? "cancelled" : "active" });
    const users = Math.max(2, Math.round(t.seats * (0.4 + 0.4 * r.next())));
    const recent = t.declining ? Math.max(1, Math.floor(users * (0.15 + 0.35 * r.next()))) : Math.max(1, users - r.int(0, 2));
    for (let u = 0; u < users; u++) {
      for (let k = 0; k < 3; k++) events.push({ account_id: id, user_id: `u${u}`, event: "session_start", feature: "core", occurred_at: new Date(asOf - (31 + r.int(0, 28)) * DAY - r.int(1, 80_000) * 1000) });
      if (u < recent) for (let k = 0; k < (t.declining ? 1 : 3); k++) events.push({ account_id: id, user_id: `u${u}`, event: "session_start", feature: "core", occurred_at: new Date(asOf - r.int(0, 28) * DAY - r.int(1, 80_000) * 1000) });
    }
    if (t.p1) tickets.push({ account_id: id, subject: "outage", priority: "P1" as const, status: "open" as const, created_at: at(asOf, -r.int(2, 20)), first_response_due_at: at(asOf, -1), resolution_due_at: at(asOf, -0.5) });
    surveys.push({ account_id: id, survey_type: "nps" as const, respondent_email: `c${i}@gen.example`, score: t.detractor ? r.int(0, 6) : r.int(7, 10), responded_at: at(asOf, -r.int(3, 120)) });
    if (t.overdue) invoices.push({ account_id: id, external_id: `o${i}`, amount: 1000, issued_at: day(asOf - 70 * DAY), due_date: day(asOf - r.int(10, 40) * DAY), paid_at: null });
  }
  await prisma.account.createMany({ data: accounts });
  await prisma.contract.createMany({ data: contracts });
  for (let k = 0; k < events.length; k += 5000) await prisma.usageEvent.createMany({ data: events.slice(k, k + 5000), skipDuplicates: true });
  if (tickets.length) await prisma.supportTicket.createMany({ data: tickets });
  await prisma.surveyResponse.createMany({ data: surveys, skipDuplicates: true });
  if (invoices.length) await prisma.invoice.createMany({ data: invoices });
  return { churners, ids };
}
