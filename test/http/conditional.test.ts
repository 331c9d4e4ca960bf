/**
 * HTTP.md, conditional writes: If-Match (strong), If-None-Match, the
 * RFC 9110 §13.2.2 order, preconditions on missing records (§13.2.1) and
 * requireIfMatch (428).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { HTTPMethods } from 'fastify';
import { BOOKS_CONFIG, type TestApp, testApp } from '../harness.js';
import { assertProblem, create, DUNE, stored } from './helpers.js';

const PAST = 'Mon, 01 Jan 2001 00:00:00 GMT';

let t: TestApp;
before(async () => {
  t = await testApp(BOOKS_CONFIG);
});
after(() => t.close());

describe('conditional writes', () => {
  type Row = {
    name: string;
    method: HTTPMethods;
    headers: (etag: string, lastModified: string) => Record<string, string>;
    ok: boolean;
  };
  const rows: Row[] = [];
  for (const method of ['PUT', 'PATCH', 'DELETE'] as const) {
    rows.push(
      { name: 'If-Match with the ETag', method, headers: (e) => ({ 'if-match': e }), ok: true },
      {
        name: 'If-Match with a list holding the ETag',
        method,
        headers: (e) => ({ 'if-match': `"x", ${e}` }),
        ok: true,
      },
      { name: 'If-Match: * on an existing record', method, headers: () => ({ 'if-match': '*' }), ok: true },
      { name: 'If-Match with a stale tag', method, headers: () => ({ 'if-match': '"stale"' }), ok: false },
      {
        name: 'If-Match with the weak form (never matches)',
        method,
        headers: (e) => ({ 'if-match': `W/${e}` }),
        ok: false,
      },
      {
        name: 'If-Match failing, If-None-Match matching',
        method,
        headers: (e) => ({ 'if-match': '"stale"', 'if-none-match': e }),
        ok: false,
      },
      {
        name: 'If-Match failing, If-None-Match passing',
        method,
        headers: () => ({ 'if-match': '"stale"', 'if-none-match': '"zzz"' }),
        ok: false,
      },
      { name: 'If-None-Match matching', method, headers: (e) => ({ 'if-none-match': e }), ok: false },
      {
        name: 'If-Unmodified-Since long ago',
        method,
        headers: () => ({ 'if-unmodified-since': PAST }),
        ok: false,
      },
      {
        name: 'If-Unmodified-Since its Last-Modified',
        method,
        headers: (_e, lm) => ({ 'if-unmodified-since': lm }),
        ok: true,
      },
      {
        name: 'If-Unmodified-Since long ago, ignored with a matching If-Match',
        method,
        headers: (e) => ({ 'if-match': e, 'if-unmodified-since': PAST }),
        ok: true,
      },
    );
  }
  rows.push({
    name: 'If-None-Match: * (create-only PUT)',
    method: 'PUT',
    headers: () => ({ 'if-none-match': '*' }),
    ok: false,
  });

  for (const row of rows) {
    test(`${row.method} with ${row.name}: ${row.ok ? 'applies' : '412, nothing changes'}`, async () => {
      const { id, etag, body } = await create(t, 'books', DUNE);
      const lm = new Date(body.updated as string).toUTCString();
      const res = await t.request({
        method: row.method,
        url: `/api/books/${id}`,
        headers: row.headers(etag, lm),
        payload: row.method === 'DELETE' ? undefined : { title: 'Changed', author: 'Someone' },
      });
      if (row.ok) {
        assert.equal(res.statusCode, row.method === 'DELETE' ? 204 : 200, res.body);
        const now = await t.store.get('books', id);
        if (row.method === 'DELETE') assert.equal(now, undefined);
        else assert.equal(now?.title, 'Changed');
      } else {
        assertProblem(res, 412, { title: 'Precondition Failed' });
        assert.deepEqual(await t.store.get('books', id), body);
      }
    });
  }
});

describe('preconditions on missing records (RFC 9110 §13.2.1)', () => {
  const table: {
    name: string;
    method: HTTPMethods;
    headers: Record<string, string>;
    status: number;
    type?: string;
  }[] = [
    { name: 'PUT with If-Match: *', method: 'PUT', headers: { 'if-match': '*' }, status: 412 },
    { name: 'PUT with If-Match: a tag', method: 'PUT', headers: { 'if-match': '"abc"' }, status: 412 },
    { name: 'PATCH with If-Match: *', method: 'PATCH', headers: { 'if-match': '*' }, status: 404 },
    { name: 'PATCH with If-None-Match: *', method: 'PATCH', headers: { 'if-none-match': '*' }, status: 404 },
    { name: 'DELETE with If-Match: *', method: 'DELETE', headers: { 'if-match': '*' }, status: 404 },
    {
      name: 'DELETE with If-Unmodified-Since',
      method: 'DELETE',
      headers: { 'if-unmodified-since': PAST },
      status: 404,
    },
    { name: 'GET with If-Match: *', method: 'GET', headers: { 'if-match': '*' }, status: 404 },
    { name: 'GET with If-None-Match: *', method: 'GET', headers: { 'if-none-match': '*' }, status: 404 },
  ];
  for (const row of table) {
    test(`${row.name} on a missing id: ${row.status}, nothing created`, async () => {
      const id = `missing-${row.method}-${row.status}-${Object.keys(row.headers)[0]}`;
      const res = await t.request({
        method: row.method,
        url: `/api/books/${id}`,
        headers: row.headers,
        payload: ['PUT', 'PATCH'].includes(row.method) ? DUNE : undefined,
      });
      assertProblem(res, row.status);
      assert.equal(await t.store.get('books', id), undefined);
    });
  }

  test('PUT with If-None-Match: * creates once, then 412', async () => {
    const first = await t.request({
      method: 'PUT',
      url: '/api/books/create-only',
      headers: { 'if-none-match': '*' },
      payload: DUNE,
    });
    assert.equal(first.statusCode, 201);
    const second = await t.request({
      method: 'PUT',
      url: '/api/books/create-only',
      headers: { 'if-none-match': '*' },
      payload: { ...DUNE, title: 'Overwrite' },
    });
    assertProblem(second, 412, { detail: /exists/ });
    assert.equal((await t.store.get('books', 'create-only'))?.title, DUNE.title);
  });

  test('a failing request is not rescued by preconditions: 415 and 404 stay', async () => {
    const { id, body } = await create(t, 'books', DUNE);
    const textPlain = await t.request({
      method: 'PUT',
      url: `/api/books/${id}`,
      headers: { 'content-type': 'text/plain', 'if-match': '"stale"' },
      payload: JSON.stringify(DUNE),
    });
    assertProblem(textPlain, 415);
    const unknown = await t.request({
      method: 'PUT',
      url: '/api/nothing/x',
      headers: { 'if-match': '*' },
      payload: DUNE,
    });
    assertProblem(unknown, 404);
    assert.deepEqual(await t.store.get('books', id), body);
  });
});

describe('requireIfMatch (428)', () => {
  for (const method of ['PUT', 'PATCH', 'DELETE'] as const) {
    test(`${method} of an existing record without If-Match: 428 saying how to resubmit`, async () => {
      await t.request({ method: 'PUT', url: `/api/guarded/g-${method}`, payload: { name: 'kept' } });
      const before = await t.store.get('guarded', `g-${method}`);
      const res = await t.request({
        method,
        url: `/api/guarded/g-${method}`,
        payload: method === 'DELETE' ? undefined : { name: 'changed' },
      });
      assertProblem(res, 428, { title: 'Precondition Required', detail: /If-Match.*ETag|ETag.*If-Match/ });
      assert.deepEqual(await t.store.get('guarded', `g-${method}`), before);
      const get = await t.request({ method: 'GET', url: `/api/guarded/g-${method}` });
      const retry = await t.request({
        method,
        url: `/api/guarded/g-${method}`,
        headers: { 'if-match': String(get.headers.etag) },
        payload: method === 'DELETE' ? undefined : { name: 'changed' },
      });
      assert.equal(retry.statusCode, method === 'DELETE' ? 204 : 200, retry.body);
      const after = await t.store.get('guarded', `g-${method}`);
      if (method === 'DELETE') assert.equal(after, undefined);
      else assert.equal(after?.name, 'changed');
    });
  }

  test('a PUT that creates needs no If-Match', async () => {
    const res = await t.request({ method: 'PUT', url: '/api/guarded/new-one', payload: { name: 'n' } });
    assert.equal(res.statusCode, 201);
    assert.equal((await t.store.get('guarded', 'new-one'))?.name, 'n');
  });

  test('PATCH or DELETE of a missing record is still a 404, not a 428', async () => {
    assertProblem(
      await t.request({ method: 'PATCH', url: '/api/guarded/nope', payload: { name: 'x' } }),
      404,
    );
    assertProblem(await t.request({ method: 'DELETE', url: '/api/guarded/nope' }), 404);
    assert.equal(
      (await stored(t, 'guarded')).some((r) => r.id === 'nope'),
      false,
    );
  });
});
