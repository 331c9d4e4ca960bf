/**
 * What a record write asks for: who writes, to which collection, the
 * record's id and body or patch, the preconditions sent and a form's
 * files. The transaction (`scope`) is the write path's to open: a handler
 * builds a RecordWrite, which is all of it but that.
 */
import type { RequestContext } from './context.js';
import type { PatchInput } from './patch.js';
import type { Preconditions } from './preconditions.js';
import type { StagedUpload } from './uploads.js';
import type { WriteScope } from './write-scope.js';

/** What every write names: who writes, to which collection, in which transaction. */
export interface WriteTarget {
  ctx: RequestContext;
  collection: string;
  scope: WriteScope;
  /** Nothing of the transaction follows this write (the write path's to say): the store may commit with it. */
  last?: boolean;
}

/** POST: the body, the files a form uploaded for it and, where a client may choose it (json-server's POST), the id. */
export interface CreateWrite extends WriteTarget {
  body: Record<string, unknown>;
  /** The client's id for the new record: a 409 when taken, never a replacement. */
  id?: string;
  uploads?: readonly StagedUpload[];
}

/** PUT: the record's id, its new body, the preconditions sent (none by default) and a form's files. */
export interface ReplaceWrite extends WriteTarget {
  id: string;
  body: Record<string, unknown>;
  pre?: Preconditions;
  uploads?: readonly StagedUpload[];
}

/** PATCH: the record's id, the patch document, the preconditions sent and a form's files. */
export interface PatchWrite extends WriteTarget {
  id: string;
  patch: PatchInput;
  pre?: Preconditions;
  uploads?: readonly StagedUpload[];
}

/** DELETE: the record's id and the preconditions sent. */
export interface RemoveWrite extends WriteTarget {
  id: string;
  pre?: Preconditions;
}

/** One record write as a handler (or a batch's sub-request) builds it: the method and its writer's input. */
export type RecordWrite =
  | ({ method: 'POST' } & Omit<CreateWrite, 'scope' | 'last'>)
  | ({ method: 'PUT' } & Omit<ReplaceWrite, 'scope' | 'last'>)
  | ({ method: 'PATCH' } & Omit<PatchWrite, 'scope' | 'last'>)
  | ({ method: 'DELETE' } & Omit<RemoveWrite, 'scope' | 'last'>);
