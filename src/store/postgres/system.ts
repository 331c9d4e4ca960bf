/**
 * The product's own tables on PostgreSQL: idempotency keys, sessions, rate
 * counters, password hashes, pending files and markers. Created on open
 * (under an advisory lock, so nodes starting together do not race); not
 * part of migrations. Text that is compared or ordered uses the "C"
 * collation, as SQLite compares bytes.
 */
import type pg from 'pg';
import { quoteIdent } from '../dialect.js';
import { idempotencyFrom, idempotencyValues, type Row, sessionFrom } from '../rows.js';
import type { HitCount, IdempotencyEntry, PendingFile, SessionEntry } from '../store.js';
import type { SystemPart } from '../store-tx-base.js';
import { PASSWORD_COLUMN } from '../table-model.js';
import { holdsNul } from './records.js';
import { prepared } from './statements.js';
import { type Queryable, WAIT_LOCK_SQL } from './transactions.js';

const T = 'TEXT COLLATE "C"';

export const POSTGRES_SYSTEM_DDL = [
  `CREATE TABLE IF NOT EXISTS _idempotency (
    scope ${T} NOT NULL, key ${T} NOT NULL, fingerprint TEXT NOT NULL, status INTEGER NOT NULL,
    headers TEXT NOT NULL, body TEXT NOT NULL, created ${T} NOT NULL, PRIMARY KEY (scope, key))`,
  'CREATE INDEX IF NOT EXISTS _idempotency__created ON _idempotency (created)',
  `CREATE TABLE IF NOT EXISTS _sessions (
    token_hash ${T} PRIMARY KEY, user_id ${T} NOT NULL, created ${T} NOT NULL, expires ${T} NOT NULL)`,
  'CREATE INDEX IF NOT EXISTS _sessions__user ON _sessions (user_id)',
  `CREATE TABLE IF NOT EXISTS _hits (bucket ${T} NOT NULL, at ${T} NOT NULL)`,
  'CREATE INDEX IF NOT EXISTS _hits__bucket ON _hits (bucket, at)',
  'CREATE INDEX IF NOT EXISTS _hits__at ON _hits (at)',
  `CREATE TABLE IF NOT EXISTS _pending_files (token ${T} PRIMARY KEY, key TEXT NOT NULL, meta TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS _markers (name ${T} PRIMARY KEY, at ${T} NOT NULL)`,
];

const NUL = String.fromCharCode(0);

export const SESSION_SQL = prepared('SELECT * FROM _sessions WHERE token_hash = $1 AND expires > $2');

const PUT_KEY = prepared(`INSERT INTO _idempotency (scope, key, fingerprint, status, headers, body, created)
  VALUES ($1, $2, $3, $4, $5, $6, $7)
  ON CONFLICT (scope, key) DO UPDATE SET fingerprint = excluded.fingerprint, status = excluded.status,
    headers = excluded.headers, body = excluded.body, created = excluded.created
  WHERE _idempotency.created < $8`);
const GET_KEY = prepared('SELECT * FROM _idempotency WHERE scope = $1 AND key = $2 AND created >= $3');

/**
 * Keys and names here come from requests (an Idempotency-Key's scope, a
 * throttle bucket holding an email); PostgreSQL text cannot hold U+0000, so
 * `\` and U+0000 are escaped on the way in and back on the way out.
 */
function toStored(value: unknown): unknown {
  if (typeof value !== 'string' || !(value.includes('\\') || value.includes(NUL))) return value;
  return value.replaceAll('\\', '\\\\').replaceAll(NUL, '\\0');
}

function fromStored(value: unknown): unknown {
  return typeof value === 'string' && value.includes('\\')
    ? value.replace(/\\([\\0])/g, (_, c: string) => (c === '0' ? NUL : '\\'))
    : value;
}

/** The system tables through one connection, every text parameter escaped and every text column unescaped. */
class Escaped implements Queryable {
  constructor(private readonly db: Queryable) {}

  async query<R extends pg.QueryResultRow = Record<string, unknown>>(
    text: string,
    values: unknown[] = [],
  ): Promise<pg.QueryResult<R>> {
    const result = await this.db.query<R>(text, values.map(toStored));
    for (const row of result.rows as Record<string, unknown>[]) {
      for (const key in row) row[key] = fromStored(row[key]);
    }
    return result;
  }
}

export class PostgresSystem implements SystemPart {
  /** The product's own tables, escaped. */
  private readonly db: Queryable;

  /** `raw`: for the record tables (password hashes, findIdBy), whose text is stored as it is. */
  constructor(private readonly raw: Queryable) {
    this.db = new Escaped(raw);
  }

  private async one(sql: string, values: unknown[]): Promise<Row | undefined> {
    return (await this.db.query(sql, values)).rows[0];
  }

  async getIdempotency(scope: string, key: string, notBefore: string): Promise<IdempotencyEntry | undefined> {
    const row = await this.one(GET_KEY, [scope, key, notBefore]);
    return idempotencyFrom(row, scope, key);
  }

  async putIdempotency(e: IdempotencyEntry, notBefore: string): Promise<void> {
    await this.db.query(PUT_KEY, idempotencyValues(e, notBefore));
  }

  async getPasswordHash(table: string, id: string): Promise<string | undefined> {
    if (holdsNul(id)) return undefined;
    const result = await this.raw.query<{ h: string | null }>(
      `SELECT ${quoteIdent(PASSWORD_COLUMN)} AS h FROM ${quoteIdent(table)} WHERE id = $1`,
      [id],
    );
    return result.rows[0]?.h ?? undefined;
  }

  async setPasswordHash(table: string, id: string, hash: string): Promise<void> {
    if (holdsNul(id)) return;
    await this.raw.query(
      `UPDATE ${quoteIdent(table)} SET ${quoteIdent(PASSWORD_COLUMN)} = $1 WHERE id = $2`,
      [hash, id],
    );
  }

  /** A value PostgreSQL cannot hold (U+0000) is a value no record has. */
  async findIdBy(table: string, field: string, value: string): Promise<string | undefined> {
    if (holdsNul(value)) return undefined;
    const result = await this.raw.query<{ id: string }>(
      `SELECT id FROM ${quoteIdent(table)} WHERE ${quoteIdent(field)} = $1 LIMIT 1`,
      [value],
    );
    return result.rows[0]?.id;
  }

  async putSession(e: SessionEntry): Promise<void> {
    await this.db.query(
      'INSERT INTO _sessions (token_hash, user_id, created, expires) VALUES ($1, $2, $3, $4)',
      [e.tokenHash, e.userId, e.created, e.expires],
    );
  }

  async getSession(tokenHash: string, now: string): Promise<SessionEntry | undefined> {
    return sessionFrom(await this.one(SESSION_SQL, [tokenHash, now]), tokenHash);
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.query('DELETE FROM _sessions WHERE token_hash = $1', [tokenHash]);
  }

  async deleteSessionsOf(userId: string, except?: string): Promise<void> {
    if (except === undefined) await this.db.query('DELETE FROM _sessions WHERE user_id = $1', [userId]);
    else
      await this.db.query('DELETE FROM _sessions WHERE user_id = $1 AND token_hash <> $2', [userId, except]);
  }

  /**
   * A counter's bucket is held until the transaction ends (as SQLite's write
   * lock holds every bucket), so two check-then-hit transactions on different
   * nodes never interleave.
   */
  private async holdBucket(bucket: string): Promise<void> {
    await this.db.query(WAIT_LOCK_SQL, [`hits ${bucket}`]);
  }

  async hit(bucket: string, now: string, windowStart: string, keep?: number): Promise<number> {
    await this.holdBucket(bucket);
    await this.db.query('DELETE FROM _hits WHERE bucket = $1 AND at < $2', [bucket, windowStart]);
    await this.db.query('INSERT INTO _hits (bucket, at) VALUES ($1, $2)', [bucket, now]);
    if (keep !== undefined) {
      await this.db.query(
        `DELETE FROM _hits WHERE ctid IN
           (SELECT ctid FROM _hits WHERE bucket = $1 ORDER BY at DESC OFFSET $2)`,
        [bucket, Math.max(0, keep)],
      );
    }
    return (await this.hits(bucket, windowStart)).count;
  }

  async hits(bucket: string, windowStart: string): Promise<HitCount> {
    await this.holdBucket(bucket);
    const row = await this.one(
      'SELECT COUNT(*) AS n, MIN(at) AS oldest, MAX(at) AS newest FROM _hits WHERE bucket = $1 AND at >= $2',
      [bucket, windowStart],
    );
    return {
      count: Number(row?.n ?? 0),
      oldest: (row?.oldest as string | null) ?? null,
      newest: (row?.newest as string | null) ?? null,
    };
  }

  async unhit(bucket: string, at: string): Promise<void> {
    await this.db.query(
      'DELETE FROM _hits WHERE ctid = (SELECT ctid FROM _hits WHERE bucket = $1 AND at = $2 LIMIT 1)',
      [bucket, at],
    );
  }

  async clearHits(bucket: string): Promise<void> {
    await this.db.query('DELETE FROM _hits WHERE bucket = $1', [bucket]);
  }

  async putPendingFile(entry: PendingFile): Promise<void> {
    await this.db.query(
      `INSERT INTO _pending_files (token, key, meta) VALUES ($1, $2, $3)
       ON CONFLICT (token) DO UPDATE SET key = excluded.key, meta = excluded.meta`,
      [entry.token, entry.key, entry.meta],
    );
  }

  async deletePendingFile(token: string): Promise<void> {
    await this.db.query('DELETE FROM _pending_files WHERE token = $1', [token]);
  }

  async pendingFiles(): Promise<PendingFile[]> {
    const result = await this.db.query<PendingFile>('SELECT token, key, meta FROM _pending_files');
    return result.rows.map((r) => ({ token: r.token, key: r.key, meta: r.meta }));
  }

  async getMarker(name: string): Promise<string | undefined> {
    return (await this.one('SELECT at FROM _markers WHERE name = $1', [name]))?.at as string | undefined;
  }

  async setMarker(name: string, at: string): Promise<void> {
    await this.db.query('INSERT INTO _markers (name, at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [
      name,
      at,
    ]);
  }

  async purge(idempotencyBefore: string, now: string, hitsBefore: string): Promise<void> {
    await this.db.query('DELETE FROM _idempotency WHERE created < $1', [idempotencyBefore]);
    await this.db.query('DELETE FROM _sessions WHERE expires <= $1', [now]);
    await this.db.query('DELETE FROM _hits WHERE at < $1', [hitsBefore]);
  }
}
