/**
 * Moving data in and out: a json-server `db.json` (top-level arrays of
 * objects) into collections, and every collection out as JSON. Records are
 * validated like API writes; ids are kept when they are valid ids.
 */
import type { CompiledCollection } from '../schema/compile-collection.js';
import { ID_PATTERN, type RecordData } from '../schema/types.js';
import type { Store } from '../store/store.js';
import { randomId } from '../util/id.js';
import { isPlainObject } from '../util/is-plain-object.js';
import { isProblem } from '../util/problem.js';

export interface ImportProgress {
  collection: string;
  done: number;
  total: number;
}

export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}

const BATCH = 500;

/** What to import: collection name → its records, per the file's shape and `perKey`. */
export function importPlan(data: unknown, perKey: boolean): Map<string, Record<string, unknown>[]> {
  if (!isPlainObject(data))
    throw new ImportError('the file must hold a JSON object whose keys name collections');
  const plan = new Map<string, Record<string, unknown>[]>();
  for (const [key, value] of Object.entries(data)) {
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        if (!isPlainObject(item)) throw new ImportError(`${key}[${i}] is not an object`);
      });
      plan.set(key, value as Record<string, unknown>[]);
    } else if (perKey && isPlainObject(value)) {
      plan.set(key, [value]);
    }
  }
  return plan;
}

function stamp(value: unknown, fallback: string): string {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value))
    ? new Date(value).toISOString()
    : fallback;
}

/** A stored record from an imported object, validated like a create. */
function toRecord(
  compiled: CompiledCollection,
  item: Record<string, unknown>,
  where: string,
  now: string,
): RecordData {
  const { id, created, updated, ...fields } = item;
  let values: Record<string, unknown>;
  try {
    values = compiled.fromBody(fields);
  } catch (error) {
    if (!isProblem(error)) throw error;
    const issues = (error.errors ?? []).map((e) => `${e.field} ${e.message}`).join('; ');
    throw new ImportError(`${where}: ${issues || error.detail}`);
  }
  const textId = typeof id === 'number' || typeof id === 'string' ? String(id) : '';
  const record: Record<string, unknown> = { id: ID_PATTERN.test(textId) ? textId : randomId() };
  for (const name of compiled.fieldNames) record[name] = values[name] ?? null;
  record.created = stamp(created, now);
  record.updated = stamp(updated, record.created as string);
  return record as RecordData;
}

/** Every relation of the imported records names a record of the file or of the database, or nothing is written. */
async function checkImportedRelations(
  store: Store,
  schema: ReadonlyMap<string, CompiledCollection>,
  records: ReadonlyMap<string, readonly RecordData[]>,
): Promise<void> {
  const known = new Map<string, Set<string>>();
  for (const [name, list] of records) known.set(name, new Set(list.map((r) => r.id)));
  const problems: string[] = [];
  for (const [name, list] of records) {
    const fields = Object.entries((schema.get(name) as CompiledCollection).def.fields).filter(
      ([, f]) => f.type === 'relation' && f.collection !== undefined,
    );
    for (const [field, def] of fields) {
      const target = def.collection as string;
      const targets = new Set<string>();
      for (const record of list) {
        const value = record[field];
        for (const id of Array.isArray(value) ? value : value == null ? [] : [value])
          targets.add(id as string);
      }
      const missing = [...targets].filter((id) => !known.get(target)?.has(id));
      const stored = new Set<string>();
      for (let i = 0; i < missing.length; i += BATCH) {
        for (const r of await store.getMany(target, missing.slice(i, i + BATCH))) stored.add(r.id);
      }
      list.forEach((record, i) => {
        const value = record[field];
        for (const id of Array.isArray(value) ? value : value == null ? [] : [value]) {
          if (known.get(target)?.has(id as string) || stored.has(id as string)) continue;
          problems.push(`${name}[${i}]: ${field} refers to "${id}", which is not a record of ${target}`);
        }
      });
    }
  }
  if (problems.length === 0) return;
  const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
  throw new ImportError(
    `${problems.slice(0, 5).join('; ')}${more}; import those records too, or fix the ids`,
  );
}

/** Import every planned collection; a record whose id exists replaces it. Returns counts per collection. */
export async function importData(
  store: Store,
  schema: ReadonlyMap<string, CompiledCollection>,
  plan: Map<string, Record<string, unknown>[]>,
  onProgress: (p: ImportProgress) => void,
): Promise<Map<string, number>> {
  const missing = [...plan.keys()].filter((name) => !schema.has(name) || schema.get(name)?.def.auth);
  if (missing.length > 0) {
    throw new ImportError(
      `no collection ${missing.map((m) => `"${m}"`).join(', ')} in the config; declare ${missing.length > 1 ? 'them' : 'it'} under "collections" first`,
    );
  }
  const now = new Date().toISOString();
  // Validate everything before writing anything, so a bad record never leaves half an import.
  const records = new Map<string, RecordData[]>();
  for (const [name, items] of plan) {
    const compiled = schema.get(name) as CompiledCollection;
    records.set(
      name,
      items.map((item, i) => toRecord(compiled, item, `${name}[${i}]`, now)),
    );
  }
  await checkImportedRelations(store, schema, records);
  const counts = new Map<string, number>();
  for (const [name, list] of records) {
    for (let i = 0; i < list.length; i += BATCH) {
      const chunk = list.slice(i, i + BATCH);
      await store.transaction(async (tx) => {
        for (const record of chunk) {
          if (await tx.get(name, record.id)) await tx.update(name, record);
          else await tx.insert(name, record);
        }
      });
      onProgress({ collection: name, done: Math.min(i + BATCH, list.length), total: list.length });
    }
    if (list.length === 0) onProgress({ collection: name, done: 0, total: 0 });
    counts.set(name, list.length);
  }
  return counts;
}

/** Every collection's records, in creation order (users without their password hashes). */
export async function exportData(
  store: Store,
  schema: ReadonlyMap<string, CompiledCollection>,
): Promise<Record<string, RecordData[]>> {
  const out: Record<string, RecordData[]> = {};
  for (const name of schema.keys()) {
    const items: RecordData[] = [];
    for (let offset = 0; ; offset += 1000) {
      const page = await store.list(name, { filter: null, sort: [], limit: 1000, offset, count: false });
      items.push(...page.items);
      if (page.items.length < 1000) break;
    }
    out[name] = items;
  }
  return out;
}
