/**
 * HTTP.md, Validators and caching: Last-Modified never later than Date
 * (RFC 9110 §8.8.2.1), Cache-Control on public reads, Vary.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { HTTPMethods, LightMyRequestResponse } from 'fastify';
import { BOOKS_CONFIG, type TestApp, testApp } from '../harness.js';
import { create, DUNE } from './helpers.js';

function assertNotAfterDate(res: LightMyRequestResponse): void {
  const lastModified = res.headers['last-modified'];
  assert.ok(lastModified, 'Last-Modified is sent');
  assert.ok(res.headers.date, 'Date is sent');
  const lm = Date.parse(String(lastModified));
  const date = Date.parse(String(res.headers.date));
  assert.ok(lm <= date, `Last-Modified ${lastModified} is later than Date ${res.headers.date}`);
}

function varyOf(res: LightMyRequestResponse): string[] {
  return String(res.headers.vary ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase());
}

type Step = {
  method: HTTPMethods;
  url: (id: string) => string;
  payload?: object;
  headers?: Record<string, string>;
};
const RESPONSES: { name: string; step: Step }[] = [
  { name: 'POST', step: { method: 'POST', url: () => '/api/books', payload: DUNE } },
  { name: 'GET', step: { method: 'GET', url: (id) => `/api/books/${id}` } },
  { name: 'HEAD', step: { method: 'HEAD', url: (id) => `/api/books/${id}` } },
  {
    name: 'PUT',
    step: { method: 'PUT', url: (id) => `/api/books/${id}`, payload: { ...DUNE, title: 'PUT' } },
  },
  { name: 'PUT that creates', step: { method: 'PUT', url: (id) => `/api/books/${id}-new`, payload: DUNE } },
  { name: 'PATCH', step: { method: 'PATCH', url: (id) => `/api/books/${id}`, payload: { year: 1 } } },
  {
    name: '304',
    step: { method: 'GET', url: (id) => `/api/books/${id}`, headers: { 'if-none-match': '*' } },
  },
];

describe('Last-Modified is never later than Date', () => {
  const clocks = [
    { name: 'the server clock', now: undefined },
    // A record written by a node whose clock runs ahead (or a test clock): still clamped to Date.
    { name: 'a clock an hour ahead', now: () => new Date(Date.now() + 3_600_000) },
  ];
  for (const clock of clocks) {
    describe(`with ${clock.name}`, () => {
      let t: TestApp;
      before(async () => {
        t = await testApp(BOOKS_CONFIG, { now: clock.now });
      });
      after(() => t.close());

      for (const { name, step } of RESPONSES) {
        test(`${name}`, async () => {
          const { id } = await create(t, 'books', DUNE);
          const res = await t.request({
            method: step.method,
            url: step.url(id),
            headers: step.headers,
            payload: step.payload,
          });
          assert.ok(res.statusCode < 400, res.body);
          assertNotAfterDate(res);
        });
      }
    });
  }
});

describe('Cache-Control and Vary', () => {
  let t: TestApp;
  let id: string;
  before(async () => {
    t = await testApp(BOOKS_CONFIG);
    ({ id } = await create(t, 'books', DUNE));
  });
  after(() => t.close());

  const reads = [
    { name: 'a record', url: () => `/api/books/${id}`, headers: {} },
    { name: 'a list', url: () => '/api/books', headers: {} },
    { name: 'a 304 of a record', url: () => `/api/books/${id}`, headers: { 'if-none-match': '*' } },
    { name: 'a 304 of a list', url: () => '/api/books', headers: { 'if-none-match': '*' } },
    { name: 'the OpenAPI document', url: () => '/api/openapi.json', headers: {} },
  ];
  for (const r of reads) {
    test(`public read of ${r.name}: Cache-Control: no-cache`, async () => {
      const res = await t.request({ method: 'GET', url: r.url(), headers: r.headers });
      assert.ok([200, 304].includes(res.statusCode));
      assert.equal(res.headers['cache-control'], 'no-cache');
      assert.ok(res.headers.etag, 'revalidation needs the ETag');
    });
  }

  const varied: {
    name: string;
    request: () => { method: HTTPMethods; url: string; payload?: object; headers?: Record<string, string> };
  }[] = [
    { name: 'GET record', request: () => ({ method: 'GET', url: `/api/books/${id}` }) },
    { name: 'GET list', request: () => ({ method: 'GET', url: '/api/books' }) },
    {
      name: '304',
      request: () => ({ method: 'GET', url: `/api/books/${id}`, headers: { 'if-none-match': '*' } }),
    },
    { name: 'POST', request: () => ({ method: 'POST', url: '/api/books', payload: DUNE }) },
    { name: 'PATCH', request: () => ({ method: 'PATCH', url: `/api/books/${id}`, payload: { year: 1970 } }) },
    { name: '404 problem', request: () => ({ method: 'GET', url: '/api/books/none' }) },
    { name: '422 problem', request: () => ({ method: 'POST', url: '/api/books', payload: { title: 1 } }) },
    {
      name: '406 problem',
      request: () => ({ method: 'GET', url: '/api/books', headers: { accept: 'text/plain' } }),
    },
  ];
  for (const v of varied) {
    test(`${v.name}: Vary names Accept`, async () => {
      const res = await t.request(v.request());
      assert.ok(varyOf(res).includes('accept'), `Vary: ${res.headers.vary}`);
    });
  }
});
