/**
 * The form method override as an unsafe request like any other (CSRF and
 * rules apply, PRODUCT.md, Details: Forms), and through route aliases:
 * "A form POST to /edit-book/{id} with _method=PUT and the record's ETag in
 * _etag is that PUT" (EXAMPLE-APP.md). An alias path takes the form POST
 * only for the methods it maps; one with its own POST alias keeps it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import type { UserConfig } from '../../src/config/types.js';
import { json, PUBLIC_RULES, type TestApp, testApp } from '../harness.js';
import { authApp, bearer, leakScan, registerAndLogin, SESSION_COOKIE, type User } from './auth-helpers.js';
import { assertProblem, stored } from './helpers.js';
import { urlencoded } from './multipart.js';
import { BROWSER_ACCEPT } from './upload-helpers.js';

type Form = Record<string, string>;

function post(
  t: TestApp,
  url: string,
  form: Form,
  options: { headers?: Record<string, string>; cookies?: Record<string, string> } = {},
): Promise<LightMyRequestResponse> {
  const body = urlencoded(form);
  return t.request({
    method: 'POST',
    url,
    payload: body.payload,
    headers: { ...body.headers, ...options.headers },
    cookies: options.cookies,
  });
}

describe('CSRF and rules apply to an overridden request', () => {
  const CSRF_TYPE = 'https://methodical.dev/problems/cross-origin-request';
  const OWNER_RULES = { list: 'auth', view: 'auth', create: 'auth', update: 'owner', delete: 'owner' };
  let t: TestApp;
  let anna: User;
  let ben: User;
  before(async () => {
    t = await authApp({
      collections: { notes: { fields: { title: { type: 'text' } }, rules: OWNER_RULES } },
    });
    anna = await registerAndLogin(t, 'anna@example.com');
    ben = await registerAndLogin(t, 'ben@example.com');
  });
  after(() => t.close());

  async function annasNote(): Promise<string> {
    const res = await t.request({
      method: 'POST',
      url: '/api/notes',
      headers: bearer(anna),
      payload: { title: 'mine' },
    });
    assert.equal(res.statusCode, 201, res.body);
    return json(res).id as string;
  }

  for (const method of ['PUT', 'PATCH', 'DELETE']) {
    test(`${method}: the session cookie with a foreign Origin is a 403 and writes nothing`, async () => {
      const id = await annasNote();
      const before = await stored(t, 'notes');
      const cookies = { [SESSION_COOKIE]: anna.token };
      const form = { _method: method, title: 'forged' };
      const refused = await post(t, `/api/notes/${id}`, form, {
        cookies,
        headers: { origin: 'https://evil.example', accept: BROWSER_ACCEPT },
      });
      assert.equal(refused.statusCode, 403, refused.body);
      const api = await post(t, `/api/notes/${id}`, form, {
        cookies,
        headers: { origin: 'https://evil.example' },
      });
      assertProblem(api, 403, { type: CSRF_TYPE });
      assert.deepEqual(await stored(t, 'notes'), before);
      const same = await post(t, `/api/notes/${id}`, form, {
        cookies,
        headers: { origin: 'http://localhost', accept: BROWSER_ACCEPT },
      });
      assert.equal(same.statusCode, method === 'DELETE' ? 204 : 303, same.body);
      const after = await t.store.get('notes', id);
      if (method === 'DELETE') assert.equal(after, undefined);
      else assert.equal(after?.title, 'forged');
    });

    test(`${method}: another user’s record is a 403, anonymous a 401; nothing changes`, async () => {
      const id = await annasNote();
      const before = await stored(t, 'notes');
      assertProblem(
        await post(t, `/api/notes/${id}`, { _method: method, title: 'x' }, { headers: bearer(ben) }),
        403,
      );
      assertProblem(await post(t, `/api/notes/${id}`, { _method: method, title: 'x' }), 401);
      assert.deepEqual(await stored(t, 'notes'), before);
    });
  }

  leakScan();
});

describe('through route aliases', () => {
  const CONFIG: UserConfig = {
    collections: {
      books: {
        fields: { title: { type: 'text', required: true }, year: { type: 'integer' } },
        rules: PUBLIC_RULES,
      },
    },
    routes: {
      'PUT /edit-book/:id': 'PUT /api/books/:id',
      'DELETE /drop-book/:ref': 'DELETE /api/books/:ref',
      'PUT /shelf/:id': 'PUT /api/books/:id',
      'POST /shelf/:id': 'POST /api/books',
    },
  };
  let t: TestApp;
  before(async () => {
    t = await testApp(CONFIG);
  });
  after(() => t.close());

  let serial = 0;
  async function book() {
    const id = `a${++serial}`;
    const res = await t.request({
      method: 'PUT',
      url: `/api/books/${id}`,
      payload: { title: 'Dune', year: 1965 },
    });
    assert.equal(res.statusCode, 201, res.body);
    return { id, etag: String(res.headers.etag) };
  }

  test('POST /edit-book/{id} with _method=PUT and the ETag in _etag is that PUT: 303, replaced', async () => {
    const b = await book();
    const res = await post(
      t,
      `/edit-book/${b.id}`,
      { _method: 'PUT', _etag: b.etag, title: 'Edited' },
      {
        headers: { accept: BROWSER_ACCEPT },
      },
    );
    assert.equal(res.statusCode, 303, res.body);
    assert.equal(res.headers.location, `/api/books/${b.id}`);
    const record = await t.store.get('books', b.id);
    assert.deepEqual(
      [record?.title, record?.year],
      ['Edited', null],
      'a PUT: the year is left out, so reset',
    );
    const json1 = await post(t, `/edit-book/${b.id}`, { _method: 'PUT', title: 'Again' });
    assert.equal(json1.statusCode, 200, json1.body);
    assert.equal(json(json1).title, 'Again');
  });

  test('a stale _etag through the alias: 412 (the page for a browser), nothing changes', async () => {
    const b = await book();
    const before = await t.store.get('books', b.id);
    const res = await post(
      t,
      `/edit-book/${b.id}`,
      { _method: 'PUT', _etag: '"old"', title: 'Late' },
      {
        headers: { accept: BROWSER_ACCEPT },
      },
    );
    assert.equal(res.statusCode, 412, res.body);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.deepEqual(await t.store.get('books', b.id), before);
  });

  test('a DELETE alias with a renamed parameter takes the form too', async () => {
    const b = await book();
    const res = await post(
      t,
      `/drop-book/${b.id}`,
      { _method: 'DELETE', _redirect: '/books' },
      {
        headers: { accept: BROWSER_ACCEPT },
      },
    );
    assert.equal(res.statusCode, 303, res.body);
    assert.equal(res.headers.location, '/books');
    assert.equal(await t.store.get('books', b.id), undefined);
  });

  const refusals: { name: string; url: string; form: Form }[] = [
    { name: '_method=DELETE on a path that maps only PUT', url: '/edit-book', form: { _method: 'DELETE' } },
    {
      name: '_method=PATCH on a path that maps only PUT',
      url: '/edit-book',
      form: { _method: 'PATCH', title: 'x' },
    },
    { name: 'no _method', url: '/edit-book', form: { title: 'x' } },
    {
      name: '_method=PUT on a path that maps only DELETE',
      url: '/drop-book',
      form: { _method: 'PUT', title: 'x' },
    },
  ];
  for (const row of refusals) {
    test(`${row.name}: 405 with the alias path’s Allow, nothing changes`, async () => {
      const b = await book();
      const before = await stored(t, 'books');
      const res = await post(t, `${row.url}/${b.id}`, row.form);
      assertProblem(res, 405);
      assert.equal(res.headers.allow, row.url === '/edit-book' ? 'PUT, OPTIONS' : 'DELETE, OPTIONS');
      assert.deepEqual(await stored(t, 'books'), before);
    });
  }

  test('a path with a POST alias of its own keeps it: the form creates a book', async () => {
    const b = await book();
    const before = await t.store.get('books', b.id);
    const res = await post(t, `/shelf/${b.id}`, { _method: 'PUT', title: 'Created' });
    assert.equal(res.statusCode, 201, res.body);
    assert.notEqual(json(res).id, b.id);
    assert.equal((await t.store.get('books', json(res).id as string))?.title, 'Created');
    assert.deepEqual(await t.store.get('books', b.id), before);
  });

  test('a JSON POST to an alias path is still its 405', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/edit-book/x',
      payload: { _method: 'PUT', title: 'x' },
    });
    assertProblem(res, 405);
    assert.equal(res.headers.allow, 'PUT, OPTIONS');
  });
});
