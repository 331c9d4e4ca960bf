import { quoteIdent } from '../dialect.js';
import type { ActualTable, Introspection } from '../migration-plan.js';
import type { Queryable } from './transactions.js';

/** What tables, columns and indexes the store's schema (the first on search_path) has now. */
export async function introspectPostgres(db: Queryable): Promise<Introspection> {
  const tables = new Map<string, ActualTable>();
  const columns = await db.query<{ table_name: string; column_name: string; data_type: string }>(
    `SELECT table_name, column_name, data_type FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name NOT LIKE '\\_%'
     ORDER BY table_name, ordinal_position`,
  );
  for (const c of columns.rows) {
    let table = tables.get(c.table_name);
    if (!table) {
      table = { columns: new Map(), indexes: new Set() };
      tables.set(c.table_name, table);
    }
    table.columns.set(c.column_name, c.data_type.toUpperCase());
  }
  const indexes = await db.query<{ tablename: string; indexname: string }>(
    'SELECT tablename, indexname FROM pg_indexes WHERE schemaname = current_schema()',
  );
  for (const i of indexes.rows) {
    const table = tables.get(i.tablename);
    if (table && i.indexname !== `${i.tablename}_pkey`) table.indexes.add(i.indexname);
  }
  return {
    tables,
    async hasData(table, column) {
      const result = await db.query(
        `SELECT 1 FROM ${quoteIdent(table)} WHERE ${quoteIdent(column)} IS NOT NULL LIMIT 1`,
      );
      return (result.rowCount ?? 0) > 0;
    },
    // PostgreSQL columns only ever hold their declared type.
    strayValues: async () => 0,
  };
}
