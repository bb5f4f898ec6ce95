// "Customer since": when the relationship began, never when the row was written. An imported account keeps
// its history: the imported customer_since when given, else the earliest contract start when it is before
// the row was created, else the row's created_at (an account registered today with no older contract).
// Tenure, short_tenure, lifecycle inference, milestones, time to value and cohorts all count from it.
export const CUSTOMER_SINCE_RULE = "customer_since = the imported customer_since, else the earliest contract start if on a day before the record was created, else the record's creation";

/** SQL: the account's customer-since instant; `a` is the accounts alias. */
// A contract starting on the day the account was registered is not an older relationship: only a start on
// an earlier (UTC) day moves customer since back, so a same-day contract keeps the registration instant.
export const customerSinceSql = (a: string) =>
  `COALESCE(${a}.customer_since, (SELECT CASE WHEN min(k_cs.start_date) < (${a}.created_at AT TIME ZONE 'UTC')::date THEN min(k_cs.start_date)::timestamp AT TIME ZONE 'UTC' ELSE ${a}.created_at END FROM contracts k_cs WHERE k_cs.account_id = ${a}.id))`;

/** One account's customer-since instant (null when there is no such account). */
export async function customerSinceOf(db: { $queryRawUnsafe<T>(sql: string, ...values: unknown[]): Promise<T> }, accountId: string): Promise<Date | null> {
  const rows = await db.$queryRawUnsafe<Array<{ since: Date }>>(`SELECT ${customerSinceSql("a")} AS since FROM accounts a WHERE a.id = $1`, accountId);
  return rows[0] ? new Date(rows[0].since) : null;
}
