/**
 * The store contract for the change log (realtime): every committed record
 * write leaves one row, in the write's own transaction, read back in an
 * order no later commit can break; a rollback leaves none; retention takes
 * a prefix. Called from storeContract, with its helpers, so every adapter
 * runs it. The log is shared by every test on the database, so each test
 * reads from the head it found first and looks at its own collection only.
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { type Change, type ChangeCursor, compareCursors } from '../../src/store/change-log.js';
import type { Store } from '../../src/store/store.js';
import type { ContractKit } from './store-contract-aggregate.js';

/**
 * Every committed change after `from`, in order. With `settle`, waits out
 * changes held back by transactions still open (on PostgreSQL, any
 * transaction on the server, such as another commit's NOTIFY, holds them
 * back for a moment).
 */
async function readAll(store: Store, from: ChangeCursor, settle = true): Promise<Change[]> {
  const out: Change[] = [];
  let cursor = from;
  // Up to 20 s: a transaction open elsewhere on a shared server holds the log's readable end back.
  for (let i = 0; i < 2000; i++) {
    const batch = await store.changes.read(cursor, 3);
    out.push(...batch.changes);
    const last = batch.changes.at(-1);
    if (last) cursor = last;
    if (batch.waiting && settle) await new Promise((resolve) => setTimeout(resolve, 10));
    else if (!batch.more) return out;
  }
  throw new Error('the change log did not end');
}

const gate = () => {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
};

export function changesContract(kit: ContractKit): void {
  const { it, ready, unique, collection, rec } = kit;
  const fields = { title: { type: 'text' as const }, owner: { type: 'text' as const } };

  describe('change log', () => {
    it('a create, an update and a delete are logged in order, with the record as committed', async () => {
      const c = unique('log_books');
      const store = await ready({ [c]: collection(c, fields) });
      const from = await store.changes.head();
      await store.transaction(async (tx) => {
        await tx.insert(c, rec('b1', { title: 'Dune', owner: 'u1' }, 1));
        await tx.update(c, rec('b1', { title: 'Dune II', owner: 'u1' }, 2));
      });
      await store.transaction(async (tx) => {
        assert.equal(await tx.delete(c, 'b1'), true);
        assert.equal(await tx.delete(c, 'missing'), false);
      });
      const changes = (await readAll(store, from)).filter((ch) => ch.collection === c);
      assert.deepEqual(
        changes.map((ch) => [ch.op, ch.id, ch.record.title, ch.record.owner]),
        [
          ['create', 'b1', 'Dune', 'u1'],
          ['update', 'b1', 'Dune II', 'u1'],
          // The delete keeps the record as it was, for rules to decide who may hear of it.
          ['delete', 'b1', 'Dune II', 'u1'],
        ],
      );
      assert.deepEqual(changes[1]?.record, rec('b1', { title: 'Dune II', owner: 'u1' }, 2));
      for (let i = 1; i < changes.length; i++) {
        assert.ok(compareCursors(changes[i - 1] as Change, changes[i] as Change) < 0, 'strictly increasing');
      }
      assert.ok(changes.every((ch) => typeof ch.at === 'string' && !Number.isNaN(Date.parse(ch.at))));
      // The head has moved past them.
      assert.ok(compareCursors(await store.changes.head(), changes.at(-1) as Change) >= 0);
      await store.close();
    });

    it('a rolled-back transaction and a failed write leave no row', async () => {
      const c = unique('log_rollback');
      const store = await ready({ [c]: collection(c, fields) });
      const from = await store.changes.head();
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.insert(c, rec('r1', { title: 'gone' }));
          throw new Error('no');
        }),
        /no/,
      );
      await store.transaction((tx) => tx.insert(c, rec('r2', { title: 'kept' })));
      // A duplicate id fails inside its transaction: nothing of it is logged.
      await assert.rejects(store.transaction((tx) => tx.insert(c, rec('r2', { title: 'twice' }))));
      const changes = (await readAll(store, from)).filter((ch) => ch.collection === c);
      assert.deepEqual(
        changes.map((ch) => [ch.op, ch.id, ch.record.title]),
        [['create', 'r2', 'kept']],
      );
      await store.close();
    });

    it('reads page by `limit`, and `locate` finds a change by its seq', async () => {
      const c = unique('log_pages');
      const store = await ready({ [c]: collection(c, fields) });
      const from = await store.changes.head();
      for (let i = 0; i < 5; i++)
        await store.transaction((tx) => tx.insert(c, rec(`p${i}`, { title: `${i}` })));
      const first = await store.changes.read(from, 2);
      assert.equal(first.changes.length, 2);
      assert.equal(first.more, true);
      const all = (await readAll(store, from)).filter((ch) => ch.collection === c);
      assert.deepEqual(
        all.map((ch) => ch.id),
        ['p0', 'p1', 'p2', 'p3', 'p4'],
      );
      const third = all[2] as Change;
      assert.deepEqual(await store.changes.locate(third.seq), { tx: third.tx, seq: third.seq });
      const after = (await readAll(store, third)).filter((ch) => ch.collection === c);
      assert.deepEqual(
        after.map((ch) => ch.id),
        ['p3', 'p4'],
      );
      assert.equal(await store.changes.locate(Number.MAX_SAFE_INTEGER), undefined);
      await store.close();
    });

    it('a change committed while an earlier writer is still open waits for it and is read after it', async () => {
      const c = unique('log_order');
      const store = await ready({ [c]: collection(c, fields) });
      const from = await store.changes.head();
      const hold = gate();
      const wrote = gate();
      const first = store.transaction(async (tx) => {
        await tx.insert(c, rec('early', { title: 'first to write' }));
        wrote.open();
        await hold.opened;
      });
      await wrote.opened;
      // On PostgreSQL this one commits while the first is open; on SQLite it waits its turn.
      const second = store.transaction((tx) => tx.insert(c, rec('late', { title: 'first to commit' })));
      await Promise.race([second, new Promise((resolve) => setTimeout(resolve, 300))]);
      const meanwhile = (await readAll(store, from, false)).filter((ch) => ch.collection === c);
      assert.deepEqual(meanwhile, [], 'nothing is readable while an earlier writer is open');
      hold.open();
      await Promise.all([first, second]);
      const changes = (await readAll(store, from)).filter((ch) => ch.collection === c);
      assert.deepEqual(
        changes.map((ch) => ch.id),
        ['early', 'late'],
      );
      await store.close();
    });

    it('watchers are woken after the commit, when the change can be read', async () => {
      const c = unique('log_watch');
      const store = await ready({ [c]: collection(c, fields) });
      const from = await store.changes.head();
      const seen: string[][] = [];
      let woken!: () => void;
      const wake = new Promise<void>((resolve) => {
        woken = resolve;
      });
      const stop = store.changes.watch(() => {
        void readAll(store, from).then((changes) => {
          const ids = changes.filter((ch) => ch.collection === c).map((ch) => ch.id);
          seen.push(ids);
          if (ids.length > 0) woken();
        });
      });
      await store.transaction((tx) => tx.insert(c, rec('w1', { title: 'x' })));
      await wake;
      stop();
      assert.deepEqual(
        seen.find((ids) => ids.length > 0),
        ['w1'],
      );
      await store.close();
    });

    it('purge takes the changes older than the retention, and all but the newest `keep`', async () => {
      const c = unique('log_purge');
      const store = await ready({ [c]: collection(c, fields) });
      const from = await store.changes.head();
      for (let i = 0; i < 4; i++)
        await store.transaction((tx) => tx.insert(c, rec(`q${i}`, { title: `${i}` })));
      const mine = (await readAll(store, from)).filter((ch) => ch.collection === c);
      assert.equal(mine.length, 4);
      // Nothing is older than a year ago; keep the newest two of the whole log.
      const yearAgo = new Date(Date.now() - 365 * 86_400_000).toISOString();
      assert.ok((await store.changes.purge(yearAgo, 2)) >= 2);
      const left = (await readAll(store, from)).filter((ch) => ch.collection === c);
      assert.deepEqual(
        left.map((ch) => ch.id),
        ['q2', 'q3'],
      );
      assert.equal(await store.changes.locate((mine[1] as Change).seq), undefined);
      assert.ok(await store.changes.locate((mine[2] as Change).seq));
      // Everything written before a moment from now is past the retention.
      assert.ok((await store.changes.purge(new Date(Date.now() + 60_000).toISOString(), 1_000_000)) >= 2);
      assert.deepEqual(
        (await readAll(store, from)).filter((ch) => ch.collection === c),
        [],
      );
      await store.close();
    });
  });
}
