/**
 * PUT (replace or create), no-op writes, ids and system fields, and
 * `Prefer: return=minimal` (HTTP.md Methods; PRODUCT.md Details: Representations).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { HTTPMethods } from 'fastify';
import { BOOKS_CONFIG, json, type TestApp, testApp } from '../harness.js';
import { assertProblem, create, DUNE, mediaType, movableClock, stored } from './helpers.js';

describe('PUT', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp(BOOKS_CONFIG);
  });
  after(() => t.close());

  test('on an existing id replaces the whole record: left-out fields take their defaults', async () => {
    const { id } = await create(t, 'books', { ...DUNE, genre: 'fiction', inPrint: false, tags: ['sf'] });
    const res = await t.request({
      method: 'PUT',
      url: `/api/books/${id}`,
      payload: { title: 'Dune Messiah', author: 'Frank Herbert' },
    });
    assert.equal(res.statusCode, 200);
    assert.equal(mediaType(res), 'application/json');
    const body = json(res);
    assert.equal(body.title, 'Dune Messiah');
    assert.equal(body.year, null, 'no default: null');
    assert.equal(body.genre, null);
    assert.equal(body.tags, null);
    assert.equal(body.inPrint, true, 'back to its default');
    assert.deepEqual(body, await t.store.get('books', id));
    assert.equal(res.headers.location, undefined, 'nothing was created');
  });

  test('on a new valid id creates it: 201 with Location and the record', async () => {
    const res = await t.request({ method: 'PUT', url: '/api/books/my-Book_1', payload: DUNE });
    assert.equal(res.statusCode, 201);
    assert.equal(res.headers.location, '/api/books/my-Book_1');
    assert.equal(res.headers['content-location'], '/api/books/my-Book_1');
    const body = json(res);
    assert.equal(body.id, 'my-Book_1');
    assert.deepEqual(body, await t.store.get('books', 'my-Book_1'));
  });

  const badIds = [
    { name: 'a space', id: 'bad%20id' },
    { name: '65 characters', id: 'a'.repeat(65) },
    { name: 'a dot', id: 'a.b' },
    { name: 'non-ASCII', id: encodeURIComponent('livre-é') },
  ];
  for (const row of badIds) {
    test(`to an id with ${row.name}: 400 and nothing created`, async () => {
      const before = (await stored(t, 'books')).length;
      const res = await t.request({ method: 'PUT', url: `/api/books/${row.id}`, payload: DUNE });
      assertProblem(res, 400, {
        type: 'https://methodical.dev/problems/invalid-id',
        detail: /not a valid id/,
      });
      assert.equal((await stored(t, 'books')).length, before);
    });
  }

  test('an id of exactly 64 allowed characters is fine', async () => {
    const id = 'A-z_9'.repeat(12).padEnd(64, 'x');
    const res = await t.request({ method: 'PUT', url: `/api/books/${id}`, payload: DUNE });
    assert.equal(res.statusCode, 201);
    assert.equal((await t.store.get('books', id))?.id, id);
  });

  test('is idempotent: the same PUT twice leaves the same state, ETag and updated', async () => {
    const first = await t.request({ method: 'PUT', url: '/api/books/twice', payload: DUNE });
    const second = await t.request({ method: 'PUT', url: '/api/books/twice', payload: DUNE });
    assert.equal(first.statusCode, 201);
    assert.equal(second.statusCode, 200);
    assert.equal(second.headers.etag, first.headers.etag);
    assert.deepEqual(json(second), json(first));
    assert.deepEqual(await t.store.get('books', 'twice'), json(first));
  });

  test('a body id differing from the URL: 409, nothing changes', async () => {
    const { id, body } = await create(t, 'books', DUNE);
    const res = await t.request({
      method: 'PUT',
      url: `/api/books/${id}`,
      payload: { ...DUNE, id: 'other', title: 'X' },
    });
    assertProblem(res, 409, { type: 'https://methodical.dev/problems/id-mismatch', detail: /other/ });
    assert.deepEqual(await t.store.get('books', id), body);
    assert.equal(await t.store.get('books', 'other'), undefined);
    const creating = await t.request({
      method: 'PUT',
      url: '/api/books/fresh',
      payload: { ...DUNE, id: 'other' },
    });
    assertProblem(creating, 409);
    assert.equal(await t.store.get('books', 'fresh'), undefined);
  });

  test('a body with the same id, created and updated round-trips (they are ignored)', async () => {
    const { id, body } = await create(t, 'books', DUNE);
    const edited = {
      ...body,
      title: 'Dune (revised)',
      created: '2000-01-01T00:00:00.000Z',
      updated: 'nonsense',
    };
    const res = await t.request({ method: 'PUT', url: `/api/books/${id}`, payload: edited });
    assert.equal(res.statusCode, 200);
    const now = json(res);
    assert.equal(now.title, 'Dune (revised)');
    assert.equal(now.created, body.created, 'created is the server’s');
    assert.notEqual(now.updated, 'nonsense');
    assert.deepEqual(await t.store.get('books', id), now);
  });

  test('PATCH with a different id in the body: 409, nothing changes', async () => {
    const { id, body } = await create(t, 'books', DUNE);
    const res = await t.request({
      method: 'PATCH',
      url: `/api/books/${id}`,
      payload: { id: 'else', title: 'X' },
    });
    assertProblem(res, 409, { detail: /id/ });
    assert.deepEqual(await t.store.get('books', id), body);
  });
});

describe('a write that changes nothing is a no-op', () => {
  const clock = movableClock();
  let t: TestApp;
  before(async () => {
    t = await testApp(BOOKS_CONFIG, { now: clock.now });
  });
  after(() => t.close());

  const noops: {
    name: string;
    method: HTTPMethods;
    type?: string;
    payload: (b: Record<string, unknown>) => unknown;
  }[] = [
    { name: 'PUT of the same fields', method: 'PUT', payload: () => ({ ...DUNE }) },
    { name: 'PUT of the GET body', method: 'PUT', payload: (b) => b },
    {
      name: 'merge PATCH of equal values',
      method: 'PATCH',
      payload: () => ({ title: DUNE.title, year: 1965 }),
    },
    { name: 'empty merge PATCH', method: 'PATCH', payload: () => ({}) },
    {
      name: 'JSON Patch replacing a value by itself',
      method: 'PATCH',
      type: 'application/json-patch+json',
      payload: () => [{ op: 'replace', path: '/year', value: 1965 }],
    },
  ];
  for (const row of noops) {
    test(`${row.name}: 200, same ETag, same updated, nothing stored`, async () => {
      const { id, etag, body } = await create(t, 'books', DUNE);
      clock.advance(5000); // a real change now would get a later `updated`
      const res = await t.request({
        method: row.method,
        url: `/api/books/${id}`,
        headers: { 'content-type': row.type ?? 'application/json' },
        payload: JSON.stringify(row.payload(body)),
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers.etag, etag);
      assert.deepEqual(json(res), body);
      assert.deepEqual(await t.store.get('books', id), body);
      const get = await t.request({ method: 'GET', url: `/api/books/${id}` });
      assert.equal(get.headers.etag, etag);
    });
  }

  test('a real change moves ETag and updated', async () => {
    const { id, etag, body } = await create(t, 'books', DUNE);
    clock.advance(5000);
    const res = await t.request({ method: 'PATCH', url: `/api/books/${id}`, payload: { year: 1966 } });
    assert.equal(res.statusCode, 200);
    assert.notEqual(res.headers.etag, etag);
    assert.notEqual(json(res).updated, body.updated);
    assert.equal(json(res).created, body.created);
    assert.equal((await t.store.get('books', id))?.year, 1966);
  });
});
