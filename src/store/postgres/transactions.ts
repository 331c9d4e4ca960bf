/**
 * Transactions on a pg Pool: one pooled connection per transaction, READ
 * COMMITTED, with the rows a transaction reads for change locked (SELECT …
 * FOR UPDATE in records.ts), so concurrent writers on any node queue on the
 * row instead of losing an update. A named lock is a transaction-scoped
 * advisory lock, taken without waiting: the loser gets LockBusy at once.
 */
import type pg from 'pg';
import { DatabaseUnavailable } from '../../util/database-unavailable.js';
import { isNoSpace, StorageFull } from '../../util/storage-full.js';
import { LockBusy } from '../errors.js';
import { prepared, queryConfig } from './statements.js';

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
export const LOCK_SQL = prepared(`SELECT pg_try_advisory_xact_lock(${LOCK_KEY}) AS ok`);
/** Waits for a lock (migrations and system tables: one node at a time). */
export const WAIT_LOCK_SQL = `SELECT pg_advisory_xact_lock(${LOCK_KEY})`;

/** Server errors (SQLSTATE) and socket errors that say "not now" rather than "wrong". */
const CONFLICT = new Set(['40P01', '40001', '55P03']);
const BUSY = new Set(['53300', '53400']);
const UNREACHABLE = new Set([
  '57P01',
  '57P02',
  '57P03',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
]);

/**
 * A database error as the typed error the layers above know: a full disk
 * (SQLSTATE 53100) as StorageFull; a deadlock, no free connection or a
 * server that does not answer as DatabaseUnavailable; any other as it is.
 */
export function translate(error: unknown): unknown {
  if (error instanceof LockBusy || error instanceof StorageFull || error instanceof DatabaseUnavailable)
    return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : '';
  if (code === '53100' || isNoSpace(error)) return new StorageFull('database', { cause: error });
  if (typeof code === 'string') {
    if (CONFLICT.has(code)) return new DatabaseUnavailable('conflict', { cause: error });
    if (BUSY.has(code)) return new DatabaseUnavailable('busy', { cause: error });
    if (UNREACHABLE.has(code) || code.startsWith('08'))
      return new DatabaseUnavailable('unreachable', { cause: error });
  }
  // pg's own words for a pool that waited too long, and for a connection the server dropped.
  if (/timeout exceeded when trying to connect/i.test(message))
    return new DatabaseUnavailable('busy', { cause: error });
  if (/Connection terminated/i.test(message)) return new DatabaseUnavailable('unreachable', { cause: error });
  return error;
}

/** A pool whose errors arrive translated (reads outside a transaction), its marked statements prepared. */
export class TranslatingPool implements Queryable {
  constructor(private readonly pool: pg.Pool) {}

  async query<R extends pg.QueryResultRow = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(queryConfig(text, values));
    } catch (error) {
      throw translate(error);
    }
  }
}

/**
 * One transaction's connection, its marked statements prepared
 * (statements.ts). Its last statement may carry the COMMIT with it
 * (`queryAndCommit`); after that it takes no other.
 */
export class TxConnection implements Queryable {
  /** The COMMIT sent with the last statement, once it is. */
  commit: Promise<pg.QueryResult> | null = null;

  constructor(private readonly client: pg.PoolClient) {}

  query<R extends pg.QueryResultRow = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>> {
    if (this.commit) return Promise.reject(new Error('the transaction has already committed'));
    return this.client.query<R>(queryConfig(text, values));
  }

  /**
   * The statement and COMMIT in one write (the client pipelines). Should
   * the statement fail, the server answers the COMMIT by rolling back.
   */
  queryAndCommit(text: string, values: unknown[]): Promise<pg.QueryResult> {
    const flush = holdWrites(this.client);
    try {
      // Both are queued in order; the statement's own cork/uncork nests inside this one.
      const result = this.query(text, values);
      const commit = this.client.query('COMMIT');
      commit.catch(() => {});
      this.commit = commit;
      return result;
    } finally {
      flush();
    }
  }
}

/**
 * Holds back the connection's writes (its socket corked) until the returned
 * function is called, once: the messages written meanwhile leave together.
 */
function holdWrites(client: pg.PoolClient): () => void {
  const stream = (client as { connection?: { stream?: { cork?(): void; uncork?(): void } } }).connection
    ?.stream;
  if (typeof stream?.cork !== 'function' || typeof stream.uncork !== 'function') return () => {};
  stream.cork();
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    stream.uncork?.();
  };
}

export async function runTransaction<T>(
  pool: pg.Pool,
  fn: (connection: TxConnection) => Promise<T>,
  options: { lock?: string; waitLock?: string } = {},
): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw translate(error);
  }
  let broken = false;
  let flush = () => {};
  try {
    // Not awaited: the pool's clients pipeline, so BEGIN goes out with the transaction's first
    // statement, in one write and one round trip. The server runs them in order; BEGIN on an idle
    // connection fails only with the connection, and then so does every statement behind it.
    flush = holdWrites(client);
    const begun = client.query('BEGIN');
    begun.catch(() => {});
    // The first statement is sent within this turn of the event loop (or there is none).
    setImmediate(flush);
    if (options.waitLock !== undefined) await client.query(WAIT_LOCK_SQL, [options.waitLock]);
    if (options.lock !== undefined) {
      const { rows } = await client.query<{ ok: boolean }>(queryConfig(LOCK_SQL, [options.lock]));
      if (!rows[0]?.ok) throw new LockBusy(options.lock);
    }
    const connection = new TxConnection(client);
    const result = await fn(connection);
    flush();
    await begun;
    // After a failed statement PostgreSQL answers COMMIT by rolling back, without an error.
    const commit = await (connection.commit ?? client.query('COMMIT'));
    if (commit.command === 'ROLLBACK') {
      throw new Error('the transaction was rolled back, not committed: a statement in it had failed');
    }
    return result;
  } catch (error) {
    try {
      flush();
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
