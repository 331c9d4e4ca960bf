/**
 * `after=<cursor>`: keyset pagination. A cursor is the base64url of a JSON
 * array holding the last row's sort key values and its id, in the order
 * the list is sorted by, so the next page is a range seek (WHERE (key, id)
 * after (…)) rather than an OFFSET that walks every earlier row.
 */
import { Problem } from '../util/problem.js';
import type { ListField, SortKey } from './list-types.js';

/** Cursors past this length are refused before decoding (a text key is at most a few kB). */
const MAX_CURSOR = 16_384;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** Never null: the store sets them on every record. */
const SYSTEM_KEYS: ReadonlySet<string> = new Set(['id', 'created', 'updated']);

/** The ORDER BY of a list: its sort keys (else `created`), then `id` so that every row has one place. */
export function orderKeys(sort: readonly SortKey[]): SortKey[] {
  const keys = sort.length === 0 ? [{ field: 'created', desc: false }] : [...sort];
  if (!keys.some((k) => k.field === 'id')) keys.push({ field: 'id', desc: false });
  return keys;
}

/**
 * The cursor just past `record` under `sort`. JSON fields go in as their
 * JSON text, the form they are stored and compared in.
 */
export function encodeCursor(
  record: Readonly<Record<string, unknown>>,
  sort: readonly SortKey[],
  fields: Record<string, ListField>,
): string {
  const values = orderKeys(sort).map(({ field }) => {
    const value = record[field] ?? null;
    return value !== null && fields[field]?.storage === 'json' ? JSON.stringify(value) : value;
  });
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

function bad(raw: string, why: string): Problem {
  const shown = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
  return new Problem(
    'invalidQuery',
    `Invalid after ${JSON.stringify(shown)}: ${why}. Use the after= of a next link, with the same sort.`,
  );
}

function fits(value: unknown, field: ListField): boolean {
  switch (field.storage) {
    case 'integer':
      return Number.isSafeInteger(value);
    case 'real':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    default:
      return typeof value === 'string';
  }
}

/** The values of a cursor, checked against the sort it must continue; every mistake is a 400. */
export function parseCursor(
  raw: string,
  sort: readonly SortKey[],
  fields: Record<string, ListField>,
): unknown[] {
  if (raw === '') throw bad(raw, 'it is empty');
  if (raw.length > MAX_CURSOR) throw bad(raw, `it is longer than ${MAX_CURSOR} characters`);
  if (!BASE64URL.test(raw)) throw bad(raw, 'it is not base64url');
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw bad(raw, 'it does not decode to a cursor');
  }
  const keys = orderKeys(sort);
  if (!Array.isArray(values)) throw bad(raw, 'it does not decode to a cursor');
  if (values.length !== keys.length) {
    throw bad(
      raw,
      `it holds ${values.length} value(s) where sort ${describeSort(keys)} needs ${keys.length}`,
    );
  }
  keys.forEach(({ field }, i) => {
    const value = values[i];
    const def = fields[field];
    if (value === null && !SYSTEM_KEYS.has(field)) return;
    if (!def || !fits(value, def)) {
      throw bad(raw, `value ${i + 1} does not fit ${JSON.stringify(field)}, which the list is sorted by`);
    }
  });
  return values;
}

function describeSort(keys: readonly SortKey[]): string {
  return JSON.stringify(keys.map((k) => `${k.desc ? '-' : ''}${k.field}`).join(','));
}
