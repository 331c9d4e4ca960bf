/** Small pieces of the write path: key order, field selection, normalisation, conflicts. */
import type { CompiledCollection } from '../schema/compile-collection.js';
import type { RecordData } from '../schema/types.js';
import type { UniqueViolation } from '../store/errors.js';
import { Problem } from '../util/problem.js';

/** The 409 for a unique field that another record already holds. */
export function uniqueProblem(error: UniqueViolation): Problem {
  return new Problem(
    'uniqueViolation',
    `Another record in ${error.collection} already has this ${error.field}.`,
    {
      errors: [
        { field: error.field, code: 'unique', message: 'must be unique: another record has this value' },
      ],
    },
  );
}

/** The declared fields of a record, as a plain object. */
export function fieldsOf(record: RecordData, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const n of names) out[n] = record[n];
  return out;
}

/** A record with keys in the one order every response uses. */
export function assemble(
  compiled: CompiledCollection,
  id: string,
  values: Record<string, unknown>,
  created: string,
  updated: string,
): RecordData {
  const record: Record<string, unknown> = { id };
  for (const n of compiled.fieldNames) record[n] = values[n] ?? null;
  record.created = created;
  record.updated = updated;
  return record as RecordData;
}

/** Emails of an auth collection are kept lowercased, so logins and the unique index see one address. */
export function normaliseAuthFields(def: CompiledCollection['def'], values: Record<string, unknown>): void {
  if (def.auth && typeof values.email === 'string') values.email = values.email.toLowerCase();
}

/** An id in the body that differs from the URL's is a conflict; an equal one is ignored. */
export function checkBodyId(body: Record<string, unknown>, id: string): void {
  if (Object.hasOwn(body, 'id') && body.id !== id) {
    throw new Problem(
      'idMismatch',
      `The body's id ${JSON.stringify(body.id)} differs from the URL's id "${id}".`,
    );
  }
}
