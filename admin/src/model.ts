/** What the admin page knows of the server: collections and fields (from /api/openapi.json), and the caller. */

// The field model is the server's own (src/schema/types.ts, types only): one definition for both.
import type { FieldDef as ServerFieldDef } from '../../src/schema/types';

export type { FieldType } from '../../src/schema/types';

/** A field as `x-collections` publishes it: the config's definition (relations with their `onDelete`). */
export type FieldDef = ServerFieldDef;

export interface CollectionInfo {
  name: string;
  auth: boolean;
  requireIfMatch: boolean;
  fields: Record<string, FieldDef>;
}

export interface Me {
  id: string;
  email: string;
  name: string | null;
  admin: boolean;
}

export interface RecordData {
  id: string;
  created: string;
  updated: string;
  [field: string]: unknown;
}

export interface ListPage {
  items: RecordData[];
  page: number;
  perPage: number;
  totalItems: number | null;
  totalPages: number | null;
}

/** The collections of an OpenAPI document's `x-collections`, in order. */
export function collectionsOf(document: Record<string, unknown>): CollectionInfo[] {
  const catalogue = (document['x-collections'] ?? {}) as Record<string, Omit<CollectionInfo, 'name'>>;
  return Object.entries(catalogue).map(([name, entry]) => ({ name, ...entry }));
}

/** What every screen gets: the signed-in admin and the server's collections. */
export interface AdminContext {
  me: Me;
  collections: CollectionInfo[];
  /** The collection named `name`, if the server has it. */
  collection(name: string): CollectionInfo | undefined;
}
