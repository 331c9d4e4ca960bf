/**
 * SQL functions the filter compiler's SQLite output calls, registered on
 * every connection the store opens.
 */
import type Database from 'better-sqlite3';
import { SQLITE_CONTAINS } from './dialect.js';

/**
 * `~`: whether text contains a needle, ignoring case (the needle arrives
 * lowercased). Linear in the text, whatever the needle: V8's search falls
 * back to Boyer-Moore, where LIKE '%…%' retries the pattern at every position.
 */
function contains(text: unknown, needle: unknown, at?: unknown): number | null {
  if (text === null || needle === null) return null;
  const lower = String(text).toLowerCase();
  const wanted = String(needle);
  if (at === 'start') return lower.startsWith(wanted) ? 1 : 0;
  if (at === 'end') return lower.endsWith(wanted) ? 1 : 0;
  return lower.includes(wanted) ? 1 : 0;
}

export function registerFunctions(db: Database.Database): void {
  // Two or three arguments: `~` anywhere, or anchored at the start or the end.
  db.function(
    SQLITE_CONTAINS,
    { deterministic: true, varargs: true },
    contains as (...args: unknown[]) => number | null,
  );
}
