/**
 * HTTP.md, Validators and conditional requests on reads: strong ETag and
 * Last-Modified, list ETags, and GET/HEAD preconditions in the order of
 * RFC 9110 §13.2.2 (If-Match, If-Unmodified-Since, If-None-Match,
 * If-Modified-Since).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BOOKS_CONFIG, json, type TestApp, testApp } from '../harness.js';
import { assertProblem, create, DUNE } from './helpers.js';

const IMF_FIXDATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$/;
const PAST = 'Mon, 01 Jan 2001 00:00:00 GMT';
const FUTURE = 'Fri, 01 Jan 2100 00:00:00 GMT';

let t: TestApp;
before(async () => {
  t = await testApp(BOOKS_CONFIG);
});
after(() => t.close());

describe('validators', () => {
  test('a record carries a strong ETag and an IMF-fixdate Last-Modified', async () => {
    const { id } = await create(t, 'books', DUNE);
    const res = await t.request({ method: 'GET', url: `/api/books/${id}` });
    assert.match(String(res.headers.etag), /^"[\x21\x23-\x7e]+"$/);
    assert.match(String(res.headers['last-modified']), IMF_FIXDATE);
    assert.equal(res.headers['cache-control'], 'no-cache');
    const vary = String(res.headers.vary)
      .split(',')
      .map((s) => s.trim());
    assert.ok(vary.includes('Accept'));
  });

  test('the ETag changes when the record changes, and the old one no longer matches', async () => {
    const { id, etag } = await create(t, 'books', DUNE);
    const res = await t.request({ method: 'PATCH', url: `/api/books/${id}`, payload: { year: 2000 } });
    assert.notEqual(res.headers.etag, etag);
    const stale = await t.request({
      method: 'GET',
      url: `/api/books/${id}`,
      headers: { 'if-none-match': etag },
    });
    assert.equal(stale.statusCode, 200);
    assert.equal(json(stale).year, 2000);
  });

  test('a list has an ETag, answers 304 to it, and changes when a record is added', async () => {
    await create(t, 'books', DUNE);
    const list = await t.request({ method: 'GET', url: '/api/books?sort=created' });
    assert.equal(list.statusCode, 200);
    const etag = String(list.headers.etag);
    assert.match(etag, /^"[^"]+"$/);
    assert.equal(list.headers['cache-control'], 'no-cache');
    const again = await t.request({
      method: 'GET',
      url: '/api/books?sort=created',
      headers: { 'if-none-match': etag },
    });
    assert.equal(again.statusCode, 304);
    assert.equal(again.body, '');
    assert.equal(again.headers.etag, etag);
    await create(t, 'books', { ...DUNE, title: 'Another' });
    const changed = await t.request({
      method: 'GET',
      url: '/api/books?sort=created',
      headers: { 'if-none-match': etag },
    });
    assert.equal(changed.statusCode, 200);
    assert.notEqual(changed.headers.etag, etag);
  });
});

describe('conditional GET and HEAD', () => {
  let id: string;
  let etag: string;
  let lastModified: string;
  before(async () => {
    ({ id, etag } = await create(t, 'books', DUNE));
    const res = await t.request({ method: 'GET', url: `/api/books/${id}` });
    lastModified = String(res.headers['last-modified']);
  });

  const table: { name: string; headers: () => Record<string, string>; status: 200 | 304 | 412 }[] = [
    { name: 'If-None-Match with the ETag', headers: () => ({ 'if-none-match': etag }), status: 304 },
    {
      name: 'If-None-Match with the weak form (weak comparison)',
      headers: () => ({ 'if-none-match': `W/${etag}` }),
      status: 304,
    },
    {
      name: 'If-None-Match with a list holding the ETag',
      headers: () => ({ 'if-none-match': `"a", ${etag}` }),
      status: 304,
    },
    { name: 'If-None-Match: *', headers: () => ({ 'if-none-match': '*' }), status: 304 },
    { name: 'If-None-Match with another tag', headers: () => ({ 'if-none-match': '"other"' }), status: 200 },
    { name: 'If-Match with the ETag', headers: () => ({ 'if-match': etag }), status: 200 },
    { name: 'If-Match with another tag', headers: () => ({ 'if-match': '"other"' }), status: 412 },
    {
      name: 'If-Match with the weak form (strong comparison)',
      headers: () => ({ 'if-match': `W/${etag}` }),
      status: 412,
    },
    {
      name: 'If-Match failing, If-None-Match matching',
      headers: () => ({ 'if-match': '"other"', 'if-none-match': etag }),
      status: 412,
    },
    {
      name: 'If-Modified-Since its Last-Modified',
      headers: () => ({ 'if-modified-since': lastModified }),
      status: 304,
    },
    { name: 'If-Modified-Since long ago', headers: () => ({ 'if-modified-since': PAST }), status: 200 },
    {
      name: 'If-Modified-Since not a date (ignored)',
      headers: () => ({ 'if-modified-since': 'yesterday-ish' }),
      status: 200,
    },
    {
      name: 'If-Modified-Since ignored when If-None-Match is present',
      headers: () => ({ 'if-none-match': '"other"', 'if-modified-since': FUTURE }),
      status: 200,
    },
    { name: 'If-Unmodified-Since long ago', headers: () => ({ 'if-unmodified-since': PAST }), status: 412 },
    {
      name: 'If-Unmodified-Since ignored when If-Match is present',
      headers: () => ({ 'if-match': etag, 'if-unmodified-since': PAST }),
      status: 200,
    },
  ];
  for (const row of table) {
    for (const method of ['GET', 'HEAD'] as const) {
      test(`${method} with ${row.name}: ${row.status}`, async () => {
        const res = await t.request({ method, url: `/api/books/${id}`, headers: row.headers() });
        assert.equal(res.statusCode, row.status, res.body);
        if (row.status === 304) {
          assert.equal(res.headers.etag, etag);
          assert.equal(res.body, '');
          assert.equal(res.headers['content-type'], undefined);
          assert.equal(res.headers['cache-control'], 'no-cache');
        } else if (row.status === 200) {
          assert.equal(res.headers.etag, etag);
          if (method === 'GET') assert.equal(json(res).id, id);
        } else if (method === 'GET') {
          assertProblem(res, 412, { title: 'Precondition Failed' });
        }
      });
    }
  }
});
