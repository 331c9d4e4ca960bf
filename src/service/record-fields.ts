/** A record's fields on the write path: selection, the one key order, normalisation. */
import type { CompiledCollection } from '../schema/compile-collection.js';
import type { RecordData } from '../schema/types.js';

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
