/**
 * PRODUCT.md, Details: Batch. `POST /api/batch` runs every request in one
 * transaction: 200 with each response when all succeed; otherwise the
 * failure's status, a problem naming its index, and nothing written.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BOOKS_CONFIG, json, type TestApp, testApp } from '../harness.js';
import { assertProblem, create, DUNE, stored } from './helpers.js';

type Sub = { method: string; url: string; headers?: Record<string, string>; body?: unknown };

let t: TestApp;
before(async () => {
  t = await testApp({ ...BOOKS_CONFIG, limits: { batch: 5 } });
});
after(() => t.close());

function batch(requests: unknown, headers: Record<string, string> = {}) {
  return t.request({ method: 'POST', url: '/api/batch', headers, payload: { requests } as object });
}

/** Everything stored, to prove a failed batch wrote nothing. */
async function snapshot() {
  return { books: await stored(t, 'books'), guarded: await stored(t, 'guarded') };
}

describe('all succeed', () => {
  test('200 with one response per request, in order, each like its own answer', async () => {
    const { id: existing } = await create(t, 'books', DUNE);
    const res = await batch([
      { method: 'POST', url: '/api/books', body: { title: 'Posted', author: 'A' } },
      { method: 'PUT', url: '/api/books/batch-put', body: { title: 'Put', author: 'B' } },
      { method: 'PATCH', url: '/api/books/batch-put', body: { year: 2001 } },
      { method: 'delete', url: `/api/books/${existing}` },
    ]);
    assert.equal(res.statusCode, 200, res.body);
    const responses = json(res).responses as {
      status: number;
      headers: Record<string, string>;
      body: Record<string, unknown> | null;
    }[];
    assert.deepEqual(
      responses.map((r) => r.status),
      [201, 201, 200, 204],
    );
    const posted = responses[0].body as Record<string, unknown>;
    assert.equal(responses[0].headers.location, `/api/books/${posted.id}`);
    assert.ok(responses[0].headers.etag);
    assert.deepEqual(await t.store.get('books', posted.id as string), posted);
    assert.equal(responses[1].headers.location, '/api/books/batch-put');
    assert.deepEqual(
      responses[2].body,
      await t.store.get('books', 'batch-put'),
      'a later request sees an earlier one',
    );
    assert.equal((responses[2].body as Record<string, unknown>).year, 2001);
    assert.equal(responses[3].body, null);
    assert.equal(await t.store.get('books', existing), undefined);
    const get = await t.request({ method: 'GET', url: '/api/books/batch-put' });
    assert.equal(get.headers.etag, responses[2].headers.etag);
  });

  test('sub-request If-Match and JSON Patch are honoured', async () => {
    const { id, etag } = await create(t, 'books', DUNE);
    const res = await batch([
      {
        method: 'PATCH',
        url: `/api/books/${id}`,
        headers: { 'If-Match': etag, 'Content-Type': 'application/json-patch+json' },
        body: [{ op: 'replace', path: '/title', value: 'Patched in batch' }],
      },
    ]);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal((await t.store.get('books', id))?.title, 'Patched in batch');
  });

  test('an Idempotency-Key on the batch replays it', async () => {
    const requests = [{ method: 'POST', url: '/api/books', body: { title: 'Once', author: 'A' } }];
    const first = await batch(requests, { 'idempotency-key': 'batch-1' });
    const again = await batch(requests, { 'idempotency-key': 'batch-1' });
    assert.equal(first.statusCode, 200);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(again.body, first.body);
    assert.equal((await stored(t, 'books')).filter((b) => b.title === 'Once').length, 1);
  });
});

describe('one fails: nothing is written', () => {
  const failing: {
    name: string;
    failing: (id: string, etag: string) => Sub;
    status: number;
    detail: RegExp;
  }[] = [
    {
      name: 'invalid record',
      failing: () => ({ method: 'POST', url: '/api/books', body: { title: 'No author' } }),
      status: 422,
      detail: /author/,
    },
    {
      name: 'missing record',
      failing: () => ({ method: 'PATCH', url: '/api/books/nope', body: { year: 1 } }),
      status: 404,
      detail: /nope/,
    },
    {
      name: 'unknown collection',
      failing: () => ({ method: 'POST', url: '/api/nothing', body: {} }),
      status: 404,
      detail: /nothing/,
    },
    {
      name: 'stale If-Match',
      failing: (id) => ({ method: 'DELETE', url: `/api/books/${id}`, headers: { 'if-match': '"stale"' } }),
      status: 412,
      detail: /If-Match/,
    },
    {
      name: 'body id conflict',
      failing: (id) => ({ method: 'PUT', url: `/api/books/${id}`, body: { ...DUNE, id: 'zzz' } }),
      status: 409,
      detail: /zzz/,
    },
    {
      name: 'failed JSON Patch test',
      failing: (id) => ({
        method: 'PATCH',
        url: `/api/books/${id}`,
        headers: { 'content-type': 'application/json-patch+json' },
        body: [{ op: 'test', path: '/year', value: 1 }],
      }),
      status: 409,
      detail: /test/,
    },
    {
      name: 'If-Match required',
      failing: () => ({ method: 'DELETE', url: '/api/guarded/g1' }),
      status: 428,
      detail: /If-Match/,
    },
    {
      name: 'invalid id',
      failing: () => ({ method: 'PUT', url: '/api/books/bad id', body: DUNE }),
      status: 400,
      detail: /not a valid id/,
    },
    {
      name: 'POST to a record URL',
      failing: (id) => ({ method: 'POST', url: `/api/books/${id}`, body: DUNE }),
      status: 405,
      detail: /collection URL/,
    },
    {
      name: 'PUT to a collection URL',
      failing: () => ({ method: 'PUT', url: '/api/books', body: DUNE }),
      status: 405,
      detail: /record URL/,
    },
  ];
  for (const row of failing) {
    test(`${row.name} at index 2: ${row.status} naming index 2`, async () => {
      const { id, etag } = await create(t, 'books', DUNE);
      await t.request({ method: 'PUT', url: '/api/guarded/g1', payload: { name: 'g' } });
      const before = await snapshot();
      const res = await batch([
        { method: 'POST', url: '/api/books', body: { title: 'Would be created', author: 'A' } },
        { method: 'PATCH', url: `/api/books/${id}`, body: { title: 'Would be changed' } },
        row.failing(id, etag),
        { method: 'POST', url: '/api/books', body: { title: 'Never reached', author: 'A' } },
      ]);
      const problem = assertProblem(res, row.status, { detail: row.detail });
      assert.equal(problem.index, 2);
      assert.match(problem.detail as string, /Request 2/);
      assert.deepEqual(await snapshot(), before, 'nothing of the batch was written');
    });
  }
});

describe('a malformed batch: 400', () => {
  const bad: { name: string; payload: unknown; detail: RegExp }[] = [
    { name: 'requests missing', payload: {}, detail: /requests/ },
    { name: 'requests not a list', payload: { requests: {} }, detail: /requests/ },
    { name: 'no requests', payload: { requests: [] }, detail: /no requests/ },
    {
      name: 'an unknown member',
      payload: { requests: [{ method: 'DELETE', url: '/api/books/x' }], atomic: false },
      detail: /atomic/,
    },
    {
      name: 'a request that is not an object',
      payload: { requests: ['DELETE /api/books/x'] },
      detail: /Request 0/,
    },
    {
      name: 'a GET',
      payload: { requests: [{ method: 'GET', url: '/api/books' }] },
      detail: /POST, PUT, PATCH or DELETE/,
    },
    {
      name: 'a URL outside /api/',
      payload: { requests: [{ method: 'POST', url: '/healthz', body: {} }] },
      detail: /api/,
    },
    {
      name: 'a URL too deep',
      payload: { requests: [{ method: 'DELETE', url: '/api/books/x/y' }] },
      detail: /not a collection or record URL/,
    },
    {
      name: 'broken percent-encoding in a URL',
      payload: { requests: [{ method: 'DELETE', url: '/api/books/%zz' }] },
      detail: /Request 0/,
    },
    {
      name: 'headers that are not an object',
      payload: { requests: [{ method: 'DELETE', url: '/api/books/x', headers: ['a'] }] },
      detail: /headers/,
    },
    {
      name: 'a header that is not a string',
      payload: { requests: [{ method: 'DELETE', url: '/api/books/x', headers: { 'if-match': 1 } }] },
      detail: /if-match/,
    },
    {
      name: 'a POST body that is not an object',
      payload: { requests: [{ method: 'POST', url: '/api/books', body: [1] }] },
      detail: /body/,
    },
    {
      name: 'the body is not an object',
      payload: [{ method: 'POST', url: '/api/books', body: {} }],
      detail: /object/,
    },
  ];
  for (const row of bad) {
    test(row.name, async () => {
      const before = await snapshot();
      const res = await t.request({ method: 'POST', url: '/api/batch', payload: row.payload as object });
      assertProblem(res, 400, { detail: row.detail });
      assert.deepEqual(await snapshot(), before);
    });
  }
});

describe('a batch over limits.batch: 413', () => {
  test('over the configured limit: 413 naming limits.batch, nothing written', async () => {
    const before = await snapshot();
    const requests = Array.from({ length: 6 }, (_, i) => ({
      method: 'PUT',
      url: `/api/books/over${i}`,
      body: { title: 'T', author: 'A' },
    }));
    const res = await t.request({ method: 'POST', url: '/api/batch', payload: { requests } });
    const problem = assertProblem(res, 413, { detail: /more than the 5 requests .*\(limits\.batch\)/ });
    assert.equal(problem.limit, 'limits.batch');
    assert.deepEqual(await snapshot(), before);
    const ok = await t.request({
      method: 'POST',
      url: '/api/batch',
      payload: { requests: requests.slice(0, 5) },
    });
    assert.equal(ok.statusCode, 200, ok.body);
  });

  test('the default limit is 100 requests', async () => {
    const d = await testApp(BOOKS_CONFIG);
    try {
      const make = (n: number) =>
        Array.from({ length: n }, (_, i) => ({
          method: 'PUT',
          url: `/api/books/b${i}`,
          body: { title: `B${i}`, author: 'A' },
        }));
      const over = await d.request({ method: 'POST', url: '/api/batch', payload: { requests: make(101) } });
      const problem = assertProblem(over, 413, {
        title: 'Content Too Large',
        detail: /101 requests, more than the 100 requests a batch may hold \(limits\.batch\)/,
      });
      assert.equal(problem.limit, 'limits.batch');
      assert.equal((await stored(d, 'books')).length, 0);
      const ok = await d.request({ method: 'POST', url: '/api/batch', payload: { requests: make(100) } });
      assert.equal(ok.statusCode, 200);
      assert.equal((await stored(d, 'books')).length, 100);
    } finally {
      await d.close();
    }
  });
});
