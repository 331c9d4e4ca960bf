/**
 * PRODUCT.md, Details: Representations (every field present, nulls,
 * defaults, ids, ignored system fields) and `Prefer: return=minimal`
 * (RFC 7240).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { HTTPMethods } from 'fastify';
import { BOOKS_CONFIG, json, type TestApp, testApp } from '../harness.js';
import { create, DUNE } from './helpers.js';

describe('representations', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp(BOOKS_CONFIG);
  });
  after(() => t.close());

  test('every declared field is present; no value is null; defaults apply', async () => {
    const { body } = await create(t, 'books', { title: 'T', author: 'A' });
    assert.deepEqual(Object.keys(body), [
      'id',
      'title',
      'author',
      'year',
      'isbn',
      'genre',
      'inPrint',
      'tags',
      'created',
      'updated',
    ]);
    assert.equal(body.year, null);
    assert.equal(body.tags, null);
    assert.equal(body.inPrint, true);
    assert.match(body.created as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(body.created, body.updated);
  });

  test('a boolean without a default is null when not given', async () => {
    const b = await testApp({
      collections: {
        flags: { fields: { on: { type: 'boolean' } }, rules: BOOKS_CONFIG.collections?.books.rules },
      },
    });
    try {
      const { id, body } = await create(b, 'flags', {});
      assert.equal(body.on, null);
      assert.equal((await b.store.get('flags', id))?.on, null);
    } finally {
      await b.close();
    }
  });

  test('server ids are 15 characters of [a-z0-9]', async () => {
    for (let i = 0; i < 10; i++) assert.match((await create(t, 'books', DUNE)).id, /^[a-z0-9]{15}$/);
  });

  test('id, created and updated in a POST body are ignored', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/api/books',
      payload: {
        ...DUNE,
        id: 'chosen',
        created: '1999-01-01T00:00:00.000Z',
        updated: '1999-01-01T00:00:00.000Z',
      },
    });
    assert.equal(res.statusCode, 201);
    const body = json(res);
    assert.notEqual(body.id, 'chosen');
    assert.notEqual(body.created, '1999-01-01T00:00:00.000Z');
    assert.equal(await t.store.get('books', 'chosen'), undefined);
  });
});

describe('Prefer: return=minimal', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp(BOOKS_CONFIG);
  });
  after(() => t.close());

  const minimal = { prefer: 'return=minimal' };
  const table: {
    name: string;
    method: HTTPMethods;
    url: (id: string) => string;
    payload: unknown;
    status: number;
    created?: boolean;
  }[] = [
    {
      name: 'POST',
      method: 'POST',
      url: () => '/api/books',
      payload: { title: 'New', author: 'A' },
      status: 201,
      created: true,
    },
    {
      name: 'PUT that creates',
      method: 'PUT',
      url: () => '/api/books/minimal-new',
      payload: { title: 'New', author: 'A' },
      status: 201,
      created: true,
    },
    {
      name: 'PUT that replaces',
      method: 'PUT',
      url: (id) => `/api/books/${id}`,
      payload: { title: 'Replaced', author: 'A' },
      status: 204,
    },
    {
      name: 'PATCH',
      method: 'PATCH',
      url: (id) => `/api/books/${id}`,
      payload: { title: 'Patched' },
      status: 204,
    },
  ];
  for (const row of table) {
    test(`${row.name}: ${row.status}, no body, Preference-Applied, the write happened`, async () => {
      const { id } = await create(t, 'books', DUNE);
      const res = await t.request({
        method: row.method,
        url: row.url(id),
        headers: minimal,
        payload: row.payload as object,
      });
      assert.equal(res.statusCode, row.status);
      assert.equal(res.body, '');
      assert.equal(res.headers['preference-applied'], 'return=minimal');
      const target = row.created ? String(res.headers.location) : `/api/books/${id}`;
      if (row.created) assert.match(target, /^\/api\/books\/[A-Za-z0-9_-]+$/);
      const get = await t.request({ method: 'GET', url: target });
      assert.equal(get.statusCode, 200);
      assert.equal(json(get).title, (row.payload as { title: string }).title);
      assert.equal(res.headers.etag, get.headers.etag, 'the ETag is the new representation’s');
    });
  }

  test('return=representation (the default) sends the record', async () => {
    const { id } = await create(t, 'books', DUNE);
    const res = await t.request({
      method: 'PATCH',
      url: `/api/books/${id}`,
      headers: { prefer: 'return=representation' },
      payload: { title: 'Full' },
    });
    assert.equal(res.statusCode, 200);
    assert.equal(json(res).title, 'Full');
    assert.deepEqual(json(res), await t.store.get('books', id));
  });
});
