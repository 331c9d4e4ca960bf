/**
 * Hidden fields (PRODUCT.md, Users, rules, sessions; issue 9, Auth): a
 * field with `hidden: true` is kept out of every response but an
 * administrator's (records, lists, expand, batch, replays, auth answers); a
 * user's email is shown only to that user and administrators, so reviews
 * can show their reviewer's name to the public. Hidden fields can still be
 * written and used in rules, but whoever cannot see one cannot filter, sort
 * or probe by it (400, as for an unknown field). A body that differs per
 * caller has an ETag that differs too.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { json, type TestApp } from '../harness.js';
import { authApp, bearer, leakScan, login, register, registerAndLogin, type User } from './auth-helpers.js';
import { assertProblem, stored } from './helpers.js';

const SELF_OR_ADMIN = 'id = @auth.id || @auth.admin = true';

let t: TestApp;
let ann: User;
let ben: User;
let admin: User;
let reviewId: string;

const callers = {
  anonymous: () => null,
  ann: () => ann,
  ben: () => ben,
  admin: () => admin,
};
type CallerName = keyof typeof callers;

before(async () => {
  t = await authApp({
    routes: {
      // A page listing reviews with their reviewer, as the caller may see them.
      'GET /reviews-page': async (ctx) => {
        const page = await ctx.records.list('reviews', { expand: ['owner'] });
        return ctx.html`<ul>${page.items.map((r) => {
          const owner = (r.expand as Record<string, Record<string, unknown>>).owner;
          return ctx.html`<li>${r.body} by ${owner.name} ${owner.email ?? ''} ${r.secret ?? ''}</li>`;
        })}</ul>`;
      },
      'GET /stats/by-secret': (ctx) => ctx.records.aggregate('reviews', { groupBy: ['secret'] }),
      'GET /stats/filtered': (ctx) =>
        ctx.records.aggregate('reviews', { groupBy: ['body'], filter: 'secret ~ "note"' }),
    },
    collections: {
      users: {
        fields: { phone: { type: 'text', hidden: true } },
        rules: {
          list: 'public',
          view: 'public',
          update: SELF_OR_ADMIN,
          delete: SELF_OR_ADMIN,
          create: 'nobody',
        },
      },
      reviews: {
        fields: {
          body: { type: 'text', required: true },
          secret: { type: 'text', hidden: true },
          moderator: { type: 'relation', collection: 'users', hidden: true },
        },
        rules: { list: 'public', view: 'public', create: 'auth', update: 'owner', delete: 'owner' },
      },
      // A hidden field in the rules: only records whose code is "open" are public.
      gated: {
        fields: { title: { type: 'text' }, code: { type: 'text', hidden: true } },
        rules: {
          list: 'code = "open"',
          view: 'code = "open"',
          create: 'public',
          update: 'nobody',
          delete: 'nobody',
        },
      },
    },
  });
  ann = await registerAndLogin(t, 'ann@example.com');
  ben = await registerAndLogin(t, 'ben@example.com');
  admin = await registerAndLogin(t, 'admin@example.com', true);
  const named = await t.request({
    method: 'PATCH',
    url: `/api/users/${ann.id}`,
    payload: { name: 'Ann Reviewer', phone: '+44 20 7946 0000' },
    headers: bearer(ann),
  });
  assert.equal(named.statusCode, 200, named.body);
  assert.equal(json(named).phone, undefined, 'a hidden field ann writes is not sent back to her');
  const created = await t.request({
    method: 'POST',
    url: '/api/reviews',
    payload: { body: 'A fine book.', secret: 'moderator note' },
    headers: bearer(ann),
  });
  assert.equal(created.statusCode, 201, created.body);
  assert.equal(json(created).secret, undefined);
  reviewId = json(created).id as string;
  for (const [title, code] of [
    ['Open day', 'open'],
    ['Board minutes', 'closed'],
  ]) {
    await t.store.transaction(async (tx) => {
      const stamp = new Date().toISOString();
      await tx.insert('gated', { id: title.replace(' ', '-'), title, code, created: stamp, updated: stamp });
    });
  }
});
after(() => t.close());

function get(url: string, caller: CallerName, headers: Record<string, string> = {}) {
  return t.request({ method: 'GET', url, headers: { ...bearer(callers[caller]()), ...headers } });
}

/** Every object in a body (records, expanded records, list items). */
function objects(value: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(value)) for (const v of value) objects(v, out);
  else if (value !== null && typeof value === 'object') {
    out.push(value as Record<string, unknown>);
    for (const v of Object.values(value)) objects(v, out);
  }
  return out;
}

describe('what each caller sees', () => {
  const rows: {
    /** `{ann}` and `{review}` stand for the ids. */
    url: string;
    caller: CallerName;
    /** Values that must be in the body. */
    sees: string[];
    /** Values that must not be anywhere in the body. */
    not: string[];
  }[] = [
    {
      url: '/api/users',
      caller: 'anonymous',
      sees: ['Ann Reviewer'],
      not: ['ann@example.com', 'ben@example.com', '+44'],
    },
    {
      url: '/api/users/{ann}',
      caller: 'anonymous',
      sees: ['Ann Reviewer'],
      not: ['ann@example.com', '+44'],
    },
    {
      url: '/api/users/{ann}',
      caller: 'ben',
      sees: ['Ann Reviewer'],
      not: ['ann@example.com', '+44'],
    },
    {
      url: '/api/users/{ann}',
      caller: 'ann',
      sees: ['Ann Reviewer', 'ann@example.com'],
      not: ['+44'],
    },
    {
      url: '/api/users/{ann}',
      caller: 'admin',
      sees: ['ann@example.com', '+44 20 7946 0000'],
      not: [],
    },
    {
      url: '/api/users',
      caller: 'ben',
      sees: ['Ann Reviewer', 'ben@example.com'],
      not: ['ann@example.com', 'admin@example.com', '+44'],
    },
    {
      url: '/api/users',
      caller: 'admin',
      sees: ['ann@example.com', 'ben@example.com', '+44'],
      not: [],
    },
    {
      url: '/api/users/{ann}?fields=id,email,name',
      caller: 'ann',
      sees: ['ann@example.com'],
      not: ['+44'],
    },
    {
      url: '/api/users/{ann}?fields=id,email,name',
      caller: 'ben',
      sees: ['Ann Reviewer'],
      not: ['ann@example.com', 'null'],
    },
    {
      url: '/api/reviews?expand=owner',
      caller: 'anonymous',
      sees: ['A fine book.', 'Ann Reviewer'],
      not: ['ann@example.com', '+44', 'moderator note'],
    },
    {
      url: '/api/reviews/{review}?expand=owner',
      caller: 'ben',
      sees: ['Ann Reviewer'],
      not: ['ann@example.com', '+44', 'moderator note'],
    },
    {
      url: '/api/reviews/{review}?expand=owner',
      caller: 'ann',
      sees: ['Ann Reviewer', 'ann@example.com'],
      not: ['+44', 'moderator note'],
    },
    {
      url: '/api/reviews/{review}?expand=owner',
      caller: 'admin',
      sees: ['ann@example.com', '+44', 'moderator note'],
      not: [],
    },
    { url: '/api/gated', caller: 'anonymous', sees: ['Open day'], not: ['Board minutes', '"code"'] },
    { url: '/api/gated/Open-day', caller: 'ben', sees: ['Open day'], not: ['"code"', 'open"'] },
    { url: '/api/gated', caller: 'admin', sees: ['Board minutes', '"code":"closed"'], not: [] },
    { url: '/api/auth/me', caller: 'ann', sees: ['ann@example.com'], not: ['+44'] },
  ];
  for (const row of rows) {
    test(`${row.caller}: GET ${row.url}`, async () => {
      const res = await get(row.url.replace('{ann}', ann.id).replace('{review}', reviewId), row.caller);
      assert.equal(res.statusCode, 200, res.body);
      for (const s of row.sees) assert.ok(res.body.includes(s), `sees ${s}: ${res.body}`);
      for (const s of row.not) assert.ok(!res.body.includes(s), `does not see ${s}: ${res.body}`);
      if (row.caller !== 'admin') {
        for (const o of objects(json(res))) {
          assert.equal(
            Object.hasOwn(o, 'phone') || Object.hasOwn(o, 'secret') || Object.hasOwn(o, 'code'),
            false,
          );
        }
      }
      assert.equal(
        res.headers['cache-control'],
        row.caller === 'anonymous' ? 'no-cache' : 'private, no-cache',
      );
      assert.match(String(res.headers.vary), /Authorization/);
      assert.match(String(res.headers.vary), /Cookie/);
    });
  }
});

describe('ETags follow the body each caller gets', () => {
  test('anonymous, ben, ann and admin get four bodies and four ETags', async () => {
    const answers = await Promise.all(
      (['anonymous', 'ben', 'ann', 'admin'] as const).map((c) => get(`/api/users/${ann.id}`, c)),
    );
    const [anonymous, other, self, byAdmin] = answers;
    assert.equal(anonymous.body, other.body, 'anonymous and another user see the same record');
    assert.equal(anonymous.headers.etag, other.headers.etag);
    assert.notEqual(self.body, anonymous.body);
    assert.notEqual(byAdmin.body, self.body);
    const tags = new Set([anonymous.headers.etag, self.headers.etag, byAdmin.headers.etag]);
    assert.equal(tags.size, 3, 'three different bodies, three ETags');
  });

  test('If-None-Match with another caller’s ETag is a full 200, with one’s own a 304', async () => {
    const mine = await get(`/api/users/${ann.id}`, 'ann');
    const theirs = await get(`/api/users/${ann.id}`, 'anonymous', {
      'if-none-match': String(mine.headers.etag),
    });
    assert.equal(theirs.statusCode, 200);
    assert.ok(!theirs.body.includes('ann@example.com'));
    const again = await get(`/api/users/${ann.id}`, 'ann', { 'if-none-match': String(mine.headers.etag) });
    assert.equal(again.statusCode, 304);
  });

  test('If-Match takes the ETag the caller was given', async () => {
    const seen = await get(`/api/reviews/${reviewId}`, 'ann');
    const res = await t.request({
      method: 'PATCH',
      url: `/api/reviews/${reviewId}`,
      payload: { body: 'A fine book, really.' },
      headers: { ...bearer(ann), 'if-match': String(seen.headers.etag) },
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(json(res).secret, undefined);
    const full = await get(`/api/reviews/${reviewId}`, 'admin');
    const stale = await t.request({
      method: 'PATCH',
      url: `/api/reviews/${reviewId}`,
      payload: { body: 'Again.' },
      headers: { ...bearer(ann), 'if-match': String(full.headers.etag) },
    });
    assertProblem(stale, 412);
    const after = await get(`/api/reviews/${reviewId}`, 'ann');
    assert.equal(after.headers.etag, res.headers.etag, 'the write answered the ETag a read gives');
  });
});

describe('server-rendered pages and aggregates', () => {
  test('a page reads records as its caller may see them', async () => {
    const anonymous = await get('/reviews-page', 'anonymous');
    assert.equal(anonymous.statusCode, 200, anonymous.body);
    assert.match(anonymous.body, /A fine book.* by Ann Reviewer/);
    assert.ok(!anonymous.body.includes('ann@example.com') && !anonymous.body.includes('moderator note'));
    const byAdmin = await get('/reviews-page', 'admin');
    assert.ok(byAdmin.body.includes('ann@example.com') && byAdmin.body.includes('moderator note'));
    assert.notEqual(anonymous.headers.etag, byAdmin.headers.etag);
  });

  for (const url of ['/stats/by-secret', '/stats/filtered']) {
    test(`an aggregate by a hidden field (${url}) is 400 but for an admin`, async () => {
      for (const caller of ['anonymous', 'ann'] as const) {
        const problem = assertProblem(await get(url, caller), 400);
        assert.match(String(problem.detail), /no such field|[Uu]nknown field/);
      }
      assert.equal((await get(url, 'admin')).statusCode, 200);
    });
  }
});

describe('hidden values cannot be probed', () => {
  const rows: { url: string; callers: CallerName[] }[] = [
    { url: '/api/users?filter=email~"ann"', callers: ['anonymous', 'ben', 'ann'] },
    { url: '/api/users?filter=name="Ann Reviewer" %26%26 email~"a"', callers: ['ben'] },
    { url: '/api/users?filter=phone~"%2B44"', callers: ['anonymous', 'ann'] },
    { url: '/api/users?sort=email', callers: ['anonymous', 'ann'] },
    { url: '/api/users?sort=-phone', callers: ['ben'] },
    { url: '/api/users?email=ann@example.com', callers: ['anonymous', 'ann'] },
    { url: '/api/users?fields=id,phone', callers: ['ann'] },
    { url: '/api/reviews?filter=secret~"moderator"', callers: ['anonymous', 'ann'] },
    { url: '/api/reviews?sort=secret', callers: ['ann'] },
    { url: '/api/reviews?fields=secret', callers: ['anonymous'] },
    { url: '/api/gated?filter=code="closed"', callers: ['anonymous'] },
    { url: '/api/reviews?expand=moderator', callers: ['anonymous', 'ann'] },
    { url: '/api/reviews?moderator=x', callers: ['ben'] },
  ];
  for (const row of rows) {
    for (const caller of row.callers) {
      test(`${caller}: GET ${row.url} is 400 as for an unknown field`, async () => {
        const res = await get(encodeURI(row.url).replaceAll('%25', '%'), caller);
        const problem = assertProblem(res, 400);
        assert.match(String(problem.detail), /[Uu]nknown/);
      });
    }
    test(`admin: GET ${row.url} is allowed`, async () => {
      const res = await get(encodeURI(row.url).replaceAll('%25', '%'), 'admin');
      assert.equal(res.statusCode, 200, res.body);
    });
  }

  test('a hidden field answers like a field that does not exist', async () => {
    const hidden = await get('/api/users?filter=email~"ann"', 'ben');
    const missing = await get('/api/users?filter=nosuch~"ann"', 'ben');
    assert.equal(hidden.body.replace('email', 'nosuch'), missing.body);
  });

  test('a JSON Patch `test` sees the hidden field as absent', async () => {
    const probe = (path: string) =>
      t.request({
        method: 'PATCH',
        url: `/api/reviews/${reviewId}`,
        payload: [{ op: 'test', path, value: 'moderator note' }],
        headers: { ...bearer(ann), 'content-type': 'application/json-patch+json' },
      });
    const hidden = await probe('/secret');
    const missing = await probe('/nosuch');
    assert.equal(hidden.statusCode, missing.statusCode);
    assert.ok(hidden.statusCode >= 400, hidden.body);
    assert.equal(hidden.body.replace('secret', 'nosuch'), missing.body);
  });
});

describe('hidden fields can be written', () => {
  async function storedReview() {
    return (await stored(t, 'reviews')).find((r) => r.id === reviewId);
  }

  test('PATCH writes one; the answer leaves it out', async () => {
    const res = await t.request({
      method: 'PATCH',
      url: `/api/reviews/${reviewId}`,
      payload: { secret: 'second note' },
      headers: bearer(ann),
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(json(res).secret, undefined);
    assert.equal((await storedReview())?.secret, 'second note');
  });

  test('PUT without it keeps it; PUT with it replaces it', async () => {
    const keep = await t.request({
      method: 'PUT',
      url: `/api/reviews/${reviewId}`,
      payload: { body: 'Rewritten.' },
      headers: bearer(ann),
    });
    assert.equal(keep.statusCode, 200, keep.body);
    assert.equal(json(keep).secret, undefined);
    assert.deepEqual(
      { body: (await storedReview())?.body, secret: (await storedReview())?.secret },
      { body: 'Rewritten.', secret: 'second note' },
    );
    const replace = await t.request({
      method: 'PUT',
      url: `/api/reviews/${reviewId}`,
      payload: { body: 'Rewritten.', secret: 'third note' },
      headers: bearer(ann),
    });
    assert.equal(replace.statusCode, 200, replace.body);
    assert.equal((await storedReview())?.secret, 'third note');
  });

  test('a batch answer leaves it out', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/api/batch',
      payload: {
        requests: [
          { method: 'POST', url: '/api/reviews', body: { body: 'Batch review', secret: 'batch note' } },
          { method: 'PATCH', url: `/api/reviews/${reviewId}`, body: { secret: 'fourth note' } },
        ],
      },
      headers: bearer(ann),
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.ok(!res.body.includes('note'), res.body);
    const all = await stored(t, 'reviews');
    assert.equal(all.find((r) => r.body === 'Batch review')?.secret, 'batch note');
    assert.equal((await storedReview())?.secret, 'fourth note');
  });

  test('an idempotent replay leaves it out too', async () => {
    const send = () =>
      t.request({
        method: 'POST',
        url: '/api/gated',
        payload: { title: 'Replayed', code: 'open' },
        headers: { 'idempotency-key': 'hidden-replay-1' },
      });
    const first = await send();
    const replay = await send();
    assert.equal(first.statusCode, 201, first.body);
    assert.equal(replay.statusCode, 201, replay.body);
    assert.equal(replay.headers['idempotent-replayed'], 'true');
    for (const res of [first, replay]) assert.ok(!res.body.includes('"code"'), res.body);
    assert.equal(replay.body, first.body);
    assert.equal(replay.headers.etag, first.headers.etag);
    assert.equal((await stored(t, 'gated')).find((r) => r.title === 'Replayed')?.code, 'open');
  });

  test('register and login answer the user’s own view: email, not hidden fields', async () => {
    const reg = await register(t, {
      email: 'cleo@example.com',
      password: 'cleo-password-1',
      phone: '+1 555 0100',
    });
    assert.equal(reg.statusCode, 201, reg.body);
    assert.equal(json(reg).email, 'cleo@example.com');
    assert.equal(json(reg).phone, undefined);
    const id = json(reg).id as string;
    assert.equal((await t.store.get('users', id))?.phone, '+1 555 0100');
    const res = await login(t, 'cleo@example.com', 'cleo-password-1');
    assert.equal(res.statusCode, 200, res.body);
    const user = json(res).user as Record<string, unknown>;
    assert.equal(user.email, 'cleo@example.com');
    assert.equal(user.phone, undefined);
  });
});

describe('the API description', () => {
  test('record schemas do not require what some callers are not sent, and say who sees it', async () => {
    const res = await get('/api/openapi.json', 'anonymous');
    assert.equal(res.statusCode, 200);
    const schemas = (json(res).components as { schemas: Record<string, Record<string, unknown>> }).schemas;
    const record = (title: string) =>
      Object.values(schemas).find((s) => s.title === title) as Record<string, unknown>;
    for (const [collection, field, who] of [
      ['users', 'email', /the user themself and administrators/],
      ['users', 'phone', /only to administrators/],
      ['reviews', 'secret', /only to administrators/],
    ] as const) {
      const schema = record(collection);
      assert.ok(schema, `a ${collection} record schema`);
      assert.ok(!(schema.required as string[]).includes(field), `${collection}.${field} is not required`);
      assert.match(
        String((schema.properties as Record<string, { description?: string }>)[field].description),
        who,
      );
    }
    assert.ok((record('reviews').required as string[]).includes('body'));
  });
});

describe('the option is checked in the config', () => {
  test('hidden must be true or false', async () => {
    await assert.rejects(
      authApp({
        collections: { notes: { fields: { x: { type: 'text', hidden: 'yes' as unknown as boolean } } } },
      }),
      /collections\.notes\.fields\.x\.hidden.*true or false/s,
    );
  });
});

leakScan();
