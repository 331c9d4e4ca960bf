/**
 * Writing records, always inside a store transaction: rule checks,
 * preconditions, validation, hooks and the write itself happen in one
 * transaction, so a precondition can never race the write it guards.
 * What a write asks for is in write-request.ts; the hooks around it, and
 * the writes a hook makes, in write-hooks.ts.
 */
import type { CollectionHooks } from '../config/types.js';
import type { FileStorage } from '../files/storage.js';
import type { CompiledCollection } from '../schema/compile-collection.js';
import { ID_PATTERN, type RecordData } from '../schema/types.js';
import { DuplicateId, SingleViolation, UniqueViolation } from '../store/errors.js';
import { jsonEqual } from '../util/canonical-json.js';
import { randomId } from '../util/id.js';
import { Problem } from '../util/problem.js';
import { viewableForChange } from './change-access.js';
import { findCollection } from './collections.js';
import { type RequestContext, SYSTEM_CONTEXT } from './context.js';
import { checkHookRecord, type HookTx } from './hooks.js';
import { deletionKey, releaseReferences } from './on-delete.js';
import {
  applyPatch,
  PATCH_WORK_FACTOR,
  type PatchBudget,
  type PatchInput,
  type PatchLimits,
} from './patch.js';
import { checkWritePreconditions, type Preconditions, requireIfMatch } from './preconditions.js';
import { assemble, fieldsOf, normaliseAuthFields } from './record-fields.js';
import { checkRelations } from './relations.js';
import { type Access, access } from './rules.js';
import { recordEtag, type SerializedRecord, serializeForWrite } from './serialize.js';
import { type StagedUpload, settleFiles } from './uploads.js';
import { hiddenIn, visibleJson, visibleRecord } from './visibility.js';
import { checkBodyId, singleProblem, uniqueProblem } from './write-conflicts.js';
import { WriteHooks } from './write-hooks.js';
import type { CreateWrite, PatchWrite, RecordWrite, RemoveWrite, ReplaceWrite } from './write-request.js';
import type { WriteScope } from './write-scope.js';

export interface WriteOutcome {
  status: 200 | 201 | 204;
  /** The record as stored (null after a delete). */
  record: RecordData | null;
  etag: string | null;
  /** The record's JSON text, when the write serialised it already. */
  json?: string;
}

/** A new record about to be inserted: its id, its values and the create rule that let the caller in. */
interface Insertion {
  ctx: RequestContext;
  compiled: CompiledCollection;
  id: string;
  values: Record<string, unknown>;
  allowed: Access;
  scope: WriteScope;
  uploads: readonly StagedUpload[];
  last?: boolean;
}

/** A stored record about to be changed to new values. */
interface Change {
  ctx: RequestContext;
  compiled: CompiledCollection;
  current: RecordData;
  values: Record<string, unknown>;
  scope: WriteScope;
  uploads?: readonly StagedUpload[];
  /** Some values were kept from `current` after validation (fields hidden from the caller). */
  kept?: boolean;
  last?: boolean;
}

/** The record a PATCH or DELETE names, and the preconditions sent with it. */
interface ChangeTarget {
  ctx: RequestContext;
  compiled: CompiledCollection;
  id: string;
  pre: Preconditions;
  scope: WriteScope;
  operation: 'update' | 'delete';
}

export interface RecordWriterDeps {
  schema: ReadonlyMap<string, CompiledCollection>;
  hooks: Readonly<Record<string, CollectionHooks>>;
  /** Where uploaded files live; without it, file fields can only be kept or cleared. */
  files?: FileStorage;
  /** A record's JSON may be no larger than a request body (limits.json); JSON Patch bounds. */
  limits: PatchLimits;
  now?: () => Date;
}

/** A client's id for a record: 1 to 64 URL-safe characters (400 otherwise). */
function checkId(id: string): void {
  if (!ID_PATTERN.test(id)) {
    throw new Problem(
      'invalidId',
      `"${id}" is not a valid id: use 1 to 64 characters of A-Z, a-z, 0-9, _ and -.`,
    );
  }
}

export class RecordWriter {
  private readonly now: () => Date;
  private readonly hooks: WriteHooks;

  constructor(private readonly deps: RecordWriterDeps) {
    this.now = deps.now ?? (() => new Date());
    this.hooks = new WriteHooks({ hooks: deps.hooks, writer: this, patchBudget: () => this.patchBudget() });
  }

  /**
   * Any one record write, by its method, in the transaction of `scope`;
   * `last`: nothing of the transaction follows it.
   */
  write(request: RecordWrite, scope: WriteScope, last = false): Promise<WriteOutcome> {
    switch (request.method) {
      case 'POST':
        return this.create({ ...request, scope, last });
      case 'PUT':
        return this.replace({ ...request, scope, last });
      case 'PATCH':
        return this.patch({ ...request, scope, last });
      case 'DELETE':
        return this.remove({ ...request, scope });
    }
  }

  /** POST: a new record with a server id, or with the client's (`id`), which must be free. */
  async create({ ctx, collection: name, body, id: chosen, scope, uploads = [], last }: CreateWrite) {
    const compiled = findCollection(this.deps.schema, name);
    const allowed = access(compiled.def, 'create', ctx);
    if (chosen !== undefined) checkId(chosen);
    const values = compiled.fromBody(body);
    const id = chosen ?? (compiled.def.ids === 'increment' ? await scope.tx.nextId(name) : randomId());
    return this.insert({ ctx, compiled, id, values, allowed, scope, uploads, last });
  }

  /** PUT: replace the whole record, or create it under the client's id. */
  async replace({
    ctx,
    collection: name,
    id,
    body,
    pre = {},
    scope,
    uploads = [],
    last,
  }: ReplaceWrite): Promise<WriteOutcome> {
    const compiled = findCollection(this.deps.schema, name);
    const { def } = compiled;
    checkId(id);
    const current = await viewableForChange(scope.tx, ctx, compiled, id, 'update');
    if (!current) {
      const allowed = access(def, 'create', ctx);
      checkWritePreconditions(pre, undefined);
      checkBodyId(body, id);
      const values = compiled.fromBody(body);
      return this.insert({ ctx, compiled, id, values, allowed, scope, uploads, last });
    }
    requireIfMatch(def.requireIfMatch, pre, true, 'PUT');
    checkWritePreconditions(pre, currentState(compiled, ctx, current));
    checkBodyId(body, id);
    const values = compiled.fromBody(body);
    let kept = false;
    // A PUT replaces what the caller sees: fields hidden from them that it does not name are kept.
    for (const field of hiddenIn(def, ctx, current)) {
      if (!Object.hasOwn(body, field) && Object.hasOwn(current, field)) {
        values[field] = current[field];
        kept = true;
      }
    }
    return this.update({ ctx, compiled, current, values, scope, uploads, kept, last });
  }

  /** PATCH: merge patch or JSON Patch onto the stored record (with files a form uploaded for it). */
  async patch({
    ctx,
    collection: name,
    id,
    patch,
    pre = {},
    scope,
    uploads = [],
    last,
  }: PatchWrite): Promise<WriteOutcome> {
    const compiled = findCollection(this.deps.schema, name);
    const current = await this.existingForChange({ ctx, compiled, id, pre, scope, operation: 'update' });
    // The patches of one transaction share one work budget, so a batch of them cannot multiply it.
    scope.patchWork ??= this.patchBudget();
    const patched = this.patched(ctx, compiled, current, patch, scope.patchWork);
    const values = compiled.check(patched);
    return this.update({ ctx, compiled, current, values, scope, uploads, last });
  }

  /**
   * The patched record. A JSON Patch works on what the caller sees, so its
   * `test` cannot probe a hidden field; the fields hidden from them that it
   * did not write are kept.
   */
  private patched(
    ctx: RequestContext,
    compiled: CompiledCollection,
    current: RecordData,
    patch: PatchInput,
    budget: PatchBudget,
  ): Record<string, unknown> {
    const hidden = patch.kind === 'merge' ? [] : hiddenIn(compiled.def, ctx, current);
    if (hidden.length === 0) return applyPatch(current, patch, this.deps.limits, budget);
    const seen = visibleRecord(compiled.def, ctx, current);
    const result = applyPatch(seen, patch, this.deps.limits, budget);
    for (const field of hidden) {
      if (!Object.hasOwn(result, field) && Object.hasOwn(current, field)) result[field] = current[field];
    }
    return result;
  }

  /** DELETE. */
  async remove({ ctx, collection: name, id, pre = {}, scope }: RemoveWrite) {
    const compiled = findCollection(this.deps.schema, name);
    const current = await this.existingForChange({ ctx, compiled, id, pre, scope, operation: 'delete' });
    scope.deleting ??= new Set();
    const deleting = scope.deleting;
    deleting.add(deletionKey(name, id));
    const event = {
      ctx,
      collection: name,
      operation: 'delete',
      record: null,
      previous: current,
      scope,
    } as const;
    await this.hooks.before(event);
    // Cascades and clears run in this transaction, with system rights, as the writes of a hook do.
    await releaseReferences(this.deps.schema, scope.tx, name, id, {
      deleting,
      // Their own If-Match is the state just read, so a collection that requires one still takes part.
      remove: async (collection, other) => {
        await this.remove({
          ctx: SYSTEM_CONTEXT,
          collection,
          id: other.id,
          pre: { ifMatch: recordEtag(other) },
          scope,
        });
      },
      update: async (collection, other, changes) => {
        const patch: PatchInput = { kind: 'merge', document: changes };
        const pre = { ifMatch: recordEtag(other) };
        await this.patch({ ctx: SYSTEM_CONTEXT, collection, id: other.id, patch, pre, scope });
      },
    });
    await scope.tx.delete(name, id);
    // Deleted now: a record the same transaction creates under this id again is a new one.
    deleting.delete(deletionKey(name, id));
    if (compiled.def.auth) await scope.tx.deleteSessionsOf(id);
    await settleFiles(this.deps.files, compiled, null, current, [], scope);
    this.hooks.after(event);
    return { status: 204, record: null, etag: null } satisfies WriteOutcome;
  }

  /**
   * The record a PATCH or DELETE changes, once the rules (record-independent
   * ones first, so a refusal never reveals whether the id exists), its
   * existence (404, whatever the preconditions say) and its preconditions
   * (428, 412) allow it.
   */
  private async existingForChange({
    ctx,
    compiled,
    id,
    pre,
    scope,
    operation,
  }: ChangeTarget): Promise<RecordData> {
    access(compiled.def, operation, ctx);
    const current = await viewableForChange(scope.tx, ctx, compiled, id, operation);
    if (!current) throw new Problem('notFound', `No record "${id}" in ${compiled.def.name}.`);
    requireIfMatch(compiled.def.requireIfMatch, pre, true, operation === 'update' ? 'PATCH' : 'DELETE');
    checkWritePreconditions(pre, currentState(compiled, ctx, current));
    return current;
  }

  /** A new record under `id`, once the create rule (`allowed`) let the caller in. */
  private async insert({
    ctx,
    compiled,
    id,
    values,
    allowed,
    scope,
    uploads,
    last = false,
  }: Insertion): Promise<WriteOutcome> {
    const { def } = compiled;
    const name = def.name;
    if (def.auth && values.admin === true && !ctx.auth?.admin) {
      throw new Problem('forbidden', 'Only administrators may create administrators.');
    }
    // Values the server sets after validation are validated again, as a hook's are.
    let adjusted = false;
    if (def.fields.owner?.type === 'relation' && !ctx.system && (!ctx.auth?.admin || values.owner == null)) {
      // The owner is whoever creates the record; only administrators (and server code) may name another.
      const owner = ctx.auth?.id ?? null;
      adjusted = values.owner !== owner;
      values.owner = owner;
    }
    normaliseAuthFields(def, values);
    const stamp = this.now().toISOString();
    const record = assemble(compiled, id, values, stamp, stamp);
    const event = { ctx, collection: name, operation: 'create', previous: null, scope } as const;
    let final = record;
    const hooked = this.hooks.hasBefore(name, 'create');
    if (hooked) await this.hooks.before({ ...event, record });
    if (hooked || adjusted) {
      checkHookRecord(name, 'beforeCreate', record, compiled.fieldNames, {
        id,
        created: stamp,
        updated: stamp,
      });
      // What the hook (or the server) left is checked again; otherwise the values were validated already.
      final = assemble(compiled, id, compiled.check(fieldsOf(record, compiled.fieldNames)), stamp, stamp);
    }
    const serialized = serializeForWrite(final, this.deps.limits.json);
    await checkRelations(def, final, scope.tx);
    try {
      // The insert is the transaction's last statement unless the create rule or files read after it.
      const alone = last && allowed.kind !== 'filter' && !compiled.hasFiles;
      await scope.tx.insert(name, final, { last: alone });
    } catch (error) {
      if (error instanceof UniqueViolation) throw uniqueProblem(error);
      if (error instanceof DuplicateId)
        throw new Problem('conflict', `A record "${id}" already exists in ${name}.`);
      if (error instanceof SingleViolation) throw singleProblem(error);
      throw error;
    }
    if (allowed.kind === 'filter' && !(await scope.tx.get(name, id, allowed.filter))) {
      throw new Problem('forbidden', `The create rule of ${name} does not allow this record.`);
    }
    await settleFiles(this.deps.files, compiled, final, null, uploads, scope);
    this.hooks.after({ ...event, record: final });
    return { status: 201, record: final, ...this.seenBy(compiled, ctx, final, serialized) };
  }

  /** The stored record `current` changed to `values` (nothing is written when they are the same). */
  private async update({
    ctx,
    compiled,
    current,
    values,
    scope,
    uploads = [],
    kept = false,
    last = false,
  }: Change): Promise<WriteOutcome> {
    const { def } = compiled;
    const name = def.name;
    // Values the server sets after validation (kept from the stored record) are validated again, as a hook's are.
    let adjusted = kept;
    if (!ctx.auth?.admin) {
      // Server-managed for everyone but administrators: never forged, never lost.
      if (def.fields.owner?.type === 'relation' && values.owner !== current.owner) {
        values.owner = current.owner;
        adjusted = true;
      }
      if (def.auth && values.admin !== current.admin) {
        throw new Problem('forbidden', 'Only administrators may change the admin flag.');
      }
    }
    normaliseAuthFields(def, values);
    const unchanged = (v: Record<string, unknown>) => sameFields(compiled.fieldNames, v, current);
    if (unchanged(values)) return { status: 200, record: current, ...this.seenBy(compiled, ctx, current) };
    const stamp = this.now().toISOString();
    let final = assemble(compiled, current.id, values, current.created, stamp);
    const event = { ctx, collection: name, operation: 'update', previous: current, scope } as const;
    const hooked = this.hooks.hasBefore(name, 'update');
    if (hooked || adjusted) {
      const candidate = final;
      if (hooked) {
        await this.hooks.before({ ...event, record: candidate });
        checkHookRecord(name, 'beforeUpdate', candidate, compiled.fieldNames, {
          id: current.id,
          created: current.created,
          updated: stamp,
        });
      }
      // What the hook (or the server) left is checked again; otherwise the values were validated already.
      const checked = compiled.check(fieldsOf(candidate, compiled.fieldNames));
      if (unchanged(checked)) return { status: 200, record: current, ...this.seenBy(compiled, ctx, current) };
      final = assemble(compiled, current.id, checked, current.created, stamp);
    }
    const serialized = serializeForWrite(final, this.deps.limits.json);
    await checkRelations(def, final, scope.tx, current);
    try {
      // Given the stored record, the store writes only the columns that changed; a hook's own
      // writes may have changed the row since it was read, so after one the whole record is written.
      await scope.tx.update(name, final, hooked ? undefined : current, { last: last && !compiled.hasFiles });
    } catch (error) {
      if (error instanceof UniqueViolation) throw uniqueProblem(error);
      throw error;
    }
    await settleFiles(this.deps.files, compiled, final, current, uploads, scope);
    this.hooks.after({ ...event, record: final });
    return { status: 200, record: final, ...this.seenBy(compiled, ctx, final, serialized) };
  }

  /** The JSON and ETag of a written record as its writer may see it (the full record's when nothing is hidden). */
  private seenBy(
    compiled: CompiledCollection,
    ctx: RequestContext,
    record: RecordData,
    full?: SerializedRecord,
  ): SerializedRecord {
    if (full && hiddenIn(compiled.def, ctx, record).length === 0) return full;
    return visibleJson(compiled.def, ctx, record);
  }

  private patchBudget(): PatchBudget {
    return { left: PATCH_WORK_FACTOR * this.deps.limits.json };
  }

  /** Any collection within a write's transaction, with system rights; validation and hooks still apply. */
  systemTx(scope: WriteScope): HookTx {
    return this.hooks.systemTx(scope);
  }
}

/**
 * The stored record's state for preconditions; its ETag (a hash of its JSON)
 * is computed only when a precondition reads it.
 */
function currentState(compiled: CompiledCollection, ctx: RequestContext, current: RecordData) {
  let etag: string | undefined;
  return {
    get etag(): string {
      etag ??= visibleJson(compiled.def, ctx, current).etag;
      return etag;
    },
    updated: current.updated,
  };
}

/** Whether `values` holds what `current` stores in every declared field (objects compared as JSON). */
function sameFields(names: readonly string[], values: Record<string, unknown>, current: RecordData): boolean {
  for (const n of names) {
    const a = values[n];
    const b = current[n];
    if (a === b) continue;
    if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object' || !jsonEqual(a, b))
      return false;
  }
  return true;
}
