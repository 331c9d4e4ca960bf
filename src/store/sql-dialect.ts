/**
 * What differs between the SQL the two adapters speak, in one place, with
 * the defaults shared by both (kysely's dialect-adapter-base idea).
 */
import type { StorageKind } from '../schema/field-type.js';

export interface SqlDialect {
  readonly name: 'sqlite' | 'postgres';
  /** Column type for a storage kind. */
  columnType(storage: StorageKind): string;
  /** The n-th (1-based) parameter placeholder. */
  placeholder(n: number): string;
  /** SQL that is true for a value the column's declared type does not hold. */
  strayCondition(column: string, type: string): string;
}

/** Double-quoted identifier. Names are validated at config load; quoting keeps keywords safe. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  columnType(storage) {
    switch (storage) {
      case 'integer':
      case 'boolean':
        return 'INTEGER';
      case 'real':
        return 'REAL';
      default:
        return 'TEXT';
    }
  },
  placeholder: () => '?',
  strayCondition(column, type) {
    const fits = type === 'INTEGER' ? "'integer'" : type === 'REAL' ? "'real', 'integer'" : "'text'";
    return `typeof(${column}) NOT IN (${fits}, 'null')`;
  },
};

export const postgresDialect: SqlDialect = {
  name: 'postgres',
  columnType(storage) {
    switch (storage) {
      case 'integer':
        return 'BIGINT';
      case 'real':
        return 'DOUBLE PRECISION';
      case 'boolean':
        return 'BOOLEAN';
      case 'json':
        return 'JSONB';
      default:
        return 'TEXT';
    }
  },
  placeholder: (n) => `$${n}`,
  // PostgreSQL columns only ever hold their declared type.
  strayCondition: () => 'FALSE',
};

/** Index names follow one convention so migrations can find them again. */
export function indexName(table: string, column: string, kind: 'unique' | 'rel'): string {
  return `${table}__${column}__${kind}`;
}

export const CREATED_INDEX = (table: string) => `${table}__created__idx`;
