/**
 * Every collection out as JSON. With `jsonServer`, in the shape json-server
 * reads (what `import` took): arrays of plain objects, a single
 * collection's record as an object, whole-number ids as numbers in
 * `ids: "increment"` collections and relation values as numbers when they
 * point into one, no created/updated, no null values, each collection
 * under its json-server name (`jsonServerName`), the accounts collection
 * only when it holds accounts and no other collection is named users there. Otherwise every record as the
 * API serves it (users without their password hashes).
 */
import type { CompiledCollection } from '../schema/compile-collection.js';
import { jsonServerNames } from '../schema/json-server-names.js';
import type { RecordData } from '../schema/types.js';
import type { Store } from '../store/store.js';
import { jsonServerRecord } from './json-server-record.js';

const PAGE = 1000;

export interface ExportOptions {
  /** The db.json shape (see the module comment). */
  jsonServer?: boolean;
}

/** Every record of a collection, oldest first, a keyset page at a time (no OFFSET walking earlier rows). */
async function allRecords(store: Store, name: string): Promise<RecordData[]> {
  const items: RecordData[] = [];
  let after: unknown[] | null = null;
  for (;;) {
    const page = await store.list(name, {
      filter: null,
      sort: [],
      limit: PAGE,
      offset: 0,
      after,
      count: false,
    });
    items.push(...page.items);
    const last = page.items[page.items.length - 1];
    if (!last || page.items.length < PAGE) break;
    // The order without a sort: created, then id (query/cursor.ts orderKeys).
    after = [last.created, last.id];
  }
  return items;
}

/** Every collection's records (see the module comment for the two shapes). */
export async function exportData(
  store: Store,
  schema: ReadonlyMap<string, CompiledCollection>,
  options: ExportOptions = {},
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const keys = jsonServerNames(schema).byCollection;
  for (const [name, { def }] of schema) {
    if (!options.jsonServer) {
      out[name] = await allRecords(store, name);
      continue;
    }
    const key = keys.get(name);
    if (key === undefined) continue;
    const items = await allRecords(store, name);
    if (def.single) out[key] = items[0] ? jsonServerRecord(def, items[0], schema) : {};
    else if (!def.auth || items.length > 0) out[key] = items.map((r) => jsonServerRecord(def, r, schema));
  }
  return out;
}
