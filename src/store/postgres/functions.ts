/**
 * What the filter compiler's PostgreSQL output relies on beyond core SQL:
 * `~` lowercases under an ICU collation (full Unicode case mapping, as
 * JavaScript's toLowerCase in SQLite's methodical_contains) when the server
 * has one; otherwise under the database's own ctype.
 */

import { LOWER_COLLATION } from './dialect.js';
import type { Queryable } from './transactions.js';

/** The collation to lowercase `~` operands under, or null for the database default. */
export async function lowerCollation(db: Queryable): Promise<string | null> {
  const result = await db.query('SELECT 1 FROM pg_collation WHERE collname = $1', [LOWER_COLLATION]);
  return (result.rowCount ?? 0) > 0 ? LOWER_COLLATION : null;
}
