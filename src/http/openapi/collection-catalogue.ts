/**
 * `x-collections`: each collection's fields as the config declares them
 * (type, constraints, relation target), so a generic client — the admin
 * page is one — can build forms and tables from the public document alone.
 */
import type { FieldDef } from '../../schema/types.js';
import type { CollectionDoc, Json } from './names.js';

/** The keys of a field definition a client may see; `onDelete` says what a delete of the target does. */
const PUBLISHED: readonly (keyof FieldDef)[] = [
  'type',
  'required',
  'unique',
  'min',
  'max',
  'pattern',
  'values',
  'default',
  'multiple',
  'maxSize',
  'accept',
  'collection',
  'hidden',
  'onDelete',
];

function fieldEntry(def: FieldDef): Json {
  const entry: Json = {};
  for (const key of PUBLISHED) if (def[key] !== undefined) entry[key] = def[key] as unknown;
  if (def.type === 'relation') entry.onDelete ??= 'restrict';
  return entry;
}

/** The `x-collections` extension: collection name → `{ auth, requireIfMatch, fields }` in declaration order. */
export function collectionCatalogue(collections: readonly CollectionDoc[]): Json {
  const out: Json = {};
  for (const c of collections) {
    const fields: Json = {};
    for (const [name, def] of Object.entries(c.def.fields)) fields[name] = fieldEntry(def);
    out[c.name] = { auth: c.def.auth === true, requireIfMatch: c.def.requireIfMatch, fields };
  }
  return out;
}
