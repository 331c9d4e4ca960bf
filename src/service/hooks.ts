/**
 * Config hooks. Before-hooks run inside the write's transaction and may read
 * and write other collections through `ctx.tx` (that is how a purchase checks
 * and decrements stock atomically) or reject the write with a problem.
 * After-hooks run once the transaction has committed. What a before-hook
 * leaves in `ctx.record` is validated like a request body by the writer;
 * a key the collection does not declare (or a changed system field) is a
 * mistake in the hook, which fails the request loudly (`HookError`).
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

/**
 * A before-hook wrote what the record cannot hold: a server error (500),
 * whose logged message names the hook (`hooks.orders.beforeCreate`) and the field.
 */
export class HookError extends Error {
  constructor(
    readonly hook: string,
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'HookError';
  }
}

const SYSTEM_KEYS = ['id', 'created', 'updated'] as const;

/** Throws HookError when a before-hook set a key `declared` lacks, or changed id, created or updated. */
export function checkHookRecord(
  collection: string,
  hook: HookName,
  record: Record<string, unknown>,
  declared: readonly string[],
  system: Readonly<Record<(typeof SYSTEM_KEYS)[number], unknown>>,
): void {
  const name = `hooks.${collection}.${hook}`;
  for (const key of Object.keys(record)) {
    if ((SYSTEM_KEYS as readonly string[]).includes(key)) {
      if (record[key] === system[key as (typeof SYSTEM_KEYS)[number]]) continue;
      throw new HookError(
        name,
        key,
        `${name} changed "${key}", which the server sets; a hook may change declared fields only`,
      );
    }
    if (declared.includes(key)) continue;
    throw new HookError(
      name,
      key,
      `${name} set "${key}", which ${collection} does not declare; declare it under collections.${collection}.fields or leave it out`,
    );
  }
}
