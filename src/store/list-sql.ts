/**
 * SELECT statements for lists and filtered reads, shared by both adapters.
 * Every value goes through a placeholder; identifiers come from the model.
 */
import type { Expr } from '../query/ast.js';
import { compileFilter, type SqlTarget } from '../query/compile-filter.js';
import { orderKeys } from '../query/cursor.js';
import type { SortKey } from '../query/list-types.js';
import type { AggregateRow } from '../schema/types.js';
import { quoteIdent, type SqlDialect } from './dialect.js';
import { keysetParts } from './keyset-sql.js';
import type { AggregateQuery, ListQuery } from './store.js';
import type { TableModel, ValueCodec } from './table-model.js';

export interface SqlText {
  sql: string;
  params: unknown[];
}

/** A parameter list bound to a dialect's placeholders and value encoding. */
export function sqlTarget(model: TableModel, dialect: SqlDialect, params: unknown[]): SqlTarget {
  return {
    sql: dialect,
    column(name) {
      const column = model.byName.get(name);
      if (!column) return undefined;
      return { sql: quoteIdent(column.name), storage: column.storage, multiple: column.multiple };
    },
    param(value) {
      params.push(dialect.encodeParam(value));
      return dialect.placeholder(params.length);
    },
  };
}

/** The visible columns, for SELECT lists. */
export function selectList(model: TableModel): string {
  return model.columns
    .filter((c) => c.visible)
    .map((c) => quoteIdent(c.name))
    .join(', ');
}

/** `WHERE …` for a filter (empty string when there is none). */
export function whereClause(model: TableModel, dialect: SqlDialect, filter: Expr | null, params: unknown[]) {
  if (!filter) return '';
  return ` WHERE ${compileFilter(filter, sqlTarget(model, dialect, params))}`;
}

/**
 * A page that starts after a cursor (the offset is not used): one SELECT
 * per keyset part, each seeking in the sort's index. The parts follow each
 * other in the list's order, so a second one is only run, for the rest of
 * the page, when the first falls short; its LIMIT is its last parameter.
 */
function keysetPages(
  model: TableModel,
  dialect: SqlDialect,
  query: ListQuery,
  after: readonly unknown[],
  order: string,
): SqlText[] {
  const table = quoteIdent(model.table);
  return keysetParts(model, orderKeys(query.sort), after).map((part) => {
    const params: unknown[] = [];
    const where = whereClause(model, dialect, query.filter, params);
    const target = sqlTarget(model, dialect, params);
    const condition = part((v) => target.param(v));
    const both =
      where === '' ? ` WHERE ${condition}` : ` WHERE (${where.slice(' WHERE '.length)}) AND ${condition}`;
    params.push(query.limit);
    return {
      sql: `SELECT ${selectList(model)} FROM ${table}${both} ORDER BY ${order} LIMIT ${dialect.placeholder(params.length)}`,
      params,
    };
  });
}

/**
 * The page query and, when asked, the count query for a list. `more`, for
 * some cursor pages: the rest of the page when `page` gives fewer than
 * `limit` rows (run it with its last parameter set to how many are missing).
 */
export function listSql(
  model: TableModel,
  dialect: SqlDialect,
  query: ListQuery,
): { page: SqlText; more: SqlText | null; count: SqlText | null } {
  const params: unknown[] = [];
  const where = whereClause(model, dialect, query.filter, params);
  // Non-null columns go bare: PostgreSQL walks a `created DESC` index only for a bare `created DESC`.
  const term = (k: SortKey) => {
    const column = quoteIdent(k.field);
    const dir = k.desc ? ' DESC' : '';
    const nullable = model.byName.get(k.field)?.nullable !== false;
    if (!k.missingLast && !k.numeric) {
      return nullable ? dialect.orderTerm(column, k.desc) : `${column}${dir}`;
    }
    // Whole numbers without leading zeros order by length first, then as text: by their value.
    const value = k.numeric ? `LENGTH(${column})${dir}, ${column}${dir}` : `${column}${dir}`;
    return nullable && k.missingLast ? `${column} IS NULL${dir}, ${value}` : value;
  };
  const order = query.sort.map(term);
  // The added keys stay bare so the default order matches the (created, id) index exactly.
  if (query.sort.length === 0) order.push(quoteIdent('created'));
  if (!query.sort.some((k) => k.field === 'id')) order.push(quoteIdent('id'));
  const table = quoteIdent(model.table);
  const [page, more = null] = query.after
    ? keysetPages(model, dialect, query, query.after, order.join(', '))
    : [
        {
          sql: `SELECT ${selectList(model)} FROM ${table}${where} ORDER BY ${order.join(', ')} LIMIT ${dialect.placeholder(params.length + 1)} OFFSET ${dialect.placeholder(params.length + 2)}`,
          params: [...params, query.limit, query.offset],
        },
      ];
  const count = query.count ? { sql: `SELECT COUNT(*) AS n FROM ${table}${where}`, params } : null;
  return { page, more, count };
}

/** One record by id, optionally only when it also matches a filter. */
export function getSql(model: TableModel, dialect: SqlDialect, id: string, filter: Expr): SqlText {
  const params: unknown[] = [id];
  const target = sqlTarget(model, dialect, params);
  const condition = compileFilter(filter, target);
  return {
    sql: `SELECT ${selectList(model)} FROM ${quoteIdent(model.table)} WHERE ${quoteIdent('id')} = ${dialect.placeholder(1)} AND (${condition})`,
    params,
  };
}

/** Records by id (one chunk of ids), optionally only those that also match a filter. */
export function getManySql(
  model: TableModel,
  dialect: SqlDialect,
  ids: readonly string[],
  filter: Expr | null,
): SqlText {
  const params: unknown[] = [...ids];
  const list = ids.map((_, i) => dialect.placeholder(i + 1)).join(', ');
  const where = `${quoteIdent('id')} IN (${list})`;
  const condition = filter ? ` AND (${compileFilter(filter, sqlTarget(model, dialect, params))})` : '';
  return {
    sql: `SELECT ${selectList(model)} FROM ${quoteIdent(model.table)} WHERE ${where}${condition}`,
    params,
  };
}

/**
 * Result column names of an aggregate. They start with `_`, which no field
 * name can, so ORDER BY (which looks at output names first) never mistakes
 * one for a column.
 */
const groupAlias = (i: number) => quoteIdent(`_g${i}`);
const sumAlias = (i: number) => quoteIdent(`_s${i}`);
const COUNT_ALIAS = quoteIdent('_n');

function aggregateColumn(model: TableModel, name: string): string {
  if (!model.byName.has(name)) throw new Error(`unknown column ${model.collection}.${name}`);
  return quoteIdent(name);
}

/**
 * One grouped query: per group its columns, COUNT(*) and a SUM per summed
 * column, 0 rather than null when all of a group's values are null. Nulls
 * sort first, written out so both dialects agree.
 */
export function aggregateSql(model: TableModel, dialect: SqlDialect, query: AggregateQuery): SqlText {
  const params: unknown[] = [];
  const where = whereClause(model, dialect, query.filter, params);
  const groups = query.groupBy.map((name) => aggregateColumn(model, name));
  const select = [
    ...groups.map((column, i) => `${column} AS ${groupAlias(i)}`),
    `COUNT(*) AS ${COUNT_ALIAS}`,
    ...query.sum.map((name, i) => `COALESCE(SUM(${aggregateColumn(model, name)}), 0) AS ${sumAlias(i)}`),
  ];
  let sql = `SELECT ${select.join(', ')} FROM ${quoteIdent(model.table)}${where}`;
  if (groups.length > 0) {
    const order = groups.map((_, i) => `${groupAlias(i)} NULLS FIRST`);
    sql += ` GROUP BY ${groups.join(', ')} ORDER BY ${order.join(', ')}`;
  }
  return { sql, params };
}

/** A row of aggregateSql as named members; counts and sums as numbers (drivers may hand big ones as text). */
export function aggregateRow(
  model: TableModel,
  query: AggregateQuery,
  row: Record<string, unknown>,
  codec: ValueCodec,
): AggregateRow {
  const out: AggregateRow = {};
  query.groupBy.forEach((name, i) => {
    const raw = row[`_g${i}`];
    const column = model.byName.get(name);
    out[name] =
      raw === null || raw === undefined || !column
        ? null
        : (codec.decode(column, raw) as AggregateRow[string]);
  });
  out.count = Number(row._n);
  query.sum.forEach((name, i) => {
    out[name] = Number(row[`_s${i}`]);
  });
  return out;
}

/**
 * Per filter, whether the record `id` matches it: one row of 1s and 0s
 * (a NULL condition counts as no match, as it does in COUNT(*) … WHERE),
 * or no row when there is no such record.
 */
export function matchSql(
  model: TableModel,
  dialect: SqlDialect,
  id: string,
  filters: readonly Expr[],
): SqlText {
  const params: unknown[] = [];
  const target = sqlTarget(model, dialect, params);
  const columns = filters.map((f, i) => `CASE WHEN (${compileFilter(f, target)}) THEN 1 ELSE 0 END AS m${i}`);
  params.push(id);
  return {
    sql: `SELECT ${columns.join(', ')} FROM ${quoteIdent(model.table)} WHERE ${quoteIdent('id')} = ${dialect.placeholder(params.length)}`,
    params,
  };
}

/** A matchSql row as booleans (false for every filter when the record is not there). */
export function matchRow(row: Record<string, unknown> | undefined, filters: readonly Expr[]): boolean[] {
  return filters.map((_, i) => row !== undefined && Number(row[`m${i}`]) === 1);
}

/** A statement's parameters with its last one, the LIMIT, replaced. */
export function withLimit(params: readonly unknown[], limit: number): unknown[] {
  return [...params.slice(0, -1), limit];
}
