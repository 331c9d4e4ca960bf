/** Relation fields must name records that exist. */
import type { CollectionDef, RecordData } from '../schema/types.js';
import type { StoreTx } from '../store/store.js';
import { type FieldIssue, validationProblem } from '../util/problem.js';

/** 422 listing every relation value that names a missing record. */
export async function checkRelations(def: CollectionDef, record: RecordData, tx: StoreTx): Promise<void> {
  const issues: FieldIssue[] = [];
  for (const [field, fdef] of Object.entries(def.fields)) {
    if (fdef.type !== 'relation' || !fdef.collection) continue;
    const value = record[field];
    const ids = Array.isArray(value) ? (value as string[]) : typeof value === 'string' ? [value] : [];
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
