// Lists show the start of free texts of any length (ticket descriptions, notes, post bodies, reasons), so
// that a page of `limit` rows stays within an agent's context; the single-row read gives the whole text.

/** The first `max` characters of `text`, ending in "…" when it was cut. */
export function clipText<T extends string | null>(text: T, max: number): T {
  if (text === null || text.length <= max) return text;
  return `${text.slice(0, max - 1)}…` as T;
}
