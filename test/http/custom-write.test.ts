/**
 * Custom routes that write (POST, PUT, PATCH, DELETE): the whole handler in
 * one transaction (a failure leaves nothing), Idempotency-Key and the
 * form's `_idempotency_key` replayed byte for byte, a browser's double
 * submit making one record, the caller's rules on ctx.records writes, CSRF,
 * bodies (JSON, forms, no files) and the form method override.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RouteContext } from '../../src/config/app-types.js';
import type { UserConfig } from '../../src/config/types.js';
import { json, PUBLIC_RULES, type TestApp, testApp } from '../harness.js';
import { bearer, login, passwordOf, registerAndLogin, sessionSetCookie, type User } from './auth-helpers.js';
import { assertProblem, create, mediaType, stableHeaders, stored } from './helpers.js';
import { fields, multipart, urlencoded } from './multipart.js';

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const OWN_RULES = { list: 'public', view: 'public', create: 'auth', update: 'owner', delete: 'owner' };

type Body = Record<string, string>;
const bodyOf = (ctx: RouteContext) => (ctx.body ?? {}) as Body;

const CONFIG: UserConfig = {
  collections: {
    books: { fields: { title: { type: 'text', required: true } }, rules: PUBLIC_RULES },
    reviews: { fields: { text: { type: 'text', required: true } }, rules: OWN_RULES },
  },
  routes: {
    'POST /add-book': async (ctx) => {
      const book = await ctx.records.create('books', { title: bodyOf(ctx).title });
      if (ctx.prefersHtml) return ctx.redirect(`/books/${book.id}`);
      return ctx.json(book, { status: 201, headers: { Location: `/api/books/${book.id}` } });
    },
    'POST /slow-add': async (ctx) => {
      const book = await ctx.records.create('books', { title: bodyOf(ctx).title });
      await new Promise((resolve) => setTimeout(resolve, 30));
      return ctx.redirect(`/books/${book.id}`);
    },
    'POST /two-then-refuse': async (ctx) => {
      await ctx.records.create('books', { title: 'first' });
      await ctx.tx.create('books', { title: 'second' });
      return ctx.problem(409, 'Refused after two writes.');
    },
    'POST /two-then-crash': async (ctx) => {
      await ctx.records.create('books', { title: 'first' });
      await ctx.tx.create('books', { title: 'second' });
      throw new Error('a bug in the handler');
    },
    'POST /read-own-write': async (ctx) => {
      const book = await ctx.records.create('books', { title: 'just written' });
      const seen = await ctx.records.get('books', book.id);
      const viaTx = await ctx.tx.get('books', book.id);
      const listed = await ctx.records.list('books', { filter: `id = "${book.id}"` });
      return { seen: seen?.title, viaTx: viaTx?.title, listed: listed.totalItems };
    },
    'POST /review': async (ctx) =>
      ctx.json(await ctx.records.create('reviews', bodyOf(ctx)), { status: 201 }),
    'PATCH /review/:id': async (ctx) => ctx.records.update('reviews', ctx.params.id, bodyOf(ctx)),
    'POST /echo': (ctx) => ({
      method: ctx.method,
      body: ctx.body ?? null,
      prototype: ctx.body !== null && typeof ctx.body === 'object' ? Object.getPrototypeOf(ctx.body) : 'none',
      ifMatch: ctx.ifMatch ?? null,
    }),
    'POST /form-page': (ctx) => ctx.html`<input name="_idempotency_key" value="${ctx.idempotencyKey()}">`,
    'GET /edit/:id': async (ctx) => ctx.records.get('books', ctx.params.id),
    'PUT /edit/:id': async (ctx) => {
      const book = await ctx.records.replace(
        'books',
        ctx.params.id,
        { title: bodyOf(ctx).title },
        { ifMatch: ctx.ifMatch },
      );
      return ctx.prefersHtml ? ctx.redirect(`/edit/${book.id}`) : { method: ctx.method, book };
    },
    'DELETE /edit/:id': async (ctx) => {
      await ctx.records.delete('books', ctx.params.id, { ifMatch: ctx.ifMatch });
      return ctx.prefersHtml ? ctx.redirect('/books') : undefined;
    },
  },
};

let t: TestApp;
let alice: User;
let bob: User;
before(async () => {
  t = await testApp(CONFIG);
  alice = await registerAndLogin(t, 'alice@example.com');
  bob = await registerAndLogin(t, 'bob@example.com');
});
after(() => t.close());

const titles = async () => (await stored(t, 'books')).map((b) => b.title);

/** POST a built body (urlencoded or multipart) with its headers. */
function post(
  url: string,
  body: { payload: string | Buffer; headers: Record<string, string> },
  headers = {},
) {
  return t.request({ method: 'POST', url, payload: body.payload, headers: { ...body.headers, ...headers } });
}

function form(url: string, values: Record<string, string | string[]>, headers: Record<string, string> = {}) {
  return post(url, urlencoded(values), headers);
}

describe('an unsafe handler runs in one transaction', () => {
  test('two writes, then a problem: a 409 and nothing written', async () => {
    const before = await titles();
    const res = await t.request({ method: 'POST', url: '/two-then-refuse' });
    assertProblem(res, 409, { detail: /^Refused after two writes\.$/ });
    assert.deepEqual(await titles(), before);
  });

  test('two writes, then a crash: a 500 and nothing written', async () => {
    const before = await titles();
    assertProblem(await t.request({ method: 'POST', url: '/two-then-crash' }), 500);
    assert.deepEqual(await titles(), before);
  });

  test('reads inside it see its own writes (ctx.records and ctx.tx), which then commit', async () => {
    const res = await t.request({ method: 'POST', url: '/read-own-write' });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(json(res), { seen: 'just written', viaTx: 'just written', listed: 1 });
    assert.ok((await titles()).includes('just written'));
  });

  test('ctx.records writes apply the caller’s rules: anonymous 401, another user 403, the owner 200', async () => {
    const anonymous = await t.request({ method: 'POST', url: '/review', payload: { text: 'anon' } });
    assertProblem(anonymous, 401);
    assert.equal((await stored(t, 'reviews')).length, 0);
    const made = await t.request({
      method: 'POST',
      url: '/review',
      payload: { text: 'good' },
      headers: bearer(alice),
    });
    assert.equal(made.statusCode, 201, made.body);
    const review = json(made);
    assert.equal(review.owner, alice.id, 'owner set from the caller, as on the API');
    const url = `/review/${review.id}`;
    const refused = await t.request({
      method: 'PATCH',
      url,
      payload: { text: 'bob was here' },
      headers: bearer(bob),
    });
    assertProblem(refused, 403);
    assert.equal((await t.store.get('reviews', review.id as string))?.text, 'good');
    const changed = await t.request({
      method: 'PATCH',
      url,
      payload: { text: 'better' },
      headers: bearer(alice),
    });
    assert.equal(changed.statusCode, 200);
    assert.equal(json(changed).text, 'better');
    assert.equal((await t.store.get('reviews', review.id as string))?.text, 'better');
  });

  test('validation is the API’s: 422 with the field, nothing written', async () => {
    const before = await titles();
    const res = await t.request({ method: 'POST', url: '/add-book', payload: { title: '' } });
    const problem = assertProblem(res, 422);
    assert.deepEqual(problem.errors, [{ field: 'title', code: 'required', message: 'is required' }]);
    assert.deepEqual(await titles(), before);
  });
});

describe('Idempotency-Key on an unsafe handler', () => {
  test('a retry replays the first answer byte for byte, and writes once', async () => {
    const headers = { 'idempotency-key': '"custom-1"' };
    const first = await t.request({ method: 'POST', url: '/add-book', payload: { title: 'Keyed' }, headers });
    assert.equal(first.statusCode, 201, first.body);
    assert.equal(first.headers['idempotent-replayed'], undefined);
    const second = await t.request({
      method: 'POST',
      url: '/add-book',
      payload: { title: 'Keyed' },
      headers,
    });
    assert.equal(second.statusCode, 201);
    assert.equal(second.body, first.body);
    assert.equal(second.headers['idempotent-replayed'], 'true');
    const { 'idempotent-replayed': _r, ...replayed } = stableHeaders(second);
    assert.deepEqual(replayed, stableHeaders(first));
    assert.equal((await titles()).filter((x) => x === 'Keyed').length, 1);
  });

  test('the same key with another body is a 422, and nothing more is written', async () => {
    const headers = { 'idempotency-key': 'custom-2' };
    assert.equal(
      (await t.request({ method: 'POST', url: '/add-book', payload: { title: 'One' }, headers })).statusCode,
      201,
    );
    const other = await t.request({ method: 'POST', url: '/add-book', payload: { title: 'Two' }, headers });
    assertProblem(other, 422, { type: 'https://methodical.dev/problems/idempotency-key-reused' });
    assert.ok(!(await titles()).includes('Two'));
  });

  test('a refusal from the handler (409) is kept and replayed; nothing is written either time', async () => {
    const before = await titles();
    const headers = { 'idempotency-key': 'custom-3' };
    const first = await t.request({ method: 'POST', url: '/two-then-refuse', headers });
    assertProblem(first, 409);
    const second = await t.request({ method: 'POST', url: '/two-then-refuse', headers });
    assertProblem(second, 409);
    assert.equal(second.headers['idempotent-replayed'], 'true');
    assert.equal(second.body, first.body);
    assert.deepEqual(await titles(), before);
  });

  test('a 422 does not use up the key: the corrected request goes through', async () => {
    const headers = { 'idempotency-key': 'custom-4' };
    assertProblem(
      await t.request({ method: 'POST', url: '/add-book', payload: { title: '' }, headers }),
      422,
    );
    const fixed = await t.request({ method: 'POST', url: '/add-book', payload: { title: 'Fixed' }, headers });
    assert.equal(fixed.statusCode, 201);
    assert.equal(fixed.headers['idempotent-replayed'], undefined);
  });

  test('a malformed key is a 400', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/add-book',
      payload: { title: 'x' },
      headers: { 'idempotency-key': 'two words' },
    });
    assertProblem(res, 400, { type: 'https://methodical.dev/problems/invalid-idempotency-key' });
  });

  test('the form’s _idempotency_key works as the header: one record, the second 303 replayed', async () => {
    const values = { title: 'From a form', _idempotency_key: 'form-key-1' };
    const first = await form('/add-book', values, { accept: BROWSER });
    assert.equal(first.statusCode, 303, first.body);
    const second = await form('/add-book', values, { accept: BROWSER });
    assert.equal(second.statusCode, 303);
    assert.equal(second.headers.location, first.headers.location);
    assert.equal(second.headers['idempotent-replayed'], 'true');
    assert.equal((await titles()).filter((x) => x === 'From a form').length, 1);
  });

  for (const encoding of ['urlencoded', 'multipart'] as const) {
    test(`${encoding}: a browser’s double submit (in parallel) makes one record; every answer is the first’s`, async () => {
      const title = `double ${encoding}`;
      const values = { title, _idempotency_key: `double-${encoding}` };
      const send = () => {
        const body = encoding === 'urlencoded' ? urlencoded(values) : multipart(fields(values));
        return post('/slow-add', body, { accept: BROWSER });
      };
      const answers = await Promise.all([send(), send(), send(), send()]);
      const made = (await stored(t, 'books')).filter((b) => b.title === title);
      assert.equal(made.length, 1);
      for (const res of answers) {
        assert.equal(res.statusCode, 303, res.body);
        assert.equal(res.headers.location, `/books/${made[0].id}`);
      }
      assert.equal(answers.filter((r) => r.headers['idempotent-replayed'] === 'true').length, 3);
    });
  }

  test('an answer that carries a fresh key is no-store', async () => {
    const res = await t.request({ method: 'POST', url: '/form-page' });
    assert.equal(res.statusCode, 200);
    assert.equal(mediaType(res), 'text/html');
    assert.equal(res.headers['cache-control'], 'no-store');
  });
});

describe('bodies of unsafe handlers', () => {
  test('JSON: any JSON value, as sent', async () => {
    const res = await t.request({ method: 'POST', url: '/echo', payload: [1, { a: null }] });
    assert.deepEqual(json(res).body, [1, { a: null }]);
  });

  for (const encoding of ['urlencoded', 'multipart'] as const) {
    test(`${encoding} form: a string per field, an array for a repeated name, reserved fields taken out`, async () => {
      const values: Record<string, string | string[]> = {
        title: '<b>',
        tag: ['a', 'b'],
        _idempotency_key: `echo-${encoding}`,
        _redirect: '/x',
        _etag: '"e1"',
      };
      // The multipart parser refuses a field named __proto__ (400) on its own; urlencoded keeps it as data.
      const proto = encoding === 'urlencoded' ? { ['__proto__']: 'kept as data' } : {};
      for (const [k, v] of Object.entries(proto))
        Object.defineProperty(values, k, { value: v, enumerable: true });
      const body = encoding === 'urlencoded' ? urlencoded(values) : multipart(fields(values));
      const res = await post('/echo', body);
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(json(res), {
        method: 'POST',
        body: { title: '<b>', tag: ['a', 'b'], ...proto },
        prototype: null,
        ifMatch: '"e1"',
      });
    });
  }

  test('a multipart form with a file is refused: this route takes no files', async () => {
    const body = multipart([
      { name: 'title', value: 'x' },
      { name: 'cover', filename: 'a.png', data: 'PNG' },
    ]);
    const res = await post('/add-book', body);
    assertProblem(res, 400, { detail: /takes no files/ });
    assert.ok(!(await titles()).includes('x'));
  });

  test('an empty file input is no file', async () => {
    const body = multipart([
      { name: 'title', value: 'no file' },
      { name: 'cover', filename: '', data: '' },
    ]);
    const res = await post('/echo', body);
    assert.deepEqual(json(res).body, { title: 'no file' });
  });

  test('text/plain is a 415 with Accept-Post; JSON sent as a form is a 415 that says so', async () => {
    const plain = await t.request({
      method: 'POST',
      url: '/add-book',
      payload: 'title=x',
      headers: { 'content-type': 'text/plain' },
    });
    assertProblem(plain, 415);
    assert.match(String(plain.headers['accept-post']), /application\/x-www-form-urlencoded/);
    const mislabelled = await t.request({
      method: 'POST',
      url: '/add-book',
      payload: '{"title":"x"}',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assertProblem(mislabelled, 415, { detail: /This body is JSON/ });
    assert.ok(!(await titles()).includes('x'));
  });
});

describe('CSRF on custom routes', () => {
  test('a cookie-authenticated POST from another origin is refused (403) and writes nothing', async () => {
    const session = sessionSetCookie(await login(t, alice.email, passwordOf(alice.email))).split(';')[0];
    const before = (await stored(t, 'reviews')).length;
    const refused = await t.request({
      method: 'POST',
      url: '/review',
      payload: { text: 'forged' },
      headers: { cookie: session, origin: 'https://evil.example' },
    });
    assertProblem(refused, 403, { type: 'https://methodical.dev/problems/cross-origin-request' });
    assert.equal((await stored(t, 'reviews')).length, before);
    const same = await t.request({
      method: 'POST',
      url: '/review',
      payload: { text: 'mine' },
      headers: { cookie: session, origin: 'http://localhost' },
    });
    assert.equal(same.statusCode, 201, same.body);
  });
});

describe('form method override on custom routes', () => {
  test('_method=PUT with _etag runs the PUT handler with If-Match; a stale _etag is a 412', async () => {
    const { id, etag } = await create(t, 'books', { title: 'Before' });
    const stale = await form(`/edit/${id}`, { _method: 'PUT', _etag: '"stale"', title: 'Lost' });
    assertProblem(stale, 412);
    assert.equal((await t.store.get('books', id))?.title, 'Before');
    const res = await form(`/edit/${id}`, { _method: 'put', _etag: etag, title: 'After' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(json(res).method, 'PUT');
    assert.equal((await t.store.get('books', id))?.title, 'After');
    const page = await form(`/edit/${id}`, { _method: 'PUT', title: 'Browser' }, { accept: BROWSER });
    assert.equal(page.statusCode, 303);
    assert.equal(page.headers.location, `/edit/${id}`);
  });

  test('multipart _method=DELETE runs the DELETE handler', async () => {
    const { id } = await create(t, 'books', { title: 'Doomed' });
    const body = multipart(fields({ _method: 'DELETE' }));
    const res = await post(`/edit/${id}`, body);
    assert.equal(res.statusCode, 204, res.body);
    assert.equal(await t.store.get('books', id), undefined);
  });

  test('a stale _etag on a browser’s form shows the 412 page: someone else changed it meanwhile', async () => {
    const { id } = await create(t, 'books', { title: 'Shared' });
    const res = await form(
      `/edit/${id}`,
      { _method: 'PUT', _etag: '"old"', title: 'Mine' },
      { accept: BROWSER },
    );
    assert.equal(res.statusCode, 412);
    assert.equal(mediaType(res), 'text/html');
    assert.match(res.body, /Someone else changed this meanwhile/);
  });

  const refusals: [string, Record<string, string>, number, string?][] = [
    [
      'a method the path has no handler for: 405',
      { _method: 'PATCH' },
      405,
      'GET, HEAD, PUT, DELETE, OPTIONS',
    ],
    ['a method a form may not stand for: 400', { _method: 'GET' }, 400],
    ['no _method, on a path without POST: 405', { title: 'x' }, 405, 'GET, HEAD, PUT, DELETE, OPTIONS'],
  ];
  for (const [what, values, status, allow] of refusals) {
    test(what, async () => {
      const { id } = await create(t, 'books', { title: 'Untouched' });
      const res = await form(`/edit/${id}`, values);
      assertProblem(res, status);
      if (allow) assert.equal(res.headers.allow, allow);
      assert.equal((await t.store.get('books', id))?.title, 'Untouched');
    });
  }

  test('a JSON body never overrides: POST stays POST (405 here)', async () => {
    const { id } = await create(t, 'books', { title: 'Json' });
    const res = await t.request({ method: 'POST', url: `/edit/${id}`, payload: { _method: 'DELETE' } });
    assertProblem(res, 405);
    assert.ok(await t.store.get('books', id));
  });

  test('on a path with its own POST, _method picks the handler (405 when it has none)', async () => {
    const res = await form('/echo', { _method: 'DELETE' });
    assertProblem(res, 405);
    assert.equal(res.headers.allow, 'POST, OPTIONS');
  });

  test('OPTIONS lists the handlers’ methods; POST only where a handler takes it', async () => {
    const edit = await t.request({ method: 'OPTIONS', url: '/edit/x' });
    assert.equal(edit.headers.allow, 'GET, HEAD, PUT, DELETE, OPTIONS');
    const review = await t.request({ method: 'OPTIONS', url: '/review/x' });
    assert.equal(review.headers.allow, 'PATCH, OPTIONS');
    assert.ok(review.headers['accept-patch']);
  });

  test('PUT with If-Match directly: ctx.ifMatch carries it', async () => {
    const { id, etag } = await create(t, 'books', { title: 'Direct' });
    const stale = await t.request({
      method: 'PUT',
      url: `/edit/${id}`,
      payload: { title: 'No' },
      headers: { 'if-match': '"nope"' },
    });
    assertProblem(stale, 412);
    const ok = await t.request({
      method: 'PUT',
      url: `/edit/${id}`,
      payload: { title: 'Yes' },
      headers: { 'if-match': etag },
    });
    assert.equal(ok.statusCode, 200);
    assert.equal((await t.store.get('books', id))?.title, 'Yes');
  });
});
