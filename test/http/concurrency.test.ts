/**
 * Concurrent requests against one app: one Idempotency-Key makes one record
 * (409 while the first is in flight), and one If-Match lets exactly one
 * writer through. The store serialises transactions; these tests fail if
 * the key lock or the in-transaction precondition check breaks.
 */
import assert from 'node:assert/strict';
import { after, beforeEach, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { BOOKS_CONFIG, json, ON_POSTGRES, type TestApp, testApp } from '../harness.js';
import { assertProblem, create, DUNE, settle, stored } from './helpers.js';

let t: TestApp;
beforeEach(async () => {
  await t?.close();
  t = await testApp(BOOKS_CONFIG);
});
after(() => t.close());

function postWithKey(key: string, payload: object = DUNE) {
  return t.request({ method: 'POST', url: '/api/books', headers: { 'idempotency-key': key }, payload });
}

function assertInFlight(res: LightMyRequestResponse): void {
  assertProblem(res, 409, {
    type: 'https://methodical.dev/problems/idempotency-key-in-use',
    detail: /still being processed/,
  });
  assert.match(String(res.headers['retry-after']), /^\d+$/);
}

describe('one Idempotency-Key, many parallel POSTs', () => {
  test('50 at once make exactly one record; every answer is its replay or a 409', async () => {
    const responses = await Promise.all(Array.from({ length: 50 }, () => postWithKey('burst')));
    const records = await stored(t, 'books');
    assert.equal(records.length, 1, 'exactly one record');
    const created = responses.filter((r) => r.statusCode === 201);
    const originals = created.filter((r) => r.headers['idempotent-replayed'] === undefined);
    assert.equal(originals.length, 1, 'one answer ran the write');
    const original = originals[0];
    assert.equal(json(original).id, records[0].id);
    for (const r of responses) {
      if (r.statusCode === 409) {
        assertInFlight(r);
        continue;
      }
      assert.equal(r.statusCode, 201, r.body);
      assert.equal(r.body, original.body, 'same bytes');
      assert.equal(r.headers.location, original.headers.location);
      if (r !== original) assert.equal(r.headers['idempotent-replayed'], 'true');
    }
    const later = await postWithKey('burst');
    assert.equal(later.headers['idempotent-replayed'], 'true');
    assert.equal(later.body, original.body);
    assert.equal((await stored(t, 'books')).length, 1);
  });

  // Holding SQLite's one write queue keeps the first in flight; on PostgreSQL test/http/postgres-nodes.test.ts
  // holds the key's lock from another app instead.
  const sqliteQueue = ON_POSTGRES ? { skip: 'holds SQLite’s write queue' } : {};
  test(
    'while the first is in flight every other request gets 409, then retries replay',
    sqliteQueue,
    async () => {
      // Hold the store's write queue so the first request stays in flight while the others arrive.
      let release = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const blocker = t.store.transaction(() => gate);
      const settled: LightMyRequestResponse[] = [];
      const all = Array.from({ length: 50 }, () =>
        postWithKey('held').then((res) => {
          settled.push(res);
          return res;
        }),
      );
      try {
        await settle(() => settled.length >= 49);
        assert.equal(settled.length, 49, 'all but the first answered while it was still running');
        for (const r of settled) assertInFlight(r);
        assert.equal((await stored(t, 'books')).length, 0, 'nothing committed yet');
      } finally {
        release();
      }
      await blocker;
      const responses = await Promise.all(all);
      const first = responses.filter((r) => r.statusCode === 201);
      assert.equal(first.length, 1);
      assert.equal(first[0].headers['idempotent-replayed'], undefined);
      const records = await stored(t, 'books');
      assert.equal(records.length, 1);
      assert.equal(json(first[0]).id, records[0].id);
      const retry = await postWithKey('held');
      assert.equal(retry.headers['idempotent-replayed'], 'true');
      assert.equal(retry.body, first[0].body);
    },
  );

  test('50 different keys at once make 50 records', async () => {
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => postWithKey(`k${i}`, { ...DUNE, year: i })),
    );
    assert.ok(responses.every((r) => r.statusCode === 201 && r.headers['idempotent-replayed'] === undefined));
    const records = await stored(t, 'books');
    assert.equal(records.length, 50);
    assert.deepEqual(
      records.map((r) => r.year).sort((a, b) => Number(a) - Number(b)),
      Array.from({ length: 50 }, (_, i) => i),
    );
  });
});

describe('one If-Match, many parallel writers', () => {
  test('20 PUTs with the same If-Match: exactly one 200, the rest 412, the winner stored', async () => {
    const { id, etag } = await create(t, 'books', DUNE);
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.request({
          method: 'PUT',
          url: `/api/books/${id}`,
          headers: { 'if-match': etag },
          payload: { ...DUNE, title: `Writer ${i}` },
        }),
      ),
    );
    const winners = responses.filter((r) => r.statusCode === 200);
    assert.equal(winners.length, 1, 'exactly one writer got through');
    for (const r of responses) if (r !== winners[0]) assertProblem(r, 412);
    const record = await t.store.get('books', id);
    assert.equal(record?.title, json(winners[0]).title);
    const get = await t.request({ method: 'GET', url: `/api/books/${id}` });
    assert.equal(get.headers.etag, winners[0].headers.etag);
  });

  test('20 PATCHes with the same If-Match: exactly one 200, the rest 412', async () => {
    const { id, etag } = await create(t, 'books', { ...DUNE, year: 0 });
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.request({
          method: 'PATCH',
          url: `/api/books/${id}`,
          headers: { 'if-match': etag },
          payload: { year: i + 1 },
        }),
      ),
    );
    const winners = responses.filter((r) => r.statusCode === 200);
    assert.equal(winners.length, 1);
    assert.equal(responses.filter((r) => r.statusCode === 412).length, 19);
    assert.equal((await t.store.get('books', id))?.year, json(winners[0]).year);
  });

  test('20 DELETEs with the same If-Match: one 204, the rest 404 (the record is gone)', async () => {
    const { id, etag } = await create(t, 'books', DUNE);
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        t.request({ method: 'DELETE', url: `/api/books/${id}`, headers: { 'if-match': etag } }),
      ),
    );
    assert.equal(responses.filter((r) => r.statusCode === 204).length, 1);
    for (const r of responses) if (r.statusCode !== 204) assertProblem(r, 404);
    assert.equal(await t.store.get('books', id), undefined);
  });

  test('20 POSTs of one unique value: one 201, the rest 409', async () => {
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        t.request({ method: 'POST', url: '/api/books', payload: { ...DUNE, isbn: '1-111-11111-1' } }),
      ),
    );
    assert.equal(responses.filter((r) => r.statusCode === 201).length, 1);
    for (const r of responses)
      if (r.statusCode !== 201)
        assertProblem(r, 409, { type: 'https://methodical.dev/problems/unique-violation' });
    assert.equal((await stored(t, 'books')).length, 1);
  });
});
