import type { ValueCodec } from '../table-model.js';

/**
 * PostgreSQL has real booleans; JSON is kept as text (the bytes written come
 * back, keys in their order, as on SQLite); BIGINT arrives from pg as a
 * string and leaves as a number, as SQLite hands it.
 */
export const postgresCodec: ValueCodec = {
  encode(column, value) {
    if (column.storage === 'json') return JSON.stringify(value);
    return value;
  },
  decode(column, value) {
    if (column.storage === 'json') return JSON.parse(value as string);
    if (column.storage === 'integer') return typeof value === 'string' ? Number(value) : value;
    return value;
  },
};
