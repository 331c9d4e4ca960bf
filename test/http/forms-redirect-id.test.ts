/**
 * PRODUCT.md, Details: Forms: "`{id}` in [`_redirect`] is replaced by the
 * written record's id (`_redirect=/books/{id}`)" — URL-encoded, and the
 * result is checked again as a same-origin path.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { json, PUBLIC_RULES, type TestApp, testApp } from '../harness.js';
import { stored } from './helpers.js';
import { fields, multipart, urlencoded } from './multipart.js';
import { BROWSER_ACCEPT } from './upload-helpers.js';

let t: TestApp;
before(async () => {
  t = await testApp({
    collections: { books: { fields: { title: { type: 'text', required: true } }, rules: PUBLIC_RULES } },
    routes: { 'POST /add-book': 'POST /api/books' },
  });
});
after(() => t.close());

function post(
  url: string,
  form: Record<string, string>,
  encoding: 'urlencoded' | 'multipart' = 'urlencoded',
) {
  const body = encoding === 'multipart' ? multipart(fields(form)) : urlencoded(form);
  return t.request({
    method: 'POST',
    url,
    payload: body.payload,
    headers: { ...body.headers, accept: BROWSER_ACCEPT },
  });
}

/** The id of the only book titled `title`. */
async function idOf(title: string): Promise<string> {
  const matches = (await stored(t, 'books')).filter((b) => b.title === title);
  assert.equal(matches.length, 1);
  return matches[0].id;
}

function assertSeeOther(res: LightMyRequestResponse, location: string): void {
  assert.equal(res.statusCode, 303, res.body);
  assert.equal(res.headers.location, location);
}

describe('{id} in _redirect', () => {
  for (const encoding of ['urlencoded', 'multipart'] as const) {
    test(`${encoding}: a create sends the browser to /books/{its id}, every {id} replaced`, async () => {
      const title = `created ${encoding}`;
      const res = await post('/api/books', { title, _redirect: '/books/{id}?new={id}#{id}' }, encoding);
      const id = await idOf(title);
      assertSeeOther(res, `/books/${id}?new=${id}#${id}`);
    });
  }

  test('through an alias, as through the API route', async () => {
    const res = await post('/add-book', { title: 'via alias', _redirect: '/books/{id}' });
    assertSeeOther(res, `/books/${await idOf('via alias')}`);
  });

  test('a PUT under a client id and a form standing for PATCH and DELETE get the record’s id', async () => {
    assertSeeOther(
      await post('/api/books/my-id_1', { _method: 'PUT', title: 'Mine', _redirect: '/b/{id}' }),
      '/b/my-id_1',
    );
    assertSeeOther(
      await post('/api/books/my-id_1', { _method: 'PATCH', title: 'Mine 2', _redirect: '/b/{id}/saved' }),
      '/b/my-id_1/saved',
    );
    assertSeeOther(
      await post('/api/books/my-id_1', { _method: 'DELETE', _redirect: '/books?deleted={id}' }),
      '/books?deleted=my-id_1',
    );
    assert.equal(await t.store.get('books', 'my-id_1'), undefined);
  });

  test('a PUT without a browser Accept ignores _redirect: 201 JSON', async () => {
    const body = urlencoded({ _method: 'PUT', title: 'json', _redirect: '/b/{id}' });
    const res = await t.request({
      method: 'POST',
      url: '/api/books/json-id',
      payload: body.payload,
      headers: body.headers,
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(json(res).id, 'json-id');
  });

  const refused = [
    '//{id}',
    '/{id}/..//evil.com',
    '/\\{id}',
    'https://evil.com/{id}',
    '{id}/books',
    '/.//{id}',
  ];
  for (const value of refused) {
    test(`${JSON.stringify(value)} is no same-origin path, before or after {id}: 303 to the record`, async () => {
      const title = `refused ${value}`;
      const res = await post('/api/books', { title, _redirect: value });
      const id = await idOf(title);
      assertSeeOther(res, `/api/books/${id}`);
    });
  }
});
