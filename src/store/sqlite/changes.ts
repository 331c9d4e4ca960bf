/**
 * The change log on SQLite. One writer at a time (this process's group
 * commits, or another process holding the file's write lock), so seq order
 * is commit order: a reader that has seen seq n has seen every committed
 * change below it. Rows are read on the reader connection, which sees only
 * committed state; with `:memory:` the two are one connection, so nothing
 * is read while a group is open there.
 */
import type Database from 'better-sqlite3';
import type { RecordData } from '../../schema/types.js';
import {
  type Change,
  type ChangeBatch,
  type ChangeCursor,
  type ChangeEntry,
  type ChangeFeed,
  type ChangeOp,
  LOG_START,
  Watchers,
} from '../change-log.js';
import type { ChangeSink } from '../logged-writes.js';

export const SQLITE_CHANGES_DDL = [
  `CREATE TABLE IF NOT EXISTS _changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, collection TEXT NOT NULL, record_id TEXT NOT NULL,
    op TEXT NOT NULL, record TEXT NOT NULL, at TEXT NOT NULL)`,
  'CREATE INDEX IF NOT EXISTS _changes__at ON _changes (at)',
];

interface ChangeRow {
  seq: number;
  collection: string;
  record_id: string;
  op: ChangeOp;
  record: string;
  at: string;
}

function changeFrom(row: ChangeRow): Change {
  return {
    tx: 0n,
    seq: row.seq,
    collection: row.collection,
    id: row.record_id,
    op: row.op,
    record: JSON.parse(row.record) as RecordData,
    at: row.at,
  };
}

/** Appends in the writer's open transaction. */
export class SqliteChangeSink implements ChangeSink {
  private readonly insert;

  constructor(writer: Database.Database) {
    this.insert = writer.prepare(
      'INSERT INTO _changes (collection, record_id, op, record, at) VALUES (?, ?, ?, ?, ?)',
    );
  }

  append(entry: ChangeEntry): void {
    this.insert.run(entry.collection, entry.id, entry.op, JSON.stringify(entry.record), entry.at);
  }
}

export interface SqliteFeedParts {
  writer: Database.Database;
  /** The reader connection now (it is reopened after a migration). */
  reader: () => Database.Database;
  /** Run statements in a write transaction of the store's. */
  write: <T>(fn: () => T) => Promise<T>;
}

export class SqliteChangeFeed implements ChangeFeed {
  readonly watchers = new Watchers();

  constructor(private readonly parts: SqliteFeedParts) {}

  /** With one connection for both, a read now would see an open group's uncommitted rows. */
  private get shared(): boolean {
    const reader = this.parts.reader();
    return reader === this.parts.writer && reader.inTransaction;
  }

  async head(): Promise<ChangeCursor> {
    const row = this.parts
      .reader()
      .prepare<[], { seq: number | null }>('SELECT MAX(seq) AS seq FROM _changes')
      .get();
    return row?.seq ? { tx: 0n, seq: row.seq } : LOG_START;
  }

  async read(after: ChangeCursor, limit: number): Promise<ChangeBatch> {
    if (this.shared) return { changes: [], more: false, waiting: true };
    const rows = this.parts
      .reader()
      .prepare<[number, number], ChangeRow>('SELECT * FROM _changes WHERE seq > ? ORDER BY seq LIMIT ?')
      .all(after.seq, limit);
    return { changes: rows.map(changeFrom), more: rows.length === limit, waiting: false };
  }

  async locate(seq: number): Promise<ChangeCursor | undefined> {
    const row = this.parts
      .reader()
      .prepare<[number], { seq: number }>('SELECT seq FROM _changes WHERE seq = ?')
      .get(seq);
    return row ? { tx: 0n, seq: row.seq } : undefined;
  }

  purge(before: string, keep: number): Promise<number> {
    const { writer } = this.parts;
    return this.parts.write(() => {
      // Always a prefix of the log, so a reader placed at a change that is kept has lost nothing after it.
      const old = writer.prepare(
        'DELETE FROM _changes WHERE seq <= (SELECT MAX(seq) FROM _changes WHERE at < ?)',
      );
      const over = writer.prepare(
        'DELETE FROM _changes WHERE seq <= (SELECT seq FROM _changes ORDER BY seq DESC LIMIT 1 OFFSET ?)',
      );
      return old.run(before).changes + over.run(keep).changes;
    });
  }

  watch(listener: () => void): () => void {
    return this.watchers.add(listener);
  }
}
