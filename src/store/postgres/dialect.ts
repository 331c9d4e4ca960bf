/**
 * PostgreSQL's SQL: `$n` placeholders, typed columns. Text columns use the
 * "C" collation so comparisons, ORDER BY and unique indexes go by code
 * point, as SQLite's BINARY does; JSON is kept as TEXT, so a record reads
 * back byte for byte what was written and `~` searches the same text.
 */
import type { Literal, MatchAt } from '../../query/ast.js';
import type { ColumnInfo, ParamValue } from '../../query/sql-target.js';
import type { StorageKind } from '../../schema/field-type.js';
import { DialectBase } from '../dialect.js';

/** The collation `~` lowercases under (full Unicode case mapping); see PostgresStore. */
export const LOWER_COLLATION = 'und-x-icu';

export class PostgresDialect extends DialectBase {
  readonly name = 'postgres';

  /** `lowerCollation`: the ICU collation lower() uses, or null to use the database's own. */
  constructor(private readonly lowerCollation: string | null = LOWER_COLLATION) {
    super();
  }

  columnType(storage: StorageKind): string {
    switch (storage) {
      case 'integer':
        return 'BIGINT';
      case 'real':
        return 'DOUBLE PRECISION';
      case 'boolean':
        return 'BOOLEAN';
      default:
        return 'TEXT';
    }
  }

  override columnDeclaration(storage: StorageKind): string {
    const type = this.columnType(storage);
    return type === 'TEXT' ? 'TEXT COLLATE "C"' : type;
  }

  override placeholder(n: number): string {
    return `$${n}`;
  }

  override literal(placeholder: string, value: Literal, other: ColumnInfo | null): string {
    if (other === null) {
      if (typeof value === 'number') return `${placeholder}::numeric`;
      return typeof value === 'boolean' ? `${placeholder}::boolean` : `${placeholder}::text`;
    }
    // An untyped parameter takes the column's type, and "1.5" is not valid input for an integer column.
    if (other.storage === 'integer' && typeof value === 'number' && !Number.isSafeInteger(value)) {
      return `${placeholder}::numeric`;
    }
    return placeholder;
  }

  contains(
    subject: string,
    needle: string,
    param: (value: ParamValue) => string,
    at: MatchAt = 'anywhere',
  ): string {
    // strpos, not ILIKE: no wildcards to escape, and the same answer as SQLite's methodical_contains.
    const text = this.lowerCollation ? `${subject} COLLATE "${this.lowerCollation}"` : subject;
    if (at === 'start') return `starts_with(lower(${text}), ${param(needle)}::text)`;
    if (at === 'end')
      return `right(lower(${text}), char_length(${param(needle)}::text)) = ${param(needle)}::text`;
    return `strpos(lower(${text}), ${param(needle)}::text) > 0`;
  }
}

export const postgresDialect = new PostgresDialect();
