/**
 * The config's hooks around one record write: the before-hook runs inside
 * the write's transaction, the after-hook is queued on the write's scope
 * and runs once it has committed, in a transaction of its own. Both get a
 * `tx` with system rights (the writer's `systemTx`).
 */
import type { CollectionHooks, HookName, HookTx } from '../config/app-types.js';
import type { RecordData } from '../schema/types.js';
import type { RequestContext } from './context.js';
import { runHook } from './hooks.js';
import type { WriteScope } from './write-scope.js';

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
  /** A HookTx within a write's transaction, with system rights. */
  systemTx: (scope: WriteScope) => HookTx;
}

export class WriteHooks {
  constructor(private readonly deps: WriteHooksDeps) {}

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

  private context({ ctx, collection, operation, record, previous }: HookEvent, scope: WriteScope) {
    return { collection, operation, record, previous, auth: ctx.auth, tx: this.deps.systemTx(scope) };
  }
}
