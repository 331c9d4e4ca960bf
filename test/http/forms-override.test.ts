/**
 * PRODUCT.md, Details: Forms, method override: a POST with a form body
 * (urlencoded or multipart, never JSON) and `_method` PUT, PATCH or DELETE
 * is that method on the same URL, with If-Match from `_etag`; any other
 * `_method` is a 400, and a POST without one stays the record URL's 405.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import type { UserConfig } from '../../src/config/types.js';
import { json, PUBLIC_RULES, type TestApp, testApp } from '../harness.js';
import { assertProblem, mediaType, stored } from './helpers.js';
import { fields, multipart, urlencoded } from './multipart.js';
import { BROWSER_ACCEPT } from './upload-helpers.js';

const CONFIG: UserConfig = {
  collections: {
    books: {
      fields: {
        title: { type: 'text', required: true },
        author: { type: 'text' },
        year: { type: 'integer' },
        inPrint: { type: 'boolean' },
        genre: { type: 'select', values: ['fiction', 'science'] },
      },
      rules: PUBLIC_RULES,
    },
    guarded: {
      fields: { name: { type: 'text', required: true } },
      rules: PUBLIC_RULES,
      requireIfMatch: true,
    },
  },
};

const RECORD_ALLOW = 'GET, HEAD, PUT, PATCH, DELETE, OPTIONS';
const ENCODINGS = ['urlencoded', 'multipart'] as const;
type Encoding = (typeof ENCODINGS)[number];
type Form = Record<string, string | string[]>;

let t: TestApp;
before(async () => {
  t = await testApp(CONFIG);
});
after(() => t.close());

function post(
  url: string,
  form: Form,
  options: { encoding?: Encoding; accept?: string; headers?: Record<string, string> } = {},
): Promise<LightMyRequestResponse> {
  const body = options.encoding === 'multipart' ? multipart(fields(form)) : urlencoded(form);
  const headers: Record<string, string> = { ...body.headers, ...options.headers };
  if (options.accept !== undefined) headers.accept = options.accept;
  return t.request({ method: 'POST', url, payload: body.payload, headers });
}

let serial = 0;
/** A stored book with every field set; returns its id, URL and ETag. */
async function book(collection = 'books') {
  const id = `b${++serial}`;
  const url = `/api/${collection}/${id}`;
  const payload =
    collection === 'books'
      ? { title: 'Dune', author: 'Frank Herbert', year: 1965, inPrint: true, genre: 'fiction' }
      : { name: 'kept' };
  const res = await t.request({ method: 'PUT', url, payload });
  assert.equal(res.statusCode, 201, res.body);
  return { id, url, etag: String(res.headers.etag) };
}

/** The stored record, straight from the store. */
const current = (id: string, collection = 'books') => t.store.get(collection, id);

/** A stored book's declared fields, in declaration order. */
async function valuesOf(id: string): Promise<unknown[]> {
  const record = await current(id);
  return ['title', 'author', 'year', 'inPrint', 'genre'].map((field) => record?.[field]);
}

/** A 303 See Other to `location`, empty, never cached. */
function assertSeeOther(res: LightMyRequestResponse, location: string): void {
  assert.equal(res.statusCode, 303, res.body);
  assert.equal(res.headers.location, location);
  assert.equal(res.headers['cache-control'], 'no-store');
  assert.equal(res.body, '');
}

describe('_method=PUT replaces the record', () => {
  for (const encoding of ENCODINGS) {
    test(`${encoding}, browser, matching _etag: 303 to the record; left-out fields reset, an unchecked box false`, async () => {
      const b = await book();
      const form = { _method: 'PUT', _etag: b.etag, title: 'Dune Messiah', year: '1969' };
      const res = await post(b.url, form, { encoding, accept: BROWSER_ACCEPT });
      assertSeeOther(res, b.url);
      assert.deepEqual(await valuesOf(b.id), ['Dune Messiah', null, 1969, false, null]);
      assert.notEqual(res.headers.etag, b.etag, 'the new ETag');
    });

    test(`${encoding}, API client: 200 with the record as JSON, as a PUT answers`, async () => {
      const b = await book();
      const res = await post(b.url, { _method: 'PUT', title: 'Replaced', inPrint: 'on' }, { encoding });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(mediaType(res), 'application/json');
      assert.deepEqual(json(res), await current(b.id));
      assert.deepEqual([json(res).title, json(res).inPrint, json(res).author], ['Replaced', true, null]);
      const read = await t.request({ method: 'GET', url: b.url });
      assert.equal(res.headers.etag, read.headers.etag);
    });
  }

  test('on a new id: created, 201 with Location (303 to it for a browser)', async () => {
    const api = await post('/api/books/fresh-json', { _method: 'PUT', title: 'New' });
    assert.equal(api.statusCode, 201, api.body);
    assert.equal(api.headers.location, '/api/books/fresh-json');
    const browser = await post(
      '/api/books/fresh-html',
      { _method: 'PUT', title: 'New' },
      { accept: BROWSER_ACCEPT },
    );
    assertSeeOther(browser, '/api/books/fresh-html');
    assert.equal((await current('fresh-html'))?.title, 'New');
  });

  for (const method of ['PUT', 'PATCH']) {
    test(`${method}: an invalid form is a 422 listing the fields (a page for a browser); nothing changes`, async () => {
      const b = await book();
      const before = await current(b.id);
      const api = await post(b.url, { _method: method, title: '', year: 'soon' });
      const problem = assertProblem(api, 422);
      assert.deepEqual((problem.errors as { field: string }[]).map((e) => e.field).sort(), ['title', 'year']);
      const page = await post(b.url, { _method: method, title: '' }, { accept: BROWSER_ACCEPT });
      assert.equal(page.statusCode, 422);
      assert.equal(mediaType(page), 'text/html');
      assert.deepEqual(await current(b.id), before);
    });
  }
});

describe('_method=PATCH merges the fields the form carries', () => {
  for (const encoding of ENCODINGS) {
    test(`${encoding}: only sent fields change, coerced per type; an absent box stays as it is; empty unsets`, async () => {
      const b = await book();
      const form = { _method: 'PATCH', _etag: b.etag, year: '1966', genre: '' };
      const res = await post(b.url, form, { encoding, accept: BROWSER_ACCEPT });
      assertSeeOther(res, b.url);
      assert.deepEqual(await valuesOf(b.id), ['Dune', 'Frank Herbert', 1966, true, null]);
    });

    test(`${encoding}: a sent checkbox value sets the boolean; the API client gets 200 JSON`, async () => {
      const b = await book();
      const res = await post(b.url, { _method: 'patch', inPrint: 'false' }, { encoding });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(json(res), await current(b.id));
      assert.equal(json(res).inPrint, false);
      assert.equal(json(res).title, 'Dune');
    });
  }

  test('a PATCH that changes nothing keeps the ETag and updated', async () => {
    const b = await book();
    const before = await current(b.id);
    const res = await post(b.url, { _method: 'PATCH', title: 'Dune' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers.etag, b.etag);
    assert.deepEqual(await current(b.id), before);
  });
});

describe('_method=DELETE removes the record and ignores other fields', () => {
  for (const encoding of ENCODINGS) {
    test(`${encoding}: a browser with _redirect gets 303 there; without, 204; an API client 204`, async () => {
      const a = await book();
      const junk = { title: '', year: 'x', unknown: 'field' };
      const redirected = await post(
        a.url,
        { _method: 'DELETE', _etag: a.etag, _redirect: '/books', ...junk },
        {
          encoding,
          accept: BROWSER_ACCEPT,
        },
      );
      assertSeeOther(redirected, '/books');
      assert.equal(await current(a.id), undefined);
      const b = await book();
      const plain = await post(b.url, { _method: 'DELETE', ...junk }, { encoding, accept: BROWSER_ACCEPT });
      assert.equal(plain.statusCode, 204, plain.body);
      assert.equal(plain.body, '');
      assert.equal(await current(b.id), undefined);
      const c = await book();
      const api = await post(c.url, { _method: 'DELETE' }, { encoding });
      assert.equal(api.statusCode, 204);
      assert.equal(await current(c.id), undefined);
      const again = await post(c.url, { _method: 'DELETE' }, { encoding });
      assertProblem(again, 404);
    });
  }
});

describe('_etag is If-Match', () => {
  for (const method of ['PUT', 'PATCH', 'DELETE'] as const) {
    for (const encoding of ENCODINGS) {
      test(`${method}, ${encoding}: a stale _etag is a 412 (a page for a browser) and nothing changes`, async () => {
        const b = await book();
        const before = await current(b.id);
        const form = { _method: method, _etag: '"stale"', title: 'Changed' };
        assertProblem(await post(b.url, form, { encoding }), 412);
        const page = await post(b.url, form, { encoding, accept: BROWSER_ACCEPT });
        assert.equal(page.statusCode, 412);
        assert.equal(mediaType(page), 'text/html');
        assert.match(page.body, /the record has changed/);
        assert.deepEqual(await current(b.id), before);
      });
    }
  }

  test('a bare _etag (without quotes) is the same tag; a weak one never matches', async () => {
    const b = await book();
    const bare = b.etag.slice(1, -1);
    assert.equal((await post(b.url, { _method: 'PATCH', _etag: bare, year: '2000' })).statusCode, 200);
    const now = await t.request({ method: 'GET', url: b.url });
    const weak = `W/${now.headers.etag}`;
    assertProblem(await post(b.url, { _method: 'PATCH', _etag: weak, year: '2001' }), 412);
    assert.equal((await current(b.id))?.year, 2000);
  });

  test('an If-Match header wins over _etag, both ways', async () => {
    const b = await book();
    const headerStale = await post(
      b.url,
      { _method: 'PATCH', _etag: b.etag, year: '1' },
      { headers: { 'if-match': '"stale"' } },
    );
    assertProblem(headerStale, 412);
    assert.equal((await current(b.id))?.year, 1965);
    const headerFresh = await post(
      b.url,
      { _method: 'PATCH', _etag: '"stale"', year: '2' },
      { headers: { 'if-match': b.etag } },
    );
    assert.equal(headerFresh.statusCode, 200, headerFresh.body);
    assert.equal((await current(b.id))?.year, 2);
  });

  test('missing records: PATCH and DELETE 404 whatever _etag says; PUT with _etag 412', async () => {
    assertProblem(await post('/api/books/none1', { _method: 'PATCH', _etag: '"x"', title: 'T' }), 404);
    assertProblem(await post('/api/books/none2', { _method: 'DELETE', _etag: '*' }), 404);
    assertProblem(await post('/api/books/none3', { _method: 'PUT', _etag: '*', title: 'T' }), 412);
    assert.equal(await current('none3'), undefined);
  });

  test('requireIfMatch: without _etag 428; with it the write goes through', async () => {
    const g = await book('guarded');
    assertProblem(await post(g.url, { _method: 'PUT', name: 'changed' }), 428);
    assertProblem(await post(g.url, { _method: 'DELETE' }), 428);
    assert.equal((await current(g.id, 'guarded'))?.name, 'kept');
    const res = await post(g.url, { _method: 'PUT', _etag: g.etag, name: 'changed' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal((await current(g.id, 'guarded'))?.name, 'changed');
  });
});

describe('what is not an override', () => {
  const refused = ['GET', 'POST', 'HEAD', 'OPTIONS', 'TRACE', 'PUTS', 'PUT PATCH', ''];
  for (const value of refused) {
    test(`_method=${JSON.stringify(value)}: 400 saying which methods a form may name; nothing changes`, async () => {
      const b = await book();
      const before = await current(b.id);
      for (const encoding of ENCODINGS) {
        const res = await post(b.url, { _method: value, title: 'Changed' }, { encoding });
        assertProblem(res, 400, { detail: /PUT, PATCH or DELETE/ });
      }
      assert.deepEqual(await current(b.id), before);
    });
  }

  test('a form without _method: 405 with the record’s Allow, nothing changes', async () => {
    const b = await book();
    const before = await current(b.id);
    for (const encoding of ENCODINGS) {
      const res = await post(b.url, { title: 'Changed', _etag: b.etag }, { encoding });
      assertProblem(res, 405, { detail: /_method/ });
      assert.equal(res.headers.allow, RECORD_ALLOW);
    }
    assert.deepEqual(await current(b.id), before);
  });

  const bodies = [
    {
      name: 'JSON with _method',
      type: 'application/json',
      payload: JSON.stringify({ _method: 'PUT', title: 'X' }),
    },
    {
      name: 'merge patch with _method',
      type: 'application/merge-patch+json',
      payload: '{"_method":"PATCH"}',
    },
    { name: 'text/plain with _method', type: 'text/plain', payload: '_method=DELETE' },
    {
      name: 'JSON sent as urlencoded',
      type: 'application/x-www-form-urlencoded',
      payload: '{"_method":"PUT"}',
    },
    { name: 'no body', type: undefined, payload: undefined },
  ];
  for (const row of bodies) {
    test(`${row.name}: 405 with Allow, never overridden`, async () => {
      const b = await book();
      const before = await current(b.id);
      const headers: Record<string, string> = {};
      if (row.type) headers['content-type'] = row.type;
      const res = await t.request({ method: 'POST', url: b.url, headers, payload: row.payload });
      assertProblem(res, 405);
      assert.equal(res.headers.allow, RECORD_ALLOW);
      assert.deepEqual(await current(b.id), before);
    });
  }

  test('OPTIONS on a record still lists no POST', async () => {
    const res = await t.request({ method: 'OPTIONS', url: '/api/books/any' });
    assert.equal(res.statusCode, 204);
    assert.equal(res.headers.allow, RECORD_ALLOW);
  });

  test('an unknown collection: 404', async () => {
    assertProblem(await post('/api/nothing/1', { _method: 'DELETE' }), 404);
  });
});

describe('Idempotency-Key on an overridden PATCH', () => {
  test('_idempotency_key: the retry replays byte for byte; another body with the key is a 422', async () => {
    const b = await book();
    const form = { _method: 'PATCH', _idempotency_key: 'patch-form-1', year: '1970' };
    const first = await post(b.url, form);
    assert.equal(first.statusCode, 200, first.body);
    const updated = (await current(b.id))?.updated;
    const again = await post(b.url, form);
    assert.equal(again.statusCode, 200);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(again.body, first.body);
    assert.equal((await current(b.id))?.updated, updated);
    const other = await post(b.url, { ...form, year: '1971' });
    assertProblem(other, 422, { type: 'https://methodical.dev/problems/idempotency-key-reused' });
    assert.equal((await current(b.id))?.year, 1970);
  });

  test('the key is the PATCH’s: a form and a JSON PATCH with the same key and changes are one request', async () => {
    const b = await book();
    const res = await t.request({
      method: 'PATCH',
      url: b.url,
      headers: { 'idempotency-key': 'shared-patch', 'content-type': 'application/merge-patch+json' },
      payload: JSON.stringify({ title: 'Same' }),
    });
    assert.equal(res.statusCode, 200, res.body);
    const form = await post(
      b.url,
      { _method: 'PATCH', title: 'Same' },
      { headers: { 'idempotency-key': 'shared-patch' } },
    );
    assert.equal(form.headers['idempotent-replayed'], 'true');
    assert.equal(form.body, res.body);
  });

  test('a browser’s double submit (same key) shows the same 303', async () => {
    const b = await book();
    const form = { _method: 'PATCH', _idempotency_key: 'patch-form-2', title: 'Once', _redirect: '/books' };
    const first = await post(b.url, form, { accept: BROWSER_ACCEPT });
    const second = await post(b.url, form, { accept: BROWSER_ACCEPT });
    assertSeeOther(first, '/books');
    assertSeeOther(second, '/books');
    assert.equal(second.headers['idempotent-replayed'], 'true');
    assert.equal((await stored(t, 'books')).filter((r) => r.title === 'Once').length, 1);
  });
});
