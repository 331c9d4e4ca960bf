/**
 * The store contract for grouped totals (`aggregate`): one grouped query
 * whose rows come sorted by the groupBy columns, nulls first, with integer
 * counts and sums that are never null. Called from storeContract, with its
 * helpers, so every adapter runs it.
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { Expr } from '../../src/query/ast.js';
import type { AuthValues } from '../../src/query/bind-auth.js';
import type { CollectionDef, FieldDef, RecordData } from '../../src/schema/types.js';
import { ReadTooLarge } from '../../src/store/errors.js';
import type { AggregateQuery, Store } from '../../src/store/store.js';

/** What a part of the store contract gets from the suite that runs it (store-contract.ts). */
export interface ContractKit {
  it(title: string, fn: () => Promise<void>): void;
  ready(collections: Readonly<Record<string, CollectionDef>>): Promise<Store>;
  unique(prefix: string): string;
  collection(name: string, fields: Record<string, FieldDef>): CollectionDef;
  rec(id: string, fields: Record<string, unknown>, n?: number): RecordData;
  where(src: string, auth?: AuthValues | null): Expr;
}

const WORKOUT_FIELDS: Record<string, FieldDef> = {
  type: { type: 'select', values: ['run', 'ride', 'swim'] },
  minutes: { type: 'integer' },
  km: { type: 'number' },
  outdoor: { type: 'boolean' },
  day: { type: 'date' },
  note: { type: 'text' },
  owner: { type: 'relation', collection: 'users' },
};

const WORKOUTS: [string, Record<string, unknown>][] = [
  ['w1', { type: 'run', minutes: 30, km: 5.5, outdoor: true, day: '2024-03-01', owner: 'u1' }],
  ['w2', { type: 'run', minutes: 45, km: 8.25, outdoor: true, day: '2024-03-02', owner: 'u2' }],
  ['w3', { type: 'ride', minutes: 90, km: 40, outdoor: true, day: '2024-03-01', owner: 'u1' }],
  ['w4', { type: 'swim', minutes: 20, km: null, outdoor: false, day: '2024-03-03', owner: 'u1' }],
  ['w5', { type: 'run', minutes: null, km: 3, outdoor: false, day: '2024-03-03', owner: 'u1' }],
  ['w6', { type: null, minutes: 10, km: null, outdoor: null, day: null, owner: null }],
];

function q(overrides: Partial<AggregateQuery>): AggregateQuery {
  return { filter: null, groupBy: [], sum: [], ...overrides };
}

export function aggregateContract(kit: ContractKit): void {
  const { it } = kit;
  const U1: AuthValues = { id: 'u1', email: 'u1@example.com', admin: false };

  /** A store with the workouts above; returns it and the collection's name. */
  async function workouts(rows = WORKOUTS): Promise<{ store: Store; c: string }> {
    const c = kit.unique('workouts');
    const store = await kit.ready({ [c]: kit.collection(c, WORKOUT_FIELDS) });
    await store.transaction(async (tx) => {
      let n = 0;
      for (const [id, fields] of rows) {
        const full: Record<string, unknown> = {};
        for (const name of Object.keys(WORKOUT_FIELDS)) full[name] = fields[name] ?? null;
        await tx.insert(c, kit.rec(id, full, n++));
      }
    });
    return { store, c };
  }

  describe('aggregate', () => {
    it('one row per group, sorted by the group (null first), with count and sums', async () => {
      const { store, c } = await workouts();
      const rows = await store.aggregate(c, q({ groupBy: ['type'], sum: ['minutes', 'km'] }));
      assert.deepEqual(rows, [
        { type: null, count: 1, minutes: 10, km: 0 },
        { type: 'ride', count: 1, minutes: 90, km: 40 },
        { type: 'run', count: 3, minutes: 75, km: 16.75 },
        { type: 'swim', count: 1, minutes: 20, km: 0 },
      ]);
      for (const row of rows) {
        assert.ok(Number.isInteger(row.count), 'count is an integer');
        assert.ok(Number.isInteger(row.minutes), 'the sum of an integer field is an integer');
      }
    });

    it('several groupBy fields: booleans, relations and dates keep their types', async () => {
      const { store, c } = await workouts();
      assert.deepEqual(await store.aggregate(c, q({ groupBy: ['owner', 'outdoor'], sum: ['minutes'] })), [
        { owner: null, outdoor: null, count: 1, minutes: 10 },
        { owner: 'u1', outdoor: false, count: 2, minutes: 20 },
        { owner: 'u1', outdoor: true, count: 2, minutes: 120 },
        { owner: 'u2', outdoor: true, count: 1, minutes: 45 },
      ]);
      assert.deepEqual(await store.aggregate(c, q({ groupBy: ['day'] })), [
        { day: null, count: 1 },
        { day: '2024-03-01', count: 2 },
        { day: '2024-03-02', count: 1 },
        { day: '2024-03-03', count: 2 },
      ]);
      assert.deepEqual(
        await store.aggregate(c, q({ groupBy: ['minutes'], filter: kit.where('type = "run"') })),
        [
          { minutes: null, count: 1 },
          { minutes: 30, count: 1 },
          { minutes: 45, count: 1 },
        ],
      );
    });

    it('the filter (with @auth bound) decides which records are counted', async () => {
      const { store, c } = await workouts();
      const mine = kit.where('owner = @auth.id', U1);
      assert.deepEqual(await store.aggregate(c, q({ filter: mine, groupBy: ['type'], sum: ['km'] })), [
        { type: 'ride', count: 1, km: 40 },
        { type: 'run', count: 2, km: 8.5 },
        { type: 'swim', count: 1, km: 0 },
      ]);
      const long = kit.where('minutes >= 30 && outdoor = true');
      assert.deepEqual(await store.aggregate(c, q({ filter: long, groupBy: ['owner'], sum: ['minutes'] })), [
        { owner: 'u1', count: 2, minutes: 120 },
        { owner: 'u2', count: 1, minutes: 45 },
      ]);
    });

    it('no matching records: no groups; without groupBy, one row of zero totals', async () => {
      const { store, c } = await workouts();
      const none = kit.where('minutes > 1000');
      assert.deepEqual(await store.aggregate(c, q({ filter: none, groupBy: ['type'], sum: ['km'] })), []);
      assert.deepEqual(await store.aggregate(c, q({ filter: none, sum: ['minutes', 'km'] })), [
        { count: 0, minutes: 0, km: 0 },
      ]);
      assert.deepEqual(await store.aggregate(c, q({ sum: ['minutes', 'km'] })), [
        { count: 6, minutes: 195, km: 56.75 },
      ]);
    });

    it('2,000 records: the totals of every one of them', async () => {
      const rows: [string, Record<string, unknown>][] = [];
      for (let i = 0; i < 2000; i++) {
        rows.push([
          `r${i}`,
          { type: ['run', 'ride', 'swim'][i % 3], minutes: i, km: 0.5, owner: `u${i % 2}` },
        ]);
      }
      const { store, c } = await workouts(rows);
      const expected = ['ride', 'run', 'swim'].map((type) => {
        const of = rows.filter(([, r]) => r.type === type);
        const minutes = of.reduce((total, [, r]) => total + (r.minutes as number), 0);
        return { type, count: of.length, minutes, km: of.length * 0.5 };
      });
      assert.deepEqual(await store.aggregate(c, q({ groupBy: ['type'], sum: ['minutes', 'km'] })), expected);
    });

    it('inside a transaction, aggregate sees the transaction’s own writes', async () => {
      const { store, c } = await workouts();
      await store.transaction(async (tx) => {
        await tx.insert(c, kit.rec('w7', { ...nulls(), type: 'swim', minutes: 5 }, 9));
        await tx.delete(c, 'w4');
        const rows = await tx.aggregate(
          c,
          q({ groupBy: ['type'], sum: ['minutes'], filter: kit.where('type = "swim"') }),
        );
        assert.deepEqual(rows, [{ type: 'swim', count: 1, minutes: 5 }]);
      });
    });

    it('maxBytes: ReadTooLarge rather than load more group rows than that', async () => {
      const { store, c } = await workouts();
      await assert.rejects(store.aggregate(c, q({ groupBy: ['day', 'type'], maxBytes: 40 })), ReadTooLarge);
      assert.equal((await store.aggregate(c, q({ groupBy: ['type'], maxBytes: 1 << 20 }))).length, 4);
    });
  });
}

function nulls(): Record<string, unknown> {
  return Object.fromEntries(Object.keys(WORKOUT_FIELDS).map((name) => [name, null]));
}
