/**
 * What the filter compiler needs from a store: columns by field name, a
 * parameter list, and the few pieces of SQL the dialects write differently
 * (FilterSql, implemented by each adapter's dialect in store/<adapter>/dialect.ts).
 * query/ never imports store/: the store hands these in.
 */
import type { StorageKind } from '../schema/field-type.js';
import type { Literal, MatchAt } from './ast.js';

/** A value handed to the database as a bound parameter, never spliced into SQL. */
export type ParamValue = string | number | boolean | null;

export interface ColumnInfo {
  /** The column reference, already quoted by the store (e.g. `"books"."title"`). */
  sql: string;
  storage: StorageKind;
  /** Stored as JSON text whatever `storage` says. */
  multiple: boolean;
}

/** The dialect hooks of the filter compiler. */
export interface FilterSql {
  /**
   * A literal's placeholder as it goes into a comparison, typed where the
   * database could not infer a type: `other` is the column on the other side,
   * or null when the other side is a literal too (or there is none).
   */
  literal(placeholder: string, value: Literal, other: ColumnInfo | null): string;
  /**
   * True when the text `subject` contains the needle, ignoring case, for all
   * of Unicode; NULL when the subject is NULL. `needle` arrives lowercased.
   * `at`: anywhere (the default), or only at the start or the end.
   */
  contains(subject: string, needle: string, param: (value: ParamValue) => string, at?: MatchAt): string;
  /** The null-safe "not equal" operator (`IS NOT` / `IS DISTINCT FROM`). */
  readonly distinctFrom: string;
}

export interface SqlTarget {
  sql: FilterSql;
  /** The column for a field name; `undefined` for a field the caller may not filter on. */
  column(name: string): ColumnInfo | undefined;
  /** Appends a parameter and returns its placeholder (`?` or `$n`). */
  param(value: ParamValue): string;
}
