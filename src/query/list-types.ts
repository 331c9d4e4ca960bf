/** The shapes a list's parameters are checked against, shared by list-params.ts and cursor.ts. */
import type { StorageKind } from '../schema/field-type.js';

export interface ListField {
  storage: StorageKind;
  multiple: boolean;
  /** The target collection when this is a relation field. */
  relation?: string;
  /** Converts a query-string value the way a form value is (e.g. "1965" → 1965). */
  fromString(value: string): unknown;
}

export interface SortKey {
  field: string;
  desc: boolean;
  /**
   * json-server's order, for lists read without a cursor: missing values
   * sort as the largest (last ascending) rather than the smallest, and
   * `numeric` text (whole-number ids) by its value, "9" before "10".
   */
  missingLast?: boolean;
  numeric?: boolean;
}
