/**
 * The tables PostgresFileStorage keeps its blobs in, created idempotently
 * on first use (every node may start at once: an advisory lock makes the
 * CREATEs take turns, since concurrent CREATE ... IF NOT EXISTS can still
 * collide in the catalog).
 *
 *   blobs    one row per blob: its size, SHA-1 (once fully staged) and chunk size
 *   chunks   (blob, seq) → bytea of at most chunk_size bytes, stored uncompressed
 *   staged   uploads not yet committed: token → blob, last write, lease
 *   files    committed blobs by key, with their metadata
 *   dropped  blobs removed or replaced, kept a grace period for reads in flight
 */
import type { Pool } from 'pg';

/** The first key of this module's advisory locks (the second: 0 for setup, a key's hash for commits). */
export const LOCK_CLASS = 0x6d66696c; // 'mfil'

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** The table names, schema-qualified when a schema was given. */
export interface Tables {
  schema?: string;
  blobs: string;
  chunks: string;
  staged: string;
  files: string;
  dropped: string;
}

export function tableNames(schema?: string): Tables {
  if (schema !== undefined && !IDENTIFIER.test(schema)) {
    throw new Error(`Not a valid PostgreSQL schema name for files: ${JSON.stringify(schema)}.`);
  }
  const q = (name: string) => (schema ? `"${schema}".${name}` : name);
  return {
    schema,
    blobs: q('methodical_blobs'),
    chunks: q('methodical_blob_chunks'),
    staged: q('methodical_staged_blobs'),
    files: q('methodical_files'),
    dropped: q('methodical_dropped_blobs'),
  };
}

function ddl(t: Tables): string[] {
  return [
    ...(t.schema ? [`CREATE SCHEMA IF NOT EXISTS "${t.schema}"`] : []),
    `CREATE TABLE IF NOT EXISTS ${t.blobs} (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      size bigint NOT NULL DEFAULT 0,
      sha1 text,
      chunk_size integer NOT NULL
    )`,
    `CREATE TABLE IF NOT EXISTS ${t.chunks} (
      blob_id bigint NOT NULL REFERENCES ${t.blobs} (id) ON DELETE CASCADE,
      seq integer NOT NULL,
      data bytea NOT NULL,
      PRIMARY KEY (blob_id, seq)
    )`,
    // Stored out of line and uncompressed: uploads are mostly compressed already, and a
    // substring of an uncompressed value reads only the slices it covers (ranges).
    `ALTER TABLE ${t.chunks} ALTER COLUMN data SET STORAGE EXTERNAL`,
    `CREATE TABLE IF NOT EXISTS ${t.staged} (
      token text PRIMARY KEY,
      blob_id bigint NOT NULL UNIQUE REFERENCES ${t.blobs} (id) ON DELETE CASCADE,
      touched timestamptz NOT NULL DEFAULT now(),
      lease timestamptz
    )`,
    `CREATE TABLE IF NOT EXISTS ${t.files} (
      key text PRIMARY KEY,
      blob_id bigint NOT NULL UNIQUE REFERENCES ${t.blobs} (id),
      type text NOT NULL,
      original_name text NOT NULL,
      mtime timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE IF NOT EXISTS ${t.dropped} (
      blob_id bigint PRIMARY KEY REFERENCES ${t.blobs} (id) ON DELETE CASCADE,
      at timestamptz NOT NULL DEFAULT now()
    )`,
  ];
}

/** Create the schema (if named) and the tables, once per database however many nodes start together. */
export async function createTables(pool: Pool, t: Tables): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1, 0)', [LOCK_CLASS]);
    for (const statement of ddl(t)) await client.query(statement);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
