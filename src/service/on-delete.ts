/**
 * What deleting a record does to the records whose relation fields point to
 * it, by each field's `onDelete`: `cascade` deletes them too (through the
 * writer, so their hooks run and their files go), `setNull` clears the
 * relation (removes the id from a `multiple` one), and `restrict` (the
 * default) refuses the delete with a 409 naming who still points to it.
 * All of it happens in the delete's transaction, so a relation never points
 * to a record that does not exist.
 */
import type { Expr } from '../query/ast.js';
import type { CompiledCollection } from '../schema/compile-collection.js';
import type { OnDelete, RecordData } from '../schema/types.js';
import type { StoreTx } from '../store/store.js';
import { Problem } from '../util/problem.js';

/** A relation field of `collection` that points into some collection. */
export interface IncomingRelation {
  collection: string;
  field: string;
  multiple: boolean;
  onDelete: OnDelete;
}

/** The writes a cascade or a setNull is made of (the RecordWriter's, with system rights). */
export interface ReferenceWrites {
  /** Records being deleted in this transaction (by `deletionKey`): skipped, they are going anyway. */
  deleting: ReadonlySet<string>;
  /** Delete `record` (as read just now in this transaction). */
  remove(collection: string, record: RecordData): Promise<void>;
  /** Merge `changes` into `record` (as read just now in this transaction). */
  update(collection: string, record: RecordData, changes: Record<string, unknown>): Promise<void>;
}

const PAGE = 1000;
const incomingCache = new WeakMap<ReadonlyMap<string, CompiledCollection>, Map<string, IncomingRelation[]>>();

/** The key of a record in `ReferenceWrites.deleting`. */
export function deletionKey(collection: string, id: string): string {
  return `${collection}\u0000${id}`;
}

/** Every relation field, of any collection, that points into `target`. */
export function incomingRelations(
  schema: ReadonlyMap<string, CompiledCollection>,
  target: string,
): readonly IncomingRelation[] {
  let byTarget = incomingCache.get(schema);
  if (byTarget === undefined) {
    byTarget = new Map();
    for (const { def } of schema.values()) {
      for (const [field, fdef] of Object.entries(def.fields)) {
        if (fdef.type !== 'relation' || fdef.collection === undefined) continue;
        const list = byTarget.get(fdef.collection) ?? [];
        list.push({
          collection: def.name,
          field,
          multiple: fdef.multiple === true,
          onDelete: fdef.onDelete ?? 'restrict',
        });
        byTarget.set(fdef.collection, list);
      }
    }
    incomingCache.set(schema, byTarget);
  }
  return byTarget.get(target) ?? [];
}

/** Whether a relation value names `id`. */
function pointsTo(value: unknown, id: string): boolean {
  return Array.isArray(value) ? value.includes(id) : value === id;
}

/** The records whose relation field names `id`, but those being deleted. */
async function referrers(
  tx: StoreTx,
  relation: IncomingRelation,
  id: string,
  deleting: ReadonlySet<string>,
): Promise<RecordData[]> {
  const field = { kind: 'field', name: relation.field, pos: 0 } as const;
  // A multiple relation is a JSON array: find it by substring (case-insensitive), then check exactly.
  const filter: Expr = relation.multiple
    ? { kind: 'cmp', op: '~', left: field, right: { kind: 'literal', value: `"${id}"`, pos: 0 }, pos: 0 }
    : { kind: 'cmp', op: '=', left: field, right: { kind: 'literal', value: id, pos: 0 }, pos: 0 };
  const found: RecordData[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await tx.list(relation.collection, {
      filter,
      sort: [{ field: 'id', desc: false }],
      limit: PAGE,
      offset,
      count: false,
    });
    for (const record of page.items) {
      if (!pointsTo(record[relation.field], id)) continue;
      if (deleting.has(deletionKey(relation.collection, record.id))) continue;
      found.push(record);
    }
    if (page.items.length < PAGE) return found;
  }
}

/** "2 records of reviews (book) and 1 record of loans (item)" */
function describeReferrers(held: readonly { relation: IncomingRelation; count: number }[]): string {
  const parts = held.map(
    ({ relation, count }) =>
      `${count} record${count === 1 ? '' : 's'} of ${relation.collection} (${relation.field})`,
  );
  return parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/**
 * Before `collection`'s record `id` is deleted: cascade and setNull first,
 * then refuse (409) if a restrict relation still points to it.
 */
export async function releaseReferences(
  schema: ReadonlyMap<string, CompiledCollection>,
  tx: StoreTx,
  collection: string,
  id: string,
  writes: ReferenceWrites,
): Promise<void> {
  const incoming = incomingRelations(schema, collection);
  if (incoming.length === 0) return;
  for (const relation of incoming) {
    if (relation.onDelete === 'restrict') continue;
    for (const record of await referrers(tx, relation, id, writes.deleting)) {
      // An earlier cascade of this delete may have changed or removed it already.
      const current = await tx.get(relation.collection, record.id);
      if (current === undefined || !pointsTo(current[relation.field], id)) continue;
      if (writes.deleting.has(deletionKey(relation.collection, record.id))) continue;
      if (relation.onDelete === 'cascade') {
        await writes.remove(relation.collection, current);
      } else {
        const value = current[relation.field];
        const cleared = Array.isArray(value) ? value.filter((v) => v !== id) : null;
        await writes.update(relation.collection, current, { [relation.field]: cleared });
      }
    }
  }
  const held: { relation: IncomingRelation; count: number }[] = [];
  for (const relation of incoming) {
    if (relation.onDelete !== 'restrict') continue;
    const count = (await referrers(tx, relation, id, writes.deleting)).length;
    if (count > 0) held.push({ relation, count });
  }
  if (held.length === 0) return;
  throw new Problem(
    'stillReferenced',
    `${collection} "${id}" cannot be deleted: ${describeReferrers(held)} still point to it. ` +
      'Delete or change those first, or give the relation onDelete "cascade" or "setNull".',
    {
      extra: {
        referencedBy: held.map(({ relation, count }) => ({
          collection: relation.collection,
          field: relation.field,
          count,
        })),
      },
    },
  );
}
