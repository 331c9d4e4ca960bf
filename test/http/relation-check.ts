/**
 * The invariant PRODUCT.md promises: a relation never points to a record
 * that does not exist. Read straight from the store, every collection.
 */
import assert from 'node:assert/strict';
import type { RecordData } from '../../src/schema/types.js';
import type { TestApp } from '../harness.js';

async function everyRecord(t: TestApp, collection: string): Promise<RecordData[]> {
  const out: RecordData[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await t.store.list(collection, {
      filter: null,
      sort: [{ field: 'id', desc: false }],
      limit: 1000,
      offset,
      count: false,
    });
    out.push(...page.items);
    if (page.items.length < 1000) return out;
  }
}

/** Every relation value (single or multiple) of every stored record; returns how many were checked. */
export async function assertNoDanglingRelations(t: TestApp, what = ''): Promise<number> {
  const ids = new Map<string, Set<string>>();
  const idsOf = async (collection: string) => {
    let set = ids.get(collection);
    if (set === undefined) {
      set = new Set((await everyRecord(t, collection)).map((r) => r.id));
      ids.set(collection, set);
    }
    return set;
  };
  let checked = 0;
  for (const [name, def] of Object.entries(t.config.collections)) {
    const relations = Object.entries(def.fields).filter(([, f]) => f.type === 'relation');
    if (relations.length === 0) continue;
    for (const record of await everyRecord(t, name)) {
      for (const [field, fdef] of relations) {
        const value = record[field];
        const targets = Array.isArray(value) ? value : value == null ? [] : [value];
        const existing = await idsOf(fdef.collection as string);
        for (const target of targets) {
          checked++;
          assert.ok(
            existing.has(target as string),
            `${name}/${record.id}.${field} points to ${fdef.collection}/${String(target)}, which does not exist ${what}`,
          );
        }
      }
    }
  }
  return checked;
}
