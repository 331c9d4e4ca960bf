/**
 * Custom routes that read (GET, and HEAD with it): JSON and HTML answers,
 * a strong ETag of the body and 304, HEAD, OPTIONS and 405 + Allow, Vary
 * and Cache-Control (no-store once a page carries an idempotency key),
 * escaping of whatever comes from the request or the records, and the
 * caller's rules applied to ctx.records.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RouteContext } from '../../src/config/app-types.js';
import type { UserConfig } from '../../src/config/types.js';
import { etagOf } from '../../src/util/etag.js';
import { json, PUBLIC_RULES, type TestApp, testApp } from '../harness.js';
import { bearer, registerAndLogin, seed, type User } from './auth-helpers.js';
import { assertProblem, mediaType, stableHeaders, stored } from './helpers.js';

const XSS = `<script>alert("x")</script>'&`;
const XSS_ESCAPED = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;&amp;';
const OWN_RULES = { list: 'owner', view: 'owner', create: 'auth', update: 'owner', delete: 'owner' };

const CONFIG: UserConfig = {
  collections: {
    books: {
      fields: { title: { type: 'text', required: true }, year: { type: 'integer' } },
      rules: PUBLIC_RULES,
    },
    notes: { fields: { text: { type: 'text' } }, rules: OWN_RULES },
    vault: { fields: { text: { type: 'text' } }, rules: { ...OWN_RULES, list: 'admin', view: 'admin' } },
  },
  routes: {
    'GET /api/books/summary': async (ctx) => {
      const page = await ctx.records.list('books', { sort: 'title' });
      return { count: page.totalItems, titles: page.items.map((b) => b.title) };
    },
    'GET /books/:id': async (ctx) => {
      const book = await ctx.records.get('books', ctx.params.id);
      if (!book) return ctx.problem(404, `No book "${ctx.params.id}".`);
      return ctx.html`<h1>${book.title}</h1><p>${ctx.query.q}</p><p>${ctx.params.id}</p>`;
    },
    'GET /review-form': (ctx) =>
      ctx.html`<form method="post"><input type="hidden" name="_idempotency_key" value="${ctx.idempotencyKey()}"></form>`,
    'GET /my-notes': async (ctx) => ({
      items: (await ctx.records.list('notes', { sort: 'text' })).items.map((n) => n.text),
    }),
    'GET /note/:id': async (ctx) => ({ note: (await ctx.records.get('notes', ctx.params.id))?.text ?? null }),
    'GET /vault/:id': async (ctx) => ({
      text: (await ctx.records.get('vault', ctx.params.id))?.text ?? null,
    }),
    'GET /vault-list': async (ctx) => ctx.records.list('vault'),
    'GET /ctx/:name': (ctx: RouteContext) => ({
      method: ctx.method,
      path: ctx.path,
      params: ctx.params,
      query: ctx.query,
      auth: ctx.auth?.email ?? null,
      prefersHtml: ctx.prefersHtml,
      body: ctx.body ?? null,
      ifMatch: ctx.ifMatch ?? null,
    }),
    'GET /nothing': () => undefined,
    'GET /teapot': (ctx) =>
      ctx.json({ short: true }, { status: 418, headers: { 'X-Brew': 'tea', Vary: 'X-Pot' } }),
    'GET /created': (ctx) => ctx.json({ made: 1 }, { status: 201 }),
    'GET /go': (ctx) => ctx.redirect('/books?sort=title'),
    'GET /go-away': (ctx) => ctx.redirect('//evil.example/'),
    'GET /csv': () => ({ status: 200, headers: { 'content-type': 'text/csv' }, body: 'a,b\n1,2\n' }),
    'GET /lookalike': () => ({ html: '<b>not trusted</b>' }),
    'GET /uses-tx': async (ctx) => ctx.tx.list('books'),
    'GET /writes': async (ctx) => ctx.records.create('books', { title: 'never' }),
    'GET /typo': async (ctx) => ctx.records.list('bokks'),
    'GET /bad-filter': async (ctx) => ctx.records.list('books', { filter: 'title ==' }),
    'POST /only-post': () => ({ ok: true }),
    'GET /gone': (ctx) => ctx.problem(410, 'This page was taken down.'),
    'PUT /edit-book/:id': 'PUT /api/books/:id',
    'GET /edit-book/:id': async (ctx) => {
      const book = await ctx.records.get('books', ctx.params.id);
      return ctx.html`<form method="post"><input name="title" value="${book?.title}"></form>`;
    },
  },
};

let t: TestApp;
let bookId: string;
let owner: User;
let other: User;
let admin: User;
before(async () => {
  t = await testApp(CONFIG);
  bookId = (await seed(t, 'books', { title: XSS, year: 1965 })).id;
  await seed(t, 'books', { title: 'Another' });
  owner = await registerAndLogin(t, 'owner@example.com');
  other = await registerAndLogin(t, 'other@example.com');
  admin = await registerAndLogin(t, 'admin@example.com', true);
  await seed(t, 'notes', { text: 'mine', owner: owner.id }, 'note-owner');
  await seed(t, 'notes', { text: 'theirs', owner: other.id }, 'note-other');
  await seed(t, 'vault', { text: 'gold', owner: owner.id }, 'vault-1');
});
after(() => t.close());

describe('custom GET routes: answers', () => {
  test('a returned object is 200 JSON with a strong ETag of its body; If-None-Match revalidates to 304', async () => {
    const res = await t.request({ method: 'GET', url: '/api/books/summary' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    assert.deepEqual(json(res), { count: 2, titles: [XSS, 'Another'].sort() });
    assert.equal(res.headers.etag, etagOf(res.body));
    assert.match(String(res.headers.etag), /^"[^"]+"$/, 'strong');
    assert.equal(res.headers['cache-control'], 'no-cache');
    assert.equal(res.headers.vary, 'Accept, Authorization, Cookie');
    const again = await t.request({
      method: 'GET',
      url: '/api/books/summary',
      headers: { 'if-none-match': String(res.headers.etag) },
    });
    assert.equal(again.statusCode, 304);
    assert.equal(again.body, '');
    assert.equal(again.headers.etag, res.headers.etag);
    assert.equal(again.headers['cache-control'], 'no-cache');
    assert.equal(again.headers['content-type'], undefined);
    const stale = await t.request({
      method: 'GET',
      url: '/api/books/summary',
      headers: { 'if-none-match': '"old"' },
    });
    assert.equal(stale.statusCode, 200);
    assertProblem(
      await t.request({ method: 'GET', url: '/api/books/summary', headers: { 'if-match': '"old"' } }),
      412,
    );
  });

  test('the handler wins over the record route for its id; other ids stay the API’s', async () => {
    const api = await t.request({ method: 'GET', url: `/api/books/${bookId}` });
    assert.equal(api.statusCode, 200);
    assert.equal(json(api).title, XSS);
    assert.deepEqual(Object.keys(json(await t.request({ method: 'GET', url: '/api/books/summary' }))), [
      'count',
      'titles',
    ]);
  });

  test('ctx.html is 200 text/html, every value escaped: from the record, the query and the path', async () => {
    const q = encodeURIComponent(XSS);
    const id = encodeURIComponent(`${bookId}`);
    const res = await t.request({
      method: 'GET',
      url: `/books/${id}?q=${q}`,
      headers: { accept: 'text/html' },
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(res.body, `<h1>${XSS_ESCAPED}</h1><p>${XSS_ESCAPED}</p><p>${bookId}</p>`);
    assert.equal(res.headers.etag, etagOf(res.body));
    const missing = await t.request({
      method: 'GET',
      url: `/books/${encodeURIComponent('<img src=x>')}`,
      headers: { accept: 'text/html' },
    });
    assert.equal(missing.statusCode, 404);
    assert.equal(mediaType(missing), 'text/html');
    assert.ok(missing.body.includes('No book &quot;&lt;img src=x&gt;&quot;.'), missing.body);
    assert.ok(!missing.body.includes('<img src=x>'));
  });

  test('ctx.problem is a problem like any other: problem+json for an API client', async () => {
    const res = await t.request({ method: 'GET', url: '/books/nope' });
    assertProblem(res, 404, { title: 'Not Found', detail: /^No book "nope"\.$/ });
  });

  test('an object that only looks like ctx.html is JSON, not markup', async () => {
    const res = await t.request({ method: 'GET', url: '/lookalike' });
    assert.equal(mediaType(res), 'application/json');
    assert.deepEqual(json(res), { html: '<b>not trusted</b>' });
  });

  test('a page that calls ctx.idempotencyKey() is no-store, with a fresh key on every view', async () => {
    const keys = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const res = await t.request({ method: 'GET', url: '/review-form', headers: { accept: 'text/html' } });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['cache-control'], 'no-store');
      const key = /name="_idempotency_key" value="([^"]+)"/.exec(res.body)?.[1];
      assert.match(String(key), /^[A-Za-z0-9_-]{20,}$/);
      keys.add(String(key));
    }
    assert.equal(keys.size, 3);
  });

  test('ctx.problem answers the status it names (410 Gone here)', async () => {
    assertProblem(await t.request({ method: 'GET', url: '/gone' }), 410, { title: 'Gone' });
  });

  test('the security headers of every answer are there', async () => {
    const res = await t.request({ method: 'GET', url: '/review-form' });
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.match(String(res.headers['content-security-policy']), /default-src 'self'/);
  });

  test('undefined is 204 without a body', async () => {
    const res = await t.request({ method: 'GET', url: '/nothing' });
    assert.equal(res.statusCode, 204);
    assert.equal(res.body, '');
    assert.equal(res.headers['content-type'], undefined);
  });

  test('ctx.json sets the status and headers; Vary keeps the defaults and adds its own', async () => {
    const res = await t.request({ method: 'GET', url: '/teapot' });
    assert.equal(res.statusCode, 418);
    assert.equal(res.headers['x-brew'], 'tea');
    assert.deepEqual(json(res), { short: true });
    assert.equal(res.headers.vary, 'Accept, Authorization, Cookie, X-Pot');
    const created = await t.request({ method: 'GET', url: '/created' });
    assert.equal(created.statusCode, 201);
    assert.equal(created.headers.etag, etagOf(created.body));
  });

  test('ctx.redirect is 303 to a same-origin path; anywhere else is the handler’s bug, a 500', async () => {
    const res = await t.request({ method: 'GET', url: '/go' });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/books?sort=title');
    assert.equal(res.body, '');
    const away = await t.request({ method: 'GET', url: '/go-away' });
    assertProblem(away, 500, { detail: /Error id/ });
    assert.equal(away.headers.location, undefined);
  });

  test('a RouteResponse with a string body and its own Content-Type goes as it is', async () => {
    const res = await t.request({ method: 'GET', url: '/csv' });
    assert.equal(mediaType(res), 'text/csv');
    assert.equal(res.body, 'a,b\n1,2\n');
  });

  test('ctx carries method, path, decoded params, the parsed query, the caller and no body', async () => {
    const res = await t.request({
      method: 'GET',
      url: '/ctx/a%20b%2Fc?x=1&x=2&y=%3C',
      headers: { ...bearer(owner), accept: 'text/html,*/*;q=0.8' },
    });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(json(res), {
      method: 'GET',
      path: '/ctx/a%20b%2Fc',
      params: { name: 'a b/c' },
      query: { x: ['1', '2'], y: '<' },
      auth: 'owner@example.com',
      prefersHtml: true,
      body: null,
      ifMatch: null,
    });
    assert.equal(res.headers['cache-control'], 'private, no-cache');
  });
});

describe('custom GET routes: HEAD, OPTIONS, 405', () => {
  const pages: [string, () => string][] = [
    ['/api/books/summary', () => '/api/books/summary'],
    ['/books/:id', () => `/books/${bookId}`],
    ['/review-form', () => '/review-form'],
  ];
  for (const [name, url] of pages) {
    test(`HEAD ${name} answers GET's headers without a body`, async () => {
      const path = url();
      const get = await t.request({ method: 'GET', url: path });
      const head = await t.request({ method: 'HEAD', url: path });
      assert.equal(head.statusCode, 200);
      assert.equal(head.body, '');
      const { etag: _e1, 'content-length': l1, ...getRest } = stableHeaders(get);
      const { etag: _e2, 'content-length': l2, ...headRest } = stableHeaders(head);
      assert.deepEqual(headRest, getRest);
      if (name !== '/review-form') {
        // A page carrying a fresh key differs on every view, so only the others are compared byte for byte.
        assert.equal(head.headers.etag, get.headers.etag);
        assert.equal(l2, l1);
      }
    });
  }

  test('OPTIONS lists GET, HEAD, OPTIONS; any other method is 405 with that Allow and changes nothing', async () => {
    const before = await stored(t, 'books');
    const options = await t.request({ method: 'OPTIONS', url: '/api/books/summary' });
    assert.equal(options.statusCode, 204);
    assert.equal(options.headers.allow, 'GET, HEAD, OPTIONS');
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
      const res = await t.request({ method, url: '/api/books/summary', payload: { title: 'x' } });
      assertProblem(res, 405, { detail: new RegExp(method) });
      assert.equal(res.headers.allow, 'GET, HEAD, OPTIONS');
    }
    const post = await t.request({ method: 'GET', url: '/only-post' });
    assertProblem(post, 405);
    assert.equal(post.headers.allow, 'POST, OPTIONS');
    assert.deepEqual(await stored(t, 'books'), before);
  });
});

describe('a path with an alias and a handler', () => {
  test('the handler answers GET, the alias PUT; Allow lists both; other methods are 405', async () => {
    const page = await t.request({ method: 'GET', url: `/edit-book/${bookId}` });
    assert.equal(page.statusCode, 200);
    assert.equal(page.body, `<form method="post"><input name="title" value="${XSS_ESCAPED}"></form>`);
    const put = await t.request({
      method: 'PUT',
      url: '/edit-book/via-alias',
      payload: { title: 'Aliased' },
    });
    assert.equal(put.statusCode, 201, put.body);
    assert.equal(put.headers.location, '/api/books/via-alias');
    assert.equal((await t.store.get('books', 'via-alias'))?.title, 'Aliased');
    const options = await t.request({ method: 'OPTIONS', url: '/edit-book/x' });
    assert.equal(options.headers.allow, 'GET, HEAD, PUT, OPTIONS');
    const del = await t.request({ method: 'DELETE', url: '/edit-book/via-alias' });
    assertProblem(del, 405);
    assert.equal(del.headers.allow, 'GET, HEAD, PUT, OPTIONS');
    assert.ok(await t.store.get('books', 'via-alias'));
  });
});

describe('custom GET routes: ctx.records applies the caller’s rules', () => {
  const cases: { who: string; caller: () => User | null; notes: number | string[]; note: string | null }[] = [
    { who: 'anonymous', caller: () => null, notes: 401, note: null },
    { who: 'the owner', caller: () => owner, notes: ['mine'], note: 'mine' },
    { who: 'another user', caller: () => other, notes: ['theirs'], note: null },
    { who: 'an admin', caller: () => admin, notes: ['mine', 'theirs'], note: 'mine' },
  ];
  for (const row of cases) {
    test(`${row.who}: list and get see what the API would show them`, async () => {
      const headers = bearer(row.caller());
      const list = await t.request({ method: 'GET', url: '/my-notes', headers });
      if (typeof row.notes === 'number') assertProblem(list, row.notes);
      else assert.deepEqual(json(list), { items: row.notes });
      const one = await t.request({ method: 'GET', url: '/note/note-owner', headers });
      assert.equal(one.statusCode, 200);
      assert.deepEqual(json(one), { note: row.note }, 'a record the caller may not view reads as null');
    });
  }

  test('a view rule that refuses outright (admin) reads as null for others; a list refused is the API’s 403', async () => {
    assert.deepEqual(
      json(await t.request({ method: 'GET', url: '/vault/vault-1', headers: bearer(owner) })),
      {
        text: null,
      },
    );
    assert.deepEqual(
      json(await t.request({ method: 'GET', url: '/vault/vault-1', headers: bearer(admin) })),
      {
        text: 'gold',
      },
    );
    assertProblem(await t.request({ method: 'GET', url: '/vault-list', headers: bearer(owner) }), 403);
    const page = json(await t.request({ method: 'GET', url: '/vault-list', headers: bearer(admin) }));
    assert.equal(page.totalItems, 1);
  });

  test('answers for a signed-in caller are private', async () => {
    const res = await t.request({ method: 'GET', url: '/my-notes', headers: bearer(owner) });
    assert.equal(res.headers['cache-control'], 'private, no-cache');
  });
});

describe('custom GET routes: what a safe handler may not do', () => {
  test('ctx.tx and writes through ctx.records throw: a 500, and nothing is written', async () => {
    const before = await stored(t, 'books');
    assertProblem(await t.request({ method: 'GET', url: '/uses-tx' }), 500);
    assertProblem(await t.request({ method: 'GET', url: '/writes' }), 500);
    assert.deepEqual(await stored(t, 'books'), before);
  });

  test('an unknown collection is the handler’s bug (500), a bad filter the API’s 400', async () => {
    assertProblem(await t.request({ method: 'GET', url: '/typo' }), 500);
    assertProblem(await t.request({ method: 'GET', url: '/bad-filter' }), 400);
  });
});
