import type { StoreTx } from '../store/store.js';
import type { PatchBudget } from './patch.js';

/** One write transaction: the store transaction plus work to run after commit. */
export interface WriteScope {
  tx: StoreTx;
  /** After-hooks, each run once the transaction has committed, in a transaction of its own. */
  afterCommit: ((scope: WriteScope) => Promise<void>)[];
  /** Nesting of hook writes, bounded so a hook cannot recurse forever. */
  depth: number;
  /** What the transaction's JSON Patches may still copy, measure and compare (created by the first). */
  patchWork?: PatchBudget;
  /** Records this transaction is in the middle of deleting (by on-delete's `deletionKey`), so a cascade never loops. */
  deleting?: Set<string>;
}
