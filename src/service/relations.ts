/** Relation fields must name records that exist. */
import type { CollectionDef, RecordData } from '../schema/types.js';
import type { StoreTx } from '../store/store.js';
import { type FieldIssue, validationProblem } from '../util/problem.js';

const idsOf = (value: unknown): string[] =>
  Array.isArray(value) ? (value as string[]) : typeof value === 'string' ? [value] : [];

/**
 * 422 listing every relation value that names a missing record. On an
 * update (`previous`, the stored record), only the ids the write adds are
 * looked up: one it keeps names a record that exists, since deleting that
 * record cascades, clears or refuses, and first waits for this write's lock.
 */
export async function checkRelations(
  def: CollectionDef,
  record: RecordData,
  tx: StoreTx,
  previous?: RecordData,
): Promise<void> {
  const issues: FieldIssue[] = [];
  for (const [field, fdef] of Object.entries(def.fields)) {
    if (fdef.type !== 'relation' || !fdef.collection) continue;
    const kept = new Set(previous === undefined ? [] : idsOf(previous[field]));
    const ids = idsOf(record[field]).filter((id) => !kept.has(id));
    if (ids.length === 0) continue;
    const found = new Set((await tx.getMany(fdef.collection, ids)).map((r) => r.id));
    for (const id of ids) {
      if (!found.has(id)) {
        issues.push({
          field,
          code: 'relation',
          message: `refers to "${id}", which is not a record of ${fdef.collection}`,
        });
      }
    }
  }
  if (issues.length > 0) throw validationProblem(issues);
}
