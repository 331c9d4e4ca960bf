/**
 * How a collection maps onto a table, shared by both adapters: column
 * names, storage kinds, indexes, and the record <-> row codec skeleton.
 */
import type { StorageKind } from '../schema/field-type.js';
import { fieldType } from '../schema/fields/index.js';
import type { CollectionDef, RecordData } from '../schema/types.js';
import { declaredIndexName } from './dialect.js';

export interface ColumnModel {
  name: string;
  storage: StorageKind;
  /** Part of the record JSON (false for the password hash). */
  visible: boolean;
  multiple: boolean;
  unique: boolean;
  /** Gets a plain index (relation fields). */
  indexed: boolean;
  /** Declared fields may be null; system columns may not. */
  nullable: boolean;
}

export interface TableModel {
  collection: string;
  table: string;
  /** In record order: id, declared fields, created, updated (+ hidden ones). */
  columns: readonly ColumnModel[];
  /** Columns by name, for filters and sorting. */
  byName: ReadonlyMap<string, ColumnModel>;
  fieldNames: readonly string[];
  /** The config's declared indexes, named (dialect.ts declaredIndexName). */
  indexes: readonly IndexModel[];
  /** `ids: "increment"`: integer ids written keep the collection's counter (id-counters.ts) ahead. */
  increment: boolean;
  /** `single: true`: an insert into a table that holds a record is refused. */
  single: boolean;
}

export interface IndexModel {
  name: string;
  keys: readonly { column: string; desc: boolean }[];
  unique: boolean;
}

export const PASSWORD_COLUMN = '_password_hash';

function system(name: string): ColumnModel {
  return {
    name,
    storage: 'text',
    visible: true,
    multiple: false,
    unique: false,
    indexed: false,
    nullable: false,
  };
}

/** The table of one collection. */
export function tableModel(def: CollectionDef): TableModel {
  const columns: ColumnModel[] = [system('id')];
  for (const [name, field] of Object.entries(def.fields)) {
    const multiple = field.multiple === true;
    columns.push({
      name,
      storage: multiple ? 'json' : fieldType(field.type).storage,
      visible: true,
      multiple,
      unique: field.unique === true,
      indexed: field.type === 'relation' && !multiple,
      nullable: true,
    });
  }
  columns.push(system('created'), system('updated'));
  if (def.auth) columns.push({ ...system(PASSWORD_COLUMN), visible: false, nullable: true });
  return {
    collection: def.name,
    table: def.name,
    columns,
    byName: new Map(columns.filter((c) => c.visible).map((c) => [c.name, c])),
    fieldNames: Object.keys(def.fields),
    indexes: (def.indexes ?? []).map((index) => ({
      name: declaredIndexName(def.name, index.fields, index.unique),
      keys: index.fields.map((k) => ({ column: k.field, desc: k.desc })),
      unique: index.unique,
    })),
    increment: def.ids === 'increment',
    single: def.single === true,
  };
}

/** Encodes a JS value for a column; the adapters differ only in booleans and JSON. */
export interface ValueCodec {
  encode(column: ColumnModel, value: unknown): unknown;
  decode(column: ColumnModel, value: unknown): unknown;
}

/** Build a record from a row in the model's column order. */
export function rowToRecord(model: TableModel, row: Record<string, unknown>, codec: ValueCodec): RecordData {
  const record: Record<string, unknown> = {};
  for (const column of model.columns) {
    if (!column.visible) continue;
    const raw = row[column.name];
    record[column.name] = raw === null || raw === undefined ? null : codec.decode(column, raw);
  }
  return record as RecordData;
}

/** The visible columns' values of a record, encoded, in column order. */
export function recordToValues(model: TableModel, record: RecordData, codec: ValueCodec): unknown[] {
  const values: unknown[] = [];
  for (const column of model.columns) {
    if (!column.visible) continue;
    const value = record[column.name];
    values.push(value === null || value === undefined ? null : codec.encode(column, value));
  }
  return values;
}

/** All tables of a schema, by collection name. */
export function tableModels(collections: Readonly<Record<string, CollectionDef>>): Map<string, TableModel> {
  return new Map(Object.values(collections).map((def) => [def.name, tableModel(def)]));
}
