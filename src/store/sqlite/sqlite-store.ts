/**
 * The embedded default store: one SQLite file in WAL mode. Writes go
 * through one connection, one transaction at a time (hooks may await
 * inside a transaction), committed in groups (transactions.ts); reads
 * outside a transaction use a second connection, so they never see a
 * transaction's uncommitted rows.
 */
import { mkdirSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Expr } from '../../query/ast.js';
import type { AggregateRow, CollectionDef, RecordData } from '../../schema/types.js';
import { isNoSpace, StorageFull } from '../../util/storage-full.js';
import type { ChangeFeed } from '../change-log.js';
import { CountCache, type TxChanges } from '../count-cache.js';
import { CountedWrites } from '../counted-writes.js';
import { DestructiveMigration, LockBusy } from '../errors.js';
import { LoggedWrites } from '../logged-writes.js';
import { planTables } from '../migration-plan.js';
import { RecordCache } from '../record-cache.js';
import { sessionFrom } from '../rows.js';
import type {
  AggregateQuery,
  Durability,
  ListQuery,
  ListResult,
  MigrationStep,
  PendingFile,
  SessionEntry,
  Store,
  StoreCapabilities,
  StoreHealth,
  StoreTx,
  TransactionOptions,
} from '../store.js';
import { StoreTxBase } from '../store-tx-base.js';
import { type TableModel, tableModels } from '../table-model.js';
import { SQLITE_CHANGES_DDL, SqliteChangeFeed, SqliteChangeSink } from './changes.js';
import { type CheckpointOptions, WalCheckpoints } from './checkpoints.js';
import { ForeignCommits } from './count-versions.js';
import { sqliteDialect } from './dialect.js';
import { registerFunctions } from './functions.js';
import { SQLITE_ID_COUNTERS_DDL, SqliteIds } from './id-counters.js';
import { introspectSqlite } from './introspect.js';
import { SqliteRecords } from './records.js';
import { SESSION_SQL, SQLITE_SYSTEM_DDL, SqliteSystem } from './system.js';
import { GroupCommit, type GroupCommitOptions } from './transactions.js';

/** Below this much free space the store reports itself unable to write. */
const MIN_FREE_BYTES = 1024 * 1024;
/**
 * Page cache per connection (SQLite's default here is 16 MiB each), counted in the process's
 * memory once full. The writer's holds the inner pages of the indexes an insert descends, and
 * what a large transaction changes before it must spill to the WAL; the reader's misses come
 * from the OS's file cache, so a GET by id costs the same with 2 MiB as with 16 at 1,000,000
 * records (its leaves miss either way).
 */
const WRITER_CACHE_KIB = 8192;
const READER_CACHE_KIB = 2048;
const HEALTH_PROBE = 'INSERT OR REPLACE INTO _health (id, at) VALUES (1, ?)';

export interface SqliteStoreOptions {
  /** A file path, or `:memory:` (one connection, for tests). */
  path: string;
  collections: Readonly<Record<string, CollectionDef>>;
  /** `full` (default): every commit is synced to disk before it is answered. */
  durability?: Durability;
  /** Group commit tuning, for tests and benchmarks. */
  groupCommit?: Pick<GroupCommitOptions, 'maxBatch' | 'maxWaitMs'>;
  /** When WAL checkpoints run (between commit groups), for tests and benchmarks. */
  checkpoints?: CheckpointOptions;
  /** Bytes of records' representations kept (record-cache.ts); 0 keeps none. */
  recordCacheBytes?: number;
}

function open(path: string, readonly: boolean, durability: Durability = 'full'): Database.Database {
  const db = new Database(path, { readonly });
  if (!readonly) {
    db.pragma('journal_mode = WAL');
    // FULL syncs the WAL at every commit, so an answered write survives a power cut;
    // NORMAL syncs only at checkpoints (a process crash still loses nothing).
    db.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
  }
  db.pragma('busy_timeout = 5000');
  db.pragma(`cache_size = -${readonly ? READER_CACHE_KIB : WRITER_CACHE_KIB}`);
  registerFunctions(db);
  return db;
}

/** A full disk as the typed error the layers above know; any other error as it is. */
function translate(error: unknown): unknown {
  return isNoSpace(error) ? new StorageFull('database', { cause: error }) : error;
}

/** A transaction on the writer connection (group-committed by the store). */
class SqliteTx extends StoreTxBase {}

export class SqliteStore implements Store {
  readonly dialect = 'sqlite';
  readonly capabilities: StoreCapabilities = { sharedWriters: false, blobs: true };

  private readonly writer: Database.Database;
  private reader: Database.Database;
  private readonly models: Map<string, TableModel>;
  private readonly writeRecords: SqliteRecords;
  private readRecords: SqliteRecords;
  private readonly system: SqliteSystem;
  private readonly ids: SqliteIds;
  private readonly commits: GroupCommit;
  /** Off for `:memory:`, which has no WAL. */
  private readonly checkpoints: WalCheckpoints | null;
  /** The database error that undid the last group, until a group commits again. */
  private writeFailure: unknown = null;
  private readonly locks = new Set<string>();
  /** List totals, kept exact across this process's commits (count-cache.ts). */
  private readonly counts = new CountCache();
  /** Representations of records read, dropped as this process's commits change them. */
  private readonly kept: RecordCache;
  /** Count changes and records written of the transactions in the group being committed. */
  private groupChanges: { counts: TxChanges; touched: ReadonlyMap<string, ReadonlySet<string>> }[] = [];
  /** Another process committed to the file: one check for the totals, one for the records. */
  private readonly foreignForCounts: () => boolean;
  private readonly foreignForRecords: () => boolean;
  private readonly changeSink: SqliteChangeSink;
  private readonly changeFeed: SqliteChangeFeed;
  /** A transaction in the group being committed wrote to the change log. */
  private groupLogged = false;
  private closed = false;

  constructor(options: SqliteStoreOptions) {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    this.writer = open(options.path, false, options.durability);
    for (const sql of [...SQLITE_SYSTEM_DDL, SQLITE_ID_COUNTERS_DDL, ...SQLITE_CHANGES_DDL])
      this.writer.exec(sql);
    const checkpoints =
      options.path === ':memory:'
        ? null
        : new WalCheckpoints(this.writer, () => this.commits.idle, options.checkpoints);
    this.checkpoints = checkpoints;
    this.commits = new GroupCommit(this.writer, {
      ...options.groupCommit,
      translate,
      onCommit: (error) => {
        this.writeFailure = error;
        const changes = this.groupChanges;
        this.groupChanges = [];
        for (const c of changes) {
          this.counts.finish(c.counts, error === null);
          if (error === null) this.dropRecords(c.touched);
        }
        const logged = this.groupLogged;
        this.groupLogged = false;
        // After COMMIT, never before: a reader woken now finds the group's changes.
        if (logged && error === null) this.changeFeed.watchers.notify();
      },
      ...(checkpoints && {
        committed: (transactions: number) => checkpoints.committed(transactions),
        beforeGroup: () => checkpoints.gate(),
      }),
    });
    this.reader = options.path === ':memory:' ? this.writer : open(options.path, true);
    this.models = tableModels(options.collections);
    this.writeRecords = new SqliteRecords(this.writer, this.models);
    this.readRecords = new SqliteRecords(this.reader, this.models);
    this.system = new SqliteSystem(this.writer);
    this.ids = new SqliteIds(this.writer);
    this.kept = new RecordCache(options.recordCacheBytes);
    const foreign = new ForeignCommits(this.writer);
    this.foreignForCounts = foreign.watcher();
    this.foreignForRecords = foreign.watcher();
    this.changeSink = new SqliteChangeSink(this.writer);
    this.changeFeed = new SqliteChangeFeed({
      writer: this.writer,
      reader: () => this.reader,
      write: (fn) => this.transaction(async () => fn()),
    });
  }

  /** The change log, for realtime. */
  get changes(): ChangeFeed {
    return this.changeFeed;
  }

  recordCache(): RecordCache | null {
    // With one connection, reads inside an open group see its uncommitted rows.
    if (this.reader === this.writer && this.writer.inTransaction) return null;
    if (this.foreignForRecords()) this.kept.clear();
    return this.kept;
  }

  private dropRecords(touched: ReadonlyMap<string, ReadonlySet<string>>): void {
    for (const [collection, ids] of touched) for (const id of ids) this.kept.drop(collection, id);
  }

  async get(collection: string, id: string, filter?: Expr | null): Promise<RecordData | undefined> {
    return this.readRecords.get(collection, id, filter);
  }

  async getMany(
    collection: string,
    ids: readonly string[],
    filter?: Expr | null,
    maxBytes?: number,
  ): Promise<RecordData[]> {
    return this.readRecords.getMany(collection, ids, filter, maxBytes);
  }

  async list(collection: string, query: ListQuery): Promise<ListResult> {
    // Another process wrote the file: none of the kept totals can be trusted.
    if (this.foreignForCounts()) this.counts.clear();
    // With one connection, reads inside an open group see its uncommitted rows: count afresh.
    const shared = this.reader === this.writer && this.writer.inTransaction;
    return this.readRecords.list(collection, query, shared ? undefined : this.counts);
  }

  async aggregate(collection: string, query: AggregateQuery): Promise<AggregateRow[]> {
    return this.readRecords.aggregate(collection, query);
  }

  async getSession(tokenHash: string, now: string): Promise<SessionEntry | undefined> {
    return sessionFrom(this.readRecords.prepare(SESSION_SQL).get(tokenHash, now), tokenHash);
  }

  transaction<T>(fn: (tx: StoreTx) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const lock = options.lock;
    if (lock !== undefined) {
      if (this.locks.has(lock)) return Promise.reject(new LockBusy(lock));
      this.locks.add(lock);
    }
    const result = this.commits.run(() => this.counted(fn));
    if (lock !== undefined) {
      return result.finally(() => this.locks.delete(lock));
    }
    return result;
  }

  /**
   * One transaction, its count changes kept for the group's COMMIT; a
   * failed one is rolled back to its savepoint, so its changes are dropped.
   */
  private async counted<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    const writes = new CountedWrites(this.writeRecords, this.counts);
    const logged = new LoggedWrites(writes, this.changeSink);
    try {
      const value = await fn(new SqliteTx(logged, this.system, this.ids, this.models));
      this.groupChanges.push({ counts: writes.changes, touched: writes.touched });
      if (logged.wrote) this.groupLogged = true;
      return value;
    } catch (error) {
      this.counts.finish(writes.changes, false);
      throw error;
    }
  }

  async planMigration(): Promise<MigrationStep[]> {
    return planTables(this.models.values(), introspectSqlite(this.writer), sqliteDialect);
  }

  async migrate(
    steps: readonly MigrationStep[],
    options: { allowDestructive?: boolean } = {},
  ): Promise<void> {
    const destructive = steps.filter((s) => s.destructive);
    if (destructive.length > 0 && !options.allowDestructive) {
      throw new DestructiveMigration(destructive.map((s) => s.description));
    }
    if (steps.length === 0) return;
    await this.transaction(async () => {
      for (const step of steps) for (const sql of step.sql) this.writer.exec(sql);
    });
    this.writeRecords.reset();
    this.readRecords.reset();
    // A reopened reader's data_version can repeat the old one: forget counts outright.
    this.counts.clear();
    this.kept.clear();
    if (this.reader !== this.writer) {
      // A reader keeps its schema cache; reopen it so it sees the new columns.
      const path = this.writer.name;
      this.reader.close();
      this.reader = open(path, true);
      this.readRecords = new SqliteRecords(this.reader, this.models);
    }
  }

  async pendingFiles(): Promise<PendingFile[]> {
    return this.transaction(async () => this.system.pendingFiles());
  }

  async purgeExpired(idempotencyBefore: string, now: string, hitsBefore: string): Promise<void> {
    await this.transaction(async () => this.system.purge(idempotencyBefore, now, hitsBefore));
  }

  /** Counts of transactions and of the commits that carried them. */
  get commitStats(): Readonly<{ transactions: number; commits: number }> {
    return this.commits.stats;
  }

  async health(): Promise<StoreHealth> {
    this.reader.prepare('SELECT 1').get();
    if (this.writer.name === ':memory:') return { writable: true };
    let free: number | undefined;
    try {
      const fs = statfsSync(dirname(this.writer.name));
      free = fs.bavail * fs.bsize;
    } catch {
      // No statfs here: the write probe below still tells.
    }
    if (free !== undefined && free < MIN_FREE_BYTES) {
      return { writable: false, detail: `the disk holding the database has ${free} bytes free` };
    }
    if (this.writeFailure === null) return { writable: true };
    // The last write failed: try one now, so a freed disk is noticed without a restart.
    try {
      await this.transaction(async () => {
        this.writer.prepare(HEALTH_PROBE).run(new Date().toISOString());
      });
      return { writable: true };
    } catch (error) {
      const full = error instanceof StorageFull || isNoSpace(error);
      return { writable: false, detail: full ? 'the disk holding the database is full' : String(error) };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.commits.drained();
    await this.checkpoints?.stop();
    if (this.reader !== this.writer) this.reader.close();
    this.writer.close();
  }
}
