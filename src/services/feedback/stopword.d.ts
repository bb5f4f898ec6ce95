// Types for the `stopword` package (3.x ships none): the two exports the feedback themes use.
declare module "stopword" {
  /** Returns `tokens` without the words of `stopwords` (default: English). */
  export function removeStopwords(tokens: string[], stopwords?: string[]): string[];
  /** The English stopword list. */
  export const eng: string[];
}
