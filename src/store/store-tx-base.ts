/**
 * The transaction wrapper both adapters share: StoreTx's methods handed to
 * an adapter's record and system parts, which may answer synchronously
 * (better-sqlite3) or with promises (pg). An adapter extends it with the
 * parts of one transaction; only those parts differ between adapters.
 */
import type { Expr } from '../query/ast.js';
import type { AggregateRow, RecordData } from '../schema/types.js';
import { SingleViolation } from './errors.js';
import { integerId } from './id-counters.js';
import type {
  AggregateQuery,
  HitCount,
  IdempotencyEntry,
  ListQuery,
  ListResult,
  PendingFile,
  SessionEntry,
  StoreTx,
  WriteOptions,
} from './store.js';
import type { TableModel } from './table-model.js';

type Maybe<T> = T | Promise<T>;

/** Record reads and writes on one connection. */
export interface RecordsPart {
  get(collection: string, id: string, filter?: Expr | null): Maybe<RecordData | undefined>;
  getMany(
    collection: string,
    ids: readonly string[],
    filter?: Expr | null,
    maxBytes?: number,
  ): Maybe<RecordData[]>;
  list(collection: string, query: ListQuery): Maybe<ListResult>;
  aggregate(collection: string, query: AggregateQuery): Maybe<AggregateRow[]>;
  insert(collection: string, record: RecordData, options?: WriteOptions): Maybe<void>;
  update(collection: string, record: RecordData, previous?: RecordData, options?: WriteOptions): Maybe<void>;
  delete(collection: string, id: string): Maybe<boolean>;
}

/** The product's own tables on one connection; record tables by their table name. */
export interface SystemPart {
  getIdempotency(scope: string, key: string, notBefore: string): Maybe<IdempotencyEntry | undefined>;
  putIdempotency(entry: IdempotencyEntry, notBefore: string): Maybe<void>;
  getPasswordHash(table: string, id: string): Maybe<string | undefined>;
  setPasswordHash(table: string, id: string, hash: string): Maybe<void>;
  findIdBy(table: string, field: string, value: string): Maybe<string | undefined>;
  putSession(entry: SessionEntry): Maybe<void>;
  getSession(tokenHash: string, now: string): Maybe<SessionEntry | undefined>;
  deleteSession(tokenHash: string): Maybe<void>;
  deleteSessionsOf(userId: string, except?: string): Maybe<void>;
  putPendingFile(entry: PendingFile): Maybe<void>;
  deletePendingFile(token: string): Maybe<void>;
  getMarker(name: string): Maybe<string | undefined>;
  setMarker(name: string, at: string): Maybe<void>;
  hit(bucket: string, now: string, windowStart: string, keep?: number): Maybe<number>;
  hits(bucket: string, windowStart: string): Maybe<HitCount>;
  unhit(bucket: string, at: string): Maybe<void>;
  clearHits(bucket: string): Maybe<void>;
}

/** Increment-id counters and single-record holds (id-counters.ts), by table name. */
export interface IdsPart {
  /** The counter bumped: the next number, never handed out before. */
  next(table: string): Maybe<number>;
  /** The counter raised to at least `n`; without `create`, only a counter that exists already. */
  raise(table: string, n: number, create: boolean): Maybe<void>;
  /** Hold the table's single record slot until the transaction ends (a no-op with one writer). */
  holdSingle(table: string): Maybe<void>;
}

export class StoreTxBase implements StoreTx {
  constructor(
    protected readonly records: RecordsPart,
    protected readonly system: SystemPart,
    protected readonly ids: IdsPart,
    protected readonly models: ReadonlyMap<string, TableModel>,
  ) {}

  protected model(collection: string): TableModel {
    const model = this.models.get(collection);
    if (!model) throw new Error(`unknown collection ${collection}`);
    return model;
  }

  protected table(collection: string): string {
    return this.model(collection).table;
  }

  async get(c: string, id: string, filter?: Expr | null) {
    return this.records.get(c, id, filter);
  }
  async getMany(c: string, ids: readonly string[], filter?: Expr | null, maxBytes?: number) {
    return this.records.getMany(c, ids, filter, maxBytes);
  }
  async list(c: string, q: ListQuery) {
    return this.records.list(c, q);
  }
  async aggregate(c: string, q: AggregateQuery) {
    return this.records.aggregate(c, q);
  }
  async insert(c: string, record: RecordData, options?: WriteOptions) {
    const model = this.model(c);
    if (model.single) {
      await this.ids.holdSingle(model.table);
      const held = await this.records.list(c, { filter: null, sort: [], limit: 1, offset: 0, count: false });
      const existing = held.items[0];
      if (existing) throw new SingleViolation(c, existing.id);
    }
    // A collection that is not increment now may have been, and be again: its counter, if any, keeps up too.
    const n = integerId(record.id);
    if (n !== null) await this.ids.raise(model.table, n, model.increment);
    return this.records.insert(c, record, options);
  }
  async nextId(c: string) {
    return String(await this.ids.next(this.table(c)));
  }
  async update(c: string, record: RecordData, previous?: RecordData, options?: WriteOptions) {
    return this.records.update(c, record, previous, options);
  }
  async delete(c: string, id: string) {
    return this.records.delete(c, id);
  }
  async getIdempotency(scope: string, key: string, notBefore: string) {
    return this.system.getIdempotency(scope, key, notBefore);
  }
  async putIdempotency(entry: IdempotencyEntry, notBefore: string) {
    return this.system.putIdempotency(entry, notBefore);
  }
  async getPasswordHash(c: string, id: string) {
    return this.system.getPasswordHash(this.table(c), id);
  }
  async setPasswordHash(c: string, id: string, hash: string) {
    return this.system.setPasswordHash(this.table(c), id, hash);
  }
  async findIdBy(c: string, field: string, value: string) {
    return this.system.findIdBy(this.table(c), field, value);
  }
  async putSession(entry: SessionEntry) {
    return this.system.putSession(entry);
  }
  async getSession(tokenHash: string, now: string) {
    return this.system.getSession(tokenHash, now);
  }
  async deleteSession(tokenHash: string) {
    return this.system.deleteSession(tokenHash);
  }
  async deleteSessionsOf(userId: string, except?: string) {
    return this.system.deleteSessionsOf(userId, except);
  }
  async putPendingFile(entry: PendingFile) {
    return this.system.putPendingFile(entry);
  }
  async deletePendingFile(token: string) {
    return this.system.deletePendingFile(token);
  }
  async getMarker(name: string) {
    return this.system.getMarker(name);
  }
  async setMarker(name: string, at: string) {
    return this.system.setMarker(name, at);
  }
  async hit(bucket: string, now: string, windowStart: string, keep?: number) {
    return this.system.hit(bucket, now, windowStart, keep);
  }
  async hits(bucket: string, windowStart: string) {
    return this.system.hits(bucket, windowStart);
  }
  async unhit(bucket: string, at: string) {
    return this.system.unhit(bucket, at);
  }
  async clearHits(bucket: string) {
    return this.system.clearHits(bucket);
  }
}
