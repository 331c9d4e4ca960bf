/**
 * A record in json-server's form: whole-number ids as numbers in
 * `ids: "increment"` collections, relation values as numbers when they
 * point into one, no created/updated, no null values, and a single
 * collection's record without its id when that is the one import gave it
 * (singleId). Used by `export`; the json-server routes can
 * render with it too.
 */
import type { CompiledCollection } from '../schema/compile-collection.js';
import type { CollectionDef, RecordData } from '../schema/types.js';

/** The id a single collection's record takes when an import gives none: its collection's name. */
export function singleId(collection: string): string {
  return collection;
}

/** An id as json-server would hold it: a number when it is one the collection counted (1, not "01"). */
export function jsonServerId(id: string, counted: boolean): string | number {
  return counted && /^(0|[1-9][0-9]{0,14})$/.test(id) ? Number(id) : id;
}

/** One record as json-server holds it in db.json (and serves it): see the rules above. */
export function jsonServerRecord(
  def: CollectionDef,
  record: RecordData,
  schema: ReadonlyMap<string, CompiledCollection>,
): Record<string, unknown> {
  const counted = (collection: string | undefined) =>
    collection !== undefined && schema.get(collection)?.def.ids === 'increment';
  const out: Record<string, unknown> = {};
  if (!(def.single && record.id === singleId(def.name))) out.id = jsonServerId(record.id, counted(def.name));
  for (const [name, field] of Object.entries(def.fields)) {
    const value = record[name];
    if (value === null || value === undefined) continue;
    if (field.type !== 'relation') out[name] = value;
    else {
      const number = counted(field.collection);
      out[name] = Array.isArray(value)
        ? value.map((v) => jsonServerId(v as string, number))
        : jsonServerId(value as string, number);
    }
  }
  return out;
}
