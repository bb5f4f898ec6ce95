// SQL text that repeats JavaScript number arithmetic bit for bit on float8 (IEEE doubles, as JS numbers are):
// used by the set-based portfolio scorers (health and churn), whose equivalence tests compare them with the
// per-account JavaScript paths.

/** A JS number as a float8 literal: String() gives the shortest text that reads back as the same double. */
export const f8 = (n: number) => `(${String(n)})::float8`;
/** Math.round(x) (half up: PostgreSQL's round() on float8 rounds half to even). */
export const jsRound = (x: string) => `(CASE WHEN (${x}) - floor(${x}) >= 0.5 THEN ceil(${x}) ELSE floor(${x}) END)`;
