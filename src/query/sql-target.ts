/** What the filter compiler needs from a store: columns by field name and a parameter list. */
import type { StorageKind } from '../schema/field-type.js';

export type SqlDialect = 'sqlite' | 'postgres';

/** A value handed to the database as a bound parameter, never spliced into SQL. */
export type ParamValue = string | number | boolean | null;

export interface ColumnInfo {
  /** The column reference, already quoted by the store (e.g. `"books"."title"`). */
  sql: string;
  storage: StorageKind;
  /** Stored as JSON text whatever `storage` says. */
  multiple: boolean;
}

export interface SqlTarget {
  dialect: SqlDialect;
  /** The column for a field name; `undefined` for a field the caller may not filter on. */
  column(name: string): ColumnInfo | undefined;
  /** Appends a parameter and returns its placeholder (`?` or `$n`). */
  param(value: ParamValue): string;
}
