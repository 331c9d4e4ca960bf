/**
 * The reads of a transaction's records, passed through unchanged: the base of
 * the wrappers that watch its writes (counted-writes.ts, logged-writes.ts).
 */
import type { Expr } from '../query/ast.js';
import type { RecordData } from '../schema/types.js';
import type { WriteOptions } from './store.js';
import type { RecordsPart } from './store-tx-base.js';

export abstract class RecordsWrapper<Inner extends RecordsPart = RecordsPart> implements RecordsPart {
  constructor(protected readonly inner: Inner) {}

  get(c: string, id: string, filter?: Expr | null) {
    return this.inner.get(c, id, filter);
  }
  getMany(c: string, ids: readonly string[], filter?: Expr | null, maxBytes?: number) {
    return this.inner.getMany(c, ids, filter, maxBytes);
  }
  list(c: string, q: Parameters<RecordsPart['list']>[1]) {
    return this.inner.list(c, q);
  }
  aggregate(c: string, q: Parameters<RecordsPart['aggregate']>[1]) {
    return this.inner.aggregate(c, q);
  }

  abstract insert(c: string, record: RecordData, options?: WriteOptions): Promise<void>;
  abstract update(
    c: string,
    record: RecordData,
    previous?: RecordData,
    options?: WriteOptions,
  ): Promise<void>;
  abstract delete(c: string, id: string): Promise<boolean>;
}
