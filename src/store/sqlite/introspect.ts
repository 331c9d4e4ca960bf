import type Database from 'better-sqlite3';
import { quoteIdent } from '../dialect.js';
import type { ActualTable, Introspection } from '../migration-plan.js';
import { sqliteDialect } from './dialect.js';

/** What tables, columns and indexes the SQLite file has now. */
export function introspectSqlite(db: Database.Database): Introspection {
  const tables = new Map<string, ActualTable>();
  const names = db
    .prepare<[], { name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '\\_%' ESCAPE '\\'",
    )
    .all();
  for (const { name } of names) {
    const columns = new Map<string, string>();
    for (const c of db
      .prepare<[], { name: string; type: string }>(`PRAGMA table_info(${quoteIdent(name)})`)
      .all()) {
      columns.set(c.name, c.type.toUpperCase());
    }
    const indexes = new Set<string>();
    for (const i of db.prepare<[], { name: string }>(`PRAGMA index_list(${quoteIdent(name)})`).all()) {
      if (!i.name.startsWith('sqlite_')) indexes.add(i.name);
    }
    tables.set(name, { columns, indexes });
  }
  return {
    tables,
    async hasData(table, column) {
      const row = db
        .prepare(`SELECT 1 FROM ${quoteIdent(table)} WHERE ${quoteIdent(column)} IS NOT NULL LIMIT 1`)
        .get();
      return row !== undefined;
    },
    async strayValues(table, column, type) {
      // A TEXT column turns whatever it is given into text: only numeric ones can keep a stray value.
      if (type !== 'INTEGER' && type !== 'REAL') return 0;
      const row = db
        .prepare<[], { n: number }>(
          `SELECT count(*) AS n FROM ${quoteIdent(table)} WHERE ${sqliteDialect.strayCondition(quoteIdent(column), type)}`,
        )
        .get();
      return row?.n ?? 0;
    },
  };
}
