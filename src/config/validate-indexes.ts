/**
 * `indexes` on a collection: `["genre", "-year"]` (a list of keys, `-` for
 * descending) or `{ "fields": [...], "unique": true }`. Each problem is
 * listed with the config's others: an unknown field, an empty index, a
 * field twice in one index, the same index twice.
 */
import { type FieldDef, type IndexDef, SYSTEM_FIELDS } from '../schema/types.js';
import { at, type Checker } from './checker.js';

const INDEX_KEYS = ['fields', 'unique'];

/** The fields an index may hold: the system ones and the declared ones. */
function indexable(fields: Readonly<Record<string, FieldDef>>): Set<string> {
  return new Set<string>([...SYSTEM_FIELDS, ...Object.keys(fields)]);
}

function readIndex(c: Checker, value: unknown, path: string, known: ReadonlySet<string>): IndexDef {
  let keys: unknown;
  let unique = false;
  if (Array.isArray(value)) keys = value;
  else if (value !== null && typeof value === 'object') {
    const raw = c.object(value, path, INDEX_KEYS);
    if (raw.fields === undefined)
      c.fail(at(path, 'fields'), 'an index needs "fields", e.g. ["genre", "-year"]');
    keys = raw.fields;
    if (raw.unique !== undefined) unique = c.boolean(raw.unique, at(path, 'unique'));
    path = at(path, 'fields');
  } else {
    return c.expected(
      path,
      'a list of fields like ["genre", "-year"] or { "fields": [...], "unique": true }',
      value,
    );
  }
  const names = c.strings(keys, path);
  if (names.length === 0) c.fail(path, 'an index needs at least one field');
  const seen = new Set<string>();
  const fields = names.map((name, i) => {
    const desc = name.startsWith('-');
    const field = desc ? name.slice(1) : name;
    if (!known.has(field)) {
      c.fail(`${path}[${i}]`, `unknown field "${field}"; the collection has ${[...known].join(', ')}`);
    }
    if (seen.has(field)) c.fail(`${path}[${i}]`, `"${field}" is in this index twice`);
    seen.add(field);
    return { field, desc };
  });
  return { fields, unique };
}

/** The key an index is known by: two with the same keys in the same order are the same index. */
function signature(index: IndexDef): string {
  return index.fields.map((k) => `${k.desc ? '-' : ''}${k.field}`).join(',');
}

/** Validates `indexes` against the collection's fields. */
export function readIndexes(
  c: Checker,
  value: unknown,
  path: string,
  fields: Readonly<Record<string, FieldDef>>,
): IndexDef[] {
  if (!Array.isArray(value)) return c.expected(path, 'an array of indexes', value);
  const known = indexable(fields);
  const out: IndexDef[] = [];
  const seen = new Map<string, number>();
  value.forEach((item, i) => {
    const itemPath = `${path}[${i}]`;
    c.collect(undefined, () => {
      const index = readIndex(c, item, itemPath, known);
      const key = signature(index);
      const first = seen.get(key);
      if (first !== undefined) c.fail(itemPath, `the same index as ${path}[${first}] (${key})`);
      seen.set(key, i);
      out.push(index);
    });
  });
  return out;
}
