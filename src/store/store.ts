/**
 * The one storage interface. Both adapters (sqlite/, postgres/) implement it
 * with the same file set; service/ talks only to this. Nothing here knows
 * rules, HTTP or problems: failures are the typed errors in ./errors.ts.
 */

import type { Expr } from '../query/ast.js';
import type { SortKey } from '../query/list-types.js';
import type { AggregateRow, RecordData } from '../schema/types.js';
import type { ChangeFeed } from './change-log.js';
import type { RecordCache } from './record-cache.js';

export type { SortKey } from '../query/list-types.js';

export interface ListQuery {
  /** Filter with `@auth` already bound (see query/bind-auth.ts); null = all. */
  filter: Expr | null;
  sort: readonly SortKey[];
  limit: number;
  offset: number;
  /**
   * Keyset page: the values (in record form, JSON fields as their text) of
   * query/cursor.ts orderKeys(sort) that the page starts strictly after;
   * `offset` is not used then.
   */
  after?: readonly unknown[] | null;
  /** Count matching rows too (false for `skipTotal`). */
  count: boolean;
  /** Throw ReadTooLarge rather than load rows holding more than this many bytes of values. */
  maxBytes?: number;
}

/**
 * Grouped totals, as one grouped query. Field names are checked by the
 * service (groupable and summable types); the store takes them as given.
 */
export interface AggregateQuery {
  /** Filter with `@auth` already bound; null = all. */
  filter: Expr | null;
  /** Columns to group by (none: one row of totals over every matching record). */
  groupBy: readonly string[];
  /** Integer or number columns to add up per group. */
  sum: readonly string[];
  /** Throw ReadTooLarge rather than load rows holding more than this many bytes of values. */
  maxBytes?: number;
}

export interface ListResult {
  items: RecordData[];
  total: number | null;
}

/** A stored Idempotency-Key outcome (or a claim while the write runs). */
export interface IdempotencyEntry {
  /** Caller scope + method + path, already combined by the service. */
  scope: string;
  key: string;
  fingerprint: string;
  status: number;
  headers: Record<string, string>;
  body: string;
  /** ISO 8601 time the entry was stored; entries older than the TTL are ignored. */
  created: string;
}

/**
 * An upload to move into place once its record's transaction has committed:
 * written in that transaction, so after a crash the database alone says
 * which staged files belong to committed records.
 */
export interface PendingFile {
  token: string;
  key: string;
  /** The blob's metadata, as JSON. */
  meta: string;
}

/** The hits of a counter inside a window (times are ISO 8601; null when there are none). */
export interface HitCount {
  count: number;
  oldest: string | null;
  newest: string | null;
}

/** A session row (tokens are stored only as a hash). */
export interface SessionEntry {
  tokenHash: string;
  userId: string;
  created: string;
  expires: string;
}

/** Reads: outside a transaction they see the last committed state. */
export interface StoreReader {
  /** One record; with `filter`, only if it also matches the filter. */
  get(collection: string, id: string, filter?: Expr | null): Promise<RecordData | undefined>;
  /** Records with these ids (any order, missing ones left out); with `filter`, only those matching it. */
  /** With `maxBytes`, throws ReadTooLarge rather than load rows holding more bytes of values than that. */
  getMany(
    collection: string,
    ids: readonly string[],
    filter?: Expr | null,
    maxBytes?: number,
  ): Promise<RecordData[]>;
  list(collection: string, query: ListQuery): Promise<ListResult>;
  /**
   * One row per group of matching records, sorted by the groupBy columns
   * (nulls first): their values, `count`, and per summed column its sum
   * (0 when every value in the group is null, never null itself).
   */
  aggregate(collection: string, query: AggregateQuery): Promise<AggregateRow[]>;
  /** A session that has not expired at `now`. */
  getSession(tokenHash: string, now: string): Promise<SessionEntry | undefined>;
  /**
   * The cache of records' representations (record-cache.ts), brought up to
   * date with the database and exact for a read made now; null when reads
   * must not go through it at the moment. Absent: the store keeps none.
   */
  recordCache?(): RecordCache | null;
  /**
   * Where cached entries must be checked before use (record-cache.ts): a
   * record with its row version, read in one statement, and the version a
   * record has now (undefined when there is no such record).
   */
  getVersioned?(collection: string, id: string): Promise<{ record: RecordData; version: string } | undefined>;
  recordVersion?(collection: string, id: string): Promise<string | undefined>;
}

/** How a write sits in its transaction. */
export interface WriteOptions {
  /**
   * Nothing of the transaction follows this write: the store may commit
   * with it (PostgreSQL sends COMMIT in the same round trip). The
   * transaction then takes no further statement, and a failure of this one
   * rolls all of it back.
   */
  last?: boolean;
}

/** Everything a write transaction can do. */
export interface StoreTx extends StoreReader {
  /**
   * Insert a new record. Throws UniqueViolation / DuplicateId, and
   * SingleViolation when a `single` collection holds a record already.
   * An integer id in an `ids: "increment"` collection raises its counter to it.
   */
  insert(collection: string, record: RecordData, options?: WriteOptions): Promise<void>;
  /** The next id of an `ids: "increment"` collection ("1", "2", …), taken in this transaction. */
  nextId(collection: string): Promise<string>;
  /**
   * Overwrite an existing record's fields and timestamps. Given the record as
   * stored (`previous`), only the columns that differ are written. Throws UniqueViolation.
   */
  update(
    collection: string,
    record: RecordData,
    previous?: RecordData,
    options?: WriteOptions,
  ): Promise<void>;
  /** Delete by id; false when it was not there. */
  delete(collection: string, id: string): Promise<boolean>;

  getIdempotency(scope: string, key: string, notBefore: string): Promise<IdempotencyEntry | undefined>;
  /** Store an outcome unless a live one (created at or after `notBefore`) is already there. */
  putIdempotency(entry: IdempotencyEntry, notBefore: string): Promise<void>;

  /** Auth collection: the password hash column, never part of RecordData. */
  getPasswordHash(collection: string, id: string): Promise<string | undefined>;
  setPasswordHash(collection: string, id: string, hash: string): Promise<void>;
  findIdBy(collection: string, field: string, value: string): Promise<string | undefined>;

  putSession(entry: SessionEntry): Promise<void>;
  deleteSession(tokenHash: string): Promise<void>;
  /** Revoke every session of a user, but the one whose token hash is `except`. */
  deleteSessionsOf(userId: string, except?: string): Promise<void>;

  putPendingFile(entry: PendingFile): Promise<void>;
  deletePendingFile(token: string): Promise<void>;

  /** When a marker of the database's own (e.g. `seeded`) was set, or undefined when never. */
  getMarker(name: string): Promise<string | undefined>;
  /** Set a marker at an ISO 8601 time; one already set keeps its time. */
  setMarker(name: string, at: string): Promise<void>;

  /**
   * Add one hit at `now` to a counter and return the hits still inside the
   * window: the bucket's hits before `windowStart` are dropped, and with
   * `keep` all but its newest `keep` too (so no bucket grows past its limit).
   * `hit` and `hits` hold their bucket until the transaction ends: another
   * transaction's `hits` or `hit` of that bucket, on any node, waits for it,
   * so a check-then-hit cannot interleave with another one.
   */
  hit(bucket: string, now: string, windowStart: string, keep?: number): Promise<number>;
  /** Hits of a counter inside the window, without adding one: how many, the oldest and the newest. */
  hits(bucket: string, windowStart: string): Promise<HitCount>;
  /** Take back one hit made at exactly `at` (nothing when there is none). */
  unhit(bucket: string, at: string): Promise<void>;
  clearHits(bucket: string): Promise<void>;
}

export interface TransactionOptions {
  /**
   * A name to hold exclusively for the transaction, across every node:
   * when another transaction holds it, the call fails at once with LockBusy
   * instead of waiting (used for in-flight Idempotency-Keys).
   */
  lock?: string;
}

/** One step of bringing the database up to the config. */
export interface MigrationStep {
  kind:
    | 'create-table'
    | 'add-column'
    | 'drop-column'
    | 'retype-column'
    | 'clear-values'
    | 'add-index'
    | 'drop-index';
  table: string;
  column?: string;
  /** What it does, for `methodical migrate` to print. */
  description: string;
  /** Drops, retypes or clears a column that holds data. */
  destructive: boolean;
  sql: readonly string[];
}

/**
 * `full`: a commit is on disk before it is answered (survives a power cut).
 * `normal`: it survives a crash of the process, not of the machine.
 */
export type Durability = 'full' | 'normal';

/** What /healthz reports of the database beyond answering at all. */
export interface StoreHealth {
  /** False when writes cannot go through (e.g. the disk is full). */
  writable: boolean;
  /** Why not, when not. */
  detail?: string;
}

export interface StoreCapabilities {
  /** Several processes may share the database (PostgreSQL): nothing kept in the process is used without asking it. */
  sharedWriters: boolean;
  /** Blobs can live in the database itself. */
  blobs: boolean;
}

export interface Store extends StoreReader {
  readonly dialect: 'sqlite' | 'postgres';
  readonly capabilities: StoreCapabilities;
  /** Every committed record write, in order (change-log.ts), for realtime. */
  readonly changes: ChangeFeed;
  /** Run `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** What it would take to bring the database up to the schema. */
  planMigration(): Promise<MigrationStep[]>;
  /** Apply a plan; throws DestructiveMigration if a step is destructive and not allowed. */
  migrate(steps: readonly MigrationStep[], options?: { allowDestructive?: boolean }): Promise<void>;
  /** Uploads whose record committed but whose blob may not have been moved into place yet. */
  pendingFiles(): Promise<PendingFile[]>;
  /** Delete idempotency entries and sessions that have expired, and counter hits made before `hitsBefore`. */
  purgeExpired(idempotencyBefore: string, now: string, hitsBefore: string): Promise<void>;
  /** Throws when the database does not answer; says whether it can take writes. */
  health(): Promise<StoreHealth>;
  close(): Promise<void>;
}
