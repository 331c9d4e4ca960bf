/**
 * Writing an import plan (import-plan.ts): every record validated and every
 * relation checked against the file and the database before anything is
 * written, then written in transactions of a few hundred records. A record
 * whose id exists replaces it. Records without an id get the next number
 * in an `ids: "increment"` collection (after every record that has one, so
 * a number never lands on an id the file gives later), a random id
 * otherwise; a single collection's record keeps the id of the one stored,
 * or takes the collection's name as its id (see SINGLE_ID).
 */
import type { CompiledCollection } from '../schema/compile-collection.js';
import type { RecordData } from '../schema/types.js';
import type { Store, StoreTx } from '../store/store.js';
import { randomId } from '../util/id.js';
import { ImportError, type ImportPlan, type PlannedRecord, toRecord } from './import-plan.js';
import { singleId } from './json-server-record.js';

export interface ImportProgress {
  collection: string;
  done: number;
  total: number;
}

const BATCH = 500;

const valuesOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : value == null ? [] : [value]);

/** Every relation of the imported records names a record of the file or of the database, or nothing is written. */
async function checkImportedRelations(
  store: Store,
  schema: ReadonlyMap<string, CompiledCollection>,
  records: ReadonlyMap<string, readonly PlannedRecord[]>,
): Promise<void> {
  const known = new Map<string, Set<string>>();
  for (const [name, list] of records)
    known.set(name, new Set(list.flatMap((r) => (r.id === null ? [] : [r.id]))));
  const problems: string[] = [];
  for (const [name, list] of records) {
    const fields = Object.entries((schema.get(name) as CompiledCollection).def.fields).filter(
      ([, f]) => f.type === 'relation' && f.collection !== undefined,
    );
    for (const [field, def] of fields) {
      const target = def.collection as string;
      const targets = new Set<string>();
      for (const record of list) for (const id of valuesOf(record[field])) targets.add(id as string);
      const missing = [...targets].filter((id) => !known.get(target)?.has(id));
      const stored = new Set<string>();
      for (let i = 0; i < missing.length; i += BATCH) {
        for (const r of await store.getMany(target, missing.slice(i, i + BATCH))) stored.add(r.id);
      }
      list.forEach((record, i) => {
        for (const id of valuesOf(record[field])) {
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

/** A single collection's record: under the stored record's id, never beside it. */
async function placeSingle(store: Store, name: string, record: PlannedRecord): Promise<void> {
  const page = await store.list(name, { filter: null, sort: [], limit: 1, offset: 0, count: false });
  const existing = page.items[0]?.id;
  if (record.id === null && existing !== undefined) record.id = existing;
  if (existing !== undefined && record.id !== existing) {
    throw new ImportError(
      `${name} holds one record at most and has "${existing}" already, but the file's has the id "${record.id}"; give it the id "${existing}" or delete that record first`,
    );
  }
}

async function write(tx: StoreTx, compiled: CompiledCollection, record: PlannedRecord): Promise<void> {
  const name = compiled.def.name;
  if (record.id === null) {
    if (compiled.def.ids === 'increment') record.id = await tx.nextId(name);
    else record.id = compiled.def.single ? singleId(name) : randomId();
  }
  const full = record as RecordData;
  if (await tx.get(name, full.id)) await tx.update(name, full);
  else await tx.insert(name, full);
}

/** Import every planned collection. Returns counts per collection. */
export async function importData(
  store: Store,
  schema: ReadonlyMap<string, CompiledCollection>,
  plan: ImportPlan,
  onProgress: (p: ImportProgress) => void,
): Promise<Map<string, number>> {
  const names = [...plan.collections.keys()];
  const missing = names.filter((name) => !schema.has(name) || schema.get(name)?.def.auth);
  if (missing.length > 0) {
    throw new ImportError(
      `no collection ${missing.map((m) => `"${m}"`).join(', ')} in the config; declare ${missing.length > 1 ? 'them' : 'it'} under "collections" first`,
    );
  }
  const now = Date.now();
  // Validate everything before writing anything, so a bad record never leaves half an import.
  const records = new Map<string, PlannedRecord[]>();
  for (const [name, items] of plan.collections) {
    const compiled = schema.get(name) as CompiledCollection;
    // A millisecond apart, the last one now: oldest first is the file's order (none in the future).
    const at = (i: number) => new Date(now - (items.length - 1 - i)).toISOString();
    const key = plan.keys.get(name) ?? name;
    const list = items.map((item, i) => toRecord(compiled, item, `${key}[${i}]`, at(i)));
    if (compiled.def.single && list[0]) await placeSingle(store, name, list[0]);
    records.set(name, list);
  }
  await checkImportedRelations(store, schema, records);
  const counts = new Map<string, number>();
  for (const [name, planned] of records) {
    const compiled = schema.get(name) as CompiledCollection;
    // Numbered last, so the counter has passed every id the file gives (see the module comment).
    const list = [...planned.filter((r) => r.id !== null), ...planned.filter((r) => r.id === null)];
    for (let i = 0; i < list.length; i += BATCH) {
      const chunk = list.slice(i, i + BATCH);
      await store.transaction(async (tx) => {
        for (const record of chunk) await write(tx, compiled, record);
      });
      onProgress({ collection: name, done: Math.min(i + BATCH, list.length), total: list.length });
    }
    if (list.length === 0) onProgress({ collection: name, done: 0, total: 0 });
    counts.set(name, list.length);
  }
  return counts;
}
