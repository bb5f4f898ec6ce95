// Current ARR: a churned account's ARR is revenue lost, not revenue at stake. Every sum of accounts.arr that
// stands for today's ARR (affected ARR of insights and roadmap items, ARR behind feature requests, community and
// advocate accounts) counts active accounts only and shows the churned accounts' ARR apart.
export const CURRENT_ARR_RULE = "current ARR = Σ arr of the accounts that are not churned; churned accounts' ARR is reported apart as churned_arr";

/** SQL: the account's current ARR (0 once churned); `a` is the accounts alias. */
export const currentArrSql = (a: string) => `CASE WHEN ${a}.status = 'churned' THEN 0 ELSE ${a}.arr END`;

/** SQL: the account's ARR when churned, else 0. */
export const churnedArrSql = (a: string) => `CASE WHEN ${a}.status = 'churned' THEN ${a}.arr ELSE 0 END`;
