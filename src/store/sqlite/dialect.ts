/** SQLite's SQL: dynamic typing, 0/1 booleans, JSON as text, `?` placeholders. */
import type { MatchAt } from '../../query/ast.js';
import type { ParamValue } from '../../query/sql-target.js';
import type { StorageKind } from '../../schema/field-type.js';
import { DialectBase } from '../dialect.js';

/** The SQLite function `~` compiles to: contains(text, lowercased needle), see functions.ts. */
export const SQLITE_CONTAINS = 'methodical_contains';

class SqliteDialect extends DialectBase {
  readonly name = 'sqlite';
  // SQLite has IS DISTINCT FROM only since 3.39; IS NOT means the same.
  override readonly distinctFrom = 'IS NOT';

  columnType(storage: StorageKind): string {
    switch (storage) {
      case 'integer':
      case 'boolean':
        return 'INTEGER';
      case 'real':
        return 'REAL';
      default:
        return 'TEXT';
    }
  }

  override encodeParam(value: ParamValue): unknown {
    return typeof value === 'boolean' ? (value ? 1 : 0) : value;
  }

  /** SQLite already sorts NULLs first ascending and last descending. */
  override orderTerm(column: string, desc: boolean): string {
    return desc ? `${column} DESC` : column;
  }

  contains(
    subject: string,
    needle: string,
    param: (value: ParamValue) => string,
    at: MatchAt = 'anywhere',
  ): string {
    // LIKE '%…%' costs text × pattern per row, so a long pattern over long texts could hold the
    // database for seconds; the store's contains() is linear (see functions.ts).
    if (at === 'anywhere') return `${SQLITE_CONTAINS}(${subject}, ${param(needle)})`;
    return `${SQLITE_CONTAINS}(${subject}, ${param(needle)}, '${at}')`;
  }

  override strayCondition(column: string, type: string): string {
    const fits = type === 'INTEGER' ? "'integer'" : type === 'REAL' ? "'real', 'integer'" : "'text'";
    return `typeof(${column}) NOT IN (${fits}, 'null')`;
  }
}

export const sqliteDialect = new SqliteDialect();
