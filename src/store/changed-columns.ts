/**
 * The columns an update must write: those whose stored value differs from
 * the one it had. An UPDATE that names fewer columns writes less (SQLite and
 * PostgreSQL touch only the indexes on columns it names), and `created`,
 * which never changes, is never rewritten.
 */
import type { RecordData } from '../schema/types.js';
import { recordToValues, type TableModel, type ValueCodec } from './table-model.js';

export interface ColumnChange {
  /** Names of the changed columns, in table order (never `id`). */
  names: string[];
  /** Their new values, in the same order. */
  values: unknown[];
}

/**
 * What changes from `previous` to `record`; without `previous`, every column
 * but `id` (a record written over whatever is stored, as imports do).
 */
export function changedColumns(
  model: TableModel,
  record: RecordData,
  previous: RecordData | undefined,
  codec: ValueCodec,
): ColumnChange {
  const visible = model.columns.filter((c) => c.visible);
  const next = recordToValues(model, record, codec);
  const before = previous === undefined ? undefined : recordToValues(model, previous, codec);
  const names: string[] = [];
  const values: unknown[] = [];
  for (let i = 0; i < visible.length; i++) {
    if (visible[i].name === 'id') continue;
    // Encoded values are strings, numbers or null; anything else (bytes) counts as changed.
    if (before !== undefined && before[i] === next[i]) continue;
    names.push(visible[i].name);
    values.push(next[i]);
  }
  return { names, values };
}
