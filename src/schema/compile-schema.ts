/** Compiles every collection of a validated config, once at start-up. */
import { type CompiledCollection, compileCollection } from './compile-collection.js';
import type { CollectionDef } from './types.js';

/** Name → compiled collection for every collection of a (validated) config. */
export function compileSchema(config: {
  readonly collections: Readonly<Record<string, CollectionDef>>;
}): ReadonlyMap<string, CompiledCollection> {
  return new Map(Object.entries(config.collections).map(([name, def]) => [name, compileCollection(def)]));
}
