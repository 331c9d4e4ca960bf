/**
 * Config `routes` (aliases that are the API route in every respect), the
 * `public` folder served as static files, and the OpenAPI document.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BOOKS_CONFIG, json, type TestApp, testApp } from '../harness.js';
import { assertProblem, create, DUNE, mediaType, stableHeaders, stored } from './helpers.js';

let t: TestApp;
let root: string;
before(async () => {
  root = mkdtempSync(join(tmpdir(), 'methodical-public-'));
  const pub = join(root, 'public');
  mkdirSync(join(pub, 'css'), { recursive: true });
  writeFileSync(join(root, 'secret.txt'), 'SECRET OUTSIDE PUBLIC');
  writeFileSync(join(pub, 'index.html'), '<!doctype html><h1>Bookshop</h1>');
  writeFileSync(join(pub, 'css', 'site.css'), 'body { color: black }');
  writeFileSync(join(pub, 'healthz'), 'a file that must not shadow the API');
  t = await testApp({
    ...BOOKS_CONFIG,
    routes: {
      'POST /add-book': 'POST /api/books',
      'PUT /edit-book/:id': 'PUT /api/books/:id',
      'GET /catalogue': 'GET /api/books',
      'GET /book/:id': 'GET /api/books/:id',
      'DELETE /remove-book/:ref': 'DELETE /api/books/:ref',
    },
    public: pub,
  });
});
after(async () => {
  await t.close();
  rmSync(root, { recursive: true, force: true });
});

describe('route aliases', () => {
  test('POST /add-book creates like POST /api/books: 201, API Location, stored', async () => {
    const res = await t.request({ method: 'POST', url: '/add-book', payload: DUNE });
    assert.equal(res.statusCode, 201);
    const body = json(res);
    assert.equal(res.headers.location, `/api/books/${body.id}`);
    assert.deepEqual(await t.store.get('books', body.id as string), body);
  });

  test('an alias and its target share Idempotency-Key scope: one record', async () => {
    const before = (await stored(t, 'books')).length;
    const headers = { 'idempotency-key': 'alias-key' };
    const a = await t.request({ method: 'POST', url: '/add-book', headers, payload: DUNE });
    const b = await t.request({ method: 'POST', url: '/api/books', headers, payload: DUNE });
    assert.equal(a.statusCode, 201);
    assert.equal(b.headers['idempotent-replayed'], 'true');
    assert.equal(b.body, a.body);
    assert.equal((await stored(t, 'books')).length, before + 1);
  });

  test('PUT /edit-book/:id creates, replaces and honours If-Match', async () => {
    const created = await t.request({ method: 'PUT', url: '/edit-book/aliased', payload: DUNE });
    assert.equal(created.statusCode, 201);
    assert.equal(created.headers.location, '/api/books/aliased');
    const stale = await t.request({
      method: 'PUT',
      url: '/edit-book/aliased',
      headers: { 'if-match': '"stale"' },
      payload: { ...DUNE, title: 'Nope' },
    });
    assertProblem(stale, 412);
    const replaced = await t.request({
      method: 'PUT',
      url: '/edit-book/aliased',
      headers: { 'if-match': String(created.headers.etag) },
      payload: { ...DUNE, title: 'Edited' },
    });
    assert.equal(replaced.statusCode, 200);
    assert.equal((await t.store.get('books', 'aliased'))?.title, 'Edited');
  });

  test('GET aliases read like the API, HEAD included', async () => {
    const { id } = await create(t, 'books', { ...DUNE, title: 'Read me' });
    const viaAlias = await t.request({ method: 'GET', url: `/book/${id}` });
    const viaApi = await t.request({ method: 'GET', url: `/api/books/${id}` });
    assert.equal(viaAlias.statusCode, 200);
    assert.equal(viaAlias.body, viaApi.body);
    assert.equal(viaAlias.headers.etag, viaApi.headers.etag);
    const head = await t.request({ method: 'HEAD', url: `/book/${id}` });
    assert.deepEqual(stableHeaders(head), stableHeaders(viaAlias));
    assert.equal(head.body, '');
    const list = await t.request({ method: 'GET', url: '/catalogue?sort=title' });
    const apiList = await t.request({ method: 'GET', url: '/api/books?sort=title' });
    assert.equal(list.statusCode, 200);
    assert.equal(list.body, apiList.body);
    assert.equal(list.headers.link, apiList.headers.link);
  });

  test('DELETE alias with a renamed parameter', async () => {
    const { id } = await create(t, 'books', DUNE);
    const res = await t.request({ method: 'DELETE', url: `/remove-book/${id}` });
    assert.equal(res.statusCode, 204);
    assert.equal(await t.store.get('books', id), undefined);
  });

  const otherMethods = [
    { method: 'GET' as const, url: '/add-book', allow: 'POST, OPTIONS' },
    { method: 'DELETE' as const, url: '/catalogue', allow: 'GET, HEAD, OPTIONS' },
    { method: 'PATCH' as const, url: '/edit-book/x', allow: 'PUT, OPTIONS' },
  ];
  for (const row of otherMethods) {
    test(`${row.method} ${row.url}: 405 with the alias's Allow; OPTIONS lists it`, async () => {
      const before = await stored(t, 'books');
      const res = await t.request({ method: row.method, url: row.url });
      assertProblem(res, 405, { detail: new RegExp(row.method) });
      assert.equal(res.headers.allow, row.allow);
      const options = await t.request({ method: 'OPTIONS', url: row.url });
      assert.equal(options.statusCode, 204);
      assert.equal(options.headers.allow, row.allow);
      assert.deepEqual(await stored(t, 'books'), before);
    });
  }
});

describe('the public folder', () => {
  const files = [
    { url: '/', type: 'text/html', body: '<!doctype html><h1>Bookshop</h1>' },
    { url: '/index.html', type: 'text/html', body: '<!doctype html><h1>Bookshop</h1>' },
    { url: '/css/site.css', type: 'text/css', body: 'body { color: black }' },
  ];
  for (const f of files) {
    test(`GET ${f.url} serves the file; HEAD the same headers`, async () => {
      const res = await t.request({ method: 'GET', url: f.url });
      assert.equal(res.statusCode, 200);
      assert.equal(mediaType(res), f.type);
      assert.equal(res.body, f.body);
      assert.ok(res.headers.etag);
      assert.ok(res.headers['last-modified']);
      const head = await t.request({ method: 'HEAD', url: f.url });
      assert.equal(head.statusCode, 200);
      assert.equal(head.body, '');
      assert.deepEqual(stableHeaders(head), stableHeaders(res));
    });
  }

  test('If-None-Match revalidates a static file: 304', async () => {
    const res = await t.request({ method: 'GET', url: '/css/site.css' });
    const again = await t.request({
      method: 'GET',
      url: '/css/site.css',
      headers: { 'if-none-match': String(res.headers.etag) },
    });
    assert.equal(again.statusCode, 304);
    assert.equal(again.body, '');
  });

  // `fetch` with a cached validator sends Cache-Control: no-cache; that asks caches to revalidate, not the origin to ignore the validator.
  describe('a matching validator with Cache-Control: no-cache is still a 304', () => {
    const rows: {
      name: string;
      method: 'GET' | 'HEAD';
      headers: (etag: string, modified: string) => Record<string, string>;
      status: number;
    }[] = [
      { name: 'If-None-Match', method: 'GET', headers: (etag) => ({ 'if-none-match': etag }), status: 304 },
      {
        name: 'If-None-Match on HEAD',
        method: 'HEAD',
        headers: (etag) => ({ 'if-none-match': etag }),
        status: 304,
      },
      {
        name: 'If-None-Match in a list',
        method: 'GET',
        headers: (etag) => ({ 'if-none-match': `"x", ${etag}` }),
        status: 304,
      },
      {
        name: 'If-None-Match with a Range',
        method: 'GET',
        headers: (etag) => ({ 'if-none-match': etag, range: 'bytes=0-3' }),
        status: 304,
      },
      {
        name: 'If-Modified-Since',
        method: 'GET',
        headers: (_, modified) => ({ 'if-modified-since': modified }),
        status: 304,
      },
      {
        name: 'a stale If-None-Match',
        method: 'GET',
        headers: () => ({ 'if-none-match': '"old"' }),
        status: 200,
      },
    ];
    for (const row of rows) {
      test(`${row.method} with ${row.name}: ${row.status}`, async () => {
        const first = await t.request({ method: 'GET', url: '/css/site.css' });
        const etag = String(first.headers.etag);
        const res = await t.request({
          method: row.method,
          url: '/css/site.css',
          headers: {
            'cache-control': 'no-cache',
            pragma: 'no-cache',
            ...row.headers(etag, String(first.headers['last-modified'])),
          },
        });
        assert.equal(res.statusCode, row.status);
        assert.equal(res.headers.etag, etag);
        if (row.status === 304) {
          assert.equal(res.body, '');
          assert.equal(res.headers['content-type'], undefined);
          assert.equal(res.headers['content-length'], undefined);
          assert.equal(res.headers['content-range'], undefined);
        } else {
          assert.equal(res.body, 'body { color: black }');
        }
      });
    }
  });

  for (const url of [
    '/missing.txt',
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/css/..%2f..%2fsecret.txt',
    '/css/',
  ]) {
    test(`GET ${url}: 404 problem, nothing outside the folder`, async () => {
      const res = await t.request({ method: 'GET', url });
      assertProblem(res, 404);
      assert.doesNotMatch(res.body, /SECRET OUTSIDE/);
    });
  }

  test('API routes win over files of the same name', async () => {
    const res = await t.request({ method: 'GET', url: '/healthz' });
    assert.equal(res.statusCode, 200);
    assert.equal(json(res).status, 'ok', 'the health check, not the file');
  });

  test('an unsafe method on a static file: 405 with Allow', {}, async () => {
    const res = await t.request({ method: 'DELETE', url: '/index.html' });
    assertProblem(res, 405);
    assert.equal(res.headers.allow, 'GET, HEAD, OPTIONS');
  });

  test('OPTIONS on a static file: 204 with Allow', async () => {
    const res = await t.request({ method: 'OPTIONS', url: '/index.html' });
    assert.equal(res.statusCode, 204);
    assert.equal(res.headers.allow, 'GET, HEAD, OPTIONS');
    assert.equal(res.body, '');
  });
});

describe('/api/openapi.json', () => {
  test('200 JSON describing every collection, route and alias', async () => {
    const res = await t.request({ method: 'GET', url: '/api/openapi.json' });
    assert.equal(res.statusCode, 200);
    assert.equal(mediaType(res), 'application/json');
    const doc = json(res);
    assert.match(String(doc.openapi), /^3\.1\./);
    const paths = Object.keys(doc.paths as object);
    for (const p of [
      '/api/books',
      '/api/books/{id}',
      '/api/guarded',
      '/api/guarded/{id}',
      '/api/batch',
      '/healthz',
    ]) {
      assert.ok(paths.includes(p), `paths has ${p}`);
    }
    for (const p of ['/add-book', '/catalogue']) assert.ok(paths.includes(p), `paths has the alias ${p}`);
    const schemas = (doc.components as { schemas: Record<string, { properties?: object }> }).schemas;
    const book = Object.entries(schemas).find(([name]) => /^books?record$/i.test(name))?.[1];
    assert.ok(book, 'a schema for a books record');
    for (const field of [
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
    ]) {
      assert.ok(Object.hasOwn(book.properties ?? {}, field), `books record has ${field}`);
    }
  });

  test('has an ETag and answers 304 to it', async () => {
    const res = await t.request({ method: 'GET', url: '/api/openapi.json' });
    const again = await t.request({
      method: 'GET',
      url: '/api/openapi.json',
      headers: { 'if-none-match': String(res.headers.etag) },
    });
    assert.equal(again.statusCode, 304);
    assert.equal(again.body, '');
    assert.equal(again.headers.etag, res.headers.etag);
  });
});
