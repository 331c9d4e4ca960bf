import type { FieldIssueCode } from '../util/problem.js';
import type { FieldDef, FieldType } from './types.js';

/** How a field's value is kept in a database column. */
export type StorageKind = 'text' | 'integer' | 'real' | 'boolean' | 'json';

/** A value check's outcome: the normalised value, or one issue. */
export type CheckResult = { ok: true; value: unknown } | { ok: false; code: FieldIssueCode; message: string };

/** One field type: validation, form coercion, storage and JSON Schema. */
export interface FieldTypeImpl {
  readonly type: FieldType;
  /** Constraint keys this type accepts in a config (besides required/unique/default). */
  readonly constraints: readonly string[];
  /** The column kind for a single (non-`multiple`) value. */
  readonly storage: StorageKind;
  /**
   * Check one non-null value from a JSON body against the field's constraints
   * (for `multiple` fields this is called once per element). Returns the
   * normalised value (e.g. a date in canonical ISO form).
   */
  check(value: unknown, def: FieldDef): CheckResult;
  /**
   * Turn one form value (urlencoded or multipart text part) into the JSON
   * value `check` expects. Returns the raw string when it cannot be
   * converted, so that `check` reports the problem. Empty strings never
   * reach this (an empty optional form value is `null`).
   */
  fromForm(value: string, def: FieldDef): unknown;
  /** JSON Schema (2020-12) of one value. */
  jsonSchema(def: FieldDef): Record<string, unknown>;
}
