/**
 * The config's seed: sample data for a first start, written once per
 * database in one transaction with system rights (validation and hooks
 * apply). The database keeps a marker, written in that same transaction,
 * so a crash never leaves data without its marker or the reverse. A
 * database that already holds records is marked without running the seed:
 * it never writes over data that was there first.
 */
import type { SeedHandler } from '../config/app-types.js';
import type { Config } from '../config/types.js';
import type { FileStorage } from '../files/storage.js';
import type { CompiledCollection } from '../schema/compile-collection.js';
import { compileSchema } from '../schema/compile-schema.js';
import type { Store, StoreTx } from '../store/store.js';
import { isProblem, type Problem } from '../util/problem.js';
import { type WriteRenderer, WriteRunner } from './idempotent-write.js';
import { RecordWriter } from './record-writes.js';

export const SEED_MARKER = 'seeded';

/** `seeded`: it ran now; `kept`: the database held records, so it was marked without running; `done`: an earlier start ran it. */
export type SeedOutcome = 'seeded' | 'kept' | 'done';

export interface SeedDeps {
  store: Store;
  schema: ReadonlyMap<string, CompiledCollection>;
  writer: RecordWriter;
  runner: WriteRunner<null>;
  now?: () => Date;
}

/** The seed failed: nothing it wrote was kept. The message is one line. */
export class SeedFailed extends Error {
  constructor(reason: string, options?: ErrorOptions) {
    super(`the seed failed, so nothing it wrote was kept: ${reason.replace(/\s*\n\s*/g, ' ')}`, options);
    this.name = 'SeedFailed';
  }
}

/** Whether any collection but the accounts holds a record (an admin made with `user create` is no data to keep). */
async function holdsData(tx: StoreTx, schema: SeedDeps['schema']): Promise<boolean> {
  for (const [name, compiled] of schema) {
    if (compiled.def.auth) continue;
    const page = await tx.list(name, { filter: null, sort: [], limit: 1, offset: 0, count: false });
    if (page.items.length > 0) return true;
  }
  return false;
}

/** What a problem from a seed's write says: its detail and each field's problem. */
function problemText(problem: Problem): string {
  const fields = (problem.errors ?? []).map((e) => `${e.field} ${e.message}`);
  return fields.length === 0 ? problem.detail : `${problem.detail} (${fields.join('; ')})`;
}

/** A seed is one composed write without an Idempotency-Key: it renders nothing. */
const UNRENDERED: WriteRenderer<null> = {
  outcome() {
    throw new Error('a seed renders no record write');
  },
  problem() {
    throw new Error('a seed has no Idempotency-Key, so it renders no problem');
  },
};

/** Run the seed unless this database was seeded (or held data) before; throws SeedFailed. */
export async function runSeed(deps: SeedDeps, seed: SeedHandler): Promise<SeedOutcome> {
  const now = deps.now ?? (() => new Date());
  let outcome: SeedOutcome = 'done';
  try {
    // Through the runner, so the seed's after-hooks run once it has committed, as for any write.
    await deps.runner.run({
      request: null,
      claim: null,
      write: async (scope) => {
        if ((await scope.tx.getMarker(SEED_MARKER)) === undefined) {
          outcome = (await holdsData(scope.tx, deps.schema)) ? 'kept' : 'seeded';
          if (outcome === 'seeded') await seed({ tx: deps.writer.systemTx(scope) });
          await scope.tx.setMarker(SEED_MARKER, now().toISOString());
        }
        return { status: 204, headers: {}, body: '' };
      },
    });
  } catch (error) {
    const reason = isProblem(error)
      ? problemText(error)
      : error instanceof Error
        ? error.message
        : String(error);
    throw new SeedFailed(reason, { cause: error });
  }
  return outcome;
}

/** `methodical serve`'s seeding at start-up: the config's seed, if it has one, over this store. */
export async function seedDatabase(
  config: Config,
  store: Store,
  files: FileStorage,
  onError: (error: unknown) => void,
): Promise<SeedOutcome | undefined> {
  if (!config.seed) return undefined;
  const schema = compileSchema(config);
  const writer = new RecordWriter({ schema, hooks: config.hooks, files, limits: config.limits });
  const ttlSeconds = config.idempotency.ttlSeconds;
  const runner = new WriteRunner({ store, writer, render: UNRENDERED, ttlSeconds, onError });
  return runSeed({ store, schema, writer, runner }, config.seed);
}
