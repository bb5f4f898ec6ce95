// invoices: account*, external_id*, amount*, due_date*, paid_at. Upserted on (account_id, external_id).
import { z } from "zod";
import { accountRef, date, money, required, text, timestamp } from "../fields.ts";
import { columnLiterals, uuid7 } from "../sql.ts";
import type { KindSpec } from "./types.ts";
import { runUpsert, upsertSql } from "./upsert.ts";

const schema = z.object({
  account: required(accountRef()),
  external_id: required(text(200)),
  amount: required(money()),
  due_date: required(date()),
  paid_at: timestamp().optional(),
});
export type InvoiceRow = z.output<typeof schema>;

const SQL = upsertSql({
  table: "invoices",
  columns: [["id", "text"], ["account_id", "text"], ["external_id", "text"], ["amount", "numeric"], ["due_date", "date"], ["paid_at", "timestamptz"]],
  conflict: ["account_id", "external_id"],
  update: ["amount", "due_date", "paid_at"],
});

export const invoices: KindSpec<InvoiceRow> = {
  kind: "invoices",
  columns: ["account", "external_id", "amount", "due_date", "paid_at"],
  required: ["account", "external_id", "amount", "due_date"],
  resolvesAccount: true,
  schema,
  batchSize: 5_000,
  key: (r) => `${r.account_id}\u0000${r.row.external_id}`,
  async open({ session, now }) {
    return {
      async write(rows) {
        const params = columnLiterals(rows, [
          () => uuid7(now.getTime()),
          (r) => r.account_id,
          (r) => r.row.external_id,
          (r) => r.row.amount,
          (r) => r.row.due_date,
          (r) => r.row.paid_at,
        ]);
        return { ...(await runUpsert(session, SQL, params)), errors: [] };
      },
    };
  },
};
