/**
 * What an import of a json-server `db.json` writes, decided before anything
 * is: which top-level keys go to which collection (by json-server name,
 * else by collection name; arrays; an object into a `single` collection,
 * or with `perKey` into any), which are left out and
 * why, and each record validated like an API write. json-server's numbers
 * are taken where we keep strings: an id `1` is the id "1", and a relation
 * value `postId: 1` names the record "1".
 */
import type { CompiledCollection } from '../schema/compile-collection.js';
import { jsonServerNames } from '../schema/json-server-names.js';
import { ID_PATTERN, type RecordData } from '../schema/types.js';
import { isPlainObject } from '../util/is-plain-object.js';
import { isProblem } from '../util/problem.js';

export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}

export interface ImportPlan {
  /** Collection name → the objects of the file for it, in file order. */
  collections: Map<string, Record<string, unknown>[]>;
  /** Collection name → the file's key for it, where they differ (`jsonServerName`: json_users ← "users"). */
  keys: Map<string, string>;
  /** Top-level keys not imported, each with the reason. */
  skipped: string[];
}

/** A record ready to write; `id` null when the file gave none (the write picks it: see import-data.ts). */
export type PlannedRecord = Omit<RecordData, 'id'> & { id: string | null };

/** What to import: collection name → its records, per the file's shape, the schema and `perKey`. */
export function importPlan(
  data: unknown,
  schema: ReadonlyMap<string, CompiledCollection>,
  perKey: boolean,
): ImportPlan {
  if (!isPlainObject(data))
    throw new ImportError('the file must hold a JSON object whose keys name collections');
  const collections = new Map<string, Record<string, unknown>[]>();
  const keys = new Map<string, string>();
  const skipped: string[] = [];
  const { byName } = jsonServerNames(schema);
  for (const [key, value] of Object.entries(data)) {
    // A key is a collection's json-server name, else (a file `export` wrote without --json-server) its name.
    const name = byName.get(key) ?? key;
    const earlier = keys.get(name) ?? (collections.has(name) ? name : undefined);
    if (earlier !== undefined)
      throw new ImportError(`"${earlier}" and "${key}" both name collection ${name}; keep one of them`);
    const single = schema.get(name)?.def.single === true;
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        if (!isPlainObject(item)) throw new ImportError(`${key}[${i}] is not an object`);
      });
      if (single && value.length > 1)
        throw new ImportError(`${key} holds one record at most, and the file has ${value.length}`);
      collections.set(name, value as Record<string, unknown>[]);
    } else if (isPlainObject(value) && (single || perKey)) {
      collections.set(name, [value]);
    } else {
      const what = isPlainObject(value)
        ? `an object, and collection "${name}" is not single: true (or import with --collection-per-key)`
        : `${value === null ? 'null' : `a ${typeof value}`}, not an array of records`;
      skipped.push(`"${key}" (${what})`);
      continue;
    }
    if (name !== key) keys.set(name, key);
  }
  return { collections, keys, skipped };
}

/** "2 posts, 3 users (into json_users)": what an import wrote, by the file's keys. */
export function importSummary(plan: ImportPlan, counts: ReadonlyMap<string, number>): string {
  const parts = [...counts].map(([name, n]) => {
    const key = plan.keys.get(name);
    return key === undefined ? `${n} ${name}` : `${n} ${key} (into ${name})`;
  });
  return parts.join(', ') || 'nothing';
}

function stamp(value: unknown, fallback: string): string {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value))
    ? new Date(value).toISOString()
    : fallback;
}

/** A relation value as json-server writes it (`1`) in the form we store (`"1"`); others are left to validation. */
function relationText(value: unknown): unknown {
  return typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
}

/** The file's fields with numeric relation values (one or `multiple`) turned into id text. */
function withTextRelations(compiled: CompiledCollection, fields: Record<string, unknown>) {
  const out = { ...fields };
  for (const [name, def] of Object.entries(compiled.def.fields)) {
    if (def.type !== 'relation' || !Object.hasOwn(out, name)) continue;
    const value = out[name];
    out[name] = Array.isArray(value) ? value.map(relationText) : relationText(value);
  }
  return out;
}

/**
 * A record to store from an imported object, validated like a create;
 * throws ImportError naming it. Without timestamps of its own it is
 * stamped `now`: pass each record of a file a millisecond after the one
 * before, so lists (oldest first) and exports keep the file's order.
 */
export function toRecord(
  compiled: CompiledCollection,
  item: Record<string, unknown>,
  where: string,
  now: string,
): PlannedRecord {
  const { id, created, updated, ...fields } = item;
  let values: Record<string, unknown>;
  try {
    values = compiled.fromBody(withTextRelations(compiled, fields));
  } catch (error) {
    if (!isProblem(error)) throw error;
    const issues = (error.errors ?? []).map((e) => `${e.field} ${e.message}`).join('; ');
    throw new ImportError(`${where}: ${issues || error.detail}`);
  }
  let textId: string | null = null;
  if (id !== undefined && id !== null) {
    textId = typeof id === 'number' || typeof id === 'string' ? String(id) : '';
    if (!ID_PATTERN.test(textId))
      throw new ImportError(
        `${where}: id ${JSON.stringify(id)} is not a valid id (a whole number, or 1 to 64 of A-Z a-z 0-9 _ -)`,
      );
  }
  const record: Record<string, unknown> = { id: textId };
  for (const name of compiled.fieldNames) record[name] = values[name] ?? null;
  record.created = stamp(created, now);
  record.updated = stamp(updated, record.created as string);
  return record as PlannedRecord;
}
