import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CachedRecord, RecordCache } from './record-cache.js';

/** An entry whose JSON is `size` characters long. */
function entry(size: number, tag = 'a'): CachedRecord {
  return { json: tag.repeat(size), etag: `"${tag}"`, updated: undefined, lastModified: undefined };
}

/** Bytes an entry of that JSON length counts for (its JSON, its ETag, the fixed overhead). */
function cost(size: number): number {
  const probe = new RecordCache(1 << 30);
  probe.put('c', 'x', '', entry(size), probe.stamp());
  return probe.usedBytes;
}

describe('RecordCache', () => {
  it('keeps an entry per collection, id and variant, and gives back exactly what was put', () => {
    const cache = new RecordCache();
    const plain = entry(10, 'p');
    const all = entry(12, 'h');
    assert.equal(cache.put('books', '1', 'visible', plain, cache.stamp()), true);
    assert.equal(cache.put('books', '1', 'all', all, cache.stamp()), true);
    assert.equal(cache.get('books', '1', 'visible'), plain);
    assert.equal(cache.get('books', '1', 'all'), all);
    assert.equal(cache.get('books', '1', ''), undefined, 'another variant is a miss');
    assert.equal(cache.get('books', '2', 'visible'), undefined, 'another id is a miss');
    assert.equal(cache.get('films', '1', 'visible'), undefined, 'another collection is a miss');
    assert.equal(cache.size, 2);
  });

  it('drops every variant of one record, and only that record', () => {
    const cache = new RecordCache();
    cache.put('books', '1', 'visible', entry(5), cache.stamp());
    cache.put('books', '1', 'all', entry(5), cache.stamp());
    cache.put('books', '2', 'visible', entry(5), cache.stamp());
    cache.drop('books', '1');
    assert.equal(cache.get('books', '1', 'visible'), undefined);
    assert.equal(cache.get('books', '1', 'all'), undefined);
    assert.ok(cache.get('books', '2', 'visible'));
    assert.equal(cache.size, 1);
    assert.equal(cache.usedBytes, cost(5));
  });

  it('refuses a put whose read overlapped a drop or a clear', () => {
    const cache = new RecordCache();
    const before = cache.stamp();
    cache.drop('books', '9'); // a commit lands while the read of 1 is under way
    assert.equal(cache.put('books', '1', '', entry(5), before), false);
    assert.equal(cache.get('books', '1', ''), undefined);
    const again = cache.stamp();
    cache.clear();
    assert.equal(cache.put('books', '1', '', entry(5), again), false);
    assert.equal(cache.size, 0);
    assert.equal(cache.put('books', '1', '', entry(5), cache.stamp()), true);
  });

  it('stays within its bytes, evicting the least recently used first', () => {
    const one = cost(100);
    const cache = new RecordCache(one * 8);
    for (let i = 0; i < 8; i++) assert.equal(cache.put('c', String(i), '', entry(100), cache.stamp()), true);
    assert.equal(cache.usedBytes, one * 8);
    cache.get('c', '0', ''); // 0 is now the most recent; 1 the least
    cache.put('c', '8', '', entry(100), cache.stamp());
    assert.equal(cache.usedBytes, one * 8);
    assert.equal(cache.get('c', '1', ''), undefined, 'the least recently used went');
    assert.ok(cache.get('c', '0', ''), 'the one read again stayed');
    assert.ok(cache.get('c', '8', ''));
    assert.equal(cache.size, 8);
  });

  it('replacing an entry counts its bytes once', () => {
    const cache = new RecordCache();
    cache.put('c', '1', '', entry(50), cache.stamp());
    cache.put('c', '1', '', entry(70, 'b'), cache.stamp());
    assert.equal(cache.size, 1);
    assert.equal(cache.usedBytes, cost(70));
    assert.equal(cache.get('c', '1', '')?.json, 'b'.repeat(70));
  });

  it('keeps no entry larger than an eighth of its bytes, and nothing with 0 bytes', () => {
    const cache = new RecordCache(8000);
    assert.equal(cache.put('c', 'big', '', entry(1000), cache.stamp()), false);
    assert.equal(cache.size, 0);
    assert.equal(cache.usedBytes, 0);
    const none = new RecordCache(0);
    assert.equal(none.put('c', '1', '', entry(1), none.stamp()), false);
    assert.equal(none.get('c', '1', ''), undefined);
  });

  it('clear empties it', () => {
    const cache = new RecordCache();
    cache.put('c', '1', '', entry(5), cache.stamp());
    cache.clear();
    assert.equal(cache.size, 0);
    assert.equal(cache.usedBytes, 0);
    assert.equal(cache.get('c', '1', ''), undefined);
  });
});
