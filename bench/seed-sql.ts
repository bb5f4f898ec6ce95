// SQL building blocks the set-based bench seeds share: deterministic choices from the series index (never
// random()), and the NPS answers statement, so each bench states only its own score mix and count.

/** A deterministic non-negative int from `x` (an SQL expression) and a seed: PostgreSQL's 64-bit hash. */
export const H = (x: string, seed: number) => `((hashint8extended((${x})::bigint, ${seed}) & 2147483647)::int)`;

/**
 * NPS answers spread over the accounts of `bench_acc` (columns i, id) and the last year before $1.
 * Parameters: $1 now, $2 account count, $3 answers. `scores`: 20 values, drawn uniformly.
 */
export function npsAnswersSql(scores: readonly number[]): string {
  if (scores.length !== 20) throw new Error("npsAnswersSql: give 20 scores");
  return `INSERT INTO survey_responses (id, account_id, survey_type, respondent_email, score, responded_at)
            SELECT 'bench_sv_' || x.g, a.id, 'nps'::"SurveyType", 'respondent' || x.g || '@bench.example',
                   (ARRAY[${scores.join(",")}])[1 + ${H("x.g", 61)} % 20],
                   $1::timestamptz - (1 + ${H("x.g", 62)} % (365 * 86400)) * interval '1 second'
              FROM (SELECT g, 1 + ${H("g", 63)} % $2::int AS ai FROM generate_series(1, $3::int) AS g) x
              JOIN bench_acc a ON a.i = x.ai`;
}
