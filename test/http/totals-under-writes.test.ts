/**
 * PRODUCT.md, Querying: totalItems and totalPages are exact. The store keeps
 * totals across commits rather than recounting after each one; these tests
 * hold it to exactness while creates, updates that move records into and out
 * of a filter, deletes, cascades and rule-filtered lists run side by side.
 * The reference is the page itself under skipTotal (every matching record on
 * one page), which no kept total touches.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { UserConfig } from '../../src/config/types.js';
import { json, PUBLIC_RULES, type TestApp } from '../harness.js';
import { authApp, bearer, registerAndLogin, type User } from './auth-helpers.js';
import { create } from './helpers.js';

const RULE = 'owner = @auth.id || published = true';

const CONFIG: UserConfig = {
  collections: {
    authors: { fields: { name: { type: 'text' } }, rules: PUBLIC_RULES },
    books: {
      fields: {
        title: { type: 'text' },
        year: { type: 'integer' },
        author: { type: 'relation', collection: 'authors', onDelete: 'cascade' },
      },
      rules: PUBLIC_RULES,
    },
    notes: {
      fields: {
        title: { type: 'text' },
        published: { type: 'boolean' },
        owner: { type: 'relation', collection: 'users' },
      },
      rules: { list: RULE, view: RULE, create: RULE, update: RULE, delete: RULE },
    },
  },
};

let t: TestApp;
before(async () => {
  t = await authApp(CONFIG);
});
after(() => t.close());

interface Listed {
  totalItems: number;
  totalPages: number;
  ids: string[];
}

async function list(path: string, query: string, user: User | null = null): Promise<Listed> {
  const res = await t.request({ method: 'GET', url: `/api/${path}?${query}`, headers: bearer(user) });
  assert.equal(res.statusCode, 200, res.body);
  const body = json(res);
  return {
    totalItems: body.totalItems as number,
    totalPages: body.totalPages as number,
    ids: (body.items as { id: string }[]).map((r) => r.id),
  };
}

/** totalItems and totalPages against the matching records themselves. */
async function assertExact(
  path: string,
  filter: string,
  user: User | null = null,
  step = '',
): Promise<number> {
  const f = filter ? `filter=${encodeURIComponent(filter)}&` : '';
  const every = await list(path, `${f}perPage=500&skipTotal=true`, user);
  const page = await list(path, `${f}perPage=3`, user);
  assert.equal(page.totalItems, every.ids.length, `${step} ${path} ${filter}: totalItems`);
  assert.equal(page.totalPages, Math.ceil(every.ids.length / 3), `${step} ${path} ${filter}: totalPages`);
  return page.totalItems;
}

async function send(method: string, url: string, payload?: unknown, user: User | null = null) {
  const res = await t.request({
    method,
    url,
    payload: payload as Record<string, unknown>,
    headers: bearer(user),
  });
  assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
  return res;
}

describe('totals stay exact', () => {
  test('while creates, updates across the filter and deletes run beside the lists', async () => {
    const author = await create(t, 'authors', { name: 'A' });
    const live: string[] = [];
    const filters = ['', 'year >= 2000', 'title ~ "ODD"', 'year >= 2000 && title !~ "odd"'];
    for (const filter of filters) await assertExact('books', filter, null, 'empty');
    for (let round = 0; round < 8; round++) {
      const writes: Promise<unknown>[] = [];
      for (let i = 0; i < 5; i++) {
        const n = round * 5 + i;
        const title = n % 2 ? `odd ${n}` : `even ${n}`;
        writes.push(
          create(t, 'books', { title, year: 1990 + (n % 20), author: author.id }).then((r) =>
            live.push(r.id),
          ),
        );
      }
      // Move records across `year >= 2000` and `title ~ "odd"`, and delete some.
      for (const id of live.slice(0, 3))
        writes.push(send('PATCH', `/api/books/${id}`, { year: 1990 + round * 3, title: `odd? ${round}` }));
      for (const id of live.splice(3, 2)) writes.push(send('DELETE', `/api/books/${id}`));
      // Lists with totals in the middle of the writes: they fill the kept totals while commits happen.
      for (const filter of filters)
        writes.push(list('books', filter ? `filter=${encodeURIComponent(filter)}` : ''));
      await Promise.all(writes);
      for (const filter of filters) await assertExact('books', filter, null, `round ${round}`);
    }
    assert.equal(await assertExact('books', ''), live.length);
  });

  test('after a cascade deletes an author’s books', async () => {
    const a = await create(t, 'authors', { name: 'Cascaded' });
    const b = await create(t, 'authors', { name: 'Kept' });
    for (let i = 0; i < 4; i++) await create(t, 'books', { title: `c${i}`, year: 2001, author: a.id });
    for (let i = 0; i < 2; i++) await create(t, 'books', { title: `k${i}`, year: 2001, author: b.id });
    const all = await assertExact('books', '');
    assert.equal(await assertExact('books', `author = "${a.id}"`), 4);
    assert.equal(await assertExact('books', `author = "${b.id}"`), 2);
    const year = await assertExact('books', 'year = 2001');
    await send('DELETE', `/api/authors/${a.id}`);
    assert.equal(await assertExact('books', `author = "${a.id}"`), 0);
    assert.equal(await assertExact('books', `author = "${b.id}"`), 2);
    assert.equal(await assertExact('books', 'year = 2001'), year - 4);
    assert.equal(await assertExact('books', ''), all - 4);
  });

  test('per caller under a rule that depends on who asks', async () => {
    const ann = await registerAndLogin(t, 'ann@example.com');
    const bob = await registerAndLogin(t, 'bob@example.com');
    // Owns nothing: sees the published notes only (an anonymous caller is refused by an @auth rule).
    const cat = await registerAndLogin(t, 'cat@example.com');
    const notes: { id: string; user: User }[] = [];
    for (const [user, published] of [
      [ann, false],
      [ann, true],
      [ann, false],
      [bob, false],
      [bob, true],
    ] as const) {
      const res = await send('POST', '/api/notes', { title: 'n', published, owner: user.id }, user);
      notes.push({ id: json(res).id as string, user });
    }
    const check = async (step: string, expected: [number, number, number]) => {
      assert.equal(await assertExact('notes', '', ann, step), expected[0], `${step}: ann`);
      assert.equal(await assertExact('notes', '', bob, step), expected[1], `${step}: bob`);
      assert.equal(await assertExact('notes', '', cat, step), expected[2], `${step}: cat`);
    };
    await check('start', [4, 3, 2]);
    // Ann publishes one: Bob and Cat see it now; Ann's own total stays.
    await send('PATCH', `/api/notes/${notes[0]!.id}`, { published: true }, ann);
    await check('after publishing', [4, 4, 3]);
    await send('DELETE', `/api/notes/${notes[4]!.id}`, undefined, bob);
    await check('after a delete', [3, 3, 2]);
    await send('PATCH', `/api/notes/${notes[1]!.id}`, { published: false }, ann);
    await check('after unpublishing', [3, 2, 1]);
  });
});
