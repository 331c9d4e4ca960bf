/**
 * The store contract for `ids: "increment"` and `single: true`: numbers
 * handed out once each, in the write's transaction, under concurrency, and
 * kept ahead of every integer id written otherwise; a single collection
 * refusing a second record, even to racing transactions. Called from
 * storeContract, with its helpers, so every adapter runs it.
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { CollectionDef, FieldDef } from '../../src/schema/types.js';
import { SingleViolation } from '../../src/store/errors.js';
import type { Store } from '../../src/store/store.js';
import type { ContractKit } from './store-contract-aggregate.js';

const FIELDS: Record<string, FieldDef> = { title: { type: 'text' } };

export interface IdsKit extends ContractKit {
  /** Every `ready` reaches the same database (false for SQLite `:memory:`). */
  persistent: boolean;
}

export function idsContract(kit: IdsKit): void {
  const { unique, collection, rec, persistent } = kit;
  // Each test closes the stores it opened, so a shared PostgreSQL keeps its connections for the rest of the suite.
  const opened: Store[] = [];
  const ready = async (collections: Parameters<IdsKit['ready']>[0]) => {
    const store = await kit.ready(collections);
    opened.push(store);
    return store;
  };
  const it = (title: string, fn: () => Promise<void>) =>
    kit.it(title, async () => {
      try {
        await fn();
      } finally {
        for (const store of opened.splice(0)) await store.close();
      }
    });
  const def = (name: string, extra: Partial<CollectionDef>): CollectionDef => ({
    ...collection(name, FIELDS),
    ...extra,
  });
  async function increment(): Promise<{ store: Store; c: string }> {
    const c = unique('counted');
    return { store: await ready({ [c]: def(c, { ids: 'increment' }) }), c };
  }
  /** Takes the next id and inserts a record under it, in one transaction. */
  const create = (store: Store, c: string, title = 't') =>
    store.transaction(async (tx) => {
      const id = await tx.nextId(c);
      await tx.insert(c, rec(id, { title }));
      return id;
    });
  const allIds = async (store: Store, c: string) =>
    (await store.list(c, { filter: null, sort: [], limit: 1000, offset: 0, count: false })).items
      .map((r) => r.id)
      .sort((a, b) => Number(a) - Number(b));

  describe('increment ids', () => {
    it('nextId counts 1, 2, 3 in an empty collection', async () => {
      const { store, c } = await increment();
      assert.deepEqual(
        [await create(store, c), await create(store, c), await create(store, c)],
        ['1', '2', '3'],
      );
      assert.deepEqual(await allIds(store, c), ['1', '2', '3']);
    });

    it('an integer id inserted by hand raises the counter; other ids leave it alone', async () => {
      const { store, c } = await increment();
      assert.equal(await create(store, c), '1');
      await store.transaction(async (tx) => {
        await tx.insert(c, rec('41', { title: 'by hand' }));
        await tx.insert(c, rec('abc', { title: 'a name' }));
        await tx.insert(c, rec('7', { title: 'lower' }));
        await tx.insert(c, rec('1234567890123456', { title: 'too long to be a number' }));
      });
      assert.equal(await create(store, c), '42');
    });

    it('a number is never handed out twice, even after the largest record is deleted', async () => {
      const { store, c } = await increment();
      await create(store, c);
      assert.equal(await create(store, c), '2');
      assert.equal(await store.transaction((tx) => tx.delete(c, '2')), true);
      assert.equal(await create(store, c), '3');
    });

    it('a rolled-back create gives its number back; the next commit takes it', async () => {
      const { store, c } = await increment();
      await assert.rejects(
        store.transaction(async (tx) => {
          assert.equal(await tx.nextId(c), '1');
          throw new Error('undo');
        }),
        /undo/,
      );
      assert.equal(await create(store, c), '1');
      assert.deepEqual(await allIds(store, c), ['1']);
    });

    it('30 concurrent creates get 30 different numbers, 1 to 30', async () => {
      const { store, c } = await increment();
      const got = await Promise.all(Array.from({ length: 30 }, (_, i) => create(store, c, `n${i}`)));
      const expected = Array.from({ length: 30 }, (_, i) => String(i + 1));
      assert.deepEqual(
        [...got].sort((a, b) => Number(a) - Number(b)),
        expected,
      );
      assert.deepEqual(await allIds(store, c), expected);
    });

    it('a collection turned to increment starts after the largest integer id it holds', async () => {
      if (!persistent) return;
      const c = unique('turned');
      const before = await ready({ [c]: def(c, {}) });
      await before.transaction(async (tx) => {
        for (const id of ['5', '12', 'x9', '003']) await tx.insert(c, rec(id, { title: id }));
      });
      const after = await ready({ [c]: def(c, { ids: 'increment' }) });
      assert.equal(await create(after, c), '13');
      assert.equal(await create(after, c), '14');
    });

    it('turned to random ids and back: numbers written meanwhile still move the counter', async () => {
      if (!persistent) return;
      const c = unique('toggled');
      const counted = await ready({ [c]: def(c, { ids: 'increment' }) });
      assert.equal(await create(counted, c), '1');
      const random = await ready({ [c]: def(c, {}) });
      await random.transaction((tx) => tx.insert(c, rec('50', { title: 'by hand' })));
      const again = await ready({ [c]: def(c, { ids: 'increment' }) });
      assert.equal(await create(again, c), '51');
    });
  });

  describe('single collections', () => {
    async function single(): Promise<{ store: Store; c: string }> {
      const c = unique('single');
      return { store: await ready({ [c]: def(c, { single: true }) }), c };
    }
    const isSingle = (c: string, existing: string) => (error: unknown) => {
      assert.ok(error instanceof SingleViolation, `SingleViolation, not ${String(error)}`);
      assert.equal(error.collection, c);
      assert.equal(error.existing, existing);
      return true;
    };

    it('a second record is refused with SingleViolation naming the one held; after a delete one fits again', async () => {
      const { store, c } = await single();
      await store.transaction((tx) => tx.insert(c, rec('me', { title: 'First' })));
      await assert.rejects(
        store.transaction((tx) => tx.insert(c, rec('other', { title: 'Second' }))),
        isSingle(c, 'me'),
      );
      assert.equal(await store.get(c, 'other'), undefined);
      await store.transaction(async (tx) => {
        await tx.delete(c, 'me');
        await tx.insert(c, rec('other', { title: 'Second' }));
      });
      assert.equal((await store.get(c, 'other'))?.title, 'Second');
      assert.equal(await store.get(c, 'me'), undefined);
    });

    it('of 10 racing inserts exactly one commits; the others see it', async () => {
      const { store, c } = await single();
      const outcomes = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) =>
          store.transaction(async (tx) => {
            await tx.insert(c, rec(`r${i}`, { title: `r${i}` }));
            // Still inside the transaction, so the others must wait for (or refuse) this one.
            await new Promise((r) => setImmediate(r));
          }),
        ),
      );
      const won = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [`r${i}`] : []));
      assert.equal(won.length, 1, 'one insert wins');
      for (const o of outcomes) if (o.status === 'rejected') isSingle(c, won[0])(o.reason);
      const held = await store.list(c, { filter: null, sort: [], limit: 10, offset: 0, count: true });
      assert.deepEqual(
        held.items.map((r) => r.id),
        won,
      );
      assert.equal(held.total, 1);
    });
  });
}
