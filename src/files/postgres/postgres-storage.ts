/**
 * Blob storage in PostgreSQL, shared by every node using the database.
 * Uploads stream into 256 KiB chunk rows of a staged blob; commit moves
 * the blob from `staged` to `files` under its key in one transaction (the
 * chunks themselves never move). The ETag is the SHA-1 taken while
 * staging, stored with the blob, so every node sends the same strong tag.
 *
 * Staged blobs are swept across nodes: each staged row carries `touched`
 * (its last write) and a `lease` that the node holding it renews while it
 * streams or waits to commit. A sweep, on any node, takes only rows whose
 * lease has lapsed (their node stopped or released them) and that are idle
 * for idleMs, both by the database's clock. Removed or replaced blobs stay
 * readable for a grace period, so a download in flight on another node
 * finishes; sweeps then delete them.
 */
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { StorageFull } from '../../util/storage-full.js';
import { collectingAlong, collectYoungGarbage } from '../../util/young-gc.js';
import { Meter } from '../meter.js';
import {
  assertValidKey,
  type ByteRange,
  type FileMeta,
  FileNotFound,
  type FileStorage,
  InvalidFileKey,
  type StagedFile,
  type StoredFileInfo,
  type SweepOptions,
} from '../storage.js';
import { ChunkSink, chunkSource } from './chunks.js';
import { Leases } from './leases.js';
import { createTables, LOCK_CLASS, type Tables, tableNames } from './tables.js';

const TOKEN = /^[A-Za-z0-9_-]{22}$/;

/** Bytes per row of a chunk read. */
const READ_PIECE = 32 * 1024;

export interface PostgresFileStorageOptions {
  /** A pool to use (left open by close()), or… */
  pool?: pg.Pool;
  /** …a connection string to open one from. */
  url?: string;
  /** A schema for the tables (created if missing); by default the connection's search_path. */
  schema?: string;
  /** Bytes per chunk row (256 KiB). */
  chunkSize?: number;
  /** How long a held staged blob stays protected without a renewal (60 s). */
  leaseMs?: number;
  /** How long a removed or replaced blob stays readable for downloads in flight (10 min). */
  graceMs?: number;
}

/** PostgreSQL's disk_full and the like as StorageFull; anything else as it is. */
function noSpace(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '53100' ? new StorageFull('files', { cause: error }) : error;
}

/** FileStorage in PostgreSQL tables. */
export class PostgresFileStorage implements FileStorage {
  readonly tables: Tables;
  private readonly pool: pg.Pool;
  private readonly ownPool: boolean;
  private readonly chunkSize: number;
  private readonly graceMs: number;
  private ready: Promise<void> | undefined;
  /** Staged blobs this process is writing or holds for a commit. */
  private readonly leases: Leases;

  constructor(options: PostgresFileStorageOptions) {
    this.tables = tableNames(options.schema);
    if (options.pool) {
      this.pool = options.pool;
      this.ownPool = false;
    } else if (options.url) {
      this.pool = new pg.Pool({
        connectionString: options.url,
        max: 10,
        // An unreachable server fails a request (and /healthz) in seconds rather than hanging it.
        connectionTimeoutMillis: 10_000,
        allowExitOnIdle: true,
      });
      // An idle connection dropped by the server must not take the process down; the next query reconnects.
      this.pool.on('error', () => {});
      this.ownPool = true;
    } else {
      throw new Error('PostgresFileStorage needs a pool or a url.');
    }
    this.chunkSize = options.chunkSize ?? 256 * 1024;
    this.leases = new Leases(this.pool, this.tables.staged, options.leaseMs ?? 60_000);
    this.graceMs = options.graceMs ?? 10 * 60_000;
  }

  /** Create the tables now (otherwise done on first use); a failure is retried on the next call. */
  open(): Promise<void> {
    this.ready ??= createTables(this.pool, this.tables).catch((error) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  async stage(source: Readable, maxSize: number): Promise<StagedFile> {
    // Until pipeline listens, an early 'error' from the source must not go unhandled.
    const ignore = () => {};
    source.on('error', ignore);
    try {
      await this.open();
      const t = this.tables;
      const token = randomBytes(16).toString('base64url');
      this.leases.hold(token);
      let blobId: string;
      try {
        // Created before any byte flows, so a failure below always has a row to remove.
        const created = await this.pool.query<{ blob_id: string }>(
          `WITH b AS (INSERT INTO ${t.blobs} (chunk_size) VALUES ($3) RETURNING id)
           INSERT INTO ${t.staged} (token, blob_id, lease)
           SELECT $1, id, now() + $2 * interval '1 millisecond' FROM b RETURNING blob_id`,
          [token, this.leases.leaseMs, this.chunkSize],
        );
        blobId = created.rows[0].blob_id;
      } catch (error) {
        this.leases.release(token);
        throw noSpace(error);
      }
      const meter = new Meter(maxSize);
      const sink = new ChunkSink(this.chunkSize, async (seq, data) => {
        await this.pool.query(
          `WITH t AS (UPDATE ${t.staged} SET touched = now() WHERE blob_id = $1)
           INSERT INTO ${t.chunks} (blob_id, seq, data) VALUES ($1, $2, $3)`,
          [blobId, seq, data],
        );
      });
      try {
        await pipeline(source, meter, sink);
        const sha1 = meter.hash.digest('base64url');
        const done = await this.pool.query(`UPDATE ${t.blobs} SET size = $2, sha1 = $3 WHERE id = $1`, [
          blobId,
          meter.size,
          sha1,
        ]);
        // Swept meanwhile (its lease lapsed while the database was away): nothing is staged.
        if (done.rowCount !== 1) throw new FileNotFound(`staged/${token}`);
        return { token, size: meter.size, sha1, head: meter.head() };
      } catch (error) {
        this.leases.release(token);
        // Best effort: if the database is what failed, the lapsed lease lets a later sweep take it.
        await this.deleteStaged(token).catch(() => {});
        throw noSpace(error);
      }
    } finally {
      source.off('error', ignore);
    }
  }

  async commit(token: string, key: string, meta: FileMeta): Promise<void> {
    assertValidKey(key);
    checkToken(token);
    await this.open();
    const t = this.tables;
    await this.transaction(async (client) => {
      // Claiming the staged row is what a sweep on another node would race for: one of them wins.
      const claimed = await client.query<{ blob_id: string; sha1: string | null }>(
        `DELETE FROM ${t.staged} s USING ${t.blobs} b
         WHERE s.token = $1 AND b.id = s.blob_id RETURNING s.blob_id, b.sha1`,
        [token],
      );
      const row = claimed.rows[0];
      // A blob still being written (its sha1 not set yet) is not a staged file to commit.
      if (!row || row.sha1 === null) throw new FileNotFound(`staged/${token}`);
      const previous = await this.unlinkKey(client, key);
      await client.query(
        `INSERT INTO ${t.files} (key, blob_id, type, original_name) VALUES ($1, $2, $3, $4)`,
        [key, row.blob_id, meta.type, meta.originalName],
      );
      if (previous) await this.drop(client, previous);
    });
    this.leases.release(token);
  }

  async discard(token: string): Promise<void> {
    checkToken(token);
    this.leases.release(token);
    await this.open();
    await this.deleteStaged(token);
  }

  async remove(key: string): Promise<void> {
    assertValidKey(key);
    await this.open();
    await this.transaction(async (client) => {
      const previous = await this.unlinkKey(client, key);
      if (previous) await this.drop(client, previous);
    });
  }

  async stat(key: string): Promise<StoredFileInfo | undefined> {
    assertValidKey(key);
    await this.open();
    const t = this.tables;
    const found = await this.pool.query<{
      size: string;
      sha1: string;
      type: string;
      original_name: string;
      mtime: Date;
    }>(
      `SELECT b.size, b.sha1, f.type, f.original_name, f.mtime
       FROM ${t.files} f JOIN ${t.blobs} b ON b.id = f.blob_id WHERE f.key = $1`,
      [key],
    );
    const row = found.rows[0];
    if (!row) return undefined;
    return {
      size: Number(row.size),
      etag: `"${row.sha1}"`,
      mtime: row.mtime,
      type: row.type,
      originalName: row.original_name,
    };
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    assertValidKey(key);
    await this.open();
    const t = this.tables;
    const found = await this.pool.query<{ blob_id: string; size: string; chunk_size: number }>(
      `SELECT f.blob_id, b.size, b.chunk_size FROM ${t.files} f JOIN ${t.blobs} b ON b.id = f.blob_id
       WHERE f.key = $1`,
      [key],
    );
    const row = found.rows[0];
    if (!row) throw new FileNotFound(key);
    const size = Number(row.size);
    const start = range?.start ?? 0;
    const end = Math.min(range?.end ?? size - 1, size - 1);
    // The blob is read by id: removed meanwhile, it stays readable for graceMs.
    const source = chunkSource(
      row.chunk_size,
      start,
      end,
      async (seq, offset, length) => {
        // In pieces small enough that their hex text stays in V8's young generation, which
        // collectingAlong sweeps every few MiB (one 512 KiB string would wait for a full GC).
        const pieces = await this.pool.query<{ data: Buffer }>(
          `SELECT substring(c.data FROM p.at FOR least($5, $3 + $4 - p.at)) AS data
           FROM ${t.chunks} c, generate_series($3::int, $3::int + $4::int - 1, $5::int) AS p (at)
           WHERE c.blob_id = $1 AND c.seq = $2 ORDER BY p.at`,
          [row.blob_id, seq, offset + 1, length, READ_PIECE],
        );
        // Each chunk leaves twice its size in text and socket buffers behind: let it go every MiB.
        if (seq % 4 === 3) collectYoungGarbage();
        return pieces.rows.length === 0 ? undefined : Buffer.concat(pieces.rows.map((r) => r.data));
      },
      () => new FileNotFound(key),
    );
    return collectingAlong(source);
  }

  async sweep(options: SweepOptions): Promise<number> {
    await this.open();
    const t = this.tables;
    const spared = [...this.leases.tokens(), ...(options.keep ?? [])];
    return this.transaction(async (client) => {
      const taken = await client.query<{ blob_id: string }>(
        `DELETE FROM ${t.staged}
         WHERE (lease IS NULL OR lease < now())
           AND touched <= now() - $1 * interval '1 millisecond'
           AND NOT (token = ANY ($2::text[]))
         RETURNING blob_id`,
        [options.idleMs, spared],
      );
      const ids = taken.rows.map((r) => r.blob_id);
      const expired = await client.query<{ blob_id: string }>(
        `DELETE FROM ${t.dropped} WHERE at <= now() - $1 * interval '1 millisecond' RETURNING blob_id`,
        [this.graceMs],
      );
      const all = [...ids, ...expired.rows.map((r) => r.blob_id)];
      if (all.length > 0) await client.query(`DELETE FROM ${t.blobs} WHERE id = ANY ($1::bigint[])`, [all]);
      return ids.length;
    });
  }

  async health(): Promise<{ writable: boolean; detail?: string }> {
    try {
      await this.open();
      const result = await this.pool.query<{ ro: string }>(
        "SELECT current_setting('transaction_read_only') AS ro",
      );
      if (result.rows[0]?.ro === 'on') {
        return { writable: false, detail: 'the database holding uploaded files is read-only' };
      }
      return { writable: true };
    } catch (error) {
      return {
        writable: false,
        detail: `the database holding uploaded files cannot be reached (${(error as Error).message})`,
      };
    }
  }

  /** Let go of what this process held (other nodes may sweep it at once); end an own pool. */
  async close(): Promise<void> {
    if (this.ready) await this.leases.releaseAll();
    else this.leases.stop();
    if (this.ownPool) await this.pool.end();
  }

  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw noSpace(error);
    } finally {
      client.release();
    }
  }

  /** Take `key` off its blob (serialised per key across nodes); the blob it named, if any. */
  private async unlinkKey(client: pg.PoolClient, key: string): Promise<string | undefined> {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS, key]);
    const gone = await client.query<{ blob_id: string }>(
      `DELETE FROM ${this.tables.files} WHERE key = $1 RETURNING blob_id`,
      [key],
    );
    return gone.rows[0]?.blob_id;
  }

  private async drop(client: pg.PoolClient, blobId: string): Promise<void> {
    await client.query(`INSERT INTO ${this.tables.dropped} (blob_id) VALUES ($1) ON CONFLICT DO NOTHING`, [
      blobId,
    ]);
  }

  /** Delete a staged blob and its chunks; nothing when the token is not staged. */
  private async deleteStaged(token: string): Promise<void> {
    await this.transaction(async (client) => {
      const gone = await client.query<{ blob_id: string }>(
        `DELETE FROM ${this.tables.staged} WHERE token = $1 RETURNING blob_id`,
        [token],
      );
      const id = gone.rows[0]?.blob_id;
      if (id) await client.query(`DELETE FROM ${this.tables.blobs} WHERE id = $1`, [id]);
    });
  }
}

function checkToken(token: string): void {
  if (!TOKEN.test(token)) throw new InvalidFileKey(token);
}
