/**
 * A transaction's record writes, noting what each does to the cached list
 * totals (count-cache.ts). Whether a record matches an entry's filter is
 * asked of the database in the write's own transaction — one statement for
 * all of the collection's filtered entries, before an update or delete and
 * after an insert or update — so NULLs, `~`, multiple relations and dates
 * count exactly as the COUNT(*) would. The changes are the transaction's
 * own; the adapter hands them to the cache when it knows the outcome. The
 * records it wrote are noted too, for the record cache (record-cache.ts) to
 * drop once the transaction has committed.
 */
import type { Expr } from '../query/ast.js';
import type { RecordData } from '../schema/types.js';
import type { CollectionChanges, CountCache, CountEntry, TxChanges } from './count-cache.js';
import { RecordsWrapper } from './records-wrapper.js';
import type { WriteOptions } from './store.js';
import type { RecordsPart } from './store-tx-base.js';

type Maybe<T> = T | Promise<T>;

/** The adapter's side: per filter, does the stored record `id` match it (false when there is none). */
export interface MatchProbe {
  matches(collection: string, id: string, filters: readonly Expr[]): Maybe<boolean[]>;
}

export class CountedWrites extends RecordsWrapper<RecordsPart & MatchProbe> {
  /** What this transaction did to the counts, by collection. */
  readonly changes: TxChanges = new Map();
  /** The records this transaction wrote (or tried to), by collection. */
  readonly touched = new Map<string, Set<string>>();
  /** Collections a write of this transaction has succeeded on. */
  private readonly written = new Set<string>();

  constructor(
    inner: RecordsPart & MatchProbe,
    private readonly cache: CountCache,
    /** Called after the transaction's first successful write to a collection (PostgreSQL bumps its change counter). */
    private readonly firstWrite?: (collection: string) => Maybe<void>,
  ) {
    super(inner);
  }

  // A write is the transaction's last statement only when no probe follows it.
  async insert(c: string, record: RecordData, options?: WriteOptions): Promise<void> {
    this.touch(c, record.id);
    const entries = this.start(c);
    await this.inner.insert(c, record, entries.length === 0 ? options : undefined);
    const after = await this.probe(c, record.id, entries);
    await this.note(c, 1, entries, null, after);
  }

  async update(c: string, record: RecordData, previous?: RecordData, options?: WriteOptions): Promise<void> {
    this.touch(c, record.id);
    const entries = this.start(c);
    const before = await this.probe(c, record.id, entries);
    await this.inner.update(c, record, previous, entries.length === 0 ? options : undefined);
    const after = await this.probe(c, record.id, entries);
    await this.note(c, 0, entries, before, after);
  }

  async delete(c: string, id: string): Promise<boolean> {
    this.touch(c, id);
    const entries = this.start(c);
    const before = await this.probe(c, id, entries);
    const deleted = await this.inner.delete(c, id);
    if (deleted) await this.note(c, -1, entries, before, null);
    return deleted;
  }

  /** Noted before the write, so a write that fails half-way is dropped from the record cache all the same. */
  private touch(c: string, id: string): void {
    let ids = this.touched.get(c);
    if (!ids) {
      ids = new Set();
      this.touched.set(c, ids);
    }
    ids.add(id);
  }

  /**
   * The filtered entries the write must account for. The collection counts
   * as being written from before its first write is sent, not after it
   * succeeds: that write may carry the COMMIT, and a count that could hold
   * it must not be kept as one taken while nothing was under way.
   */
  private start(c: string): CountEntry[] {
    const seq = this.cache.tick();
    if (!this.changes.has(c)) {
      this.changes.set(c, { firstSeq: seq, rows: 0, matches: new Map() } satisfies CollectionChanges);
      this.cache.begin(c);
    }
    return this.cache.filtered(c);
  }

  private async probe(c: string, id: string, entries: CountEntry[]): Promise<boolean[] | null> {
    if (entries.length === 0) return null;
    return this.inner.matches(
      c,
      id,
      entries.map((e) => e.filter as Expr),
    );
  }

  private async note(
    c: string,
    rows: number,
    entries: CountEntry[],
    before: boolean[] | null,
    after: boolean[] | null,
  ): Promise<void> {
    const change = this.changes.get(c) as CollectionChanges;
    if (!this.written.has(c)) {
      this.written.add(c);
      await this.firstWrite?.(c);
    }
    change.rows += rows;
    entries.forEach((entry, i) => {
      const delta = (after?.[i] ? 1 : 0) - (before?.[i] ? 1 : 0);
      if (delta !== 0) change.matches.set(entry, (change.matches.get(entry) ?? 0) + delta);
    });
  }
}
