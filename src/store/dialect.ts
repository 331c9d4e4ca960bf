/**
 * The one dialect type: what differs between the SQL the adapters speak,
 * with the shared defaults in one base class (kysely's
 * dialect-adapter-base idea). Each adapter's dialect lives in its folder
 * (sqlite/dialect.ts, postgres/dialect.ts) and overrides only what differs.
 * It also implements the filter compiler's hooks (query/sql-target.ts).
 */
import { createHash } from 'node:crypto';
import type { Literal, MatchAt } from '../query/ast.js';
import type { ColumnInfo, FilterSql, ParamValue } from '../query/sql-target.js';
import type { StorageKind } from '../schema/field-type.js';

export interface SqlDialect extends FilterSql {
  readonly name: 'sqlite' | 'postgres';
  /** Column type for a storage kind, as introspection reports it (upper case). */
  columnType(storage: StorageKind): string;
  /** The type as written in CREATE TABLE / ADD COLUMN (may add a collation). */
  columnDeclaration(storage: StorageKind): string;
  /** The n-th (1-based) parameter placeholder. */
  placeholder(n: number): string;
  /** A filter parameter as the driver takes it. */
  encodeParam(value: ParamValue): unknown;
  /** One ORDER BY term; NULLs sort first ascending and last descending, on every dialect. */
  orderTerm(column: string, desc: boolean): string;
  /** SQL that is true for a value the column's declared type does not hold. */
  strayCondition(column: string, type: string): string;
}

/** Defaults shared by the dialects; an adapter overrides what its database does differently. */
export abstract class DialectBase implements SqlDialect {
  abstract readonly name: 'sqlite' | 'postgres';
  abstract columnType(storage: StorageKind): string;
  abstract contains(
    subject: string,
    needle: string,
    param: (value: ParamValue) => string,
    at?: MatchAt,
  ): string;

  readonly distinctFrom: string = 'IS DISTINCT FROM';

  columnDeclaration(storage: StorageKind): string {
    return this.columnType(storage);
  }

  placeholder(_n: number): string {
    return '?';
  }

  encodeParam(value: ParamValue): unknown {
    return value;
  }

  literal(placeholder: string, _value: Literal, _other: ColumnInfo | null): string {
    return placeholder;
  }

  orderTerm(column: string, desc: boolean): string {
    return desc ? `${column} DESC NULLS LAST` : `${column} NULLS FIRST`;
  }

  /** Columns that only ever hold their declared type have no stray values. */
  strayCondition(_column: string, _type: string): string {
    return 'FALSE';
  }
}

/** Double-quoted identifier. Names are validated at config load; quoting keeps keywords safe. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Identifiers past this many bytes PostgreSQL cuts short (NAMEDATALEN - 1). */
const MAX_IDENTIFIER = 63;
const HASH_LENGTH = 12;
const KEEP = MAX_IDENTIFIER - HASH_LENGTH - 2;

/** A name that fits the limit: kept when short, else its start and a hash of the whole (ASCII names). */
function fit(name: string): string {
  if (name.length <= MAX_IDENTIFIER) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, HASH_LENGTH);
  return `${name.slice(0, KEEP)}__${hash}`;
}

/**
 * Index names follow one convention so migrations can find them again, the
 * same on every store: `<table>__<column>__<kind>`, shortened as fit() does
 * when table and column names together pass 63 bytes.
 */
export function indexName(table: string, column: string, kind: 'unique' | 'rel'): string {
  return fit(`${table}__${column}__${kind}`);
}

/**
 * A declared index's name spells out its keys (`-` cannot occur in a field
 * name, so `year-desc` is unambiguous): `books__genre-year-desc__index`, or
 * `__unique_index`. Any change to an index is a new name, so a migration
 * drops the old one and creates the new one rather than guessing.
 */
export function declaredIndexName(
  table: string,
  keys: readonly { field: string; desc: boolean }[],
  unique: boolean,
): string {
  const spelled = keys.map((k) => (k.desc ? `${k.field}-desc` : k.field)).join('-');
  return fit(`${table}__${spelled}__${unique ? 'unique_index' : 'index'}`);
}

export const CREATED_INDEX = (table: string) => fit(`${table}__created__idx`);

/** Whether an index of `table` is one the store made (and so may drop). */
export function ownIndex(table: string, name: string): boolean {
  const prefix = `${table}__`;
  if (name.startsWith(prefix)) return true;
  return (
    name.length === MAX_IDENTIFIER &&
    new RegExp(`__[0-9a-f]{${HASH_LENGTH}}$`).test(name) &&
    prefix.startsWith(name.slice(0, KEEP))
  );
}
