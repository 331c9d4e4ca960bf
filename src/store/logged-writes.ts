/** The record writes of a transaction, each logged to the change log (change-log.ts) as it happens. */
import type { RecordData } from '../schema/types.js';
import type { ChangeEntry, ChangeOp } from './change-log.js';
import { RecordsWrapper } from './records-wrapper.js';
import type { WriteOptions } from './store.js';
import type { RecordsPart } from './store-tx-base.js';

type Maybe<T> = T | Promise<T>;

/** The adapter's side of a write: store one change in the current transaction. */
export interface ChangeSink {
  /** `last`: nothing of the transaction follows (see WriteOptions): the sink may commit with it. */
  append(entry: ChangeEntry, last?: boolean): Maybe<void>;
}

/**
 * A transaction's record writes, each followed by its change-log row in the
 * same transaction. `wrote` tells the adapter, once it has committed,
 * whether to wake the readers.
 */
export class LoggedWrites extends RecordsWrapper {
  wrote = false;

  constructor(
    inner: RecordsPart,
    private readonly sink: ChangeSink,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {
    super(inner);
  }

  // The change-log row follows the write: it is the one that may carry the COMMIT (`last`).
  async insert(c: string, record: RecordData, options?: WriteOptions): Promise<void> {
    await this.inner.insert(c, record);
    await this.log(c, record.id, 'create', record, options?.last);
  }

  async update(c: string, record: RecordData, previous?: RecordData, options?: WriteOptions): Promise<void> {
    await this.inner.update(c, record, previous);
    await this.log(c, record.id, 'update', record, options?.last);
  }

  async delete(c: string, id: string): Promise<boolean> {
    // The row as it was, read in this transaction (its write lock is taken by the delete that follows).
    const before = await this.inner.get(c, id);
    const deleted = await this.inner.delete(c, id);
    if (deleted && before) await this.log(c, id, 'delete', before);
    return deleted;
  }

  private async log(
    collection: string,
    id: string,
    op: ChangeOp,
    record: RecordData,
    last?: boolean,
  ): Promise<void> {
    await this.sink.append({ collection, id, op, record, at: this.now() }, last);
    this.wrote = true;
  }
}
