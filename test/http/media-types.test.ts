/**
 * HTTP.md, Media types and bodies (JSON here; forms elsewhere): 415 with Accept-Post /
 * Accept-Patch, text/plain never read as JSON, 400 vs 422, 406 and Accept.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { HTTPMethods } from 'fastify';
import { BOOKS_CONFIG, json, type TestApp, testApp } from '../harness.js';
import { assertProblem, create, DUNE, mediaType, stored } from './helpers.js';

let t: TestApp;
before(async () => {
  t = await testApp(BOOKS_CONFIG);
});
after(() => t.close());

/** Create and replace take JSON and forms (forms.test.ts covers the latter). */
const WRITE_TYPES = ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'];

describe('415 Unsupported Media Type', () => {
  const body = JSON.stringify(DUNE);
  const table: {
    name: string;
    method: HTTPMethods;
    url: string;
    type?: string;
    header: string;
    accepts: string[];
  }[] = [
    {
      name: 'POST text/plain',
      method: 'POST',
      url: '/api/books',
      type: 'text/plain',
      header: 'accept-post',
      accepts: WRITE_TYPES,
    },
    {
      name: 'POST text/plain with a charset',
      method: 'POST',
      url: '/api/books',
      type: 'text/plain; charset=utf-8',
      header: 'accept-post',
      accepts: WRITE_TYPES,
    },
    {
      name: 'POST without a Content-Type',
      method: 'POST',
      url: '/api/books',
      header: 'accept-post',
      accepts: WRITE_TYPES,
    },
    {
      name: 'POST application/xml',
      method: 'POST',
      url: '/api/books',
      type: 'application/xml',
      header: 'accept-post',
      accepts: WRITE_TYPES,
    },
    {
      name: 'POST a merge patch type',
      method: 'POST',
      url: '/api/books',
      type: 'application/merge-patch+json',
      header: 'accept-post',
      accepts: WRITE_TYPES,
    },
    {
      name: 'PUT text/plain',
      method: 'PUT',
      url: '/api/books/plain',
      type: 'text/plain',
      header: 'accept-post',
      accepts: WRITE_TYPES,
    },
    {
      name: 'PATCH text/plain',
      method: 'PATCH',
      url: '/api/books/EXISTING',
      type: 'text/plain',
      header: 'accept-patch',
      accepts: ['application/merge-patch+json', 'application/json-patch+json', 'application/json'],
    },
    {
      name: 'batch text/plain',
      method: 'POST',
      url: '/api/batch',
      type: 'text/plain',
      header: 'accept-post',
      accepts: ['application/json'],
    },
  ];
  for (const row of table) {
    test(`${row.name}: 415 naming the accepted types, nothing written`, async () => {
      const existing = await create(t, 'books', { ...DUNE, title: 'Existing' });
      const before = await stored(t, 'books');
      const res = await t.request({
        method: row.method,
        url: row.url.replace('EXISTING', existing.id),
        headers: row.type ? { 'content-type': row.type } : {},
        payload:
          row.url === '/api/batch'
            ? JSON.stringify({ requests: [{ method: 'POST', url: '/api/books', body: DUNE }] })
            : body,
      });
      assertProblem(res, 415, { title: 'Unsupported Media Type', detail: /send one of/ });
      const header = String(res.headers[row.header])
        .split(',')
        .map((s) => s.trim());
      assert.deepEqual(header.sort(), [...row.accepts].sort());
      assert.deepEqual(await stored(t, 'books'), before);
    });
  }

  test('application/json with a charset parameter is JSON', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/api/books',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      payload: JSON.stringify(DUNE),
    });
    assert.equal(res.statusCode, 201);
    assert.equal((await t.store.get('books', json(res).id as string))?.title, DUNE.title);
  });
});

describe('400 for bodies that are not a JSON object, 422 for invalid records', () => {
  const malformed: { name: string; payload: string; detail: RegExp }[] = [
    { name: 'truncated JSON', payload: '{"title": "Dune"', detail: /not valid JSON/ },
    { name: 'a trailing comma', payload: '{"title": "Dune",}', detail: /not valid JSON/ },
    { name: 'single quotes', payload: "{'title': 'Dune'}", detail: /not valid JSON/ },
    { name: 'an empty body', payload: '', detail: /empty/ },
    { name: 'an array', payload: '[{"title": "Dune"}]', detail: /object/ },
    { name: 'a string', payload: '"Dune"', detail: /object/ },
    { name: 'a number', payload: '42', detail: /object/ },
    { name: 'null', payload: 'null', detail: /object/ },
  ];
  for (const row of malformed) {
    for (const method of ['POST', 'PUT'] as const) {
      test(`${method} with ${row.name}: 400, nothing written`, async () => {
        const before = await stored(t, 'books');
        const res = await t.request({
          method,
          url: method === 'POST' ? '/api/books' : '/api/books/malformed',
          headers: { 'content-type': 'application/json' },
          payload: row.payload,
        });
        assertProblem(res, 400, { detail: row.detail });
        assert.deepEqual(await stored(t, 'books'), before);
      });
    }
  }

  test('every field problem at once, one errors entry each', async () => {
    const before = await stored(t, 'books');
    const res = await t.request({
      method: 'POST',
      url: '/api/books',
      payload: { title: 5, year: -1, genre: 'poetry', isbn: 'abc', inPrint: 'yes', subtitle: 'x' },
    });
    const problem = assertProblem(res, 422, {
      type: 'https://methodical.dev/problems/validation',
      title: 'The record is invalid',
    });
    const errors = problem.errors as { field: string; code: string; message: string }[];
    assert.deepEqual(errors.map((e) => e.field).sort(), [
      'author',
      'genre',
      'inPrint',
      'isbn',
      'subtitle',
      'title',
      'year',
    ]);
    const byField = Object.fromEntries(errors.map((e) => [e.field, e]));
    assert.equal(byField.author.code, 'required');
    assert.equal(byField.subtitle.code, 'unknown_field');
    for (const e of errors) {
      assert.deepEqual(Object.keys(e).sort(), ['code', 'field', 'message']);
      assert.ok(e.message.length > 0);
    }
    assert.deepEqual(await stored(t, 'books'), before);
  });

  test('a unique value taken by another record: 409 with a field error', async () => {
    await create(t, 'books', { ...DUNE, isbn: '978-0-441-17271-9' });
    const before = await stored(t, 'books');
    const res = await t.request({
      method: 'POST',
      url: '/api/books',
      payload: { ...DUNE, isbn: '978-0-441-17271-9' },
    });
    const problem = assertProblem(res, 409, { type: 'https://methodical.dev/problems/unique-violation' });
    assert.deepEqual(problem.errors, [
      { field: 'isbn', code: 'unique', message: 'must be unique: another record has this value' },
    ]);
    assert.deepEqual(await stored(t, 'books'), before);
  });
});

describe('Accept and 406', () => {
  let id: string;
  before(async () => {
    ({ id } = await create(t, 'books', DUNE));
  });

  const acceptable = [
    undefined,
    '',
    '*/*',
    'application/json',
    'application/*',
    'text/html;q=0.5, application/json',
    'text/plain, */*;q=0.1',
  ];
  for (const accept of acceptable) {
    test(`Accept ${JSON.stringify(accept)}: JSON`, async () => {
      const res = await t.request({
        method: 'GET',
        url: `/api/books/${id}`,
        headers: accept === undefined ? {} : { accept },
      });
      assert.equal(res.statusCode, 200);
      assert.equal(mediaType(res), 'application/json');
      assert.equal(json(res).id, id);
    });
  }

  const unacceptable = ['text/plain', 'application/xml', 'application/json;q=0', 'image/*'];
  for (const accept of unacceptable) {
    for (const target of ['record', 'list', 'POST'] as const) {
      test(`Accept ${accept} on ${target}: 406 problem+json, nothing written`, async () => {
        const before = await stored(t, 'books');
        const res = await t.request({
          method: target === 'POST' ? 'POST' : 'GET',
          url: target === 'record' ? `/api/books/${id}` : '/api/books',
          headers: { accept },
          payload: target === 'POST' ? DUNE : undefined,
        });
        assertProblem(res, 406, { title: 'Not Acceptable', detail: /application\/json/ });
        assert.deepEqual(await stored(t, 'books'), before);
      });
    }
  }

  test('errors are problem+json whatever Accept asks for', async () => {
    for (const accept of ['application/xml', 'application/json', 'text/plain', '*/*']) {
      assertProblem(await t.request({ method: 'GET', url: '/nowhere', headers: { accept } }), 404);
      assertProblem(await t.request({ method: 'DELETE', url: '/api/books', headers: { accept } }), 405);
    }
  });

  test('a request that prefers HTML gets its error as a small HTML page with the same status', async () => {
    const res = await t.request({ method: 'GET', url: '/nowhere', headers: { accept: 'text/html' } });
    assert.equal(res.statusCode, 404);
    assert.equal(mediaType(res), 'text/html');
    assert.match(res.body, /<html/i);
    assert.match(res.body, /Not Found/);
  });
});
