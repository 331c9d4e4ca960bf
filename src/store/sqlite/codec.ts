import type { ValueCodec } from '../table-model.js';

/** SQLite keeps booleans as 0/1 and JSON as text. */
export const sqliteCodec: ValueCodec = {
  encode(column, value) {
    if (column.storage === 'boolean') return value ? 1 : 0;
    if (column.storage === 'json') return JSON.stringify(value);
    return value;
  },
  decode(column, value) {
    if (column.storage === 'boolean') return value === 1 || value === 1n;
    if (column.storage === 'json') return JSON.parse(value as string);
    return value;
  },
};
