/**
 * Config hooks. Before-hooks run inside the write's transaction and may read
 * and write other collections through `ctx.tx` (that is how a purchase checks
 * and decrements stock atomically) or reject the write with a problem.
 * After-hooks run once the transaction has committed.
 */
import type { CollectionHooks, HookContext, HookName, HookTx } from '../config/app-types.js';
import { parseFilter } from '../query/parser.js';
import type { RecordData } from '../schema/types.js';
import type { StoreTx } from '../store/store.js';
import { problemForStatus } from '../util/problem.js';

export type { HookContext, HookTx };

/** The writes a HookTx delegates to (implemented by RecordWriter with system rights). */
export interface HookWrites {
  create(collection: string, data: Record<string, unknown>): Promise<RecordData>;
  update(collection: string, id: string, changes: Record<string, unknown>): Promise<RecordData>;
  delete(collection: string, id: string): Promise<boolean>;
}

/** A HookTx over a store transaction. */
export function hookTx(tx: StoreTx, writes: HookWrites): HookTx {
  return {
    get: async (collection, id) => (await tx.get(collection, id)) ?? null,
    async list(collection, options = {}) {
      const sort = (options.sort ?? '')
        .split(',')
        .filter((s) => s !== '')
        .map((s) => (s.startsWith('-') ? { field: s.slice(1), desc: true } : { field: s, desc: false }));
      const result = await tx.list(collection, {
        filter: options.filter ? parseFilter(options.filter) : null,
        sort,
        limit: options.limit ?? 1000,
        offset: 0,
        count: false,
      });
      return result.items;
    },
    create: (collection, data) => writes.create(collection, data),
    update: (collection, id, changes) => writes.update(collection, id, changes),
    delete: (collection, id) => writes.delete(collection, id),
  };
}

/** Run one hook if the config has it. */
export async function runHook(
  hooks: CollectionHooks | undefined,
  name: HookName,
  ctx: Omit<HookContext, 'reject'>,
): Promise<void> {
  const hook = hooks?.[name];
  if (!hook) return;
  const full: HookContext = {
    ...ctx,
    reject(status: number, detail: string): never {
      throw problemForStatus(status, detail);
    },
  };
  await hook(full);
}
