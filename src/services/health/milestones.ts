// Adoption milestones: which milestones each account reached and when, from stored usage_events, against
// time-to-value targets from the configuration. Definitions (returned with every answer):
//   reached_at    = when the milestone's condition first held (see MilestoneSpec in the repository);
//   days_to_reach = whole UTC calendar days from the account's customer_since date to reached_at's date
//                   (0 when usage predates the account record);
//   status        = on_time (reached, days ≤ target) | late (reached, days > target)
//                 | overdue (not reached, account older than the target in days) | pending (not reached yet, still within target)
//                 | unknown (would be late or overdue, but the account was created before the first usage event
//                   stored for any account: its early usage is not held, so the timing cannot be judged).
// The default framework (milestone_framework 'default'):
//   first_login            first 'login' event                                  target TTV_FIRST_VALUE_DAYS
//   first_value            first event naming a feature that is not a 'login'   target TTV_FIRST_VALUE_DAYS
//   activation             activation_users (default 3) distinct active users   target TTV_ACTIVATION_DAYS
//   key_feature_used       first use of a key feature (key_features, or else the
//                          feature used by most active accounts)                target TTV_ACTIVATION_DAYS
//   integration_connected  first 'integration_connected' event                 target TTV_ACTIVATION_DAYS
//   full_value             full_value_features (3) features each used by
//                          full_value_users_per_feature (2) distinct users      target TTV_FULL_VALUE_DAYS
// custom_milestones are appended to the default framework, or replace it (milestone_framework 'custom').
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { Config } from "../../config/load.ts";
import { UsageRepository, type MilestoneRow, type MilestoneSpec } from "../../repositories/usage.ts";
import { notFound, validationError } from "../../server/errors.ts";
import { toIso, toIsoDate } from "../../security/validation.ts";
import { USAGE_IMPORT_HINT } from "./usage.ts";

export type MilestoneTargets = Pick<Config, "TTV_FIRST_VALUE_DAYS" | "TTV_ACTIVATION_DAYS" | "TTV_FULL_VALUE_DAYS">;
export type MilestoneStatus = "on_time" | "late" | "overdue" | "pending" | "unknown";

export const DEFAULT_MILESTONES = ["first_login", "first_value", "activation", "key_feature_used", "integration_connected", "full_value"] as const;

export interface CustomMilestone {
  name: string;
  event?: string | undefined;
  feature?: string | undefined;
  min_users: number;
  target_days: number;
}

export interface MilestonesInput {
  client_id?: string | undefined;
  milestone_framework: "default" | "custom";
  custom_milestones: CustomMilestone[];
  key_features?: string[] | undefined;
  activation_users: number;
  full_value_features: number;
  full_value_users_per_feature: number;
  limit: number;
  offset: number;
}

interface FrameworkEntry {
  name: string;
  definition: string;
  target_days: number;
  target_source: string;
  source: "default" | "custom";
  spec: MilestoneSpec;
}

const users = (n: number) => (n === 1 ? "" : ` by ${n} distinct users`);

/** Account × milestone cells per page (each cell is one account's status for one milestone). */
const MAX_PAGE_CELLS = 90;

export class MilestoneService {
  private readonly repo: UsageRepository;
  constructor(
    private readonly prisma: PrismaClient,
    private readonly targets: MilestoneTargets,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.repo = new UsageRepository(prisma);
  }

  private async framework(input: MilestonesInput, now: Date, missing: Array<{ what: string; how_to_supply: string }>): Promise<FrameworkEntry[]> {
    const t = this.targets;
    const out: FrameworkEntry[] = [];
    if (input.milestone_framework === "default") {
      out.push(
        { name: "first_login", definition: "the first 'login' event", target_days: t.TTV_FIRST_VALUE_DAYS, target_source: "TTV_FIRST_VALUE_DAYS", source: "default", spec: { kind: "event", event: "login", minUsers: 1 } },
        {
          name: "first_value",
          definition: "the first event that names a feature and is not a 'login'",
          target_days: t.TTV_FIRST_VALUE_DAYS,
          target_source: "TTV_FIRST_VALUE_DAYS",
          source: "default",
          spec: { kind: "first_value", minUsers: 1 },
        },
        {
          name: "activation",
          definition: `${input.activation_users} distinct users with at least one event (the date the ${input.activation_users}${input.activation_users === 1 ? "st" : "th"} user first appeared)`,
          target_days: t.TTV_ACTIVATION_DAYS,
          target_source: "TTV_ACTIVATION_DAYS",
          source: "default",
          spec: { kind: "any_event", minUsers: input.activation_users },
        },
      );
      let keys = input.key_features ?? null;
      let basis = "the key_features given";
      if (!keys) {
        const top = await this.repo.topFeature(now);
        if (top) {
          keys = [top.feature];
          basis = `the feature used by the most active accounts (${top.accounts}); pass key_features to choose`;
        }
      }
      if (keys) {
        out.push({
          name: "key_feature_used",
          definition: `the first use of a key feature: ${keys.map((k) => `'${k}'`).join(", ")} (${basis})`,
          target_days: t.TTV_ACTIVATION_DAYS,
          target_source: "TTV_ACTIVATION_DAYS",
          source: "default",
          spec: { kind: "feature", features: keys, minUsers: 1 },
        });
      } else {
        missing.push({
          what: "no stored usage event names a feature, so key_feature_used has no key feature and is left out",
          how_to_supply: `pass key_features, or ${USAGE_IMPORT_HINT} with the feature column filled`,
        });
      }
      out.push(
        {
          name: "integration_connected",
          definition: "the first 'integration_connected' event",
          target_days: t.TTV_ACTIVATION_DAYS,
          target_source: "TTV_ACTIVATION_DAYS",
          source: "default",
          spec: { kind: "event", event: "integration_connected", minUsers: 1 },
        },
        {
          name: "full_value",
          definition: `${input.full_value_features} distinct features each used by ${input.full_value_users_per_feature} distinct users (the date the last of them reached its ${input.full_value_users_per_feature}${input.full_value_users_per_feature === 1 ? "st" : "th"} user)`,
          target_days: t.TTV_FULL_VALUE_DAYS,
          target_source: "TTV_FULL_VALUE_DAYS",
          source: "default",
          spec: { kind: "breadth", features: input.full_value_features, usersPerFeature: input.full_value_users_per_feature },
        },
      );
    }
    for (const c of input.custom_milestones) {
      const spec: MilestoneSpec = c.event !== undefined ? { kind: "event", event: c.event, minUsers: c.min_users } : { kind: "feature", features: [c.feature!], minUsers: c.min_users };
      out.push({
        name: c.name,
        definition: c.event !== undefined ? `the first '${c.event}' event${users(c.min_users)}` : `the first use of feature '${c.feature}'${users(c.min_users)}`,
        target_days: c.target_days,
        target_source: "custom_milestones",
        source: "custom",
        spec,
      });
    }
    if (out.length === 0) throw validationError("custom_milestones: give at least one milestone when milestone_framework is 'custom'");
    return out;
  }

  private account(row: MilestoneRow, fw: FrameworkEntry[]) {
    const milestones = fw.map((f, i) => {
      const at = row[`m${i}`] as Date | string | null;
      const days = row[`d${i}`] as number | null;
      const judged: MilestoneStatus = days !== null ? (days <= f.target_days ? "on_time" : "late") : row.age_days > f.target_days ? "overdue" : "pending";
      const status: MilestoneStatus = row.before_history && (judged === "late" || judged === "overdue") ? "unknown" : judged;
      return {
        name: f.name,
        reached_at: at === null ? null : toIso(new Date(at)),
        days_to_reach: status === "unknown" ? null : days,
        target_days: f.target_days,
        status,
        days_past_target: status === "late" ? days! - f.target_days : status === "overdue" ? row.age_days - f.target_days : null,
      };
    });
    return {
      client_id: row.account_id,
      company_name: row.company_name,
      customer_since: toIso(new Date(row.customer_since))!,
      age_days: row.age_days,
      before_usage_history: row.before_history,
      usage_events: row.events,
      active_users: row.users,
      last_event_at: row.last_event_at ? toIso(new Date(row.last_event_at)) : null,
      reached: milestones.filter((m) => m.reached_at !== null).length,
      overdue: milestones.filter((m) => m.status === "overdue").map((m) => m.name),
      milestones,
    };
  }

  async track(input: MilestonesInput) {
    const now = this.now();
    if (input.client_id) {
      const a = await this.prisma.account.findUnique({ where: { id: input.client_id }, select: { id: true } });
      if (!a) throw notFound("client", input.client_id, "use list_clients to find the client_id");
    }
    const missing: Array<{ what: string; how_to_supply: string }> = [];
    const fw = await this.framework(input, now, missing);
    const pop = this.repo.milestonePopulation({ accountId: input.client_id ?? null, specs: fw.map((f) => f.spec), now });
    const targets = fw.map((f) => f.target_days);

    // A page holds at most MAX_PAGE_CELLS account × milestone cells: more milestones, fewer accounts per page.
    const limit = input.client_id ? 1 : Math.min(input.limit, Math.max(1, Math.floor(MAX_PAGE_CELLS / fw.length)));
    if (!input.client_id && limit < input.limit) missing.push({ what: `limit ${input.limit} lowered to ${limit}: a page holds at most ${MAX_PAGE_CELLS} account × milestone cells (${fw.length} milestones)`, how_to_supply: "page on with next_offset" });
    const rows = await this.repo.milestonePage(pop, limit, input.client_id ? 0 : input.offset);
    const accounts = rows.map((r) => this.account(r, fw));

    let summary = null;
    let total = accounts.length;
    if (input.client_id) {
      const a = accounts[0]!;
      if (a.usage_events === 0) {
        missing.push({ what: `no usage events are stored for ${a.client_id} (up to ${toIso(now)}), so no milestone can be reached`, how_to_supply: USAGE_IMPORT_HINT });
      }
      if (a.milestones.some((m) => m.status === "unknown")) {
        missing.push({ what: `${a.client_id} was created before the first stored usage event (of any account), so late or overdue milestones are unknown`, how_to_supply: `${USAGE_IMPORT_HINT} from the account's start` });
      }
    } else {
      const s = await this.repo.milestoneSummary(pop, targets);
      total = s.accounts;
      summary = {
        accounts: s.accounts,
        accounts_with_usage: s.with_usage,
        accounts_with_overdue: s.with_overdue,
        accounts_reached_all: s.reached_all,
        milestones: fw.map((f, i) => {
          const m = s.per[i]!;
          return {
            name: f.name,
            target_days: f.target_days,
            reached: m.reached,
            reach_rate: s.accounts ? Math.round((m.reached / s.accounts) * 10_000) / 10_000 : null,
            median_days: m.median_days === null ? null : Math.round(m.median_days * 10) / 10,
            on_time: m.on_time,
            late: m.late,
            overdue: m.overdue,
            unknown: m.unknown,
          };
        }),
      };
      if (s.accounts === 0) missing.push({ what: "there are no active accounts", how_to_supply: "register accounts with register_client or `cs-mcp import accounts <file>`" });
      else if (s.with_usage === 0) missing.push({ what: "no usage events are stored for any active account, so no milestone can be reached", how_to_supply: USAGE_IMPORT_HINT });
      else {
        if (s.with_usage < s.accounts) {
          missing.push({ what: `${s.accounts - s.with_usage} of ${s.accounts} active accounts have no usage events; they reach no milestone`, how_to_supply: USAGE_IMPORT_HINT });
        }
        for (const [i, f] of fw.entries()) {
          if (f.spec.kind === "event" && s.per[i]!.reached === 0) {
            missing.push({
              what: `no active account has ${f.spec.minUsers > 1 ? `${f.spec.minUsers} users with ` : ""}a stored '${f.spec.event}' event (milestone ${f.name})`,
              how_to_supply: `${USAGE_IMPORT_HINT}; if your product records it under another event name, pass that name in custom_milestones`,
            });
          }
        }
      }
    }
    const next = !input.client_id && input.offset + accounts.length < total ? input.offset + accounts.length : null;
    return {
      mode: input.client_id ? ("account" as const) : ("portfolio" as const),
      milestone_framework: input.milestone_framework,
      as_of: toIso(now)!,
      as_of_date: toIsoDate(now)!,
      framework: fw.map((f) => ({ name: f.name, source: f.source, definition: f.definition, target_days: f.target_days, target_source: f.target_source })),
      definitions: {
        reached_at: "when the milestone's condition first held, from stored usage events up to as_of",
        days_to_reach: "whole UTC calendar days from the account's customer_since date to the reached_at date (0 when usage predates the account record)",
        on_time: "reached with days_to_reach ≤ target_days",
        late: "reached with days_to_reach > target_days",
        overdue: "not reached and the account is older than target_days (age_days = days from customer_since to as_of)",
        pending: "not reached, still within target_days",
        unknown: "would be late or overdue, but the account was created before the first stored usage event of any account (before_usage_history): its early usage is not held, so the timing cannot be judged",
        population: input.client_id ? "the account asked for" : "every active account, newest first; the summary covers all of them, the accounts list one page",
      },
      accounts,
      summary,
      total,
      limit,
      offset: input.client_id ? 0 : input.offset,
      next_offset: next,
      missing_data: missing,
    };
  }
}
