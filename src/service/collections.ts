/** Looking up a collection by the name in a URL. */
import type { CompiledCollection } from '../schema/compile-collection.js';
import { Problem } from '../util/problem.js';

/** The compiled collection, or a 404 naming it. */
export function findCollection(
  schema: ReadonlyMap<string, CompiledCollection>,
  name: string,
): CompiledCollection {
  const compiled = schema.get(name);
  if (!compiled) throw new Problem('notFound', `There is no collection "${name}".`);
  return compiled;
}
