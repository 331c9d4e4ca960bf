/**
 * Copying one store (and its uploaded files) into another: every
 * collection's records as stored (ids, created and updated kept exactly, so
 * ETags are the same), users with their password hashes, the seed marker,
 * and every file a record names. Records are read in id order a page at a
 * time and written a page per transaction; files are streamed one at a
 * time, so memory stays bounded whatever the size. Sessions, Idempotency-Key
 * outcomes and login counters are not copied: they are short-lived.
 */
import type { FileStorage } from '../files/storage.js';
import type { Expr } from '../query/ast.js';
import type { CollectionDef, RecordData } from '../schema/types.js';
import type { Store } from '../store/store.js';
import { SEED_MARKER } from './seed.js';
import { fileKey } from './uploads.js';

/** Records per page read and per transaction written. */
export const COPY_BATCH = 500;

export interface CopyProgress {
  collection: string;
  records: number;
  files: number;
}

export interface CopyCounts {
  records: number;
  files: number;
}

export class CopyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CopyError';
  }
}

export interface CopyOptions {
  /** Copy into a target that already holds records (a record whose id exists is replaced). */
  allowNonEmpty?: boolean;
  /** Records per page (default COPY_BATCH). */
  batch?: number;
  onProgress?: (p: CopyProgress) => void;
}

/** The collections of the target that already hold records. */
export async function nonEmptyCollections(store: Store, names: readonly string[]): Promise<string[]> {
  const full: string[] = [];
  for (const name of names) {
    const { items } = await store.list(name, { filter: null, sort: [], limit: 1, offset: 0, count: false });
    if (items.length > 0) full.push(name);
  }
  return full;
}

/** `id > after`: the next page of a keyset walk in id order. */
function idsAfter(after: string): Expr {
  return {
    kind: 'cmp',
    op: '>',
    left: { kind: 'field', name: 'id', pos: 0 },
    right: { kind: 'literal', value: after, pos: 0 },
    pos: 0,
  };
}

function fileNames(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/** Copy one record's files; a file the source no longer has is reported, not fatal. */
async function copyFiles(
  from: FileStorage,
  to: FileStorage,
  collection: string,
  record: RecordData,
  fields: readonly string[],
  missing: string[],
): Promise<number> {
  let copied = 0;
  for (const field of fields) {
    for (const name of fileNames(record[field])) {
      const key = fileKey(collection, record.id, name);
      const info = await from.stat(key);
      if (!info) {
        missing.push(key);
        continue;
      }
      const staged = await to.stage(await from.read(key), Number.MAX_SAFE_INTEGER);
      if (staged.size !== info.size) {
        await to.discard(staged.token);
        throw new CopyError(`${key}: read ${staged.size} bytes, but the source says ${info.size}`);
      }
      await to.commit(staged.token, key, { type: info.type, originalName: info.originalName });
      copied++;
    }
  }
  return copied;
}

/** Copy one collection, page by page; returns its counts. */
async function copyCollection(
  from: Store,
  to: Store,
  files: { from: FileStorage; to: FileStorage } | undefined,
  name: string,
  def: CollectionDef,
  missing: string[],
  batch: number,
  onProgress: (p: CopyProgress) => void,
): Promise<CopyCounts> {
  const fileFields = Object.entries(def.fields)
    .filter(([, f]) => f.type === 'file')
    .map(([field]) => field);
  const counts = { records: 0, files: 0 };
  let after: string | undefined;
  for (;;) {
    const { items } = await from.list(name, {
      filter: after === undefined ? null : idsAfter(after),
      sort: [{ field: 'id', desc: false }],
      limit: batch,
      offset: 0,
      count: false,
    });
    if (items.length === 0) break;
    const hashes = new Map<string, string>();
    if (def.auth) {
      await from.transaction(async (tx) => {
        for (const user of items) {
          const hash = await tx.getPasswordHash(name, user.id);
          if (hash !== undefined) hashes.set(user.id, hash);
        }
      });
    }
    // Files first: a record is only written once the files it names are in place.
    if (files && fileFields.length > 0) {
      for (const record of items)
        counts.files += await copyFiles(files.from, files.to, name, record, fileFields, missing);
    }
    await to.transaction(async (tx) => {
      for (const record of items) {
        if (await tx.get(name, record.id)) await tx.update(name, record);
        else await tx.insert(name, record);
        const hash = hashes.get(record.id);
        if (hash !== undefined) await tx.setPasswordHash(name, record.id, hash);
      }
    });
    counts.records += items.length;
    onProgress({ collection: name, ...counts });
    after = items[items.length - 1]?.id;
    if (items.length < batch) break;
  }
  return counts;
}

export interface CopyResult {
  counts: Map<string, CopyCounts>;
  /** Keys of files a record names that the source storage does not hold. */
  missingFiles: string[];
}

/**
 * Copy every collection of `collections` from one store into another whose
 * schema is already migrated. Refuses a target holding records unless
 * `allowNonEmpty`. With `files`, the files records name are copied too.
 */
export async function copyStore(
  from: Store,
  to: Store,
  collections: Readonly<Record<string, CollectionDef>>,
  files: { from: FileStorage; to: FileStorage } | undefined,
  options: CopyOptions = {},
): Promise<CopyResult> {
  const names = Object.keys(collections);
  if (!options.allowNonEmpty) {
    const full = await nonEmptyCollections(to, names);
    if (full.length > 0) {
      throw new CopyError(
        `the target is not empty (${full.join(', ')} already hold records); copy into an empty database, ` +
          'or pass --allow-non-empty to add to it (records with the same id are replaced)',
      );
    }
  }
  const onProgress = options.onProgress ?? (() => {});
  const counts = new Map<string, CopyCounts>();
  const missingFiles: string[] = [];
  for (const name of names) {
    const def = collections[name] as CollectionDef;
    const result = await copyCollection(
      from,
      to,
      files,
      name,
      def,
      missingFiles,
      options.batch ?? COPY_BATCH,
      onProgress,
    );
    counts.set(name, result);
    if (result.records === 0) onProgress({ collection: name, ...result });
  }
  const seeded = await from.transaction((tx) => tx.getMarker(SEED_MARKER));
  if (seeded !== undefined) await to.transaction((tx) => tx.setMarker(SEED_MARKER, seeded));
  return { counts, missingFiles };
}
