/**
 * The config's hooks around one record write: the before-hook runs inside
 * the write's transaction, the after-hook is queued on the write's scope
 * and runs once it has committed, in a transaction of its own. Both get a
 * `tx` with system rights, whose writes go back through the writer, with
 * their own hooks, nested a bounded number of times.
 */
import type { CollectionHooks, HookName, HookTx } from '../config/app-types.js';
import type { RecordData } from '../schema/types.js';
import { type RequestContext, SYSTEM_CONTEXT } from './context.js';
import { hookTx, runHook } from './hooks.js';
import type { PatchBudget } from './patch.js';
import type { RecordWrite } from './write-request.js';
import type { WriteScope } from './write-scope.js';

const MAX_HOOK_DEPTH = 8;

type Operation = 'create' | 'update' | 'delete';

/** What a hook is told about a write, and the write's transaction. */
export interface HookEvent {
  ctx: RequestContext;
  collection: string;
  operation: Operation;
  /** The record being written (a before-hook may change it); null on delete. */
  record: Record<string, unknown> | null;
  /** The stored record before this write; null on create. */
  previous: RecordData | null;
  scope: WriteScope;
}

const BEFORE: Record<Operation, HookName> = {
  create: 'beforeCreate',
  update: 'beforeUpdate',
  delete: 'beforeDelete',
};
const AFTER: Record<Operation, HookName> = {
  create: 'afterCreate',
  update: 'afterUpdate',
  delete: 'afterDelete',
};

export interface WriteHooksDeps {
  hooks: Readonly<Record<string, CollectionHooks>>;
  /** Where a hook's own writes go (the RecordWriter). */
  writer: { write(request: RecordWrite, scope: WriteScope): Promise<{ record: RecordData | null }> };
  /** A transaction's JSON Patch budget, for the first patch that needs one. */
  patchBudget: () => PatchBudget;
}

export class WriteHooks {
  constructor(private readonly deps: WriteHooksDeps) {}

  /** Whether the collection has a before-hook for this operation (without one, nothing can change the record). */
  hasBefore(collection: string, operation: Operation): boolean {
    return this.deps.hooks[collection]?.[BEFORE[operation]] !== undefined;
  }

  /** Run the collection's before-hook of this operation, if it has one, in the write's transaction. */
  before(event: HookEvent): Promise<void> {
    return runHook(
      this.deps.hooks[event.collection],
      BEFORE[event.operation],
      this.context(event, event.scope),
    );
  }

  /** Queue the collection's after-hook of this operation, if it has one, to run once the write has committed. */
  after(event: HookEvent): void {
    const hooks = this.deps.hooks[event.collection];
    const name = AFTER[event.operation];
    if (!hooks?.[name]) return;
    event.scope.afterCommit.push((own) => runHook(hooks, name, this.context(event, own)));
  }

  /** Any collection within a write's transaction, with system rights; validation and hooks still apply. */
  systemTx(scope: WriteScope): HookTx {
    const { writer } = this.deps;
    const nested = (): WriteScope => {
      if (scope.depth >= MAX_HOOK_DEPTH) throw new Error('hooks nested too deeply');
      // Hook writes draw on the same patch budget as the write that runs them.
      scope.patchWork ??= this.deps.patchBudget();
      return { ...scope, depth: scope.depth + 1 };
    };
    const ctx = SYSTEM_CONTEXT;
    return hookTx(scope.tx, {
      create: async (collection, body) =>
        (await writer.write({ method: 'POST', ctx, collection, body }, nested())).record as RecordData,
      update: async (collection, id, changes) => {
        const patch = { kind: 'merge', document: changes } as const;
        return (await writer.write({ method: 'PATCH', ctx, collection, id, patch }, nested()))
          .record as RecordData;
      },
      delete: async (collection, id) => {
        if (!(await scope.tx.get(collection, id))) return false;
        await writer.write({ method: 'DELETE', ctx, collection, id }, nested());
        return true;
      },
    });
  }

  private context({ ctx, collection, operation, record, previous }: HookEvent, scope: WriteScope) {
    return { collection, operation, record, previous, auth: ctx.auth, tx: this.systemTx(scope) };
  }
}
