/**
 * Hostile URLs and query strings: a clear 400 problem, never a 500, no
 * prototype pollution, and the app still answers afterwards.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { BOOKS_CONFIG, json, type TestApp, testApp } from '../harness.js';
import { assertProblem, create, DUNE } from './helpers.js';

let t: TestApp;
let existing: string;
before(async () => {
  t = await testApp(BOOKS_CONFIG);
  existing = (await create(t, 'books', DUNE)).id;
});
after(() => t.close());

afterEach(async () => {
  const res = await t.request({ method: 'GET', url: `/api/books/${existing}` });
  assert.equal(res.statusCode, 200, 'the app still answers');
  assert.equal(json(res).title, DUNE.title);
  assert.equal(Object.hasOwn(Object.prototype, 'polluted'), false);
});

describe('URLs and query strings', () => {
  const urls: { name: string; url: string; status: number; detail: RegExp; todo?: string }[] = [
    { name: 'a __proto__ query parameter', url: '/api/books?__proto__=x', status: 400, detail: /__proto__/ },
    {
      name: 'a bracketed __proto__ parameter',
      url: '/api/books?__proto__[polluted]=1',
      status: 400,
      detail: /__proto__/,
    },
    {
      name: 'a constructor query parameter',
      url: '/api/books?constructor=x',
      status: 400,
      detail: /constructor/,
    },
    { name: 'a repeated page', url: '/api/books?page=1&page=2', status: 400, detail: /page/ },
    {
      name: 'a filter of 10 000 parentheses',
      url: `/api/books?filter=${'('.repeat(10_000)}`,
      status: 400,
      detail: /./,
    },
    { name: 'a non-numeric perPage', url: '/api/books?perPage=ten', status: 400, detail: /perPage/ },
    { name: 'a negative page', url: '/api/books?page=-1', status: 400, detail: /page/ },
    { name: 'an enormous page', url: '/api/books?page=99999999999999999999', status: 400, detail: /page/ },
    {
      name: 'broken percent-encoding in the path',
      url: '/api/books/%E0%A4%A',
      status: 400,
      detail: /URL/,
    },
    { name: 'broken percent-encoding in the query', url: '/api/books?filter=%zz', status: 400, detail: /./ },
    {
      name: 'a query parameter on a single record',
      url: `/api/books/x?sort=title`,
      status: 400,
      detail: /sort/,
    },
  ];
  for (const u of urls) {
    test(`${u.name}: ${u.status}`, { todo: u.todo }, async () => {
      const res = await t.request({ method: 'GET', url: u.url });
      assertProblem(res, u.status, { detail: u.detail });
    });
  }
});
