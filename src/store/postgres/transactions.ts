/**
 * Transactions on a pg Pool: one pooled connection per transaction, READ
 * COMMITTED, with the rows a transaction reads for change locked (SELECT …
 * FOR UPDATE in records.ts), so concurrent writers on any node queue on the
 * row instead of losing an update. A named lock is a transaction-scoped
 * advisory lock, taken without waiting: the loser gets LockBusy at once.
 */
import type pg from 'pg';
import { isNoSpace, StorageFull } from '../../util/storage-full.js';
import { LockBusy } from '../errors.js';

/** A pool or one of its connections. */
export interface Queryable {
  query<R extends pg.QueryResultRow = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>;
}

/**
 * The advisory lock key of a name: 64 bits of the hash of the search_path and
 * the name (advisory locks are per database, and two apps may share one in
 * two schemas; search_path names the schema even before it exists).
 */
const LOCK_KEY = "hashtextextended(current_setting('search_path') || ':' || $1, 0)";
export const LOCK_SQL = `SELECT pg_try_advisory_xact_lock(${LOCK_KEY}) AS ok`;
/** Waits for a lock (migrations and system tables: one node at a time). */
export const WAIT_LOCK_SQL = `SELECT pg_advisory_xact_lock(${LOCK_KEY})`;

/** A full disk as the typed error the layers above know (SQLSTATE 53100 disk_full). */
export function translate(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '53100' || isNoSpace(error) ? new StorageFull('database', { cause: error }) : error;
}

export async function runTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
  options: { lock?: string; waitLock?: string } = {},
): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    if (options.waitLock !== undefined) await client.query(WAIT_LOCK_SQL, [options.waitLock]);
    if (options.lock !== undefined) {
      const { rows } = await client.query<{ ok: boolean }>(LOCK_SQL, [options.lock]);
      if (!rows[0]?.ok) throw new LockBusy(options.lock);
    }
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch {
      broken = true;
    }
    throw translate(error);
  } finally {
    // A connection that could not roll back is dropped rather than handed to the next transaction.
    client.release(broken);
  }
}
