/**
 * Record reads and writes on one SQLite connection, with the statements of
 * each collection prepared once and list statements cached by SQL text.
 */
import type Database from 'better-sqlite3';
import type { Expr } from '../../query/ast.js';
import type { AggregateRow, RecordData } from '../../schema/types.js';
import { changedColumns } from '../changed-columns.js';
import type { CountCache } from '../count-cache.js';
import { quoteIdent } from '../dialect.js';
import { DuplicateId, UniqueViolation } from '../errors.js';
import {
  aggregateRow,
  aggregateSql,
  getManySql,
  getSql,
  listSql,
  matchRow,
  matchSql,
  selectList,
  withLimit,
} from '../list-sql.js';
import { chargeRow, type ReadBudget, type Row, readBudget } from '../rows.js';
import type { AggregateQuery, ListQuery, ListResult } from '../store.js';
import { recordToValues, rowToRecord, type TableModel } from '../table-model.js';
import { sqliteCodec } from './codec.js';
import { sqliteDialect } from './dialect.js';

type Statement = Database.Statement<unknown[], Row>;

interface CollectionStatements {
  model: TableModel;
  get: Statement;
  insert: Statement;
  delete: Statement;
}

const MAX_CACHED = 256;

export class SqliteRecords {
  private readonly collections = new Map<string, CollectionStatements>();
  private readonly cache = new Map<string, Statement>();

  constructor(
    private readonly db: Database.Database,
    private readonly models: ReadonlyMap<string, TableModel>,
  ) {}

  /** Forget prepared statements (after a migration changed the tables). */
  reset(): void {
    this.collections.clear();
    this.cache.clear();
  }

  private statements(collection: string): CollectionStatements {
    let s = this.collections.get(collection);
    if (s) return s;
    const model = this.models.get(collection);
    if (!model) throw new Error(`unknown collection ${collection}`);
    const table = quoteIdent(model.table);
    const visible = model.columns.filter((c) => c.visible);
    const names = visible.map((c) => quoteIdent(c.name));
    const id = quoteIdent('id');
    s = {
      model,
      get: this.db.prepare(`SELECT ${selectList(model)} FROM ${table} WHERE ${id} = ?`),
      insert: this.db.prepare(
        `INSERT INTO ${table} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`,
      ),
      delete: this.db.prepare(`DELETE FROM ${table} WHERE ${id} = ?`),
    };
    this.collections.set(collection, s);
    return s;
  }

  /** A prepared statement for dynamic SQL, cached by its text. */
  prepare(sql: string): Statement {
    let statement = this.cache.get(sql);
    if (!statement) {
      if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value as string);
      statement = this.db.prepare(sql);
      this.cache.set(sql, statement);
    }
    return statement;
  }

  model(collection: string): TableModel {
    return this.statements(collection).model;
  }

  get(collection: string, id: string, filter?: Expr | null): RecordData | undefined {
    const s = this.statements(collection);
    let row: Row | undefined;
    if (filter) {
      const q = getSql(s.model, sqliteDialect, id, filter);
      row = this.prepare(q.sql).get(...q.params);
    } else {
      row = s.get.get(id);
    }
    return row ? rowToRecord(s.model, row, sqliteCodec) : undefined;
  }

  getMany(collection: string, ids: readonly string[], filter?: Expr | null, maxBytes?: number): RecordData[] {
    if (ids.length === 0) return [];
    const model = this.model(collection);
    const out: RecordData[] = [];
    const budget = readBudget(maxBytes);
    // Chunks keep the statement count small and under SQLite's parameter limit.
    for (let i = 0; i < ids.length; i += 100) {
      const q = getManySql(model, sqliteDialect, ids.slice(i, i + 100), filter ?? null);
      for (const row of rows(this.prepare(q.sql), q.params, budget))
        out.push(rowToRecord(model, row, sqliteCodec));
    }
    return out;
  }

  list(collection: string, query: ListQuery, counts?: CountCache): ListResult {
    const model = this.model(collection);
    const { page, more, count } = listSql(model, sqliteDialect, query);
    const budget = readBudget(query.maxBytes);
    const found = rows(this.prepare(page.sql), page.params, budget);
    if (more && found.length < query.limit) {
      found.push(...rows(this.prepare(more.sql), withLimit(more.params, query.limit - found.length), budget));
    }
    const items = found.map((row) => rowToRecord(model, row, sqliteCodec));
    let total: number | null = null;
    if (count) {
      const key = `${collection}\u0000${count.sql}\u0000${JSON.stringify(count.params)}`;
      const cached = counts?.get(key);
      if (cached !== undefined) total = cached.count;
      else {
        const mark = counts?.mark(collection);
        total = Number((this.prepare(count.sql).get(...count.params) as { n: number }).n);
        if (mark) counts?.store(key, collection, query.filter, total, mark);
      }
    }
    return { items, total };
  }

  /** Grouped totals in one statement; only the group rows are loaded. */
  aggregate(collection: string, query: AggregateQuery): AggregateRow[] {
    const model = this.model(collection);
    const q = aggregateSql(model, sqliteDialect, query);
    const budget = readBudget(query.maxBytes);
    return rows(this.prepare(q.sql), q.params, budget).map((row) =>
      aggregateRow(model, query, row, sqliteCodec),
    );
  }

  /** Per filter, whether the record `id` (as this connection sees it) matches it. */
  matches(collection: string, id: string, filters: readonly Expr[]): boolean[] {
    const q = matchSql(this.model(collection), sqliteDialect, id, filters);
    return matchRow(this.prepare(q.sql).get(...q.params), filters);
  }

  insert(collection: string, record: RecordData): void {
    const s = this.statements(collection);
    try {
      s.insert.run(...recordToValues(s.model, record, sqliteCodec));
    } catch (error) {
      throw translate(error, s.model, record.id);
    }
  }

  /** Write `record` over the stored one; given that (`previous`), only the columns that changed. */
  update(collection: string, record: RecordData, previous?: RecordData): void {
    const s = this.statements(collection);
    const change = changedColumns(s.model, record, previous, sqliteCodec);
    if (change.names.length === 0) return;
    const sets = change.names.map((n) => `${quoteIdent(n)} = ?`).join(', ');
    // One statement per set of columns, prepared once (a collection's writes change few distinct sets).
    const statement = this.prepare(
      `UPDATE ${quoteIdent(s.model.table)} SET ${sets} WHERE ${quoteIdent('id')} = ?`,
    );
    try {
      statement.run(...change.values, record.id);
    } catch (error) {
      throw translate(error, s.model, record.id);
    }
  }

  delete(collection: string, id: string): boolean {
    return this.statements(collection).delete.run(id).changes > 0;
  }
}

/** Bytes a read may still load. */

/**
 * A statement's rows; within a budget, read one by one and stopped (the
 * statement reset) as soon as they pass it, so a page of huge records is
 * never loaded whole.
 */
function rows(statement: Statement, params: unknown[], budget: ReadBudget | undefined): Row[] {
  if (budget === undefined) return statement.all(...params);
  const out: Row[] = [];
  for (const row of statement.iterate(...params)) {
    chargeRow(budget, row);
    out.push(row);
  }
  return out;
}

function translate(error: unknown, model: TableModel, id: string): unknown {
  if (!(error instanceof Error) || !('code' in error)) return error;
  const code = (error as { code: string }).code;
  if (code !== 'SQLITE_CONSTRAINT_UNIQUE' && code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') return error;
  // The message names the columns: "UNIQUE constraint failed: books.isbn" (a declared unique
  // index on several: "…: books.genre, books.year"); the first one stands for them.
  const match = /failed: (.+)$/.exec(error.message);
  const columns = (match?.[1] ?? '').split(', ').map((c) => c.slice(c.indexOf('.') + 1));
  const column = columns[0] || 'id';
  if (column === 'id' && columns.length <= 1) return new DuplicateId(model.collection, id);
  return new UniqueViolation(model.collection, column);
}
