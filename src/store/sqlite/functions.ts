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
function contains(text: unknown, needle: unknown): number | null {
  if (text === null || needle === null) return null;
  return String(text).toLowerCase().includes(String(needle)) ? 1 : 0;
}

export function registerFunctions(db: Database.Database): void {
  db.function(SQLITE_CONTAINS, { deterministic: true }, contains);
}
