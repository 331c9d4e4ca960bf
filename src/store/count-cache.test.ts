import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFilter } from '../query/parser.js';
import { CountCache, type CountEntry, type TxChanges } from './count-cache.js';

const F = parseFilter('year > 2000');

function keep(
  cache: CountCache,
  key: string,
  collection: string,
  count: number,
  filtered = true,
): CountEntry {
  cache.store(key, collection, filtered ? F : null, count, cache.mark(collection));
  const entry = cache.get(key);
  assert.ok(entry, `${key} was kept`);
  return entry;
}

function changes(
  collection: string,
  firstSeq: number,
  rows: number,
  matches: [CountEntry, number][] = [],
): TxChanges {
  return new Map([[collection, { firstSeq, rows, matches: new Map(matches) }]]);
}

describe('CountCache', () => {
  it('a committed transaction adds its changes; a rolled-back one leaves the counts', () => {
    const cache = new CountCache();
    const all = keep(cache, 'all', 'books', 10, false);
    const some = keep(cache, 'some', 'books', 4);
    const seq = cache.tick();
    cache.begin('books');
    cache.finish(changes('books', seq, 2, [[some, 1]]), false);
    assert.deepEqual([all.count, some.count], [10, 4]);
    cache.begin('books');
    cache.finish(changes('books', seq, 2, [[some, -1]]), true);
    assert.deepEqual([all.count, some.count], [12, 3]);
  });

  it('an entry counted after the transaction’s first write is dropped, not adjusted', () => {
    const cache = new CountCache();
    const seq = cache.tick();
    const late = keep(cache, 'late', 'books', 4);
    cache.begin('books');
    cache.finish(changes('books', seq, 1, [[late, 1]]), true);
    assert.equal(cache.get('late'), undefined);
  });

  it('an outcome that is not known drops the collection’s entries, and only those', () => {
    const cache = new CountCache();
    keep(cache, 'a', 'books', 1);
    keep(cache, 'b', 'authors', 2);
    cache.begin('books');
    cache.finish(changes('books', cache.tick(), 1), null);
    assert.equal(cache.get('a'), undefined);
    assert.equal(cache.get('b')?.count, 2);
  });

  it('a count made while a write to its collection is under way is not kept', () => {
    const cache = new CountCache();
    cache.begin('books');
    cache.store('k', 'books', F, 3, cache.mark('books'));
    assert.equal(cache.get('k'), undefined, 'a write was in flight when counting began');
    const mark = cache.mark('authors');
    cache.begin('authors');
    cache.store('k2', 'authors', F, 3, mark);
    assert.equal(cache.get('k2'), undefined, 'a write began while counting');
  });

  it('is bounded: least recently used entries go first, and filtered entries per collection too', () => {
    const cache = new CountCache(3, 2);
    keep(cache, 'a', 'x', 1, false);
    keep(cache, 'b', 'y', 1, false);
    keep(cache, 'c', 'z', 1, false);
    cache.get('a');
    keep(cache, 'd', 'w', 1, false);
    assert.equal(cache.get('b'), undefined);
    assert.ok(cache.get('a'));
    assert.equal(cache.size, 3);
    const small = new CountCache(10, 2);
    keep(small, 'f1', 'books', 1);
    keep(small, 'f2', 'books', 1);
    keep(small, 'f3', 'books', 1);
    assert.equal(small.get('f1'), undefined);
    assert.equal(small.filtered('books').length, 2);
  });

  it('a kept count is current only while the counter moved by this process’s own commits', () => {
    const cache = new CountCache();
    cache.store('k', 'books', null, 5, cache.mark('books'), 7);
    const entry = cache.get('k')!;
    assert.equal(cache.current(entry, 7), true);
    assert.equal(cache.current(entry, 8), false, 'another node committed');
    cache.begin('books');
    cache.finish(changes('books', cache.tick(), 1), true);
    assert.equal(cache.current(entry, 8), true, 'the one commit since was this process’s own');
    assert.equal(entry.count, 6);
  });

  it('settled waits for this process’s writes on the collection to finish, or for the time given', async () => {
    const cache = new CountCache();
    const all = keep(cache, 'all', 'books', 1, false);
    await cache.settled('books', 10_000);
    const seq = cache.tick();
    cache.begin('books');
    assert.equal(cache.busy('books'), true);
    let woke = false;
    const waiting = cache.settled('books', 10_000).then(() => {
      woke = true;
      assert.equal(all.count, 2, 'the changes are applied before waiters wake');
    });
    await new Promise((r) => setImmediate(r));
    assert.equal(woke, false);
    cache.finish(changes('books', seq, 1), true);
    await waiting;
    assert.equal(cache.busy('books'), false);
    cache.begin('books');
    const started = Date.now();
    await cache.settled('books', 20);
    assert.ok(Date.now() - started >= 15, 'gave up after the time given');
  });
});
