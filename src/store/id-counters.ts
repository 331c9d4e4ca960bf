/**
 * Counters of `ids: "increment"` collections, kept by both adapters in a
 * small table of their own (`_id_counters`, one row per collection): a
 * created record takes the next number in its write's transaction, and
 * every integer id written otherwise (PUT with an id, import, copy) raises
 * the counter to it, so the next one never collides; so does one written
 * while the collection has random ids, when it has a counter from an
 * earlier time with increment ids. A row missing (a collection new to
 * increment ids) starts at the largest integer id the table holds: one
 * scan, once. Numbers are never handed out twice, even
 * after the largest record is deleted.
 */

/** Integer ids the counters follow: decimal digits, at most 15 (exact as a JS number). */
export const INTEGER_ID = /^[0-9]{1,15}$/;

/** The number an id stands for, when it is one the counters follow. */
export function integerId(id: string): number | null {
  return INTEGER_ID.test(id) ? Number(id) : null;
}
