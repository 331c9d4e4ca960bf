/**
 * The WHERE condition of a keyset page: rows strictly after the cursor's
 * values under the list's ORDER BY, with NULLs where orderTerm puts them
 * (first ascending, last descending) on both stores.
 */
import type { SortKey } from '../query/list-params.js';
import type { ParamValue } from '../query/sql-target.js';
import { quoteIdent } from './dialect.js';
import type { ColumnModel, TableModel } from './table-model.js';

type Param = (value: ParamValue) => string;

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

/** The rows that sort strictly after `value` on one key. */
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
 * A bound on the first key alone that an index on it can seek to; the
 * exact condition then only sorts out the ties. None when the bound would
 * need an OR with IS NULL (no index range serves that).
 */
function seek(col: string, c: ColumnModel, desc: boolean, value: ParamValue, param: Param): string | null {
  if (value === null) return null;
  if (!desc) return `${col} >= ${param(value)}`;
  return c.nullable ? null : `${col} <= ${param(value)}`;
}

/**
 * `(k1, k2, …) after (v1, v2, …)` spelled out as
 * `k1 after v1 OR (k1 = v1 AND k2 after v2) OR …`, which holds for mixed
 * directions and NULLs where a row-value comparison does not.
 */
export function keysetCondition(
  model: TableModel,
  keys: readonly SortKey[],
  values: readonly unknown[],
  param: Param,
): string {
  const value = (i: number) => values[i] as ParamValue;
  const cols = keys.map((k) => column(model, k.field));
  const names = cols.map((c) => quoteIdent(c.name));
  // Parameters are numbered in the order they are made, which must be their order in the text (`?`).
  const bound = seek(names[0], cols[0], keys[0].desc, value(0), param);
  const branches: string[] = [];
  for (let i = 0; i < keys.length; i++) {
    const terms: string[] = [];
    for (let j = 0; j < i; j++) terms.push(same(names[j], value(j), param));
    terms.push(later(names[i], cols[i], keys[i].desc, value(i), param));
    branches.push(terms.length === 1 ? terms[0] : `(${terms.join(' AND ')})`);
  }
  const exact = `(${branches.join(' OR ')})`;
  return bound === null ? exact : `${bound} AND ${exact}`;
}
