// Sentiment of one text and the terms it mentions, from well-kept libraries: `sentiment` (AFINN-165 word
// list with negation handling) for the score and `stopword` (English list) for the themes.
//
// Score: the library's `comparative` is the sum of the AFINN scores of the words divided by the number of
// tokens; AFINN scores run from −5 to +5, so comparative lies in −5…+5. We store comparative ÷ 5, which maps
// it exactly onto −1…+1 (the range the feedback.sentiment_score column allows), rounded to 4 decimals.
// Label (on the unrounded normalised score): positive above +0.01, negative below −0.01, neutral in between
// (that is comparative > +0.05 / < −0.05: a text needs more than a trace of sentiment words to be labelled).
import Sentiment from "sentiment";
import { removeStopwords, eng } from "stopword";

export type SentimentLabel = "positive" | "neutral" | "negative";
export const SENTIMENT_LABELS: readonly SentimentLabel[] = ["positive", "neutral", "negative"];

/** AFINN word scores run from −5 to +5: the divisor that maps comparative onto −1…+1. */
export const AFINN_MAX = 5;
export const POSITIVE_ABOVE = 0.01;
export const NEGATIVE_BELOW = -0.01;

export const SENTIMENT_METHOD =
  "AFINN-165 lexicon (npm sentiment 5): score = comparative (sum of word scores ÷ tokens) ÷ 5, from −1 to +1; " +
  `label positive when score > ${POSITIVE_ABOVE}, negative when score < ${NEGATIVE_BELOW}, otherwise neutral`;

const analyzer = new Sentiment();

export interface SentimentResult {
  /** Normalised score −1…+1, rounded to 4 decimals (what is stored). */
  score: number;
  /** The library's comparative score (−5…+5), unrounded. */
  comparative: number;
  label: SentimentLabel;
  /** Words that carried a positive or negative score. */
  positive_words: string[];
  negative_words: string[];
}

export function labelFor(score: number): SentimentLabel {
  return score > POSITIVE_ABOVE ? "positive" : score < NEGATIVE_BELOW ? "negative" : "neutral";
}

export function scoreSentiment(text: string): SentimentResult {
  const r = analyzer.analyze(text);
  const comparative = Number.isFinite(r.comparative) ? r.comparative : 0;
  const normalised = Math.max(-1, Math.min(1, comparative / AFINN_MAX));
  return {
    score: Math.round(normalised * 10_000) / 10_000,
    comparative,
    label: labelFor(normalised),
    positive_words: [...new Set(r.positive)],
    negative_words: [...new Set(r.negative)],
  };
}

/** Shortest term counted as a theme. */
export const MIN_TERM_LENGTH = 3;

export const THEME_METHOD =
  `terms: title and content lower-cased, split on anything that is not a letter or digit, English stopwords (npm stopword) ` +
  `and tokens shorter than ${MIN_TERM_LENGTH} characters or made only of digits dropped, no stemming; each term counted once per feedback`;

/** The distinct theme terms of one text (each counted once per feedback by the caller). */
export function themeTerms(text: string): string[] {
  const tokens = text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length >= MIN_TERM_LENGTH && !/^\p{N}+$/u.test(t));
  return [...new Set(removeStopwords(tokens, eng))];
}
