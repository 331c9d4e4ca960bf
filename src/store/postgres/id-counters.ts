/**
 * Increment-id counters and single-record holds on PostgreSQL (see
 * ../id-counters.ts), for many nodes: a bump is one UPDATE of the
 * collection's counter row, which holds that row until the transaction
 * ends, so concurrent creates on any node queue there and each gets its
 * own number. A missing row is made with INSERT … ON CONFLICT, so two
 * transactions making it at once still end up with one row and two numbers.
 */
import { quoteIdent } from '../dialect.js';
import type { IdsPart } from '../store-tx-base.js';
import { type Queryable, WAIT_LOCK_SQL } from './transactions.js';

export const POSTGRES_ID_COUNTERS_DDL =
  'CREATE TABLE IF NOT EXISTS _id_counters (collection TEXT COLLATE "C" PRIMARY KEY, last BIGINT NOT NULL)';

/** `SELECT $1, <first value>` for a missing row: the largest integer id of the table, or `$2` when larger. */
function firstRowSql(table: string, start: string): string {
  return `INSERT INTO _id_counters (collection, last)
    SELECT $1, ${start} FROM ${quoteIdent(table)} WHERE id ~ '^[0-9]{1,15}$'`;
}

export class PostgresIds implements IdsPart {
  constructor(private readonly db: Queryable) {}

  async next(table: string): Promise<number> {
    const bumped = await this.db.query<{ last: string }>(
      'UPDATE _id_counters SET last = last + 1 WHERE collection = $1 RETURNING last',
      [table],
    );
    if (bumped.rows[0]) return Number(bumped.rows[0].last);
    const made = await this.db.query<{ last: string }>(
      `${firstRowSql(table, 'COALESCE(MAX(id::bigint), 0) + 1')}
       ON CONFLICT (collection) DO UPDATE SET last = _id_counters.last + 1 RETURNING last`,
      [table],
    );
    return Number(made.rows[0]?.last);
  }

  async raise(table: string, n: number, create: boolean): Promise<void> {
    const held = await this.db.query<{ last: string }>(
      'SELECT last FROM _id_counters WHERE collection = $1',
      [table],
    );
    const last = held.rows[0]?.last;
    // A counter only grows: one at or past n now stays there.
    if (last !== undefined ? Number(last) >= n : !create) return;
    if (last !== undefined) {
      await this.db.query('UPDATE _id_counters SET last = GREATEST(last, $2) WHERE collection = $1', [
        table,
        n,
      ]);
      return;
    }
    await this.db.query(
      `${firstRowSql(table, 'GREATEST(COALESCE(MAX(id::bigint), 0), $2)')}
       ON CONFLICT (collection) DO UPDATE SET last = GREATEST(_id_counters.last, excluded.last)`,
      [table, n],
    );
  }

  /** Until the transaction ends, no other one on any node gets past this for the same table. */
  async holdSingle(table: string): Promise<void> {
    await this.db.query(WAIT_LOCK_SQL, [`single ${table}`]);
  }
}
