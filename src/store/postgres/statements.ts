/**
 * Prepared statements for the hot paths: a statement text marked with
 * `prepared` runs as a named statement, so each connection parses and plans
 * it once and then only binds it. Only texts of a fixed shape per table are
 * marked (by-id reads, writes, the change counter, idempotency keys,
 * sessions); filtered lists, whose texts come from requests, stay unnamed.
 * The names are bounded: past MAX_NAMED texts, a text runs unnamed.
 */
import type pg from 'pg';
import { quoteIdent } from '../dialect.js';
import { selectList } from '../list-sql.js';
import type { TableModel } from '../table-model.js';

const MAX_NAMED = 1000;
const names = new Map<string, string>();

/** Marks `text` to run prepared (when the bound allows); returns it. */
export function prepared(text: string): string {
  if (names.size < MAX_NAMED && !names.has(text)) names.set(text, `m${names.size}`);
  return text;
}

/** What to hand pg for `text`: named when it was marked (a fresh object: pg writes into it). */
export function queryConfig(text: string, values?: unknown[]): pg.QueryConfig {
  const name = names.get(text);
  return name === undefined ? { text, values } : { name, text, values };
}

/** A table's statements of a fixed shape, made once and prepared. */
export interface TableStatements {
  get: string;
  getForUpdate: string;
  /** The record and its row version (xmin), for the record cache. */
  getVersioned: string;
  /** The row version alone. */
  version: string;
  insert: string;
  /** ON CONFLICT (id) DO NOTHING: no row written for an id that exists. */
  insertOrSkip: string;
  delete: string;
  /** The columns a unique constraint other than the primary key covers. */
  unique: ReadonlySet<string>;
}

const statementCache = new WeakMap<TableModel, TableStatements>();

export function statementsOf(model: TableModel): TableStatements {
  let s = statementCache.get(model);
  if (s) return s;
  const table = quoteIdent(model.table);
  const id = quoteIdent('id');
  const unique = new Set(model.columns.filter((c) => c.unique).map((c) => c.name));
  for (const index of model.indexes) if (index.unique) for (const k of index.keys) unique.add(k.column);
  const names = model.columns.filter((c) => c.visible).map((c) => quoteIdent(c.name));
  const values = names.map((_, i) => `$${i + 1}`).join(', ');
  const get = `SELECT ${selectList(model)} FROM ${table} WHERE ${id} = $1`;
  const insert = `INSERT INTO ${table} (${names.join(', ')}) VALUES (${values})`;
  s = {
    get: prepared(get),
    getForUpdate: prepared(`${get} FOR UPDATE`),
    getVersioned: prepared(
      `SELECT xmin::text AS "_version", ${selectList(model)} FROM ${table} WHERE ${id} = $1`,
    ),
    version: prepared(`SELECT xmin::text AS v FROM ${table} WHERE ${id} = $1`),
    insert: prepared(insert),
    insertOrSkip: prepared(`${insert} ON CONFLICT (${id}) DO NOTHING`),
    delete: prepared(`DELETE FROM ${table} WHERE ${id} = $1`),
    unique,
  };
  statementCache.set(model, s);
  return s;
}
