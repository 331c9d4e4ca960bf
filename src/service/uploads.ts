/**
 * Files uploaded with a write: staged before the transaction, committed
 * (renamed into place) inside it once the record is written, and the
 * files a write drops removed once it has committed.
 */
import { type FileMeta, FileNotFound, type FileStorage } from '../files/storage.js';
import type { CompiledCollection } from '../schema/compile-collection.js';
import type { RecordData } from '../schema/types.js';
import type { PendingFile, Store, StoreTx } from '../store/store.js';
import { type FieldIssue, validationProblem } from '../util/problem.js';
import type { WriteScope } from './write-scope.js';

export interface StagedUpload {
  field: string;
  token: string;
  /** The name the record keeps and the download URL uses. */
  storedName: string;
  /** Detected from the content, not the name. */
  type: string;
  originalName: string;
  size: number;
  sha1: string;
}

/** The storage key of a record's file. */
export function fileKey(collection: string, id: string, name: string): string {
  return `${collection}/${id}/${name}`;
}

function namesOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/**
 * Check a record's file fields (only names it already had or just
 * uploaded), commit the uploads it keeps, and schedule removal of the
 * files it no longer references.
 */
export async function settleFiles(
  storage: FileStorage | undefined,
  compiled: CompiledCollection,
  next: RecordData | null,
  previous: RecordData | null,
  uploads: readonly StagedUpload[],
  scope: WriteScope,
): Promise<void> {
  const { def } = compiled;
  const fileFields = Object.entries(def.fields).filter(([, f]) => f.type === 'file');
  if (fileFields.length === 0) return;
  const id = (next ?? previous)?.id as string;
  const issues: FieldIssue[] = [];
  const dropped: string[] = [];
  for (const [field] of fileFields) {
    const had = new Set(namesOf(previous?.[field]));
    const uploaded = new Map(uploads.filter((u) => u.field === field).map((u) => [u.storedName, u]));
    const keeps = namesOf(next?.[field]);
    for (const name of keeps) {
      if (!had.has(name) && !uploaded.has(name)) {
        issues.push({
          field,
          code: 'file_unknown',
          message: `"${name}" is not a file of this record; upload it as multipart/form-data`,
        });
      }
    }
    for (const name of had) if (!keeps.includes(name)) dropped.push(name);
  }
  if (issues.length > 0) throw validationProblem(issues);
  if (!storage) return;
  const kept = new Set(fileFields.flatMap(([field]) => namesOf(next?.[field])));
  const moves: PendingFile[] = [];
  for (const upload of uploads) {
    if (!kept.has(upload.storedName)) continue;
    const meta: FileMeta = { type: upload.type, originalName: upload.originalName };
    const move = {
      token: upload.token,
      key: fileKey(def.name, id, upload.storedName),
      meta: JSON.stringify(meta),
    };
    // Journalled with the record: the blob moves into place only once this transaction has committed.
    await scope.tx.putPendingFile(move);
    moves.push(move);
  }
  if (moves.length > 0 || dropped.length > 0) {
    scope.afterCommit.push(async (own) => {
      for (const move of moves) await placeFile(storage, own.tx, move);
      for (const name of dropped) await storage.remove(fileKey(def.name, id, name));
    });
  }
}

/** Move a journalled upload into place (unless a recovery round already did) and strike it from the journal. */
async function placeFile(storage: FileStorage, tx: StoreTx, move: PendingFile): Promise<void> {
  try {
    await storage.commit(move.token, move.key, JSON.parse(move.meta) as FileMeta);
  } catch (error) {
    if (!(error instanceof FileNotFound && (await storage.stat(move.key)))) throw error;
  }
  await tx.deletePendingFile(move.token);
}

/**
 * Uploads whose records committed but whose blobs were not moved yet (a
 * crash, or a full disk at the time) are moved now; one already in place
 * or gone is struck off. One that still cannot move (the disk is still
 * full) stays journalled for the next try. Runs before staged files are
 * swept, which would otherwise take them for leftovers.
 */
export async function recoverPendingFiles(store: Store, storage: FileStorage): Promise<number> {
  let moved = 0;
  for (const move of await store.pendingFiles()) {
    try {
      await store.transaction(async (tx) => {
        try {
          await placeFile(storage, tx, move);
          moved++;
        } catch (error) {
          if (!(error instanceof FileNotFound)) throw error;
          await tx.deletePendingFile(move.token); // Moved already (or gone): nothing left to do.
        }
      });
    } catch {
      // Left journalled: the next round tries again.
    }
  }
  return moved;
}

/**
 * Upkeep of staged uploads: finish moving those of committed records, then
 * remove the leftovers idle for `idleMs` (0 at start-up of a single node,
 * when no upload can be in flight). Returns how many leftovers were removed.
 */
export async function tidyStagedFiles(store: Store, storage: FileStorage, idleMs: number): Promise<number> {
  await recoverPendingFiles(store, storage);
  const keep = new Set((await store.pendingFiles()).map((p) => p.token));
  return storage.sweep({ idleMs, keep });
}
