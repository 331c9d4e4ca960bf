/**
 * Record reads and writes on a pg pool (reads outside a transaction) or on
 * one transaction's connection. Inside a transaction, a record read by id
 * is locked FOR UPDATE: a read-then-write (an If-Match update, a stock
 * decrement in a hook) waits for a concurrent one on another node and then
 * sees its result, so no update is lost under READ COMMITTED. Records read
 * with getMany (the relation check: "these records exist") are locked FOR
 * SHARE, so none of them is deleted or changed before the transaction that
 * relies on them commits.
 */
import type { Expr } from '../../query/ast.js';
import type { AggregateRow, RecordData } from '../../schema/types.js';
import { changedColumns } from '../changed-columns.js';
import type { CountCache } from '../count-cache.js';
import { indexName, quoteIdent } from '../dialect.js';
import { DuplicateId, UniqueViolation } from '../errors.js';
import {
  aggregateRow,
  aggregateSql,
  getManySql,
  getSql,
  listSql,
  matchRow,
  matchSql,
  type SqlText,
  withLimit,
} from '../list-sql.js';
import { chargeRow, type ReadBudget, type Row, readBudget } from '../rows.js';
import type { AggregateQuery, ListQuery, ListResult, WriteOptions } from '../store.js';
import type { RecordsPart } from '../store-tx-base.js';
import { recordToValues, rowToRecord, type TableModel } from '../table-model.js';
import { postgresCodec } from './codec.js';
import { BUMP_SQL, countWithVersion, VERSION_SQL, withBump } from './count-versions.js';
import type { PostgresDialect } from './dialect.js';
import { prepared, statementsOf } from './statements.js';
import { type Queryable, TxConnection } from './transactions.js';

/** Longest a list waits for this node's own writes to settle before it recounts. */
const SETTLE_MS = 50;

export class PostgresRecords implements RecordsPart {
  private savepoints = 0;
  /** Writes inside one transaction run one after another (a guarded one in its own savepoint). */
  private writes: Promise<unknown> = Promise.resolve();
  /** Collections whose change counter this transaction has bumped (count-versions.ts). */
  private readonly bumped = new Set<string>();

  constructor(
    private readonly db: Queryable,
    private readonly models: ReadonlyMap<string, TableModel>,
    private readonly dialect: PostgresDialect,
    /** Inside a transaction: lock rows read by id, and keep a failed write from aborting the transaction. */
    private readonly inTransaction: boolean,
  ) {}

  model(collection: string): TableModel {
    const model = this.models.get(collection);
    if (!model) throw new Error(`unknown collection ${collection}`);
    return model;
  }

  async get(collection: string, id: string, filter?: Expr | null): Promise<RecordData | undefined> {
    const model = this.model(collection);
    if (holdsNul(id)) return undefined;
    let row: Row | undefined;
    if (filter) {
      const q = getSql(model, this.dialect, id, filter);
      row = (await this.db.query(this.inTransaction ? `${q.sql} FOR UPDATE` : q.sql, q.params)).rows[0];
    } else {
      const sql = statementsOf(model);
      row = (await this.db.query(this.inTransaction ? sql.getForUpdate : sql.get, [id])).rows[0];
    }
    return row ? rowToRecord(model, row, postgresCodec) : undefined;
  }

  /** A record and its row version (xmin: a new one for every committed change to the row), in one statement. */
  async getVersioned(
    collection: string,
    id: string,
  ): Promise<{ record: RecordData; version: string } | undefined> {
    const model = this.model(collection);
    if (holdsNul(id)) return undefined;
    const row = (await this.db.query(statementsOf(model).getVersioned, [id])).rows[0];
    return row
      ? { record: rowToRecord(model, row, postgresCodec), version: String(row._version) }
      : undefined;
  }

  /** The row version a record has now; undefined when there is no such record. */
  async version(collection: string, id: string): Promise<string | undefined> {
    const model = this.model(collection);
    if (holdsNul(id)) return undefined;
    const row = (await this.db.query(statementsOf(model).version, [id])).rows[0];
    return row ? String(row.v) : undefined;
  }

  async getMany(
    collection: string,
    ids: readonly string[],
    filter?: Expr | null,
    maxBytes?: number,
  ): Promise<RecordData[]> {
    // An id PostgreSQL cannot hold is an id no record has.
    ids = ids.filter((id) => !holdsNul(id));
    if (ids.length === 0) return [];
    const model = this.model(collection);
    const out: RecordData[] = [];
    const budget = readBudget(maxBytes);
    for (let i = 0; i < ids.length; i += 100) {
      const q = getManySql(model, this.dialect, ids.slice(i, i + 100), filter ?? null);
      const sql = this.inTransaction ? `${q.sql} FOR SHARE` : q.sql;
      const rows = (await this.db.query(sql, q.params)).rows;
      for (const row of within(rows, budget)) out.push(rowToRecord(model, row, postgresCodec));
    }
    return out;
  }

  /** A page and, when asked, its total: a kept one when the collection's change counter allows (count-versions.ts). */
  async list(collection: string, query: ListQuery, counts?: CountCache): Promise<ListResult> {
    const model = this.model(collection);
    const { page, more, count } = listSql(model, this.dialect, query);
    const budget = readBudget(query.maxBytes);
    // One after the other: one pooled connection per list, as before.
    const rows = within((await this.db.query(page.sql, page.params)).rows, budget);
    if (more && rows.length < query.limit) {
      const rest = await this.db.query(more.sql, withLimit(more.params, query.limit - rows.length));
      rows.push(...within(rest.rows, budget));
    }
    const total = count ? await this.total(collection, query, count, counts) : null;
    const items = rows.map((row) => rowToRecord(model, row, postgresCodec));
    return { items, total };
  }

  private async total(collection: string, query: ListQuery, count: SqlText, counts?: CountCache) {
    if (!counts) return Number((await this.db.query<{ n: string }>(count.sql, count.params)).rows[0]?.n ?? 0);
    const key = `${collection}\u0000${count.sql}\u0000${JSON.stringify(count.params)}`;
    const kept = counts.get(key);
    if (kept) {
      const version = async () =>
        Number((await this.db.query<{ v: string }>(VERSION_SQL, [collection])).rows[0]?.v ?? 0);
      let now = await version();
      if (!counts.current(kept, now) && counts.busy(collection)) {
        // Perhaps only this node's own commit, not yet applied: wait for it rather than recount.
        await counts.settled(collection, SETTLE_MS);
        now = await version();
      }
      // Still kept (not dropped meanwhile) and still current: exact.
      if (counts.get(key) === kept && counts.current(kept, now)) return kept.count;
    }
    const mark = counts.mark(collection);
    const q = countWithVersion(count, collection);
    const row = (await this.db.query<{ v: string; n: string }>(q.sql, q.params)).rows[0];
    const total = Number(row?.n ?? 0);
    counts.store(key, collection, query.filter, total, mark, Number(row?.v ?? 0));
    return total;
  }

  /**
   * Per filter, whether the record `id` (as this transaction sees it)
   * matches it. The row is locked, as the write that follows would lock it:
   * a concurrent transaction changing it commits first, and this one then
   * reads its result, so the two never both count the same old state.
   */
  async matches(collection: string, id: string, filters: readonly Expr[]): Promise<boolean[]> {
    if (holdsNul(id)) return filters.map(() => false);
    const q = matchSql(this.model(collection), this.dialect, id, filters);
    const sql = this.inTransaction ? `${q.sql} FOR UPDATE` : q.sql;
    return matchRow((await this.db.query(sql, q.params)).rows[0], filters);
  }

  /**
   * Adds 1 to the collection's change counter, unless a write of this
   * transaction did already. Queued behind the writes (never inside one's
   * savepoint, whose rollback would take it back).
   */
  bumpChanges(collection: string): Promise<void> {
    return this.queue(async () => {
      if (this.bumped.has(collection)) return;
      await this.db.query(BUMP_SQL, [collection]);
      this.bumped.add(collection);
    });
  }

  async aggregate(collection: string, query: AggregateQuery): Promise<AggregateRow[]> {
    const model = this.model(collection);
    const q = aggregateSql(model, this.dialect, query);
    const budget = readBudget(query.maxBytes);
    const rows = (await this.db.query(q.sql, q.params)).rows;
    return within(rows, budget).map((row) => aggregateRow(model, query, row, postgresCodec));
  }

  async insert(collection: string, record: RecordData, options?: WriteOptions): Promise<void> {
    const model = this.model(collection);
    const s = statementsOf(model);
    const params = recordToValues(model, record, postgresCodec);
    const last = options?.last === true;
    // Where only the id can conflict, the insert says so by writing no row, without an error that
    // would need a savepoint; but the last statement must fail, so its COMMIT rolls back instead.
    const skip = s.unique.size === 0 && !last;
    const sql = skip ? s.insertOrSkip : s.insert;
    const rows = await this.write({ sql, params }, model, record.id, s.unique.size > 0, last);
    if (rows === 0) throw new DuplicateId(model.collection, record.id);
  }

  /** Write `record` over the stored one; given that (`previous`), only the columns that changed. */
  async update(
    collection: string,
    record: RecordData,
    previous?: RecordData,
    options?: WriteOptions,
  ): Promise<void> {
    const model = this.model(collection);
    const change = changedColumns(model, record, previous, postgresCodec);
    if (change.names.length === 0) return;
    const sets = change.names.map((n, i) => `${quoteIdent(n)} = $${i + 1}`);
    const sql = prepared(
      `UPDATE ${quoteIdent(model.table)} SET ${sets.join(', ')} WHERE ${quoteIdent('id')} = $${sets.length + 1}`,
    );
    const { unique } = statementsOf(model);
    const guarded = change.names.some((n) => unique.has(n));
    await this.write(
      { sql, params: [...change.values, record.id] },
      model,
      record.id,
      guarded,
      options?.last,
    );
  }

  async delete(collection: string, id: string): Promise<boolean> {
    const model = this.model(collection);
    if (holdsNul(id)) return false;
    return (await this.write({ sql: statementsOf(model).delete, params: [id] }, model, id, false)) > 0;
  }

  /**
   * One insert, update or delete; resolves with the rows it wrote. In a
   * transaction its collection's change counter is bumped in the same
   * statement, the first time; a write that may break a unique constraint
   * (`guarded`) runs in a savepoint: a unique violation is an answer the
   * caller may recover from, and in PostgreSQL a failed statement would
   * otherwise abort the whole transaction. The `last` statement of a
   * transaction carries its COMMIT (no savepoint: its failure rolls all back).
   */
  private write(q: SqlText, model: TableModel, id: string, guarded: boolean, last = false): Promise<number> {
    if (!this.inTransaction) {
      return this.db.query(q.sql, q.params).then(
        (result) => result.rowCount ?? 0,
        (error) => Promise.reject(translate(error, model, id)),
      );
    }
    return this.queue(async () => {
      const bump = !this.bumped.has(model.collection);
      const { sql, params } = bump ? withBump(q, model.collection) : q;
      let rows: number;
      if (last || !guarded) {
        const db = this.db;
        try {
          const result = await (last && db instanceof TxConnection
            ? db.queryAndCommit(sql, params)
            : db.query(sql, params));
          rows = result.rowCount ?? 0;
        } catch (error) {
          throw translate(error, model, id);
        }
      } else {
        this.savepoints += 1;
        const name = `w${this.savepoints}`;
        await this.db.query(`SAVEPOINT ${name}`);
        try {
          rows = (await this.db.query(sql, params)).rowCount ?? 0;
        } catch (error) {
          await this.db.query(`ROLLBACK TO SAVEPOINT ${name}`);
          throw translate(error, model, id);
        }
        await this.db.query(`RELEASE SAVEPOINT ${name}`);
      }
      if (bump) this.bumped.add(model.collection);
      return rows;
    });
  }

  /** Runs `work` after the transaction's writes queued before it, whatever their outcome. */
  private queue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.writes.then(work, work);
    this.writes = next.catch(() => undefined);
    return next;
  }
}

/** PostgreSQL text cannot hold U+0000: no stored value has one, and binding one is an error. */
export function holdsNul(value: string): boolean {
  return value.includes(String.fromCharCode(0));
}

/** Bytes a read may still load. */

/** The rows, unless together they hold more bytes than the budget allows (the same count as SQLite's). */
function within(rows: Row[], budget: ReadBudget | undefined): Row[] {
  if (budget === undefined) return rows;
  for (const row of rows) {
    chargeRow(budget, row);
  }
  return rows;
}

function translate(error: unknown, model: TableModel, id: string): unknown {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  if (e?.code !== '23505') return error;
  const constraint = typeof e.constraint === 'string' ? e.constraint : '';
  if (constraint === `${model.table}_pkey` || constraint.endsWith('_pkey'))
    return new DuplicateId(model.collection, id);
  const column = model.columns.find(
    (c) => c.unique && indexName(model.table, c.name, 'unique') === constraint,
  );
  // A declared unique index on several fields: the first one stands for them.
  const declared = model.indexes.find((index) => index.unique && index.name === constraint);
  return new UniqueViolation(model.collection, column?.name ?? declared?.keys[0].column ?? 'id');
}
