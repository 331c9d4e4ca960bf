/**
 * A collection's `cache` settings (PRODUCT.md, Collections): anonymous reads
 * of a collection whose rule does not look at the caller carry
 * `Cache-Control: public, max-age=…, s-maxage=…, stale-while-revalidate=…`
 * so shared caches keep them; without `cache` they stay `no-cache`; anything
 * that depends on the caller is `private, no-cache`. Public reads carry no
 * Set-Cookie (nginx and Varnish store nothing that does) and Vary stays.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import type { HTTPMethods } from 'fastify';
import type { UserConfig } from '../../src/config/types.js';
import { validateConfig } from '../../src/config/validate.js';
import { storedFilename } from '../../src/util/filename.js';
import { sniffType } from '../../src/util/sniff.js';
import type { TestApp } from '../harness.js';
import {
  authApp,
  bearer,
  registerAndLogin,
  SESSION_COOKIE,
  seed,
  type User,
  varyOf,
} from './auth-helpers.js';

const PUBLIC_READS = { list: 'public', view: 'public', create: 'auth', update: 'auth', delete: 'auth' };
const CONFIG: UserConfig = {
  collections: {
    news: {
      fields: { title: { type: 'text' }, photo: { type: 'file' } },
      rules: PUBLIC_READS,
      cache: { maxAge: 60, sMaxAge: 300, staleWhileRevalidate: 30 },
    },
    // Only s-maxage: browsers revalidate every time, shared caches keep it two minutes.
    posts: {
      fields: { title: { type: 'text' }, published: { type: 'boolean' } },
      rules: { ...PUBLIC_READS, list: 'published = true', view: 'published = true' },
      cache: { sMaxAge: 120 },
    },
    // A rule that looks at the caller: never public, whatever cache says.
    notes: {
      fields: { title: { type: 'text' } },
      rules: { ...PUBLIC_READS, list: 'auth', view: 'auth' },
      cache: { maxAge: 60 },
    },
    plain: { fields: { title: { type: 'text' } }, rules: PUBLIC_READS },
  },
};

const SHARED = 'public, max-age=60, s-maxage=300, stale-while-revalidate=30';
const PRIVATE = 'private, no-cache';
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('pixels'),
]);

type Caller = 'anonymous' | 'bearer' | 'cookie' | 'stale cookie' | 'other cookies';

describe('Cache-Control of reads with and without a collection cache', () => {
  let t: TestApp;
  let user: User;
  const ids: Record<string, string> = {};
  let photo = '';

  before(async () => {
    t = await authApp(CONFIG);
    user = await registerAndLogin(t, 'cache@example.com');
    const staged = await t.files.stage(Readable.from([PNG]), 1_000_000);
    const { type, ext } = sniffType(staged.head);
    photo = storedFilename('photo.png', ext);
    ids.news = (await seed(t, 'news', { title: 'n', photo }, 'n1')).id;
    await t.files.commit(staged.token, `news/n1/${photo}`, { type, originalName: 'photo.png' });
    ids.posts = (await seed(t, 'posts', { title: 'p', published: true })).id;
    ids.notes = (await seed(t, 'notes', { title: 'x' })).id;
    ids.plain = (await seed(t, 'plain', { title: 'y' })).id;
  });
  after(() => t.close());

  function callerHeaders(caller: Caller): {
    headers: Record<string, string>;
    cookies?: Record<string, string>;
  } {
    switch (caller) {
      case 'anonymous':
        return { headers: {} };
      case 'bearer':
        return { headers: bearer(user) };
      case 'cookie':
        return { headers: {}, cookies: { [SESSION_COOKIE]: user.token } };
      case 'stale cookie':
        return { headers: {}, cookies: { [SESSION_COOKIE]: 'expired-or-revoked' } };
      case 'other cookies':
        return { headers: {}, cookies: { theme: 'dark' } };
    }
  }

  const rows: { name: string; method: HTTPMethods; url: () => string; caller: Caller; expect: string }[] = [
    { name: 'a list', method: 'GET', url: () => '/api/news', caller: 'anonymous', expect: SHARED },
    {
      name: 'a record',
      method: 'GET',
      url: () => `/api/news/${ids.news}`,
      caller: 'anonymous',
      expect: SHARED,
    },
    {
      name: 'a record, HEAD',
      method: 'HEAD',
      url: () => `/api/news/${ids.news}`,
      caller: 'anonymous',
      expect: SHARED,
    },
    {
      name: 'a list with a query',
      method: 'GET',
      url: () => '/api/news?sort=-created&perPage=5',
      caller: 'anonymous',
      expect: SHARED,
    },
    {
      name: 'a file',
      method: 'GET',
      url: () => `/api/files/news/${ids.news}/photo/${photo}`,
      caller: 'anonymous',
      expect: SHARED,
    },
    {
      name: 'a list, other cookies',
      method: 'GET',
      url: () => '/api/news',
      caller: 'other cookies',
      expect: SHARED,
    },
    { name: 'a list, bearer', method: 'GET', url: () => '/api/news', caller: 'bearer', expect: PRIVATE },
    {
      name: 'a record, cookie',
      method: 'GET',
      url: () => `/api/news/${ids.news}`,
      caller: 'cookie',
      expect: PRIVATE,
    },
    {
      name: 'a file, bearer',
      method: 'GET',
      url: () => `/api/files/news/${ids.news}/photo/${photo}`,
      caller: 'bearer',
      expect: PRIVATE,
    },
    {
      name: 'a list, stale session cookie',
      method: 'GET',
      url: () => '/api/news',
      caller: 'stale cookie',
      expect: PRIVATE,
    },
    {
      name: 'an expression rule without @auth',
      method: 'GET',
      url: () => `/api/posts/${ids.posts}`,
      caller: 'anonymous',
      expect: 'public, max-age=0, s-maxage=120',
    },
    {
      name: 'an expression rule without @auth, list',
      method: 'GET',
      url: () => '/api/posts',
      caller: 'anonymous',
      expect: 'public, max-age=0, s-maxage=120',
    },
    {
      name: 'a rule that looks at the caller',
      method: 'GET',
      url: () => `/api/notes/${ids.notes}`,
      caller: 'bearer',
      expect: PRIVATE,
    },
    {
      name: 'no cache setting',
      method: 'GET',
      url: () => `/api/plain/${ids.plain}`,
      caller: 'anonymous',
      expect: 'no-cache',
    },
    {
      name: 'no cache setting, list',
      method: 'GET',
      url: () => '/api/plain',
      caller: 'anonymous',
      expect: 'no-cache',
    },
    {
      name: 'no cache setting, bearer',
      method: 'GET',
      url: () => '/api/plain',
      caller: 'bearer',
      expect: PRIVATE,
    },
  ];
  for (const row of rows) {
    test(`${row.method} ${row.name} (${row.caller}): ${row.expect}`, async () => {
      const via = callerHeaders(row.caller);
      const res = await t.request({ method: row.method, url: row.url(), ...via });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers['cache-control'], row.expect);
      assert.ok(res.headers.etag, 'an ETag to revalidate with');
      const vary = varyOf(res);
      for (const name of ['authorization', 'cookie'])
        assert.ok(vary.includes(name), `Vary: ${res.headers.vary}`);
      assert.ok(!vary.includes('*'), 'Vary: * would keep every cache from storing it');
      if (row.expect.startsWith('public')) {
        assert.equal(res.headers['set-cookie'], undefined, 'a shared cache stores nothing with Set-Cookie');
      }
      // The 304 to the same request says the same.
      const again = await t.request({
        method: row.method,
        url: row.url(),
        headers: { ...via.headers, 'if-none-match': String(res.headers.etag), 'cache-control': 'no-cache' },
        cookies: via.cookies,
      });
      assert.equal(again.statusCode, 304);
      assert.equal(again.headers['cache-control'], row.expect);
      assert.equal(again.headers.etag, res.headers.etag);
    });
  }

  test('writes are never cacheable: POST to a cached collection', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/api/news',
      headers: bearer(user),
      payload: { title: 'new' },
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.headers['cache-control'], PRIVATE);
    assert.ok(await t.store.get('news', String(JSON.parse(res.body).id)));
  });

  test('an error is not public: 404 in a cached collection', async () => {
    const res = await t.request({ method: 'GET', url: '/api/news/missing' });
    assert.equal(res.statusCode, 404);
    assert.ok(!String(res.headers['cache-control'] ?? '').includes('public'));
  });
});

describe('collection cache settings are validated', () => {
  const bad: { name: string; cache: unknown; path: string; says: string }[] = [
    { name: 'not an object', cache: 60, path: 'collections.news.cache', says: 'expected an object' },
    {
      name: 'an unknown key',
      cache: { maxage: 60 },
      path: 'collections.news.cache.maxage',
      says: 'allowed keys are maxAge, sMaxAge or staleWhileRevalidate',
    },
    {
      name: 'negative',
      cache: { maxAge: -1 },
      path: 'collections.news.cache.maxAge',
      says: 'a whole number of at least 0',
    },
    {
      name: 'fractional',
      cache: { sMaxAge: 1.5 },
      path: 'collections.news.cache.sMaxAge',
      says: 'a whole number of at least 0',
    },
    {
      name: 'a string',
      cache: { staleWhileRevalidate: '30s' },
      path: 'collections.news.cache.staleWhileRevalidate',
      says: 'a whole number',
    },
  ];
  for (const row of bad) {
    test(`${row.name}: refused, naming ${row.path}`, () => {
      assert.throws(
        () => validateConfig({ collections: { news: { cache: row.cache } } }, 'test.json', '/tmp'),
        (error: Error) => error.message.includes(row.path) && error.message.includes(row.says),
      );
    });
  }

  test('zero and absent values are accepted', () => {
    const config = validateConfig(
      { collections: { news: { cache: { maxAge: 0, sMaxAge: 10 } } } },
      'test.json',
      '/tmp',
    );
    assert.deepEqual(config.collections.news.cache, { maxAge: 0, sMaxAge: 10 });
    assert.equal(
      validateConfig({ collections: { news: {} } }, 'test.json', '/tmp').collections.news.cache,
      undefined,
    );
  });
});
