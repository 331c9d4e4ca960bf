/**
 * Exact list totals kept across commits instead of recounted after each one.
 *
 * An entry is the committed COUNT(*) of one collection under one filter
 * (the caller's filter and the rule's, `@auth` bound: the count query's SQL
 * and parameters are its key). A write transaction records, per entry of
 * the collection it writes, whether the old and the new record match the
 * entry's filter — asked of the database itself in the write's transaction
 * (counted-writes.ts), so the answer has exactly the SQL semantics — and
 * the sum of those changes is applied when, and only when, the transaction
 * commits. The unfiltered entry needs no question: ±1 per insert and delete.
 *
 * An entry counted while a write to its collection was under way may or may
 * not hold that write; the sequence numbers below find such entries, and
 * they are dropped rather than adjusted. The adapter decides when the whole
 * cache can no longer be trusted (another process or node wrote) and clears it.
 */
import type { Expr } from '../query/ast.js';

export interface CountEntry {
  readonly collection: string;
  /** null: every record of the collection. */
  readonly filter: Expr | null;
  count: number;
  /** The cache's sequence number when it was counted. */
  readonly born: number;
  /** Adapter's note of the database state it was counted at (PostgreSQL: the change counter). */
  readonly version: number;
  /** This process's committed write transactions on the collection when it was counted. */
  readonly ownAt: number;
}

/** Changes one transaction made to one collection's counts. */
export interface CollectionChanges {
  /** Sequence number of the transaction's first write to the collection. */
  firstSeq: number;
  /** Records added minus records removed. */
  rows: number;
  /** Per filtered entry: records that came to match minus records that stopped matching. */
  matches: Map<CountEntry, number>;
}

/** One transaction's changes, by collection. */
export type TxChanges = Map<string, CollectionChanges>;

/** Most entries kept; least recently used go first. */
const MAX_ENTRIES = 512;
/** Most filtered entries per collection: each is one more column in every write's match probe. */
const MAX_FILTERED_PER_COLLECTION = 32;

export class CountCache {
  private readonly entries = new Map<string, CountEntry>();
  /** The keys of each collection's entries, so a write looks at its own collection's only. */
  private readonly byCollection = new Map<string, Set<string>>();
  private seq = 0;
  /** Per collection: this process's write transactions on it committed so far. */
  private readonly commits = new Map<string, number>();
  /** Per collection: this process's write transactions on it started and not yet finished. */
  private readonly inflight = new Map<string, number>();
  /** Per collection: moves whenever one of this process's writes to it starts or finishes. */
  private readonly activity = new Map<string, number>();
  /** Per collection: called once none of this process's writes to it is under way. */
  private readonly waiters = new Map<string, (() => void)[]>();

  constructor(
    private readonly maxEntries = MAX_ENTRIES,
    private readonly maxFiltered = MAX_FILTERED_PER_COLLECTION,
  ) {}

  /** A fresh sequence number (orders writes against the counting of entries). */
  tick(): number {
    this.seq += 1;
    return this.seq;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The entry for a count query, marked recently used. */
  get(key: string): CountEntry | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  /** What `store` needs to know of the moment a count was started. */
  mark(collection: string): { born: number; ownAt: number; activity: number; quiet: boolean } {
    return {
      born: this.tick(),
      ownAt: this.commits.get(collection) ?? 0,
      activity: this.activity.get(collection) ?? 0,
      quiet: (this.inflight.get(collection) ?? 0) === 0,
    };
  }

  /**
   * Keep a count started at `mark`, unless one of this process's writes to
   * the collection was under way meanwhile (then the count may or may not
   * hold it, and no later adjustment could tell).
   */
  store(
    key: string,
    collection: string,
    filter: Expr | null,
    count: number,
    mark: ReturnType<CountCache['mark']>,
    version = 0,
  ): void {
    if (!mark.quiet || (this.activity.get(collection) ?? 0) !== mark.activity) return;
    this.remove(key);
    if (filter !== null) {
      const filtered = this.filteredKeys(collection);
      if (filtered.length >= this.maxFiltered) this.remove(filtered[0]!);
    }
    if (this.entries.size >= this.maxEntries) this.remove(this.entries.keys().next().value as string);
    this.entries.set(key, { collection, filter, count, born: mark.born, version, ownAt: mark.ownAt });
    let keys = this.byCollection.get(collection);
    if (!keys) {
      keys = new Set();
      this.byCollection.set(collection, keys);
    }
    keys.add(key);
  }

  /** Whether an entry counted at `version` still holds, the database now being at `now`. */
  current(entry: CountEntry, now: number): boolean {
    return now - entry.version === (this.commits.get(entry.collection) ?? 0) - entry.ownAt;
  }

  /** The filtered entries of a collection. */
  filtered(collection: string): CountEntry[] {
    const out: CountEntry[] = [];
    for (const key of this.byCollection.get(collection) ?? []) {
      const entry = this.entries.get(key)!;
      if (entry.filter !== null) out.push(entry);
    }
    return out;
  }

  /** The keys of a collection's filtered entries, least recently used first. */
  private filteredKeys(collection: string): string[] {
    const keys = this.byCollection.get(collection);
    const out: string[] = [];
    if (!keys) return out;
    for (const [key, entry] of this.entries) if (keys.has(key) && entry.filter !== null) out.push(key);
    return out;
  }

  /**
   * Resolves once none of this process's write transactions on the
   * collection is under way, or after `ms` at most: one may have committed
   * and not yet been applied, which a moved counter cannot tell from
   * another node's commit.
   */
  settled(collection: string, ms: number): Promise<void> {
    if ((this.inflight.get(collection) ?? 0) === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      const list = this.waiters.get(collection) ?? [];
      list.push(() => {
        clearTimeout(timer);
        resolve();
      });
      this.waiters.set(collection, list);
    });
  }

  /** Whether one of this process's write transactions on the collection is under way. */
  busy(collection: string): boolean {
    return (this.inflight.get(collection) ?? 0) > 0;
  }

  /** A transaction of this process starts writing `collection`. */
  begin(collection: string): void {
    this.inflight.set(collection, (this.inflight.get(collection) ?? 0) + 1);
    this.bump(this.activity, collection);
  }

  /**
   * A transaction that wrote these collections is over: `committed` true
   * applies its changes, false forgets them, null (its outcome is unknown,
   * e.g. the connection broke during COMMIT) drops the collections' entries.
   */
  finish(changes: TxChanges, committed: boolean | null): void {
    for (const [collection, change] of changes) {
      this.inflight.set(collection, (this.inflight.get(collection) ?? 1) - 1);
      this.bump(this.activity, collection);
      if (this.inflight.get(collection) === 0) this.wake(collection);
      if (committed === false) continue;
      if (committed === null) {
        this.clearCollection(collection);
        continue;
      }
      this.bump(this.commits, collection);
      for (const key of [...(this.byCollection.get(collection) ?? [])]) {
        const entry = this.entries.get(key)!;
        // Counted after this transaction's first write: it missed some of its changes, or not.
        if (entry.born > change.firstSeq) this.remove(key);
        else if (entry.filter === null) entry.count += change.rows;
        else entry.count += change.matches.get(entry) ?? 0;
      }
    }
  }

  clear(): void {
    this.entries.clear();
    this.byCollection.clear();
  }

  clearCollection(collection: string): void {
    for (const key of this.byCollection.get(collection) ?? []) this.entries.delete(key);
    this.byCollection.delete(collection);
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.byCollection.get(entry.collection)?.delete(key);
  }

  private wake(collection: string): void {
    const list = this.waiters.get(collection);
    if (!list) return;
    this.waiters.delete(collection);
    // After this commit's changes are applied (finish goes on to apply them).
    queueMicrotask(() => {
      for (const resolve of list) resolve();
    });
  }

  private bump(map: Map<string, number>, collection: string): void {
    map.set(collection, (map.get(collection) ?? 0) + 1);
  }
}
