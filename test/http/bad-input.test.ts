/**
 * Hostile and broken input: every case is a clear 4xx problem+json with a
 * useful detail, never a 500; nothing is written, no prototype is polluted,
 * and the app still answers afterwards.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { HTTPMethods } from 'fastify';
import { BOOKS_CONFIG, json, type TestApp, testApp } from '../harness.js';
import { assertProblem, create, DUNE, stored } from './helpers.js';

const MiB = 1024 * 1024;
const JSON_HEADERS = { 'content-type': 'application/json' };

let t: TestApp;
let existing: string;
before(async () => {
  t = await testApp(BOOKS_CONFIG);
  existing = (await create(t, 'books', { ...DUNE, title: 'Existing' })).id;
});
after(() => t.close());

afterEach(async () => {
  const res = await t.request({ method: 'GET', url: `/api/books/${existing}` });
  assert.equal(res.statusCode, 200, 'the app still answers');
  assert.equal(json(res).title, 'Existing', 'and nothing changed');
  assert.equal((await stored(t, 'books')).length, 1, 'nothing was created');
  assert.equal(Object.hasOwn(Object.prototype, 'polluted'), false);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

interface Case {
  name: string;
  method?: HTTPMethods;
  url?: string;
  headers?: Record<string, string>;
  payload: string | Buffer;
  status: number;
  type?: string;
  detail: RegExp;
}

const deepArray = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
const nested = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

const CASES: Case[] = [
  {
    name: 'truncated JSON',
    payload: '{"title":"Dune","author":',
    status: 400,
    type: 'malformed-json',
    detail: /not valid JSON/,
  },
  {
    name: 'a raw control character in a string',
    payload: '{"title":"a\u0001b","author":"x"}',
    status: 400,
    type: 'malformed-json',
    detail: /not valid JSON/,
  },
  {
    name: 'NaN literal',
    payload: '{"title":"T","author":"A","year":NaN}',
    status: 400,
    type: 'malformed-json',
    detail: /not valid JSON/,
  },
  {
    name: 'two documents',
    payload: '{"title":"T"}{"author":"A"}',
    status: 400,
    type: 'malformed-json',
    detail: /not valid JSON/,
  },
  { name: 'whitespace only', payload: '   \n ', status: 400, type: 'malformed-json', detail: /empty/ },
  {
    name: 'an array nested 100 000 deep',
    payload: deepArray,
    status: 400,
    type: 'malformed-json',
    detail: /nested more than \d+ levels/,
  },
  {
    name: 'a field value nested 70 deep',
    payload: `{"title":"T","author":"A","tags":${nested(70)}}`,
    status: 400,
    type: 'malformed-json',
    detail: /nested more than \d+ levels/,
  },
  {
    name: 'invalid UTF-8 (0xFF)',
    payload: Buffer.from([0x7b, 0x22, 0x74, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]),
    status: 400,
    type: 'malformed-json',
    detail: /UTF-8/,
  },
  {
    name: 'an overlong UTF-8 encoding',
    payload: Buffer.concat([
      Buffer.from('{"title":"'),
      Buffer.from([0xc0, 0xaf]),
      Buffer.from('","author":"A"}'),
    ]),
    status: 400,
    type: 'malformed-json',
    detail: /UTF-8/,
  },
  {
    name: 'a UTF-8 encoded surrogate',
    payload: Buffer.concat([
      Buffer.from('{"title":"'),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from('","author":"A"}'),
    ]),
    status: 400,
    type: 'malformed-json',
    detail: /UTF-8/,
  },
  {
    name: 'a truncated multibyte sequence',
    payload: Buffer.concat([Buffer.from('{"title":"T","author":"'), Buffer.from([0xe2, 0x82])]),
    status: 400,
    type: 'malformed-json',
    detail: /UTF-8/,
  },
  {
    name: 'wrong types for every field',
    payload: JSON.stringify({ title: {}, author: ['x'], year: 1.5, isbn: 42, genre: true, inPrint: 'true' }),
    status: 422,
    type: 'validation',
    detail: /title, author, year, isbn, genre, inPrint/,
  },
  {
    // PostgreSQL text cannot hold U+0000; refused on every store so both answer the same.
    name: 'text holding U+0000',
    payload: '{"title":"T\\u0000x","author":"A"}',
    status: 422,
    type: 'validation',
    detail: /title/,
  },
  {
    name: 'a number too large for JSON numbers',
    payload: '{"title":"T","author":"A","year":1e400}',
    status: 422,
    type: 'validation',
    detail: /year/,
  },
  {
    name: 'a title over its max',
    payload: JSON.stringify({ title: 'x'.repeat(201), author: 'A' }),
    status: 422,
    type: 'validation',
    detail: /title/,
  },
  {
    name: 'a __proto__ key',
    payload: '{"title":"T","author":"A","__proto__":{"polluted":true}}',
    status: 422,
    type: 'validation',
    detail: /__proto__/,
  },
  {
    name: 'a constructor key',
    payload: '{"title":"T","author":"A","constructor":{"prototype":{"polluted":true}}}',
    status: 422,
    type: 'validation',
    detail: /constructor/,
  },
  {
    name: 'a prototype key',
    payload: '{"title":"T","author":"A","prototype":{"polluted":true}}',
    status: 422,
    type: 'validation',
    detail: /prototype/,
  },
  {
    name: 'a merge patch with __proto__',
    method: 'PATCH',
    url: '/api/books/EXISTING',
    headers: { 'content-type': 'application/merge-patch+json' },
    payload: '{"__proto__":{"polluted":true}}',
    status: 422,
    type: 'validation',
    detail: /__proto__/,
  },
  {
    name: 'a JSON Patch through __proto__',
    method: 'PATCH',
    url: '/api/books/EXISTING',
    headers: { 'content-type': 'application/json-patch+json' },
    payload: '[{"op":"add","path":"/__proto__/polluted","value":true}]',
    status: 409,
    type: 'patch-conflict',
    detail: /does not exist/,
  },
  {
    name: 'a JSON Patch through constructor/prototype',
    method: 'PATCH',
    url: '/api/books/EXISTING',
    headers: { 'content-type': 'application/json-patch+json' },
    payload: '[{"op":"add","path":"/constructor/prototype/polluted","value":true}]',
    status: 409,
    type: 'patch-conflict',
    detail: /does not exist/,
  },
  {
    name: 'a batch with __proto__',
    url: '/api/batch',
    payload:
      '{"requests":[{"method":"POST","url":"/api/books","body":{"title":"T","author":"A"}}],"__proto__":{"polluted":true}}',
    status: 400,
    type: 'invalid-batch',
    detail: /__proto__/,
  },
  {
    name: 'a body over 1 MiB',
    payload: JSON.stringify({ title: 'T', author: 'x'.repeat(MiB) }),
    status: 413,
    detail: /larger/,
  },
  {
    name: 'a PATCH over 1 MiB',
    method: 'PATCH',
    url: '/api/books/EXISTING',
    headers: { 'content-type': 'application/merge-patch+json' },
    payload: JSON.stringify({ author: 'x'.repeat(MiB + 1) }),
    status: 413,
    detail: /larger/,
  },
  {
    name: 'a batch over 1 MiB',
    url: '/api/batch',
    payload: JSON.stringify({ requests: [], pad: 'x'.repeat(MiB) }),
    status: 413,
    detail: /larger/,
  },
  {
    // Refused for its type before anything is read.
    name: 'a text/plain body over 1 MiB',
    headers: { 'content-type': 'text/plain' },
    payload: 'x'.repeat(MiB + 10),
    status: 415,
    detail: /not accepted here/,
  },
];

describe('bodies', () => {
  for (const c of CASES) {
    test(`${c.name}: ${c.status}`, async () => {
      const res = await t.request({
        method: c.method ?? 'POST',
        url: (c.url ?? '/api/books').replace('EXISTING', existing),
        headers: c.headers ?? JSON_HEADERS,
        payload: c.payload,
      });
      const type = c.type === undefined ? undefined : `https://methodical.dev/problems/${c.type}`;
      const problem = assertProblem(res, c.status, { type, detail: c.detail });
      if (c.status === 413) {
        assert.equal(problem.title, 'Content Too Large');
        assert.equal(res.headers.connection, 'close', 'the connection is not kept reading');
      }
    });
  }

  test('text holding U+0000 names the field and the character, and stores nothing', async () => {
    const before = (await stored(t, 'books')).length;
    const res = await t.request({
      method: 'POST',
      url: '/api/books',
      headers: JSON_HEADERS,
      payload: '{"title":"T\\u0000x","author":"A"}',
    });
    const problem = assertProblem(res, 422, { type: 'https://methodical.dev/problems/validation' });
    assert.match(JSON.stringify(problem), /title.*U\+0000/);
    assert.equal((await stored(t, 'books')).length, before);
  });

  test('a configured smaller JSON limit is enforced too', async () => {
    const small = await testApp({ ...BOOKS_CONFIG, limits: { json: 1000 } });
    try {
      const res = await small.request({
        method: 'POST',
        url: '/api/books',
        payload: { title: 'T', author: 'x'.repeat(2000) },
      });
      assertProblem(res, 413);
      assert.equal((await stored(small, 'books')).length, 0);
      const fine = await small.request({
        method: 'POST',
        url: '/api/books',
        payload: { title: 'T', author: 'short' },
      });
      assert.equal(fine.statusCode, 201);
    } finally {
      await small.close();
    }
  });

  test('nesting within the limit is fine, and __proto__ inside a JSON field stays data', async () => {
    const payload = `{"title":"T","author":"A","tags":{"deep":${nested(50)},"__proto__":{"polluted":true}}}`;
    const res = await t.request({ method: 'POST', url: '/api/books', headers: JSON_HEADERS, payload });
    assert.equal(res.statusCode, 201, res.body);
    const id = json(res).id as string;
    const tags = (await t.store.get('books', id))?.tags as Record<string, unknown>;
    assert.ok(Object.hasOwn(tags, '__proto__'), 'kept as an own member');
    assert.equal(Object.getPrototypeOf(tags), Object.prototype);
    await t.request({ method: 'DELETE', url: `/api/books/${id}` });
  });
});
