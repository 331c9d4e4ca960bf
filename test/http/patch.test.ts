/**
 * PATCH: RFC 7396 merge patch, RFC 6902 JSON Patch applied atomically, and
 * 415 with Accept-Patch for other patch types (HTTP.md Methods).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BOOKS_CONFIG, json, type TestApp, testApp } from '../harness.js';
import { assertProblem, create, DUNE } from './helpers.js';

const MERGE = 'application/merge-patch+json';
const JSON_PATCH = 'application/json-patch+json';

const FULL = { ...DUNE, genre: 'fiction', tags: { shelf: 'A', series: ['dune'], rating: 5 } };

let t: TestApp;
before(async () => {
  t = await testApp(BOOKS_CONFIG);
});
after(() => t.close());

async function patch(id: string, type: string, document: unknown) {
  return t.request({
    method: 'PATCH',
    url: `/api/books/${id}`,
    headers: { 'content-type': type },
    payload: JSON.stringify(document),
  });
}

describe('merge patch (RFC 7396)', () => {
  const table: { name: string; type: string; patch: unknown; expect: Record<string, unknown> }[] = [
    { name: 'null removes a member', type: MERGE, patch: { year: null }, expect: { year: null } },
    {
      name: 'null unsets a field with a default',
      type: MERGE,
      patch: { inPrint: null },
      expect: { inPrint: null },
    },
    {
      name: 'values replace',
      type: MERGE,
      patch: { title: 'Dune!', genre: 'science' },
      expect: { title: 'Dune!', genre: 'science' },
    },
    {
      name: 'objects merge recursively, null removes inside',
      type: MERGE,
      patch: { tags: { shelf: null, rating: 4 } },
      expect: { tags: { series: ['dune'], rating: 4 } },
    },
    {
      name: 'arrays replace whole',
      type: MERGE,
      patch: { tags: { series: ['messiah'] } },
      expect: { tags: { shelf: 'A', series: ['messiah'], rating: 5 } },
    },
    {
      name: 'application/json is read as merge patch',
      type: 'application/json',
      patch: { year: null, title: 'J' },
      expect: { year: null, title: 'J' },
    },
    {
      name: 'a charset parameter is fine',
      type: `${MERGE}; charset=utf-8`,
      patch: { author: 'F. H.' },
      expect: { author: 'F. H.' },
    },
    {
      name: 'system fields in the patch are ignored',
      type: MERGE,
      patch: { created: '2000-01-01T00:00:00Z', updated: null, year: 1 },
      expect: { year: 1 },
    },
  ];
  for (const row of table) {
    test(`${row.name}: 200 and stored`, async () => {
      const { id, body } = await create(t, 'books', FULL);
      const res = await patch(id, row.type, row.patch);
      assert.equal(res.statusCode, 200, res.body);
      const expected = { ...body, ...row.expect, updated: json(res).updated };
      assert.deepEqual(json(res), expected);
      assert.deepEqual(await t.store.get('books', id), expected);
      assert.equal(json(res).created, body.created);
    });
  }

  const invalid: { name: string; patch: unknown; fields: string[] }[] = [
    { name: 'unsetting a required field', patch: { title: null }, fields: ['title'] },
    {
      name: 'a wrong type and a broken rule together',
      patch: { year: 'soon', genre: 'poetry', title: 'x'.repeat(201) },
      fields: ['title', 'year', 'genre'],
    },
    { name: 'an unknown field', patch: { subtitle: 'x' }, fields: ['subtitle'] },
  ];
  for (const row of invalid) {
    test(`${row.name}: 422 listing every field problem, nothing changes`, async () => {
      const { id, body, etag } = await create(t, 'books', FULL);
      const res = await patch(id, MERGE, row.patch);
      const problem = assertProblem(res, 422, { type: 'https://methodical.dev/problems/validation' });
      const errors = problem.errors as { field: string; code: string; message: string }[];
      assert.deepEqual(errors.map((e) => e.field).sort(), [...row.fields].sort());
      for (const e of errors) assert.ok(e.code && e.message, 'each error has a code and a message');
      assert.deepEqual(await t.store.get('books', id), body);
      const get = await t.request({ method: 'GET', url: `/api/books/${id}` });
      assert.equal(get.headers.etag, etag);
    });
  }

  test('a merge patch that is not an object: 400, nothing changes', async () => {
    const { id, body } = await create(t, 'books', FULL);
    for (const doc of [['title'], 'title', 42, null]) {
      assertProblem(await patch(id, MERGE, doc), 400, { detail: /object/ });
    }
    assert.deepEqual(await t.store.get('books', id), body);
  });
});

describe('JSON Patch (RFC 6902)', () => {
  test('operations apply in order: add, replace, remove, copy, move, test', async () => {
    const { id, body } = await create(t, 'books', FULL);
    const res = await patch(id, JSON_PATCH, [
      { op: 'test', path: '/title', value: 'Dune' },
      { op: 'replace', path: '/title', value: 'Dune (1965)' },
      { op: 'add', path: '/tags/series/-', value: 'messiah' },
      { op: 'remove', path: '/tags/shelf' },
      { op: 'copy', from: '/author', path: '/tags/by' },
      { op: 'move', from: '/tags/rating', path: '/tags/stars' },
      { op: 'remove', path: '/year' },
    ]);
    assert.equal(res.statusCode, 200, res.body);
    const expected = {
      ...body,
      title: 'Dune (1965)',
      year: null,
      tags: { series: ['dune', 'messiah'], by: 'Frank Herbert', stars: 5 },
      updated: json(res).updated,
    };
    assert.deepEqual(json(res), expected);
    assert.deepEqual(await t.store.get('books', id), expected);
  });

  const failing: { name: string; ops: unknown; status: number; type: string; detail: RegExp }[] = [
    {
      name: 'a failed test after a replace',
      ops: [
        { op: 'replace', path: '/title', value: 'Changed' },
        { op: 'test', path: '/year', value: 1999 },
      ],
      status: 409,
      type: 'https://methodical.dev/problems/patch-test-failed',
      detail: /test/,
    },
    {
      name: 'a path that does not exist',
      ops: [
        { op: 'replace', path: '/title', value: 'Changed' },
        { op: 'replace', path: '/tags/nope/deeper', value: 1 },
      ],
      status: 409,
      type: 'https://methodical.dev/problems/patch-conflict',
      detail: /does not exist/,
    },
    {
      name: 'removing a missing member',
      ops: [{ op: 'remove', path: '/tags/missing' }],
      status: 409,
      type: 'https://methodical.dev/problems/patch-conflict',
      detail: /does not exist/,
    },
    {
      name: 'an array index out of range',
      ops: [{ op: 'add', path: '/tags/series/7', value: 'x' }],
      status: 409,
      type: 'https://methodical.dev/problems/patch-conflict',
      detail: /out of range/,
    },
    {
      name: 'a result that is invalid (required field removed)',
      ops: [{ op: 'remove', path: '/title' }],
      status: 422,
      type: 'https://methodical.dev/problems/validation',
      detail: /title/,
    },
    {
      name: 'a result that is invalid (wrong type)',
      ops: [{ op: 'replace', path: '/year', value: 'nineteen' }],
      status: 422,
      type: 'https://methodical.dev/problems/validation',
      detail: /year/,
    },
    {
      name: 'an added unknown field',
      ops: [{ op: 'add', path: '/subtitle', value: 'x' }],
      status: 422,
      type: 'https://methodical.dev/problems/validation',
      detail: /subtitle/,
    },
    {
      name: 'a changed id',
      ops: [{ op: 'replace', path: '/id', value: 'other' }],
      status: 409,
      type: 'https://methodical.dev/problems/id-mismatch',
      detail: /id/,
    },
    {
      name: 'a document that is not an array',
      ops: { op: 'replace', path: '/title', value: 'x' },
      status: 400,
      type: 'about:blank',
      detail: /array/,
    },
    {
      name: 'an unknown op',
      ops: [{ op: 'increment', path: '/year', value: 1 }],
      status: 400,
      type: 'about:blank',
      detail: /op/,
    },
    {
      name: 'an op without its value',
      ops: [{ op: 'add', path: '/year' }],
      status: 400,
      type: 'about:blank',
      detail: /value/,
    },
  ];
  for (const row of failing) {
    test(`${row.name}: ${row.status} and nothing changes`, async () => {
      const { id, body, etag } = await create(t, 'books', FULL);
      const res = await patch(id, JSON_PATCH, row.ops);
      assertProblem(res, row.status, { type: row.type, detail: row.detail });
      assert.deepEqual(await t.store.get('books', id), body);
      const get = await t.request({ method: 'GET', url: `/api/books/${id}` });
      assert.equal(get.headers.etag, etag);
    });
  }
});

describe('other patch types', () => {
  const types = [
    'text/plain',
    'application/xml',
    'application/x-www-form-urlencoded',
    'application/vnd.custom+json',
  ];
  for (const type of types) {
    test(`${type}: 415 with Accept-Patch, nothing changes`, async () => {
      const { id, body } = await create(t, 'books', FULL);
      const res = await t.request({
        method: 'PATCH',
        url: `/api/books/${id}`,
        headers: { 'content-type': type },
        payload: '{"title":"Sneaky"}',
      });
      assertProblem(res, 415, {
        title: 'Unsupported Media Type',
        detail: new RegExp(type.replace(/[+.]/g, '\\$&')),
      });
      const accepted = String(res.headers['accept-patch'])
        .split(',')
        .map((s) => s.trim());
      assert.deepEqual(accepted.sort(), [JSON_PATCH, MERGE, 'application/json'].sort());
      assert.deepEqual(await t.store.get('books', id), body);
    });
  }

  test('PATCH of a missing record is a 404 whatever the body', async () => {
    assertProblem(await patch('missing', MERGE, { title: 'x' }), 404);
    assertProblem(await patch('missing', JSON_PATCH, [{ op: 'test', path: '/title', value: 'x' }]), 404);
    assert.equal(await t.store.get('books', 'missing'), undefined);
  });
});
