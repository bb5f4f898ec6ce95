// nps: account*, respondent_email*, score* (0-10), responded_at*, reason. Stored as survey_responses of
// type nps, upserted on (account_id, survey_type, respondent_email, responded_at).
import { z } from "zod";
import { accountRef, email, int, required, text, timestamp } from "../fields.ts";
import { columnLiterals, uuid7 } from "../sql.ts";
import type { KindSpec } from "./types.ts";
import { runUpsert, upsertSql } from "./upsert.ts";

const schema = z.object({
  account: required(accountRef()),
  respondent_email: required(email()),
  score: required(int(0, 10)),
  responded_at: required(timestamp()),
  reason: text(5000).optional(),
});
export type NpsRow = z.output<typeof schema>;

const SQL = upsertSql({
  table: "survey_responses",
  columns: [["id", "text"], ["account_id", "text"], ["survey_type", '"SurveyType"'], ["respondent_email", "text"], ["score", "int"], ["reason", "text"], ["responded_at", "timestamptz"]],
  conflict: ["account_id", "survey_type", "respondent_email", "responded_at"],
  update: ["score", "reason"],
});

export const nps: KindSpec<NpsRow> = {
  kind: "nps",
  columns: ["account", "respondent_email", "score", "responded_at", "reason"],
  required: ["account", "respondent_email", "score", "responded_at"],
  resolvesAccount: true,
  schema,
  batchSize: 5_000,
  key: (r) => `${r.account_id}\u0000${r.row.respondent_email}\u0000${r.row.responded_at}`,
  async open({ session, now }) {
    return {
      async write(rows) {
        const params = columnLiterals(rows, [
          () => uuid7(now.getTime()),
          (r) => r.account_id,
          () => "nps",
          (r) => r.row.respondent_email,
          (r) => r.row.score,
          (r) => r.row.reason,
          (r) => r.row.responded_at,
        ]);
        return { ...(await runUpsert(session, SQL, params)), errors: [] };
      },
    };
  },
};
