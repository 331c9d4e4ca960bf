/**
 * The product's own tables on SQLite: idempotency keys, sessions, rate
 * counters, password hashes and markers (the database was seeded). Created
 * on open; not part of migrations.
 */
import type Database from 'better-sqlite3';
import { quoteIdent } from '../dialect.js';
import { idempotencyFrom, idempotencyValues, type Row, sessionFrom } from '../rows.js';
import type { HitCount, IdempotencyEntry, PendingFile, SessionEntry } from '../store.js';
import { PASSWORD_COLUMN } from '../table-model.js';

export const SQLITE_SYSTEM_DDL = [
  `CREATE TABLE IF NOT EXISTS _idempotency (
    scope TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, status INTEGER NOT NULL,
    headers TEXT NOT NULL, body TEXT NOT NULL, created TEXT NOT NULL, PRIMARY KEY (scope, key))`,
  'CREATE INDEX IF NOT EXISTS _idempotency__created ON _idempotency (created)',
  `CREATE TABLE IF NOT EXISTS _sessions (
    token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, created TEXT NOT NULL, expires TEXT NOT NULL)`,
  'CREATE INDEX IF NOT EXISTS _sessions__user ON _sessions (user_id)',
  'CREATE TABLE IF NOT EXISTS _hits (bucket TEXT NOT NULL, at TEXT NOT NULL)',
  'CREATE TABLE IF NOT EXISTS _pending_files (token TEXT PRIMARY KEY, key TEXT NOT NULL, meta TEXT NOT NULL)',
  'CREATE INDEX IF NOT EXISTS _hits__bucket ON _hits (bucket, at)',
  'CREATE INDEX IF NOT EXISTS _hits__at ON _hits (at)',
  // One row, rewritten by /healthz to find out whether a write goes through again.
  'CREATE TABLE IF NOT EXISTS _health (id INTEGER PRIMARY KEY, at TEXT NOT NULL)',
  // Facts about the database itself, written in the transaction they describe (e.g. the seed's).
  'CREATE TABLE IF NOT EXISTS _markers (name TEXT PRIMARY KEY, at TEXT NOT NULL)',
];

/** Reads a session on any connection (reads outside a transaction use the reader). */
export const SESSION_SQL = 'SELECT * FROM _sessions WHERE token_hash = ? AND expires > ?';

export class SqliteSystem {
  private readonly s;

  constructor(private readonly db: Database.Database) {
    const p = (sql: string) => db.prepare<unknown[], Row>(sql);
    this.s = {
      getKey: p('SELECT * FROM _idempotency WHERE scope = ? AND key = ? AND created >= ?'),
      putKey: p(
        `INSERT INTO _idempotency (scope, key, fingerprint, status, headers, body, created) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (scope, key) DO UPDATE SET fingerprint = excluded.fingerprint, status = excluded.status,
           headers = excluded.headers, body = excluded.body, created = excluded.created
         WHERE _idempotency.created < ?`,
      ),
      putSession: p('INSERT INTO _sessions (token_hash, user_id, created, expires) VALUES (?, ?, ?, ?)'),
      getSession: p(SESSION_SQL),
      deleteSession: p('DELETE FROM _sessions WHERE token_hash = ?'),
      deleteSessionsOf: p('DELETE FROM _sessions WHERE user_id = ?'),
      deleteSessionsOfExcept: p('DELETE FROM _sessions WHERE user_id = ? AND token_hash <> ?'),
      hit: p('INSERT INTO _hits (bucket, at) VALUES (?, ?)'),
      hits: p(
        'SELECT COUNT(*) AS n, MIN(at) AS oldest, MAX(at) AS newest FROM _hits WHERE bucket = ? AND at >= ?',
      ),
      pruneHits: p('DELETE FROM _hits WHERE bucket = ? AND at < ?'),
      // Rows of one bucket and time are alike: any one of them will do.
      unhit: p(
        'DELETE FROM _hits WHERE rowid = (SELECT rowid FROM _hits WHERE bucket = ? AND at = ? LIMIT 1)',
      ),
      keepHits: p(
        `DELETE FROM _hits WHERE rowid IN
           (SELECT rowid FROM _hits WHERE bucket = ? ORDER BY at DESC LIMIT -1 OFFSET ?)`,
      ),
      clearHits: p('DELETE FROM _hits WHERE bucket = ?'),
      purgeHits: p('DELETE FROM _hits WHERE at < ?'),
      putPending: p('INSERT OR REPLACE INTO _pending_files (token, key, meta) VALUES (?, ?, ?)'),
      deletePending: p('DELETE FROM _pending_files WHERE token = ?'),
      pending: p('SELECT token, key, meta FROM _pending_files'),
      purgeKeys: p('DELETE FROM _idempotency WHERE created < ?'),
      purgeSessions: p('DELETE FROM _sessions WHERE expires <= ?'),
      getMarker: p('SELECT at FROM _markers WHERE name = ?'),
      setMarker: p('INSERT INTO _markers (name, at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING'),
    };
  }

  getIdempotency(scope: string, key: string, notBefore: string): IdempotencyEntry | undefined {
    const row = this.s.getKey.get(scope, key, notBefore);
    return idempotencyFrom(row, scope, key);
  }

  putIdempotency(e: IdempotencyEntry, notBefore: string): void {
    this.s.putKey.run(...idempotencyValues(e, notBefore));
  }

  getPasswordHash(table: string, id: string): string | undefined {
    const row = this.db
      .prepare<unknown[], Row>(
        `SELECT ${quoteIdent(PASSWORD_COLUMN)} AS h FROM ${quoteIdent(table)} WHERE id = ?`,
      )
      .get(id);
    return (row?.h as string | null) ?? undefined;
  }

  setPasswordHash(table: string, id: string, hash: string): void {
    this.db
      .prepare(`UPDATE ${quoteIdent(table)} SET ${quoteIdent(PASSWORD_COLUMN)} = ? WHERE id = ?`)
      .run(hash, id);
  }

  findIdBy(table: string, field: string, value: string): string | undefined {
    const row = this.db
      .prepare<unknown[], Row>(`SELECT id FROM ${quoteIdent(table)} WHERE ${quoteIdent(field)} = ? LIMIT 1`)
      .get(value);
    return row?.id as string | undefined;
  }

  putSession(e: SessionEntry): void {
    this.s.putSession.run(e.tokenHash, e.userId, e.created, e.expires);
  }

  getSession(tokenHash: string, now: string): SessionEntry | undefined {
    return sessionFrom(this.s.getSession.get(tokenHash, now), tokenHash);
  }

  deleteSession(tokenHash: string): void {
    this.s.deleteSession.run(tokenHash);
  }

  deleteSessionsOf(userId: string, except?: string): void {
    if (except === undefined) this.s.deleteSessionsOf.run(userId);
    else this.s.deleteSessionsOfExcept.run(userId, except);
  }

  hit(bucket: string, now: string, windowStart: string, keep?: number): number {
    this.s.pruneHits.run(bucket, windowStart);
    this.s.hit.run(bucket, now);
    if (keep !== undefined) this.s.keepHits.run(bucket, Math.max(0, keep));
    return this.hits(bucket, windowStart).count;
  }

  hits(bucket: string, windowStart: string): HitCount {
    const row = this.s.hits.get(bucket, windowStart) as {
      n: number;
      oldest: string | null;
      newest: string | null;
    };
    return { count: Number(row.n), oldest: row.oldest, newest: row.newest };
  }

  unhit(bucket: string, at: string): void {
    this.s.unhit.run(bucket, at);
  }

  clearHits(bucket: string): void {
    this.s.clearHits.run(bucket);
  }

  putPendingFile(entry: PendingFile): void {
    this.s.putPending.run(entry.token, entry.key, entry.meta);
  }

  deletePendingFile(token: string): void {
    this.s.deletePending.run(token);
  }

  pendingFiles(): PendingFile[] {
    return this.s.pending.all() as unknown as PendingFile[];
  }

  getMarker(name: string): string | undefined {
    return this.s.getMarker.get(name)?.at as string | undefined;
  }

  setMarker(name: string, at: string): void {
    this.s.setMarker.run(name, at);
  }

  purge(idempotencyBefore: string, now: string, hitsBefore: string): void {
    this.s.purgeKeys.run(idempotencyBefore);
    this.s.purgeSessions.run(now);
    this.s.purgeHits.run(hitsBefore);
  }
}
