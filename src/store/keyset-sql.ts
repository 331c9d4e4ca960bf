/**
 * The WHERE conditions of a keyset page: rows strictly after the cursor's
 * values under the list's ORDER BY, with NULLs where orderTerm puts them
 * (first ascending, last descending) on both stores, each written so an
 * index on the sort can seek to where the page starts.
 */
import type { SortKey } from '../query/list-types.js';
import type { ParamValue } from '../query/sql-target.js';
import { quoteIdent } from './dialect.js';
import type { ColumnModel, TableModel } from './table-model.js';

export type Param = (value: ParamValue) => string;
/** One condition, made when its text is written (`?` parameters are numbered in text order). */
export type Part = (param: Param) => string;

const NOTHING = '1 = 0';

function column(model: TableModel, name: string): ColumnModel {
  const c = model.byName.get(name);
  if (!c) throw new Error(`unknown column ${model.collection}.${name}`);
  return c;
}

/** `key = value`, where a null value is equal to NULL (its place in the order). */
function same(col: string, value: ParamValue, param: Param): string {
  return value === null ? `${col} IS NULL` : `${col} = ${param(value)}`;
}

/** The non-null rows that sort strictly after `value` on one key (NULLs are the caller's business). */
function later(col: string, c: ColumnModel, desc: boolean, value: ParamValue, param: Param): string {
  if (!desc) {
    // Ascending: NULLs first, so every non-null value comes after a NULL.
    return value === null ? `${col} IS NOT NULL` : `${col} > ${param(value)}`;
  }
  // Descending: NULLs last, so nothing comes after a NULL and NULLs after everything else.
  if (value === null) return NOTHING;
  return c.nullable ? `(${col} < ${param(value)} OR ${col} IS NULL)` : `${col} < ${param(value)}`;
}

/**
 * `(k1, k2, …) after (v1, v2, …)` spelled out as
 * `k1 after v1 OR (k1 = v1 AND k2 after v2) OR …`, which holds for mixed
 * directions and NULLs where a row-value comparison does not; `first`
 * replaces the first key's own term.
 */
function exact(
  names: readonly string[],
  cols: readonly ColumnModel[],
  keys: readonly SortKey[],
  values: readonly unknown[],
  param: Param,
  first: string | null,
): string {
  const value = (i: number) => values[i] as ParamValue;
  const branches: string[] = [];
  for (let i = 0; i < keys.length; i++) {
    const terms: string[] = [];
    for (let j = 0; j < i; j++) terms.push(same(names[j], value(j), param));
    terms.push(i === 0 && first !== null ? first : later(names[i], cols[i], keys[i].desc, value(i), param));
    branches.push(terms.length === 1 ? terms[0] : `(${terms.join(' AND ')})`);
  }
  return `(${branches.join(' OR ')})`;
}

/**
 * The rows after the cursor, as one condition, or as two where NULLs and
 * values both follow it: descending from a value (the smaller values, then
 * the NULLs, which come last) and ascending from a NULL (the NULLs left,
 * then every value). Each part is a range an index can seek to; one OR of
 * both would read the index from its start instead.
 */
export function keysetParts(model: TableModel, keys: readonly SortKey[], values: readonly unknown[]): Part[] {
  const cols = keys.map((k) => column(model, k.field));
  const names = cols.map((c) => quoteIdent(c.name));
  const [first, col, desc, value] = [names[0], cols[0], keys[0].desc, values[0] as ParamValue];
  if (value === null) {
    // Descending, nothing comes after the NULLs but more NULLs; ascending, the NULLs left, then every value.
    const nulls: Part = (param) => `${first} IS NULL AND ${exact(names, cols, keys, values, param, NOTHING)}`;
    return desc ? [nulls] : [nulls, () => `${first} IS NOT NULL`];
  }
  // A bound on the first key alone that the index can seek to; the exact condition sorts out the ties.
  if (!desc)
    return [(param) => `${first} >= ${param(value)} AND ${exact(names, cols, keys, values, param, null)}`];
  const before = (param: Param) =>
    `${first} <= ${param(value)} AND ${exact(names, cols, keys, values, param, `${first} < ${param(value)}`)}`;
  return col.nullable ? [before, () => `${first} IS NULL`] : [before];
}
