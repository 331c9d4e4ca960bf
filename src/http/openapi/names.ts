/** Naming for the OpenAPI document: component names, references and operation ids. */

import type { Config } from '../../config/types.js';
import type { CompiledCollection } from '../../schema/compile-collection.js';
import type { CollectionDef } from '../../schema/types.js';

/** A JSON object in the document. */
export type Json = Record<string, unknown>;

export type ComponentKind =
  | 'schemas'
  | 'parameters'
  | 'responses'
  | 'headers'
  | 'requestBodies'
  | 'securitySchemes';

/** A collection as the document generator sees it. */
export interface CollectionDoc {
  name: string;
  def: CollectionDef;
  compiled: CompiledCollection;
  /** PascalCase stem of its component names and operation ids, unique per document. */
  base: string;
}

/** What a route's doc sees: the config, its collections and the paths documented before it. */
export interface DocContext {
  config: Config;
  collections: readonly CollectionDoc[];
  /** The auth collection (`users`). */
  users: CollectionDoc | undefined;
  /** The path items of the routes registered earlier (aliases copy their targets' operations). */
  paths: Readonly<Record<string, Json>>;
  /** Operation ids in use; a doc that adds one adds it here. */
  taken: Set<string>;
}

/** A route's part of the document: OpenAPI path items keyed by path template. */
export type RouteDoc = (ctx: DocContext) => Record<string, Json>;

/** A Reference Object to a component. */
export function ref(kind: ComponentKind, name: string): { $ref: string } {
  return { $ref: `#/components/${kind}/${name}` };
}

/** `order_items` → `OrderItems`. */
export function pascal(name: string): string {
  return name
    .split('_')
    .filter((part) => part !== '')
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');
}

/** Unique PascalCase stems for collection names, in order (a clash gets a numeric suffix). */
export function componentBases(names: readonly string[]): Map<string, string> {
  const used = new Set<string>();
  const out = new Map<string, string>();
  for (const name of names) {
    const stem = pascal(name) || 'Collection';
    let base = stem;
    for (let n = 2; used.has(base); n++) base = `${stem}${n}`;
    used.add(base);
    out.set(name, base);
  }
  return out;
}

/** Component schema names of one collection. */
export function schemaNames(base: string) {
  return {
    record: `${base}Record`,
    /** A record as a read answers it: whole, or the fields `fields=` asked for. */
    read: `${base}Read`,
    fields: `${base}Fields`,
    input: `${base}Input`,
    patch: `${base}Patch`,
    form: `${base}Form`,
    multipart: `${base}Multipart`,
    page: `${base}ListPage`,
  };
}

/** `/edit-book/:id` → `/edit-book/{id}`, the OpenAPI path template form. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}
