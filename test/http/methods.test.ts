/**
 * HTTP.md, Methods: safe reads, HEAD, OPTIONS, 405/501, POST, DELETE
 * (RFC 9110 §9). PUT, PATCH and Prefer are in writes.test.ts and patch.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { HTTPMethods } from 'fastify';
import { BOOKS_CONFIG, json, type TestApp, testApp } from '../harness.js';
import { assertProblem, create, DUNE, mediaType, stableHeaders, stored } from './helpers.js';

const RECORD_ALLOW = 'GET, HEAD, PUT, PATCH, DELETE, OPTIONS';
const LIST_ALLOW = 'GET, HEAD, POST, OPTIONS';

describe('GET and HEAD', () => {
  let t: TestApp;
  let id: string;
  let etag: string;
  before(async () => {
    t = await testApp(BOOKS_CONFIG);
    ({ id, etag } = await create(t, 'books', DUNE));
  });
  after(() => t.close());

  const unsafeLooking: { name: string; url: (id: string) => string; headers: Record<string, string> }[] = [
    {
      name: 'method override header',
      url: (id) => `/api/books/${id}`,
      headers: { 'x-http-method-override': 'DELETE' },
    },
    { name: 'method override query', url: (id) => `/api/books/${id}?_method=DELETE`, headers: {} },
    {
      name: 'Idempotency-Key and If-Match',
      url: (id) => `/api/books/${id}`,
      headers: { 'idempotency-key': 'k1', 'if-match': '"x"' },
    },
    {
      name: 'list with a filter and override',
      url: () => '/api/books?filter=year>0',
      headers: { 'x-http-method-override': 'DELETE' },
    },
  ];
  for (const s of unsafeLooking) {
    for (const method of ['GET', 'HEAD'] as const) {
      test(`${method} with ${s.name} changes nothing`, async () => {
        const res = await t.request({ method, url: s.url(id), headers: s.headers });
        assert.ok([200, 400, 412].includes(res.statusCode), `${res.statusCode}`);
        const after = await t.store.get('books', id);
        assert.ok(after, 'the record is still there');
        assert.equal(after.title, DUNE.title);
        const get = await t.request({ method: 'GET', url: `/api/books/${id}` });
        assert.equal(get.headers.etag, etag, 'the ETag did not move');
        assert.equal((await stored(t, 'books')).length, 1);
      });
    }
  }

  const heads = [
    { name: 'a record', url: () => `/api/books/${id}` },
    { name: 'a list', url: () => '/api/books?sort=-year&perPage=5' },
    { name: 'the OpenAPI document', url: () => '/api/openapi.json' },
    { name: 'the health check', url: () => '/healthz' },
  ];
  for (const h of heads) {
    test(`HEAD of ${h.name} answers GET's headers, Content-Length included, and no body`, async () => {
      const get = await t.request({ method: 'GET', url: h.url() });
      const head = await t.request({ method: 'HEAD', url: h.url() });
      assert.equal(get.statusCode, 200);
      assert.equal(head.statusCode, 200);
      assert.deepEqual(stableHeaders(head), stableHeaders(get));
      assert.equal(head.headers['content-length'], String(Buffer.byteLength(get.body)));
      assert.equal(head.body, '');
    });
  }

  test('GET of a record answers the stored record as JSON', async () => {
    const res = await t.request({ method: 'GET', url: `/api/books/${id}` });
    assert.equal(res.statusCode, 200);
    assert.equal(mediaType(res), 'application/json');
    assert.equal(res.headers.etag, etag);
    assert.deepEqual(json(res), await t.store.get('books', id));
  });

  test('GET of a missing record or collection is a 404 problem', async () => {
    assertProblem(await t.request({ method: 'GET', url: '/api/books/nope' }), 404, { title: 'Not Found' });
    assertProblem(await t.request({ method: 'GET', url: '/api/nothing' }), 404, { detail: /nothing/ });
    const head = await t.request({ method: 'HEAD', url: '/api/books/nope' });
    assert.equal(head.statusCode, 404);
    assert.equal(head.body, '');
  });
});

describe('OPTIONS', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp(BOOKS_CONFIG);
  });
  after(() => t.close());

  const table = [
    {
      url: '/api/books',
      allow: LIST_ALLOW,
      acceptPatch: false,
      acceptPost: 'application/json, application/x-www-form-urlencoded, multipart/form-data',
    },
    { url: '/api/books/abc', allow: RECORD_ALLOW, acceptPatch: true, acceptPost: undefined },
    { url: '/api/batch', allow: 'POST, OPTIONS', acceptPatch: false, acceptPost: 'application/json' },
    { url: '/healthz', allow: 'GET, HEAD, OPTIONS', acceptPatch: false, acceptPost: undefined },
    { url: '/api/openapi.json', allow: 'GET, HEAD, OPTIONS', acceptPatch: false, acceptPost: undefined },
  ];
  for (const row of table) {
    test(`OPTIONS ${row.url}: 204 with Allow ${row.allow}`, async () => {
      const res = await t.request({ method: 'OPTIONS', url: row.url });
      assert.equal(res.statusCode, 204);
      assert.equal(res.headers.allow, row.allow);
      assert.equal(res.body, '');
      if (row.acceptPatch) {
        const types = String(res.headers['accept-patch'])
          .split(',')
          .map((s) => s.trim());
        assert.ok(types.includes('application/merge-patch+json'));
        assert.ok(types.includes('application/json-patch+json'));
      } else {
        assert.equal(res.headers['accept-patch'], undefined);
      }
      assert.equal(res.headers['accept-post'], row.acceptPost);
    });
  }
});

describe('405 and 501', () => {
  let t: TestApp;
  let id: string;
  before(async () => {
    t = await testApp(BOOKS_CONFIG);
    ({ id } = await create(t, 'books', DUNE));
  });
  after(() => t.close());

  const notAllowed: { method: HTTPMethods; url: string; allow: string }[] = [
    { method: 'PUT', url: '/api/books', allow: LIST_ALLOW },
    { method: 'PATCH', url: '/api/books', allow: LIST_ALLOW },
    { method: 'DELETE', url: '/api/books', allow: LIST_ALLOW },
    { method: 'POST', url: '/api/books/ID', allow: RECORD_ALLOW },
    { method: 'TRACE', url: '/api/books/ID', allow: RECORD_ALLOW },
    { method: 'GET', url: '/api/batch', allow: 'POST, OPTIONS' },
    { method: 'DELETE', url: '/healthz', allow: 'GET, HEAD, OPTIONS' },
    { method: 'POST', url: '/api/openapi.json', allow: 'GET, HEAD, OPTIONS' },
  ];
  for (const row of notAllowed) {
    test(`${row.method} ${row.url}: 405 with Allow`, async () => {
      const res = await t.request({
        method: row.method,
        url: row.url.replace('ID', id),
        payload: ['POST', 'PUT', 'PATCH'].includes(row.method) ? { title: 'x' } : undefined,
      });
      assertProblem(res, 405, {
        type: 'about:blank',
        title: 'Method Not Allowed',
        detail: new RegExp(row.method),
      });
      assert.equal(res.headers.allow, row.allow);
      assert.equal((await stored(t, 'books')).length, 1, 'nothing was written');
      assert.equal((await t.store.get('books', id))?.title, DUNE.title);
    });
  }

  for (const [method, url] of [
    ['PROPFIND', '/api/books'],
    ['MKCOL', '/api/books/x'],
    ['PROPFIND', '/nowhere'],
  ]) {
    test(`${method} ${url}: 501 for a method the server does not know`, async () => {
      const res = await t.request({ method: method as HTTPMethods, url });
      assertProblem(res, 501, { type: 'about:blank', title: 'Not Implemented', detail: new RegExp(method) });
      assert.equal((await stored(t, 'books')).length, 1);
    });
  }
});

describe('POST creates', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp(BOOKS_CONFIG);
  });
  after(() => t.close());

  test('201 with Location, Content-Location, ETag, Last-Modified and the record', async () => {
    const res = await t.request({ method: 'POST', url: '/api/books', payload: DUNE });
    assert.equal(res.statusCode, 201);
    assert.equal(mediaType(res), 'application/json');
    const body = json(res);
    assert.match(body.id as string, /^[a-z0-9]{15}$/);
    assert.equal(res.headers.location, `/api/books/${body.id}`);
    assert.equal(res.headers['content-location'], res.headers.location);
    assert.match(String(res.headers.etag), /^"[^"]+"$/, 'a strong ETag');
    assert.equal(res.headers['last-modified'], new Date(body.updated as string).toUTCString());
    assert.deepEqual(body, await t.store.get('books', body.id as string));
    const get = await t.request({ method: 'GET', url: res.headers.location as string });
    assert.equal(get.headers.etag, res.headers.etag);
    assert.equal(get.body, res.body);
  });

  test('two POSTs make two records (POST is not idempotent)', async () => {
    const before = (await stored(t, 'books')).length;
    const a = await t.request({ method: 'POST', url: '/api/books', payload: DUNE });
    const b = await t.request({ method: 'POST', url: '/api/books', payload: DUNE });
    assert.equal(a.statusCode, 201);
    assert.equal(b.statusCode, 201);
    assert.notEqual(json(a).id, json(b).id);
    assert.equal((await stored(t, 'books')).length, before + 2);
  });
});

describe('DELETE', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp(BOOKS_CONFIG);
  });
  after(() => t.close());

  test('204 without a body; then GET and a second DELETE are 404', async () => {
    const { id } = await create(t, 'books', DUNE);
    const res = await t.request({ method: 'DELETE', url: `/api/books/${id}` });
    assert.equal(res.statusCode, 204);
    assert.equal(res.body, '');
    assert.equal(res.headers['content-type'], undefined);
    assert.equal(await t.store.get('books', id), undefined);
    assertProblem(await t.request({ method: 'GET', url: `/api/books/${id}` }), 404);
    const again = await t.request({ method: 'DELETE', url: `/api/books/${id}` });
    assertProblem(again, 404, { title: 'Not Found', detail: new RegExp(id) });
  });

  test('DELETE of one record leaves the others', async () => {
    const a = await create(t, 'books', DUNE);
    const b = await create(t, 'books', { ...DUNE, title: 'Children of Dune' });
    assert.equal((await t.request({ method: 'DELETE', url: `/api/books/${a.id}` })).statusCode, 204);
    assert.equal(await t.store.get('books', a.id), undefined);
    assert.equal((await t.store.get('books', b.id))?.title, 'Children of Dune');
  });
});
