/**
 * HTTP.md, Errors (RFC 9457): every error is application/problem+json with
 * status, title (the status phrase for about:blank), detail and instance;
 * 401 has WWW-Authenticate, 503 Retry-After; a 500 leaks nothing and its id
 * is in the log.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { HTTPMethods } from 'fastify';
import { BOOKS_CONFIG, json, PUBLIC_RULES, type TestApp, testApp } from '../harness.js';
import { assertProblem, DUNE, stored } from './helpers.js';

/** RFC 9110 §15 reason phrases. */
const PHRASES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  428: 'Precondition Required',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
};

const CONFIG = {
  collections: {
    ...BOOKS_CONFIG.collections,
    members: { fields: { name: { type: 'text' as const } }, rules: { ...PUBLIC_RULES, create: 'auth' } },
    sealed: { fields: { name: { type: 'text' as const } }, rules: { ...PUBLIC_RULES, create: 'nobody' } },
  },
};

interface Scenario {
  name: string;
  method: HTTPMethods;
  url: string;
  headers?: Record<string, string>;
  payload?: string | object;
  status: number;
  type: string;
  detail: RegExp;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'bad query',
    method: 'GET',
    url: '/api/books?perPage=0',
    status: 400,
    type: 'invalid-query',
    detail: /perPage/,
  },
  {
    name: 'bad filter',
    method: 'GET',
    url: '/api/books?filter=year%20%3E',
    status: 400,
    type: 'invalid-filter',
    detail: /position/,
  },
  {
    name: 'malformed JSON',
    method: 'POST',
    url: '/api/books',
    headers: { 'content-type': 'application/json' },
    payload: '{',
    status: 400,
    type: 'malformed-json',
    detail: /JSON/,
  },
  {
    name: 'anonymous create on an auth rule',
    method: 'POST',
    url: '/api/members',
    payload: { name: 'x' },
    status: 401,
    type: 'about:blank',
    detail: /Authentication/,
  },
  {
    name: 'nobody may create',
    method: 'POST',
    url: '/api/sealed',
    payload: { name: 'x' },
    status: 403,
    type: 'about:blank',
    detail: /Nobody/,
  },
  {
    name: 'missing record',
    method: 'GET',
    url: '/api/books/none',
    status: 404,
    type: 'about:blank',
    detail: /none/,
  },
  {
    name: 'unknown path',
    method: 'GET',
    url: '/no/such/thing',
    status: 404,
    type: 'about:blank',
    detail: /\/no\/such\/thing/,
  },
  {
    name: 'method not allowed',
    method: 'DELETE',
    url: '/api/books',
    status: 405,
    type: 'about:blank',
    detail: /DELETE/,
  },
  {
    name: 'not acceptable',
    method: 'GET',
    url: '/api/books',
    headers: { accept: 'text/csv' },
    status: 406,
    type: 'about:blank',
    detail: /Accept/,
  },
  {
    name: 'id conflict',
    method: 'PUT',
    url: '/api/books/a1',
    payload: { ...DUNE, id: 'b2' },
    status: 409,
    type: 'id-mismatch',
    detail: /b2/,
  },
  {
    name: 'stale If-Match',
    method: 'PUT',
    url: '/api/books/a1',
    headers: { 'if-match': '*' },
    payload: DUNE,
    status: 412,
    type: 'about:blank',
    detail: /If-Match/,
  },
  {
    name: 'unsupported media type',
    method: 'POST',
    url: '/api/books',
    headers: { 'content-type': 'text/csv' },
    payload: 'a,b',
    status: 415,
    type: 'about:blank',
    detail: /text\/csv/,
  },
  {
    name: 'invalid record',
    method: 'POST',
    url: '/api/books',
    payload: {},
    status: 422,
    type: 'validation',
    detail: /title/,
  },
  {
    name: 'If-Match required',
    method: 'DELETE',
    url: '/api/guarded/g1',
    status: 428,
    type: 'about:blank',
    detail: /If-Match/,
  },
  {
    name: 'unknown method',
    method: 'PROPFIND' as HTTPMethods,
    url: '/api/books',
    status: 501,
    type: 'about:blank',
    detail: /PROPFIND/,
  },
];

describe('problem details for every error', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp(CONFIG);
    await t.request({ method: 'PUT', url: '/api/guarded/g1', payload: { name: 'g' } });
  });
  after(() => t.close());

  for (const s of SCENARIOS) {
    test(`${s.status} ${s.name}`, async () => {
      const res = await t.request({ method: s.method, url: s.url, headers: s.headers, payload: s.payload });
      const type = s.type === 'about:blank' ? 'about:blank' : `https://methodical.dev/problems/${s.type}`;
      const problem = assertProblem(res, s.status, { type, detail: s.detail });
      if (type === 'about:blank') assert.equal(problem.title, PHRASES[s.status]);
      else assert.notEqual(problem.title, PHRASES[s.status], 'a typed problem has its own title');
      assert.equal(problem.instance, s.url.split('?')[0]);
      if (s.status === 401) assert.equal(res.headers['www-authenticate'], 'Bearer realm="methodical"');
      if (s.status === 405) assert.ok(res.headers.allow);
      assert.equal((await stored(t, 'books')).length, 0, 'no error wrote anything');
    });
  }

  test('a typed problem keeps one title whatever the detail', async () => {
    const a = json(await t.request({ method: 'GET', url: '/api/books?perPage=0' }));
    const b = json(await t.request({ method: 'GET', url: '/api/books?sort=nope' }));
    assert.equal(a.type, b.type);
    assert.equal(a.title, b.title);
    assert.notEqual(a.detail, b.detail);
  });
});

describe('500: a failure inside the server', () => {
  const lines: string[] = [];
  let t: TestApp;
  before(async () => {
    t = await testApp(
      {
        ...BOOKS_CONFIG,
        hooks: {
          books: {
            beforeCreate() {
              throw new Error('boom: SELECT secret FROM vault at /srv/app/hooks.js:12');
            },
          },
        },
      },
      { logger: { level: 'error', stream: { write: (line: string) => lines.push(line) } } },
    );
  });
  after(() => t.close());

  test('is a 500 problem with an id that is also logged; no stack, SQL or path leaks', async () => {
    const res = await t.request({ method: 'POST', url: '/api/books', payload: DUNE });
    const problem = assertProblem(res, 500, { type: 'about:blank', title: 'Internal Server Error' });
    const id = problem.errorId as string;
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.match(problem.detail as string, new RegExp(id));
    assert.doesNotMatch(res.body, /boom|SELECT|secret|hooks\.js|\/srv\//);
    assert.ok(
      lines.some((line) => line.includes(id)),
      'the error id is in the log',
    );
    assert.ok(
      lines.some((line) => line.includes('boom')),
      'the log has the cause',
    );
    assert.equal((await stored(t, 'books')).length, 0, 'the failed transaction wrote nothing');
    const next = await t.request({ method: 'GET', url: '/api/books' });
    assert.equal(next.statusCode, 200, 'the app still answers');
  });
});

describe('/healthz', () => {
  test('200 JSON while the database answers', async () => {
    const t = await testApp(BOOKS_CONFIG);
    try {
      const res = await t.request({ method: 'GET', url: '/healthz' });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(json(res), {
        status: 'ok',
        database: { readable: true, writable: true },
        files: { writable: true },
      });
      assert.equal(res.headers['cache-control'], 'no-store');
    } finally {
      await t.close();
    }
  });

  test('503 with Retry-After when the database does not answer', async () => {
    const t = await testApp(BOOKS_CONFIG);
    try {
      await t.store.close();
      const res = await t.request({ method: 'GET', url: '/healthz' });
      assertProblem(res, 503, { type: 'about:blank', title: 'Service Unavailable', detail: /database/ });
      assert.match(String(res.headers['retry-after']), /^\d+$/);
    } finally {
      await t.close();
    }
  });
});
