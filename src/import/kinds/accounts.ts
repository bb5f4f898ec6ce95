// accounts: external_id*, company_name*, client_name, industry, tier, contract_value, contract_start_date,
// contract_end_date, renewal_date, seats, primary_contact_email, primary_contact_name, lifecycle_stage,
// customer_since, status (active | churned), churned_at, churn_reason, auto_renew; any other column is a
// typed attribute (attributes.ts). Without lifecycle_stage a new account's stage is inferred (stage.ts) from
// its history — never "onboarding" for a customer whose contract started years ago.
// Matched on external_id. A new account is registered as register_client would: client_id from
// pickClientId (cs_<unix seconds>_<slug>), company_key, tier standard unless given, a primary contact
// when an email is given, a contract when a value or dates are given, ARR = contract value, its first
// lifecycle transition and a timeline entry. An existing account is updated in place with the columns
// the file fills (an empty cell leaves the stored value alone); unchanged ones are left untouched.
// Accounts are few: they are all loaded once, compared in memory, and written set-based per batch.
import { z } from "zod";
import { companyKey, pickClientId, slugify } from "../../services/client-ids.ts";
import type { SqlSession } from "../../db/sql-session.ts";
import { date, email, int, lifecycleStage, money, oneOf, required, text, tier, timestamp } from "../fields.ts";
import { inferStage } from "../stage.ts";
import { columnLiterals, uuid7, type Cell } from "../sql.ts";
import type { KindSpec, RowError, ValidRow } from "./types.ts";

const schema = z
  .object({
    external_id: required(text(200)),
    company_name: required(text(200)),
    client_name: text(200).optional(),
    industry: text(100).optional(),
    tier: tier().optional(),
    contract_value: money().optional(),
    contract_start_date: date().optional(),
    contract_end_date: date().optional(),
    renewal_date: date().optional(),
    seats: int(1, 10_000_000).optional(),
    primary_contact_email: email().optional(),
    primary_contact_name: text(200).optional(),
    lifecycle_stage: lifecycleStage().optional(),
    customer_since: timestamp().optional(),
    status: oneOf(["active", "churned"] as const).optional(),
    churned_at: timestamp().optional(),
    churn_reason: text(500).optional(),
    auto_renew: oneOf(["true", "false"] as const, { yes: "true", no: "false", "1": "true", "0": "false" }).optional(),
  })
  .superRefine((r, ctx) => {
    if (r.status === "churned" && !r.churned_at) ctx.addIssue({ code: "custom", path: ["churned_at"], message: "is required when status is churned" });
    if (r.churned_at && r.status !== "churned") ctx.addIssue({ code: "custom", path: ["churned_at"], message: "is only allowed with status churned" });
    if (r.churned_at && r.customer_since && r.churned_at < r.customer_since) ctx.addIssue({ code: "custom", path: ["churned_at"], message: "must not be before customer_since" });
    if (r.contract_start_date && r.contract_end_date && r.contract_end_date < r.contract_start_date) {
      ctx.addIssue({ code: "custom", path: ["contract_end_date"], message: "must not be before contract_start_date" });
    }
  });
export type AccountRow = z.output<typeof schema>;

interface Stored {
  id: string;
  external_id: string | null;
  company_key: string;
  client_name: string;
  company_name: string;
  industry: string | null;
  tier: string;
  lifecycle_stage: string;
  seats: number | null;
  primary_contact_email: string | null;
  primary_contact_name: string | null;
  arr: string;
  contract_id: string | null;
  contract_value: string | null;
  start_date: string | null;
  end_date: string | null;
  renewal_date: string | null;
  auto_renew: boolean | null;
  customer_since: string | null;
  status: string;
  churned_at: string | null;
  churn_reason: string | null;
  attributes: Record<string, string | number>;
}

const ISO = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const LOAD_SQL = `
SELECT a.id, a.external_id, a.company_key, a.client_name, a.company_name, a.industry, a.tier::text AS tier,
       a.lifecycle_stage::text AS lifecycle_stage, a.seats, a.primary_contact_email, a.primary_contact_name, a.arr::text AS arr,
       c.id AS contract_id, c.contract_value::text AS contract_value, to_char(c.start_date, 'YYYY-MM-DD') AS start_date,
       to_char(c.end_date, 'YYYY-MM-DD') AS end_date, to_char(c.renewal_date, 'YYYY-MM-DD') AS renewal_date, c.auto_renew,
       ${ISO("a.customer_since")} AS customer_since, a.status::text AS status, ${ISO("a.churned_at")} AS churned_at, a.churn_reason, a.attributes
FROM accounts a
LEFT JOIN LATERAL (
  SELECT * FROM contracts c WHERE c.account_id = a.id AND c.status = 'active'
  ORDER BY c.start_date DESC NULLS LAST, c.created_at DESC LIMIT 1
) c ON true`;

/** Inserts `rows` into `table`: one statement, one array parameter per column. */
async function insert<T>(session: SqlSession, table: string, columns: ReadonlyArray<readonly [string, string, (r: T) => Cell]>, rows: readonly T[]): Promise<void> {
  if (!rows.length) return;
  const aliases = columns.map((_, i) => `c${i}`).join(", ");
  const sql =
    `INSERT INTO "${table}" (${columns.map(([n]) => `"${n}"`).join(", ")}) SELECT ${aliases} ` +
    `FROM unnest(${columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(", ")}) AS u(${aliases})`;
  await session.query(sql, columnLiterals(rows, columns.map(([, , get]) => get)));
}

/** Updates rows of `table` matched on id with the values of `columns` (the first column is the id). */
async function update<T>(session: SqlSession, table: string, columns: ReadonlyArray<readonly [string, string, (r: T) => Cell]>, rows: readonly T[], touch = ""): Promise<void> {
  if (!rows.length) return;
  const aliases = columns.map((_, i) => `c${i}`);
  const sets = columns.slice(1).map(([n], i) => `"${n}" = u.c${i + 1}`);
  if (touch) sets.push(touch);
  const sql =
    `UPDATE "${table}" AS t SET ${sets.join(", ")} ` +
    `FROM unnest(${columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(", ")}) AS u(${aliases.join(", ")}) WHERE t.id = u.c0`;
  await session.query(sql, columnLiterals(rows, columns.map(([, , get]) => get)));
}

const cents = (v: string | null | undefined) => (v === null || v === undefined ? null : Math.round(Number(v) * 100));

const ACCOUNT_COLUMNS: ReadonlyArray<readonly [string, string, (a: Stored) => Cell]> = [
  ["id", "text", (a) => a.id],
  ["client_name", "text", (a) => a.client_name],
  ["company_name", "text", (a) => a.company_name],
  ["company_key", "text", (a) => a.company_key],
  ["external_id", "text", (a) => a.external_id],
  ["industry", "text", (a) => a.industry],
  ["tier", '"Tier"', (a) => a.tier],
  ["lifecycle_stage", '"LifecycleStage"', (a) => a.lifecycle_stage],
  ["arr", "numeric", (a) => a.arr],
  ["seats", "int", (a) => a.seats],
  ["primary_contact_email", "text", (a) => a.primary_contact_email],
  ["primary_contact_name", "text", (a) => a.primary_contact_name],
  ["customer_since", "timestamptz", (a) => a.customer_since],
  ["status", '"AccountStatus"', (a) => a.status],
  ["churned_at", "timestamptz", (a) => a.churned_at],
  ["churn_reason", "text", (a) => a.churn_reason],
  ["attributes", "jsonb", (a) => JSON.stringify(a.attributes)],
];

interface NewContract {
  id: string;
  account_id: string;
  contract_value: string;
  start_date: string | null;
  end_date: string | null;
  renewal_date: string | null;
  seats: number | null;
  auto_renew: boolean;
}
interface Contact {
  account_id: string;
  email: string;
  name: string | null;
}
interface Transition {
  account_id: string;
  from_stage: string | null;
  to_stage: string;
}
interface Timeline {
  account_id: string;
  event_type: string;
  summary: string;
  data: Record<string, unknown>;
}

export const accounts: KindSpec<AccountRow> = {
  kind: "accounts",
  columns: [
    "external_id", "company_name", "client_name", "industry", "tier", "contract_value", "contract_start_date", "contract_end_date", "renewal_date", "seats",
    "primary_contact_email", "primary_contact_name", "lifecycle_stage", "customer_since", "status", "churned_at", "churn_reason", "auto_renew",
  ],
  required: ["external_id", "company_name"],
  resolvesAccount: false,
  schema,
  batchSize: 2_000,
  attributes: true,
  key: (r) => r.row.external_id,
  async open({ session, now }) {
    const byExternal = new Map<string, Stored>();
    const byCompanyContact = new Map<string, string>();
    const secondPrefix = `cs_${Math.floor(now.getTime() / 1000)}_`;
    const takenByBase = new Map<string, string[]>();
    const takeId = (id: string) => {
      if (!id.startsWith(secondPrefix)) return;
      const base = id.replace(/_\d+$/, "");
      for (const b of new Set([id, base])) {
        const list = takenByBase.get(b) ?? [];
        list.push(id);
        takenByBase.set(b, list);
      }
    };
    const ccKey = (key: string, mail: string) => `${key}\u0000${mail}`;
    for (const a of await session.query<Stored>(LOAD_SQL)) {
      if (typeof a.attributes === "string") a.attributes = JSON.parse(a.attributes) as Stored["attributes"];
      if (a.external_id) byExternal.set(a.external_id, a);
      if (a.primary_contact_email) byCompanyContact.set(ccKey(a.company_key, a.primary_contact_email), a.id);
      takeId(a.id);
    }
    const mapping: Record<string, string> = {};
    const nowIso = now.toISOString();

    return {
      finish: () => ({ mapping }),
      async write(rows: ValidRow<AccountRow>[]) {
        const errors: RowError[] = [];
        const created: Stored[] = [];
        const changed: Stored[] = [];
        const contracts: NewContract[] = [];
        const contractUpdates: NewContract[] = [];
        const contacts: Contact[] = [];
        const transitions: Transition[] = [];
        const timeline: Timeline[] = [];

        for (const { line, row, attributes } of rows) {
          const existing = byExternal.get(row.external_id);
          const key = companyKey(row.company_name);
          const mail = row.primary_contact_email ?? existing?.primary_contact_email ?? null;
          if (mail) {
            const other = byCompanyContact.get(ccKey(key, mail));
            if (other && other !== existing?.id) {
              errors.push({ line, column: "primary_contact_email", reason: `primary_contact_email: another account (${other}) already has company ${row.company_name} with this primary contact` });
              continue;
            }
          }
          const start = row.contract_start_date ?? existing?.start_date ?? null;
          const end = row.contract_end_date ?? existing?.end_date ?? null;
          if (start && end && end < start) {
            errors.push({ line, column: "contract_end_date", reason: `contract_end_date: must not be before the contract's start date ${start}` });
            continue;
          }
          const hasContractData =
            row.contract_value !== undefined || row.contract_start_date !== undefined || row.contract_end_date !== undefined || row.renewal_date !== undefined || row.auto_renew !== undefined;
          const autoRenew = row.auto_renew === undefined ? undefined : row.auto_renew === "true";

          if (!existing) {
            const base = `${secondPrefix}${slugify(row.company_name)}`;
            const id = pickClientId(row.company_name, now, takenByBase.get(base) ?? []);
            takeId(id);
            const stored: Stored = {
              id,
              external_id: row.external_id,
              company_key: key,
              client_name: row.client_name ?? row.company_name,
              company_name: row.company_name,
              industry: row.industry ?? null,
              tier: row.tier ?? "standard",
              lifecycle_stage:
                row.status === "churned"
                  ? "churned"
                  : (row.lifecycle_stage ??
                    inferStage({
                      churned: false,
                      customerSince: row.customer_since ?? (row.contract_start_date ? `${row.contract_start_date}T00:00:00.000Z` : null),
                      renewal: row.renewal_date ?? row.contract_end_date ?? null,
                      now,
                    })),
              seats: row.seats ?? null,
              primary_contact_email: row.primary_contact_email ?? null,
              primary_contact_name: row.primary_contact_name ?? null,
              arr: row.contract_value ?? "0",
              contract_id: null,
              contract_value: null,
              start_date: null,
              end_date: null,
              renewal_date: null,
              auto_renew: null,
              customer_since: row.customer_since ?? null,
              status: row.status ?? "active",
              churned_at: row.churned_at ?? null,
              churn_reason: row.churn_reason ?? null,
              attributes: attributes ?? {},
            };
            if (hasContractData) {
              const c: NewContract = {
                id: uuid7(now.getTime()),
                account_id: id,
                contract_value: row.contract_value ?? "0",
                start_date: row.contract_start_date ?? null,
                end_date: row.contract_end_date ?? null,
                renewal_date: row.renewal_date ?? row.contract_end_date ?? null,
                seats: row.seats ?? null,
                auto_renew: autoRenew ?? false,
              };
              contracts.push(c);
              Object.assign(stored, { contract_id: c.id, contract_value: c.contract_value, start_date: c.start_date, end_date: c.end_date, renewal_date: c.renewal_date, auto_renew: c.auto_renew });
            }
            if (stored.primary_contact_email) contacts.push({ account_id: id, email: stored.primary_contact_email, name: stored.primary_contact_name });
            transitions.push({ account_id: id, from_stage: null, to_stage: stored.lifecycle_stage });
            timeline.push({ account_id: id, event_type: "registered", summary: `Account imported (${stored.tier})`, data: { external_id: row.external_id, contract_id: stored.contract_id, source: "import" } });
            created.push(stored);
            byExternal.set(row.external_id, stored);
            if (stored.primary_contact_email) byCompanyContact.set(ccKey(key, stored.primary_contact_email), id);
            mapping[row.external_id] = id;
            continue;
          }

          // An existing account: compare the columns the file fills.
          mapping[row.external_id] = existing.id;
          const next: Stored = { ...existing };
          const changes: Array<{ field: string; from: Cell; to: Cell }> = [];
          const set = <K extends keyof Stored>(field: K, value: Stored[K] | undefined, label: string = field) => {
            if (value === undefined || value === existing[field]) return;
            changes.push({ field: label, from: existing[field] as Cell, to: value as Cell });
            next[field] = value;
          };
          set("client_name", row.client_name);
          set("company_name", row.company_name);
          next.company_key = companyKey(next.company_name);
          set("industry", row.industry);
          set("tier", row.tier);
          set("lifecycle_stage", row.lifecycle_stage);
          set("seats", row.seats);
          set("primary_contact_email", row.primary_contact_email);
          set("primary_contact_name", row.primary_contact_name);
          set("customer_since", row.customer_since);
          set("status", row.status);
          set("churned_at", row.churned_at);
          set("churn_reason", row.churn_reason);
          if (row.status === "churned" && row.lifecycle_stage === undefined) set("lifecycle_stage", "churned");
          if (row.status === "active" && existing.status === "churned") {
            set("churned_at", null);
            if (row.lifecycle_stage === undefined) set("lifecycle_stage", inferStage({ churned: false, customerSince: next.customer_since ?? (next.start_date ? `${next.start_date}T00:00:00.000Z` : null), renewal: next.renewal_date ?? next.end_date, now }));
          }
          if (attributes && Object.entries(attributes).some(([k, v]) => existing.attributes[k] !== v)) {
            const merged = { ...existing.attributes, ...attributes };
            changes.push({ field: "attributes", from: JSON.stringify(existing.attributes), to: JSON.stringify(merged) });
            next.attributes = merged;
          }
          if (row.contract_value !== undefined && cents(row.contract_value) !== cents(existing.arr)) {
            changes.push({ field: "arr", from: existing.arr, to: row.contract_value });
            next.arr = row.contract_value;
          }
          let contractChanged = false;
          if (row.contract_value !== undefined && cents(row.contract_value) !== cents(existing.contract_value)) {
            changes.push({ field: "contract_value", from: existing.contract_value, to: row.contract_value });
            next.contract_value = row.contract_value;
            contractChanged = true;
          }
          for (const [col, field] of [["contract_start_date", "start_date"], ["contract_end_date", "end_date"], ["renewal_date", "renewal_date"]] as const) {
            const v = row[col];
            if (v !== undefined && v !== existing[field]) {
              changes.push({ field: col, from: existing[field], to: v });
              next[field] = v;
              contractChanged = true;
            }
          }
          if (autoRenew !== undefined && autoRenew !== existing.auto_renew) {
            changes.push({ field: "auto_renew", from: existing.auto_renew, to: autoRenew });
            next.auto_renew = autoRenew;
            contractChanged = true;
          }
          if (!changes.length) continue;

          changed.push(next);
          byExternal.set(row.external_id, next);
          if (existing.primary_contact_email) byCompanyContact.delete(ccKey(existing.company_key, existing.primary_contact_email));
          if (next.primary_contact_email) byCompanyContact.set(ccKey(next.company_key, next.primary_contact_email), next.id);
          if (contractChanged) {
            const c: NewContract = {
              id: existing.contract_id ?? uuid7(now.getTime()),
              account_id: existing.id,
              contract_value: next.contract_value ?? "0",
              start_date: next.start_date,
              end_date: next.end_date,
              renewal_date: next.renewal_date,
              seats: next.seats,
              auto_renew: next.auto_renew ?? false,
            };
            if (existing.contract_id) contractUpdates.push(c);
            else {
              contracts.push(c);
              next.contract_id = c.id;
            }
          }
          if (next.primary_contact_email && (next.primary_contact_email !== existing.primary_contact_email || next.primary_contact_name !== existing.primary_contact_name)) {
            contacts.push({ account_id: existing.id, email: next.primary_contact_email, name: next.primary_contact_name });
          }
          if (next.lifecycle_stage !== existing.lifecycle_stage) transitions.push({ account_id: existing.id, from_stage: existing.lifecycle_stage, to_stage: next.lifecycle_stage });
          timeline.push({
            account_id: existing.id,
            event_type: "updated",
            summary: `Account updated by import: ${changes.map((c) => c.field).join(", ")}`,
            data: { changes, source: "import" },
          });
        }

        await insert(session, "accounts", [...ACCOUNT_COLUMNS, ["created_at", "timestamptz", () => nowIso] as const], created);
        await update(session, "accounts", ACCOUNT_COLUMNS.filter(([n]) => n !== "external_id"), changed, "updated_at = now()");
        const contractColumns: ReadonlyArray<readonly [string, string, (c: NewContract) => Cell]> = [
          ["id", "text", (c) => c.id],
          ["account_id", "text", (c) => c.account_id],
          ["contract_value", "numeric", (c) => c.contract_value],
          ["start_date", "date", (c) => c.start_date],
          ["end_date", "date", (c) => c.end_date],
          ["renewal_date", "date", (c) => c.renewal_date],
          ["seats", "int", (c) => c.seats],
          ["auto_renew", "boolean", (c) => c.auto_renew],
        ];
        await insert(session, "contracts", contractColumns, contracts);
        await update(session, "contracts", contractColumns.filter(([n]) => n !== "account_id" && n !== "seats"), contractUpdates, "updated_at = now()");
        if (contacts.length) {
          // The new primary contact: earlier primaries of these accounts step down, then upsert.
          await session.query(
            `UPDATE contacts AS c SET is_primary = false FROM unnest($1::text[], $2::text[]) AS u(a, e) WHERE c.account_id = u.a AND c.is_primary AND c.email <> u.e`,
            columnLiterals(contacts, [(c) => c.account_id, (c) => c.email]),
          );
          await session.query(
            `INSERT INTO contacts (id, account_id, email, name, is_primary, role) SELECT i, a, e, n, true, 'primary' ` +
              `FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS u(i, a, e, n) ` +
              `ON CONFLICT (account_id, email) DO UPDATE SET is_primary = true, name = coalesce(EXCLUDED.name, contacts.name)`,
            columnLiterals(contacts, [() => uuid7(now.getTime()), (c) => c.account_id, (c) => c.email, (c) => c.name]),
          );
        }
        await insert(
          session,
          "lifecycle_transitions",
          [
            ["id", "text", () => uuid7(now.getTime())],
            ["account_id", "text", (t: Transition) => t.account_id],
            ["from_stage", '"LifecycleStage"', (t: Transition) => t.from_stage],
            ["to_stage", '"LifecycleStage"', (t: Transition) => t.to_stage],
            ["reason", "text", (t: Transition) => (t.from_stage === null ? "imported" : "updated by import")],
            ["transitioned_at", "timestamptz", () => nowIso],
          ],
          transitions,
        );
        if (timeline.length) {
          await session.query(
            `INSERT INTO timeline_events (id, account_id, event_type, summary, data, occurred_at) ` +
              `SELECT i, a, t, s, d::jsonb, $6::timestamptz FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS u(i, a, t, s, d)`,
            [...columnLiterals(timeline, [() => uuid7(now.getTime()), (t) => t.account_id, (t) => t.event_type, (t) => t.summary, (t) => JSON.stringify(t.data)]), nowIso],
          );
        }
        return { created: created.length, updated: changed.length, errors };
      },
    };
  },
};
