/**
 * The store for many stateless nodes: one PostgreSQL database behind a pg
 * Pool. Every transaction takes a pooled connection of its own (see
 * transactions.ts for the isolation it runs at); reads outside a
 * transaction go to the pool and see the last committed state. Nothing
 * kept in the process is used without asking the database, since another
 * node may write at any time: list totals are checked against change
 * counters, records against their row version.
 */
import pg from 'pg';
import type { Expr } from '../../query/ast.js';
import type { AggregateRow, CollectionDef, RecordData } from '../../schema/types.js';
import type { ChangeFeed } from '../change-log.js';
import { CountCache } from '../count-cache.js';
import { CountedWrites } from '../counted-writes.js';
import { quoteIdent } from '../dialect.js';
import { DestructiveMigration } from '../errors.js';
import { LoggedWrites } from '../logged-writes.js';
import { planTables } from '../migration-plan.js';
import { RecordCache } from '../record-cache.js';
import type {
  AggregateQuery,
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
import { POSTGRES_CHANGES_DDL, PostgresChangeFeed, PostgresChangeSink } from './changes.js';
import { BUMP_SQL, COMPACT_SQL, COUNT_VERSIONS_DDL } from './count-versions.js';
import { PostgresDialect } from './dialect.js';
import { lowerCollation } from './functions.js';
import { POSTGRES_ID_COUNTERS_DDL, PostgresIds } from './id-counters.js';
import { introspectPostgres } from './introspect.js';
import { PostgresRecords } from './records.js';
import { POSTGRES_SYSTEM_DDL, PostgresSystem } from './system.js';
import { runTransaction, TranslatingPool, type TxConnection, translate } from './transactions.js';

/** Held while the system tables are made and while a migration runs: one node at a time. */
const SCHEMA_LOCK = 'methodical:schema';

export interface PostgresStoreOptions {
  /** A postgres:// connection URL. */
  url: string;
  collections: Readonly<Record<string, CollectionDef>>;
  /** The schema to keep the tables in (created when missing); default: the server's search_path. */
  schema?: string;
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /** How long a request waits for a free connection before it fails (default 10 s), rather than forever. */
  connectTimeoutMs?: number;
  /** Bytes of records' representations kept (record-cache.ts); 0 keeps none. */
  recordCacheBytes?: number;
}

/** What a migration step changes, whatever its SQL and description say about the data. */
function stepKey(step: MigrationStep): string {
  const index = step.kind === 'add-index' || step.kind === 'drop-index' ? step.description : '';
  return `${step.kind}\u0000${step.table}\u0000${step.column ?? ''}\u0000${index}`;
}

/** A transaction on one pooled connection. */
class PostgresTx extends StoreTxBase {}

export class PostgresStore implements Store {
  readonly dialect = 'postgres';
  readonly capabilities: StoreCapabilities = { sharedWriters: true, blobs: true };

  private readonly pool: pg.Pool;
  /** The pool for reads outside a transaction, its errors translated. */
  private readonly reads: TranslatingPool;
  private readonly models: Map<string, TableModel>;
  private readonly schema: string | undefined;
  private starting: Promise<PostgresDialect> | null = null;
  /** List totals, trusted while the collection's change counter moved only by this node's own commits. */
  private readonly counts = new CountCache();
  /** Records' representations, each used only while its row version is current. */
  private readonly kept: RecordCache;
  private readonly changeFeed: PostgresChangeFeed;
  /**
   * One connection for the change log's NOTIFYs, let go after 200 ms
   * idle; its one-statement transactions do not wait for their commit to
   * reach the disk (a lost notification only delays a wake-up).
   */
  private readonly notifier: pg.Pool;
  private closed = false;

  constructor(options: PostgresStoreOptions) {
    const schema = options.schema;
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      application_name: 'methodical',
      // A transaction's BEGIN is sent with its first statement rather than on its own (transactions.ts).
      pipeline: true,
      ...(schema === undefined ? {} : { options: `-c search_path=${quoteIdent(schema)}` }),
    });
    // A connection the server dropped (idle or in use) fails its query and is replaced on next
    // use; its 'error' event must not crash the process.
    this.pool.on('error', () => {});
    this.pool.on('connect', (client) => client.on('error', () => {}));
    this.reads = new TranslatingPool(this.pool);
    this.models = tableModels(options.collections);
    this.kept = new RecordCache(options.recordCacheBytes);
    this.schema = schema;
    this.notifier = new pg.Pool({
      connectionString: options.url,
      max: 1,
      idleTimeoutMillis: 200,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      application_name: 'methodical-notify',
      options: '-c synchronous_commit=off',
    });
    this.notifier.on('error', () => {});
    this.notifier.on('connect', (client) => client.on('error', () => {}));
    this.changeFeed = new PostgresChangeFeed({
      reads: async () => {
        await this.ready();
        return this.reads;
      },
      notify: async (channel, payload) => {
        await this.notifier.query('SELECT pg_notify($1, $2)', [channel, payload]);
      },
      connect: () => {
        const client = new pg.Client({
          connectionString: options.url,
          connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
          application_name: 'methodical-listen',
        });
        return client;
      },
      schema: schema ?? '',
    });
    void this.ready().catch(() => {});
  }

  /**
   * The system tables made and the dialect chosen, once; every call awaits it.
   * A failure (the server was down) is tried again by the next call.
   */
  private ready(): Promise<PostgresDialect> {
    if (this.starting === null) {
      const starting = this.init(this.schema);
      this.starting = starting;
      starting.catch(() => {
        if (this.starting === starting) this.starting = null;
      });
    }
    return this.starting;
  }

  private async init(schema: string | undefined): Promise<PostgresDialect> {
    await runTransaction(
      this.pool,
      async (client) => {
        if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
        for (const sql of [...POSTGRES_SYSTEM_DDL, ...POSTGRES_CHANGES_DDL]) await client.query(sql);
        await client.query(COUNT_VERSIONS_DDL);
        await client.query(POSTGRES_ID_COUNTERS_DDL);
      },
      { waitLock: SCHEMA_LOCK },
    );
    return new PostgresDialect(await lowerCollation(this.reads));
  }

  /** The change log, for realtime. */
  get changes(): ChangeFeed {
    return this.changeFeed;
  }

  private async reader(): Promise<PostgresRecords> {
    return new PostgresRecords(this.reads, this.models, await this.ready(), false);
  }

  async get(collection: string, id: string, filter?: Expr | null): Promise<RecordData | undefined> {
    return (await this.reader()).get(collection, id, filter);
  }

  /**
   * Entries kept here are checked against the row's version (xmin) before
   * each use (record-reader.ts): another node may have written it.
   */
  recordCache(): RecordCache | null {
    return this.kept;
  }

  async getVersioned(collection: string, id: string) {
    return (await this.reader()).getVersioned(collection, id);
  }

  async recordVersion(collection: string, id: string): Promise<string | undefined> {
    return (await this.reader()).version(collection, id);
  }

  async getMany(
    collection: string,
    ids: readonly string[],
    filter?: Expr | null,
    maxBytes?: number,
  ): Promise<RecordData[]> {
    return (await this.reader()).getMany(collection, ids, filter, maxBytes);
  }

  async list(collection: string, query: ListQuery): Promise<ListResult> {
    return (await this.reader()).list(collection, query, this.counts);
  }

  async aggregate(collection: string, query: AggregateQuery): Promise<AggregateRow[]> {
    return (await this.reader()).aggregate(collection, query);
  }

  async getSession(tokenHash: string, now: string): Promise<SessionEntry | undefined> {
    await this.ready();
    return new PostgresSystem(this.reads).getSession(tokenHash, now);
  }

  async transaction<T>(fn: (tx: StoreTx) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const dialect = await this.ready();
    let writes: CountedWrites | undefined;
    let logged: LoggedWrites | undefined;
    let ran = false;
    let db: TxConnection | undefined;
    try {
      const result = await runTransaction(
        this.pool,
        async (connection) => {
          db = connection;
          const records = new PostgresRecords(db, this.models, dialect, true);
          writes = new CountedWrites(records, this.counts, (c) => records.bumpChanges(c));
          logged = new LoggedWrites(writes, new PostgresChangeSink(db));
          const value = await fn(
            new PostgresTx(logged, new PostgresSystem(db), new PostgresIds(db), this.models),
          );
          ran = true;
          return value;
        },
        { lock: options.lock },
      );
      if (writes) this.counts.finish(writes.changes, true);
      if (logged?.wrote) this.changeFeed.committed();
      return result;
    } catch (error) {
      // Failed before COMMIT: rolled back. Once COMMIT was sent: maybe committed, so its totals are dropped.
      const maybeCommitted = ran || Boolean(db?.commit);
      if (writes) this.counts.finish(writes.changes, maybeCommitted ? null : false);
      // Maybe committed: readers look (the log says whether it did).
      if (maybeCommitted && logged?.wrote) this.changeFeed.committed();
      throw error;
    }
  }

  async planMigration(): Promise<MigrationStep[]> {
    const dialect = await this.ready();
    return planTables(this.models.values(), await introspectPostgres(this.reads), dialect);
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
    const dialect = await this.ready();
    // DDL is transactional in PostgreSQL: the whole plan applies, or none of it.
    await runTransaction(
      this.pool,
      async (client) => {
        // Another node may have migrated while this one planned (nodes starting together):
        // under the lock, apply only what the plan asked for and the database still lacks.
        const asked = new Set(steps.map(stepKey));
        const still = (
          await planTables(this.models.values(), await introspectPostgres(client), dialect)
        ).filter((step) => asked.has(stepKey(step)));
        const newlyDestructive = still.filter((s) => s.destructive && !options.allowDestructive);
        if (newlyDestructive.length > 0)
          throw new DestructiveMigration(newlyDestructive.map((s) => s.description));
        for (const step of still) for (const sql of step.sql) await client.query(sql);
        // A table made anew or changed: every node's kept totals of it are void.
        for (const model of this.models.values()) await client.query(BUMP_SQL, [model.collection]);
      },
      { waitLock: SCHEMA_LOCK },
    );
    this.counts.clear();
    // An added column leaves the rows' versions as they were, not their JSON.
    this.kept.clear();
  }

  async pendingFiles(): Promise<PendingFile[]> {
    await this.ready();
    return new PostgresSystem(this.reads).pendingFiles();
  }

  async purgeExpired(idempotencyBefore: string, now: string, hitsBefore: string): Promise<void> {
    await this.ready();
    await runTransaction(this.pool, async (client) => {
      await new PostgresSystem(client).purge(idempotencyBefore, now, hitsBefore);
      await client.query(COMPACT_SQL);
    });
  }

  async health(): Promise<StoreHealth> {
    await this.ready();
    let row: { recovery: boolean; readonly: string } | undefined;
    try {
      row = (
        await this.pool.query<{ recovery: boolean; readonly: string }>(
          "SELECT pg_is_in_recovery() AS recovery, current_setting('default_transaction_read_only') AS readonly",
        )
      ).rows[0];
    } catch (error) {
      throw translate(error);
    }
    if (row?.recovery) return { writable: false, detail: 'the database is a read-only standby' };
    if (row?.readonly === 'on') return { writable: false, detail: 'the database is read-only' };
    return { writable: true };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.changeFeed.close();
    await this.starting?.catch(() => {});
    await this.pool.end();
    await this.notifier.end();
  }
}
