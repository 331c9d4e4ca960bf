/**
 * Diff the tables the config wants against the tables the database has,
 * into migration steps with their SQL. Shared by both adapters; each one
 * supplies the introspection and its dialect.
 */
import { CREATED_INDEX, indexName, ownIndex, quoteIdent, type SqlDialect } from './dialect.js';
import type { MigrationStep } from './store.js';
import type { ColumnModel, IndexModel, TableModel } from './table-model.js';

export interface ActualTable {
  /** Column name → declared type, upper case. */
  columns: Map<string, string>;
  indexes: Set<string>;
}

export interface Introspection {
  tables: Map<string, ActualTable>;
  /** True when the column holds at least one non-null value. */
  hasData(table: string, column: string): Promise<boolean>;
  /**
   * How many values in the column are not of its declared type (SQLite keeps
   * what it cannot convert, e.g. text in an INTEGER column).
   */
  strayValues(table: string, column: string, type: string): Promise<number>;
}

/**
 * A relation's index also holds the default order, so "this owner's records,
 * newest page first" walks the index instead of sorting every match.
 */
function relationIndexSql(name: string, model: TableModel, column: string): string {
  const q = quoteIdent;
  return `CREATE INDEX ${q(name)} ON ${q(model.table)} (${q(column)}, ${q('created')}, ${q('id')})`;
}

/**
 * A declared index. Each key is ordered the way a list sorts by it (NULLs
 * first ascending, last descending: orderTerm), so PostgreSQL can walk it
 * for that ORDER BY; a plain one ends in `id`, the tie-break every list
 * sorts by last, so a sort by its keys and a cursor seek both use it.
 */
function declaredIndexSql(model: TableModel, index: IndexModel, dialect: SqlDialect): string {
  const q = quoteIdent;
  const terms = index.keys.map(({ column, desc }) => {
    const nullable = model.byName.get(column)?.nullable ?? true;
    return nullable ? dialect.orderTerm(q(column), desc) : `${q(column)}${desc ? ' DESC' : ''}`;
  });
  if (!index.unique && !index.keys.some((k) => k.column === 'id')) terms.push(q('id'));
  const kind = index.unique ? 'UNIQUE INDEX' : 'INDEX';
  return `CREATE ${kind} ${q(index.name)} ON ${q(model.table)} (${terms.join(', ')})`;
}

/** `genre, -year` as the config wrote it. */
function spelled(index: IndexModel): string {
  return index.keys.map((k) => `${k.desc ? '-' : ''}${k.column}`).join(', ');
}

function columnSql(column: ColumnModel, dialect: SqlDialect): string {
  const type = dialect.columnDeclaration(column.storage);
  if (column.name === 'id') return `${quoteIdent('id')} ${type} PRIMARY KEY`;
  return `${quoteIdent(column.name)} ${type}${column.nullable ? '' : ' NOT NULL'}`;
}

function indexSteps(
  model: TableModel,
  actual: ActualTable | undefined,
  dialect: SqlDialect,
): MigrationStep[] {
  const steps: MigrationStep[] = [];
  const q = quoteIdent;
  const want = new Map<string, string>();
  const declared = new Map<string, string>();
  want.set(
    CREATED_INDEX(model.table),
    `CREATE INDEX ${q(CREATED_INDEX(model.table))} ON ${q(model.table)} (${q('created')}, ${q('id')})`,
  );
  for (const column of model.columns) {
    if (column.unique) {
      const name = indexName(model.table, column.name, 'unique');
      want.set(name, `CREATE UNIQUE INDEX ${q(name)} ON ${q(model.table)} (${q(column.name)})`);
    } else if (column.indexed) {
      const name = indexName(model.table, column.name, 'rel');
      want.set(name, relationIndexSql(name, model, column.name));
    }
  }
  for (const index of model.indexes) {
    want.set(index.name, declaredIndexSql(model, index, dialect));
    declared.set(index.name, ` (declared: ${index.unique ? 'unique ' : ''}${spelled(index)})`);
  }
  for (const [name, sql] of want) {
    if (actual?.indexes.has(name)) continue;
    steps.push({
      kind: 'add-index',
      table: model.table,
      description: `create index ${name}${declared.get(name) ?? ''}`,
      destructive: false,
      sql: [sql],
    });
  }
  for (const name of actual?.indexes ?? []) {
    if (want.has(name) || !ownIndex(model.table, name)) continue;
    steps.unshift({
      kind: 'drop-index',
      table: model.table,
      description: `drop index ${name} (no longer wanted; no data is lost)`,
      destructive: false,
      sql: [`DROP INDEX ${q(name)}`],
    });
  }
  return steps;
}

/** Drop and re-add a column, with its indexes around it (SQLite cannot drop an indexed column). */
function retypeSql(
  model: TableModel,
  column: ColumnModel,
  dialect: SqlDialect,
  actual: ActualTable,
): string[] {
  const q = quoteIdent;
  const unique = indexName(model.table, column.name, 'unique');
  const plain = indexName(model.table, column.name, 'rel');
  // Declared indexes on the column that exist now are rebuilt here; new ones come with the index steps.
  const declared = model.indexes.filter(
    (index) => actual.indexes.has(index.name) && index.keys.some((k) => k.column === column.name),
  );
  const sql = [
    ...declared.map((index) => `DROP INDEX IF EXISTS ${q(index.name)}`),
    `DROP INDEX IF EXISTS ${q(unique)}`,
    `DROP INDEX IF EXISTS ${q(plain)}`,
    `ALTER TABLE ${q(model.table)} DROP COLUMN ${q(column.name)}`,
    `ALTER TABLE ${q(model.table)} ADD COLUMN ${columnSql(column, dialect)}`,
  ];
  if (column.unique) sql.push(`CREATE UNIQUE INDEX ${q(unique)} ON ${q(model.table)} (${q(column.name)})`);
  else if (column.indexed) sql.push(relationIndexSql(plain, model, column.name));
  for (const index of declared) sql.push(declaredIndexSql(model, index, dialect));
  return sql;
}

/** Set to null the values of a column that its declared type does not hold. */
function clearStraySql(table: string, column: string, type: string, dialect: SqlDialect): string {
  const q = quoteIdent;
  return `UPDATE ${q(table)} SET ${q(column)} = NULL WHERE ${dialect.strayCondition(q(column), type)}`;
}

/** The steps that bring the database's tables up to the models. */
export async function planTables(
  models: Iterable<TableModel>,
  introspection: Introspection,
  dialect: SqlDialect,
): Promise<MigrationStep[]> {
  const steps: MigrationStep[] = [];
  const q = quoteIdent;
  for (const model of models) {
    const actual = introspection.tables.get(model.table);
    if (!actual) {
      const columns = model.columns.map((c) => columnSql(c, dialect)).join(', ');
      steps.push({
        kind: 'create-table',
        table: model.table,
        description: `create table ${model.table} (${model.columns.map((c) => c.name).join(', ')})`,
        destructive: false,
        sql: [`CREATE TABLE ${q(model.table)} (${columns})`],
      });
      steps.push(...indexSteps(model, undefined, dialect));
      continue;
    }
    const wanted = new Set(model.columns.map((c) => c.name));
    for (const [name, type] of actual.columns) {
      if (wanted.has(name)) continue;
      const destructive = await introspection.hasData(model.table, name);
      steps.push({
        kind: 'drop-column',
        table: model.table,
        column: name,
        description: `drop column ${model.table}.${name}${destructive ? ' (holds data)' : ''} (was ${type})`,
        destructive,
        sql: [`ALTER TABLE ${q(model.table)} DROP COLUMN ${q(name)}`],
      });
    }
    for (const column of model.columns) {
      const have = actual.columns.get(column.name);
      const type = dialect.columnType(column.storage);
      if (have === undefined) {
        steps.push({
          kind: 'add-column',
          table: model.table,
          column: column.name,
          description: `add column ${model.table}.${column.name} ${type}`,
          destructive: false,
          sql: [`ALTER TABLE ${q(model.table)} ADD COLUMN ${columnSql(column, dialect)}`],
        });
      } else if (have !== type && column.name !== 'id') {
        const destructive = await introspection.hasData(model.table, column.name);
        steps.push({
          kind: 'retype-column',
          table: model.table,
          column: column.name,
          description: `retype column ${model.table}.${column.name} from ${have} to ${type}${destructive ? ' (holds data, which is dropped)' : ''}`,
          destructive,
          sql: retypeSql(model, column, dialect, actual),
        });
      } else if (column.name !== 'id') {
        const stray = await introspection.strayValues(model.table, column.name, type);
        if (stray > 0) {
          steps.push({
            kind: 'clear-values',
            table: model.table,
            column: column.name,
            description: `clear ${stray} value(s) of column ${model.table}.${column.name} that are not ${type} (holds data, which is dropped)`,
            destructive: true,
            sql: [clearStraySql(model.table, column.name, type, dialect)],
          });
        }
      }
    }
    // Index changes go first when they drop (a column with an index cannot be dropped in SQLite).
    const indexChanges = indexSteps(model, actual, dialect);
    steps.unshift(...indexChanges.filter((s) => s.kind === 'drop-index'));
    steps.push(...indexChanges.filter((s) => s.kind === 'add-index'));
  }
  return steps;
}
