/**
 * The names json-server used for collections (`jsonServerName`, else the
 * collection's own name): the URL segment under `jsonServer: true`, the key
 * in a db.json, the name `_embed` takes. A collection that claims the name
 * of another keeps it only when that other is the accounts collection
 * (`users`), which then has no json-server name: it stays at /api/users and
 * out of db.json exports. Any other clash is refused by the config check.
 */
import type { CompiledCollection } from './compile-collection.js';
import type { CollectionDef } from './types.js';

/** A URL-safe path segment: letters, digits, `-`, `_`, `.`, `~`, 1 to 64 of them, not starting with a dot. */
export const JSON_SERVER_NAME_PATTERN = /^[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,63}$/;
/** First path segments the server keeps for itself (/api/…, /_/…). */
export const OWN_PATH_SEGMENTS: readonly string[] = ['api', '_'];

type Named = Pick<CollectionDef, 'name' | 'jsonServerName' | 'auth'>;

export interface JsonServerNames {
  /** Collection name → its json-server name (collections without one are absent). */
  byCollection: ReadonlyMap<string, string>;
  /** json-server name → collection name. */
  byName: ReadonlyMap<string, string>;
}

/** The json-server names of `defs` (see the module comment); a later clash does not replace an earlier name. */
export function jsonServerNamesOf(defs: Iterable<Named>): JsonServerNames {
  const list = [...defs];
  const claimed = new Set(list.flatMap((d) => (d.jsonServerName === undefined ? [] : [d.jsonServerName])));
  const byCollection = new Map<string, string>();
  const byName = new Map<string, string>();
  for (const def of list) {
    const name = def.jsonServerName ?? def.name;
    if (def.jsonServerName === undefined && def.auth && claimed.has(name)) continue;
    if (byName.has(name)) continue;
    byCollection.set(def.name, name);
    byName.set(name, def.name);
  }
  return { byCollection, byName };
}

const cache = new WeakMap<ReadonlyMap<string, CompiledCollection>, JsonServerNames>();

/** The json-server names of a compiled schema, worked out once per schema. */
export function jsonServerNames(schema: ReadonlyMap<string, CompiledCollection>): JsonServerNames {
  let names = cache.get(schema);
  if (!names) {
    names = jsonServerNamesOf([...schema.values()].map((c) => c.def));
    cache.set(schema, names);
  }
  return names;
}

/** The json-server name of a collection; its own name when it has none (the accounts collection giving `users` up). */
export function jsonServerName(schema: ReadonlyMap<string, CompiledCollection>, collection: string): string {
  return jsonServerNames(schema).byCollection.get(collection) ?? collection;
}
