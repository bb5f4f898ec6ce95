// Helpfulness of a knowledge-base article from its votes.
// - score = helpful ÷ (helpful + unhelpful): the share of voters who found it helpful (null with no votes);
// - wilson_lower_bound: the lower end of the 95 % Wilson score interval of that share (z = 1.96). Used to rank
//   articles: one helpful vote out of one (score 1.0) ranks below 45 out of 50 (score 0.9), because the
//   bound accounts for how few votes there are.
const Z = 1.96;
const round4 = (v: number) => Math.round(v * 10_000) / 10_000;

export const HELPFULNESS_FORMULA =
  "score = helpful ÷ (helpful + unhelpful); ranking by the 95 % Wilson lower bound (p + z²/2n − z·√(p(1−p)/n + z²/4n²)) ÷ (1 + z²/n), z = 1.96";

export function helpfulness(helpful: number, unhelpful: number) {
  const n = helpful + unhelpful;
  if (n === 0) return { helpful_votes: helpful, unhelpful_votes: unhelpful, total_votes: 0, score: null, wilson_lower_bound: null };
  const p = helpful / n;
  const z2 = Z * Z;
  const lower = (p + z2 / (2 * n) - Z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return { helpful_votes: helpful, unhelpful_votes: unhelpful, total_votes: n, score: round4(p), wilson_lower_bound: round4(lower) };
}
