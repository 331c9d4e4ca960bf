/**
 * Increment-id counters and single-record holds on SQLite (see
 * ../id-counters.ts). Writes run one transaction at a time on one
 * connection, so a counter bump or an emptiness check cannot race.
 */
import type Database from 'better-sqlite3';
import { quoteIdent } from '../dialect.js';
import type { Row } from '../rows.js';
import type { IdsPart } from '../store-tx-base.js';

export const SQLITE_ID_COUNTERS_DDL =
  'CREATE TABLE IF NOT EXISTS _id_counters (collection TEXT PRIMARY KEY, last INTEGER NOT NULL)';

/** The largest integer id of a table (0 when none), as ../id-counters.ts INTEGER_ID reads ids. */
function largestSql(table: string): string {
  return `SELECT COALESCE(MAX(CAST(id AS INTEGER)), 0) AS n FROM ${quoteIdent(table)}
    WHERE length(id) BETWEEN 1 AND 15 AND id NOT GLOB '*[^0-9]*'`;
}

export class SqliteIds implements IdsPart {
  private readonly s;

  constructor(private readonly db: Database.Database) {
    const p = (sql: string) => db.prepare<unknown[], Row>(sql);
    this.s = {
      get: p('SELECT last FROM _id_counters WHERE collection = ?'),
      put: p(
        `INSERT INTO _id_counters (collection, last) VALUES (?, ?)
         ON CONFLICT (collection) DO UPDATE SET last = MAX(last, excluded.last)`,
      ),
    };
  }

  private last(table: string): number {
    const row = this.s.get.get(table);
    if (row) return Number(row.last);
    const largest = this.db.prepare<unknown[], Row>(largestSql(table)).get();
    return Number(largest?.n ?? 0);
  }

  next(table: string): number {
    const n = this.last(table) + 1;
    this.s.put.run(table, n);
    return n;
  }

  raise(table: string, n: number, create: boolean): void {
    const row = this.s.get.get(table);
    if (row ? Number(row.last) >= n : !create) return;
    this.s.put.run(table, Math.max(n, row ? 0 : this.last(table)));
  }

  holdSingle(): void {
    // One writer at a time: nothing to hold.
  }
}
