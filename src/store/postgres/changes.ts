/**
 * The change log on PostgreSQL, shared by every node on the database.
 *
 * Order: a sequence number is taken when a row is inserted, but
 * transactions commit in their own order, so seq 8 can be visible while
 * seq 7's transaction is still open; a reader that moved past 8 would never
 * see 7. So the log is read in the order (writing transaction's id, seq),
 * and only below the snapshot's xmin — the oldest transaction id still
 * running. Every transaction below it has ended, so no row can ever appear
 * there again: once read, that stretch of the log is final, and every node
 * reads it in the same order. A row whose transaction is at or above xmin
 * waits (`waiting`) until the transactions before it end. The price is
 * latency, never loss: a long transaction anywhere on the server holds
 * back events written after it began, until it ends.
 *
 * Wake-up: after a commit that logged changes, the node notifies a
 * channel (outside the write's transaction, so the write never queues on
 * NOTIFY's commit lock); every node LISTENs and reads the log when told.
 * The notification is only a hint: the log is the truth, and the hub also
 * polls, so a lost notification costs latency and nothing else.
 */

import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
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
import { prepared } from './statements.js';
import { type Queryable, TxConnection } from './transactions.js';

const T = 'TEXT COLLATE "C"';

export const POSTGRES_CHANGES_DDL = [
  `CREATE TABLE IF NOT EXISTS _changes (
    seq BIGSERIAL PRIMARY KEY, tx xid8 NOT NULL DEFAULT pg_current_xact_id(),
    collection ${T} NOT NULL, record_id ${T} NOT NULL, op ${T} NOT NULL, record TEXT NOT NULL, at ${T} NOT NULL)`,
  'CREATE INDEX IF NOT EXISTS _changes__position ON _changes (tx, seq)',
  'CREATE INDEX IF NOT EXISTS _changes__at ON _changes (at)',
];

/** Below this, every transaction has ended. */
const HORIZON = 'pg_snapshot_xmin(pg_current_snapshot())';

const READ_SQL = `SELECT seq, tx::text AS tx, collection, record_id, op, record, at, tx < ${HORIZON} AS ready
  FROM _changes WHERE (tx, seq) > ($1::xid8, $2::bigint) ORDER BY tx, seq LIMIT $3`;
const LAST_SQL = `SELECT seq, tx::text AS tx, tx < ${HORIZON} AS ready FROM _changes
  ORDER BY tx DESC, seq DESC LIMIT 1`;
const HEAD_SQL = `SELECT seq, tx::text AS tx FROM _changes WHERE tx < ${HORIZON}
  ORDER BY tx DESC, seq DESC LIMIT 1`;
/** How long `head` waits for committed changes to become readable before it settles for less. */
const HEAD_WAIT_MS = 1000;
const LOCATE_SQL = `SELECT tx::text AS tx FROM _changes WHERE seq = $1 AND tx < ${HORIZON}`;
// Purges take a prefix in reading order, so a reader placed at a kept change has lost nothing after it.
const PURGE_OLD_SQL = `DELETE FROM _changes WHERE (tx, seq) <= (
  SELECT tx, seq FROM _changes WHERE at < $1 AND tx < ${HORIZON} ORDER BY tx DESC, seq DESC LIMIT 1)`;
const PURGE_OVER_SQL = `DELETE FROM _changes WHERE (tx, seq) <= (
  SELECT tx, seq FROM _changes ORDER BY tx DESC, seq DESC LIMIT 1 OFFSET $1)`;
const APPEND_SQL = prepared(
  'INSERT INTO _changes (collection, record_id, op, record, at) VALUES ($1, $2, $3, $4, $5)',
);

interface ChangeRow {
  seq: string;
  tx: string;
  collection: string;
  record_id: string;
  op: ChangeOp;
  record: string;
  at: string;
  ready: boolean;
}

function changeFrom(row: ChangeRow): Change {
  return {
    tx: BigInt(row.tx),
    seq: Number(row.seq),
    collection: row.collection,
    id: row.record_id,
    op: row.op,
    record: JSON.parse(row.record) as RecordData,
    at: row.at,
  };
}

/** Appends on the transaction's own connection. */
export class PostgresChangeSink implements ChangeSink {
  constructor(private readonly client: Queryable) {}

  async append(entry: ChangeEntry, last?: boolean): Promise<void> {
    const params = [entry.collection, entry.id, entry.op, JSON.stringify(entry.record), entry.at];
    // The transaction's last statement carries its COMMIT (one round trip fewer).
    if (last && this.client instanceof TxConnection) await this.client.queryAndCommit(APPEND_SQL, params);
    else await this.client.query(APPEND_SQL, params);
  }
}

export interface PostgresFeedOptions {
  /** The pool's reads (errors translated), once the tables exist. */
  reads: () => Promise<Queryable>;
  /** Sends a notification (on a connection of its own, so a NOTIFY never holds up a write). */
  notify: (channel: string, payload: string) => Promise<void>;
  /** A connection of its own for LISTEN. */
  connect: () => pg.Client;
  /** The schema the tables live in ('' for the search_path's), naming the channel. */
  schema: string;
}

/** How long to wait before listening again after the connection dropped. */
const RELISTEN_MS = 1000;

export class PostgresChangeFeed implements ChangeFeed {
  private readonly watchers = new Watchers();
  /** Names this node in its notifications, so it does not wake itself twice. */
  private readonly node = randomUUID();
  private readonly channel: string;
  private listener: pg.Client | null = null;
  private relisten: NodeJS.Timeout | null = null;
  private notifying = false;
  private notifyAgain = false;
  private closed = false;

  constructor(private readonly options: PostgresFeedOptions) {
    const hash = createHash('sha256').update(options.schema).digest('hex').slice(0, 16);
    this.channel = `methodical_changes_${hash}`;
  }

  /**
   * The end of the log as of now: once the changes already committed are
   * readable (the transactions before them have ended), the last of them —
   * so a stream that starts here hears of nothing committed before it
   * began. Behind a long transaction it settles, after a while, for the
   * readable end.
   */
  async head(): Promise<ChangeCursor> {
    const db = await this.options.reads();
    const deadline = Date.now() + HEAD_WAIT_MS;
    for (;;) {
      const { rows } = await db.query<{ seq: string; tx: string; ready: boolean }>(LAST_SQL);
      const row = rows[0];
      if (!row) return LOG_START;
      if (row.ready) return { tx: BigInt(row.tx), seq: Number(row.seq) };
      if (Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const { rows } = await db.query<{ seq: string; tx: string }>(HEAD_SQL);
    const row = rows[0];
    return row ? { tx: BigInt(row.tx), seq: Number(row.seq) } : LOG_START;
  }

  async read(after: ChangeCursor, limit: number): Promise<ChangeBatch> {
    const { rows } = await (await this.options.reads()).query<ChangeRow>(READ_SQL, [
      after.tx.toString(),
      after.seq,
      limit,
    ]);
    const ready = rows.filter((row) => row.ready);
    return {
      changes: ready.map(changeFrom),
      more: ready.length === limit,
      waiting: ready.length < rows.length,
    };
  }

  async locate(seq: number): Promise<ChangeCursor | undefined> {
    const { rows } = await (await this.options.reads()).query<{ tx: string }>(LOCATE_SQL, [seq]);
    return rows[0] ? { tx: BigInt(rows[0].tx), seq } : undefined;
  }

  async purge(before: string, keep: number): Promise<number> {
    const db = await this.options.reads();
    const old = await db.query(PURGE_OLD_SQL, [before]);
    const over = await db.query(PURGE_OVER_SQL, [keep]);
    return (old.rowCount ?? 0) + (over.rowCount ?? 0);
  }

  watch(listener: () => void): () => void {
    const stop = this.watchers.add(listener);
    if (this.listener === null && this.relisten === null) void this.listen();
    return () => {
      stop();
      if (this.watchers.size === 0) this.unlisten();
    };
  }

  /** This node committed changes: wake its own readers, and tell the other nodes. */
  committed(): void {
    this.watchers.notify();
    void this.notifyOthers();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unlisten();
  }

  /** One NOTIFY at a time; commits while one is in flight share the next. */
  private async notifyOthers(): Promise<void> {
    if (this.notifying) {
      this.notifyAgain = true;
      return;
    }
    this.notifying = true;
    try {
      do {
        this.notifyAgain = false;
        await this.options.notify(this.channel, this.node);
      } while (this.notifyAgain && !this.closed);
    } catch {
      // The others' polls find the changes all the same.
    } finally {
      this.notifying = false;
    }
  }

  private async listen(): Promise<void> {
    if (this.closed) return;
    const client = this.options.connect();
    this.listener = client;
    const retry = () => {
      if (this.listener !== client) return;
      this.listener = null;
      client.end().catch(() => {});
      if (this.closed || this.watchers.size === 0) return;
      this.relisten = setTimeout(() => {
        this.relisten = null;
        void this.listen();
      }, RELISTEN_MS);
      this.relisten.unref();
    };
    client.on('error', retry);
    client.on('end', retry);
    client.on('notification', (message) => {
      if (message.payload !== this.node) this.watchers.notify();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${pg.escapeIdentifier(this.channel)}`);
      // Whatever was notified while not listening: read now.
      this.watchers.notify();
    } catch {
      retry();
    }
  }

  private unlisten(): void {
    if (this.relisten) clearTimeout(this.relisten);
    this.relisten = null;
    const client = this.listener;
    this.listener = null;
    client?.end().catch(() => {});
  }
}
