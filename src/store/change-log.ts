/**
 * The change log behind realtime: one row per record write, appended in
 * the write's own transaction (so a rollback leaves none), read back by
 * the realtime hub once committed. Both adapters implement ChangeFeed;
 * logged-writes.ts is the one place that decides what a row holds.
 */
import type { RecordData } from '../schema/types.js';

export type ChangeOp = 'create' | 'update' | 'delete';

/**
 * A place in the log, in the order readers see it. SQLite has one writer,
 * so `seq` alone orders it (`tx` is 0); PostgreSQL orders by the writing
 * transaction's id, then `seq` (see postgres/changes.ts for why).
 */
export interface ChangeCursor {
  tx: bigint;
  seq: number;
}

/** The position before every change. */
export const LOG_START: ChangeCursor = Object.freeze({ tx: 0n, seq: 0 });

/** What a write appends. */
export interface ChangeEntry {
  collection: string;
  id: string;
  op: ChangeOp;
  /**
   * The record as committed; on a delete, the record as it was, so rules can
   * still decide who may hear of the delete (it is never sent).
   */
  record: RecordData;
  /** ISO 8601 time of the write (retention is measured from it). */
  at: string;
}

/** A committed change and its place. */
export interface Change extends ChangeEntry, ChangeCursor {}

export interface ChangeBatch {
  changes: Change[];
  /** The limit was reached: read again at once. */
  more: boolean;
  /** Committed changes wait behind a transaction still open: read again shortly. */
  waiting: boolean;
}

/** The committed change log, as the realtime hub reads it. */
export interface ChangeFeed {
  /** Where the log ends now: every change readable later lies after it. */
  head(): Promise<ChangeCursor>;
  /** Up to `limit` committed changes after `after`, in order. */
  read(after: ChangeCursor, limit: number): Promise<ChangeBatch>;
  /** The place of change `seq`, or undefined when the log no longer (or never) held it. */
  locate(seq: number): Promise<ChangeCursor | undefined>;
  /** Delete the changes written before `before`, and all but the newest `keep`; how many went. */
  purge(before: string, keep: number): Promise<number>;
  /** Called after this process committed changes and, on PostgreSQL, when another node did. */
  watch(listener: () => void): () => void;
}

/** Orders two places in the log. */
export function compareCursors(a: ChangeCursor, b: ChangeCursor): number {
  if (a.tx !== b.tx) return a.tx < b.tx ? -1 : 1;
  return a.seq - b.seq;
}

/** Listeners to wake; a failing one does not stop the others. */
export class Watchers {
  private readonly listeners = new Set<() => void>();

  add(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size(): number {
    return this.listeners.size;
  }

  notify(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch {
        // A listener's own failure is its business.
      }
    }
  }
}
