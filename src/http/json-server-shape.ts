/**
 * Records as json-server 0.17 shows them, and bodies as its clients write
 * them: the fields and `id` without created/updated, nulls left out, ids
 * of `ids: "increment"` collections as JSON numbers (in `id` and in the
 * relations pointing to them); numbers written there are taken as the ids
 * they stand for.
 */
import type { JsonServerInfo } from '../query/json-server-query.js';
import type { ListInfo } from '../query/list-params.js';
import type { CompiledCollection } from '../schema/compile-collection.js';
import { jsonServerName, jsonServerNames } from '../schema/json-server-names.js';
import type { CollectionDef } from '../schema/types.js';
import { isPlainObject } from '../util/is-plain-object.js';

type Schema = ReadonlyMap<string, CompiledCollection>;

/** Whole numbers as an increment id spells them (no sign, no leading zero, exactly representable). */
const WHOLE = /^(0|[1-9][0-9]{0,15})$/;

function numericId(value: unknown): unknown {
  if (typeof value !== 'string' || !WHOLE.test(value)) return value;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value;
}

function isIncrement(schema: Schema, name: string | undefined): boolean {
  return name !== undefined && schema.get(name)?.def.ids === 'increment';
}

/** One record as json-server shows it. */
export function shapeRecord(schema: Schema, def: CollectionDef, record: Record<string, unknown>) {
  const out: Record<string, unknown> = {};
  // A single record is the object itself in json-server (`"profile": {…}`), with no id.
  if (!def.single) out.id = def.ids === 'increment' ? numericId(record.id) : record.id;
  for (const [name, value] of Object.entries(record)) {
    if (value === null || name === 'id' || name === 'created' || name === 'updated' || name === 'expand')
      continue;
    const fdef = def.fields[name];
    if (fdef?.type === 'relation' && isIncrement(schema, fdef.collection)) {
      out[name] = Array.isArray(value) ? value.map(numericId) : numericId(value);
    } else out[name] = value;
  }
  return out;
}

/** A body as a json-server client writes it, with numeric ids as the strings the API stores. */
export function adaptBody(def: CollectionDef, body: unknown): unknown {
  if (!isPlainObject(body)) return body;
  const out: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  const asId = (v: unknown) => (Number.isSafeInteger(v) && (v as number) >= 0 ? String(v) : v);
  if (Object.hasOwn(out, 'id')) out.id = asId(out.id);
  for (const [name, fdef] of Object.entries(def.fields)) {
    if (fdef.type !== 'relation' || !Object.hasOwn(out, name)) continue;
    const value = out[name];
    out[name] = Array.isArray(value) ? value.map(asId) : asId(value);
  }
  return out;
}

/**
 * The relation field of `child` pointing to `parent`: `postId` for posts
 * where there are several (`userId` for json_users, whose json-server name is users).
 */
export function parentField(schema: Schema, child: string, parent: string): string | undefined {
  const def = schema.get(child)?.def;
  if (!def) return undefined;
  const fields = Object.entries(def.fields)
    .filter(([, f]) => f.type === 'relation' && f.collection === parent && !f.multiple)
    .map(([name]) => name);
  return fields.find((name) => name === `${singular(jsonServerName(schema, parent))}Id`) ?? fields[0];
}

/** json-server's singular of a collection name: `posts` → `post`. */
export function singular(name: string): string {
  return name.endsWith('s') ? name.slice(0, -1) : name;
}

/**
 * What the query translator needs to know of a collection, beside the
 * fields the caller may query: the text fields `q` searches, the children
 * `_embed` names and the parents `_expand` names.
 */
export function jsonServerInfo(schema: Schema, name: string, info: ListInfo): JsonServerInfo {
  const known = infos.get(info);
  if (known) return known;
  const def = schema.get(name)?.def as CollectionDef;
  const searchable = Object.entries(def.fields)
    .filter(
      ([f, fdef]) => fdef.type !== 'relation' && info.fields[f]?.storage === 'text' && !info.hidden?.has(f),
    )
    .filter(([f]) => Object.hasOwn(info.fields, f) && !info.fields[f].multiple)
    .map(([f]) => f);
  const embeds: Record<string, string> = {};
  for (const [child, key] of jsonServerNames(schema).byCollection) {
    const field = parentField(schema, child, name);
    if (field !== undefined) embeds[key] = field;
  }
  const expands: Record<string, string> = {};
  for (const [field, fdef] of Object.entries(def.fields)) {
    if (fdef.type !== 'relation' || fdef.multiple || !Object.hasOwn(info.fields, field)) continue;
    // `postId` expands as `post`, as json-server names it; a relation named otherwise by its own name.
    const parent = field.endsWith('Id') && field.length > 2 ? field.slice(0, -2) : field;
    expands[parent] = field;
  }
  const numeric = new Set<string>();
  if (def.ids === 'increment') numeric.add('id');
  for (const [field, fdef] of Object.entries(def.fields)) {
    if (fdef.type === 'relation' && !fdef.multiple && isIncrement(schema, fdef.collection))
      numeric.add(field);
  }
  const out = { ...info, searchable, embeds, expands, numeric };
  infos.set(info, out);
  return out;
}

/** The reader keeps one ListInfo per collection and view: each gets its translation once. */
const infos = new WeakMap<ListInfo, JsonServerInfo>();
