/**
 * Login, me, logout and the session cookie (PRODUCT.md, Users and auth;
 * Details: Users, rules, sessions): tokens are random, rotate on every
 * login, expire, and are revoked server-side.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { UserConfig } from '../../src/config/types.js';
import { json, PUBLIC_RULES, type TestApp } from '../harness.js';
import {
  authApp,
  bearer,
  cookieAttributes,
  leakScan,
  login,
  passwordOf,
  registerAndLogin,
  SESSION_COOKIE,
  sessionOf,
  sessionSetCookie,
  type User,
  varyOf,
} from './auth-helpers.js';
import { movableClock } from './helpers.js';
import { assertRefused, INVALID_TOKEN } from './rules-helpers.js';

const clock = movableClock(Date.parse('2030-01-01T00:00:00Z'));
let t: TestApp;
let user: User;

before(async () => {
  t = await authApp(
    { auth: { sessionTtl: 60 }, collections: { posts: { rules: PUBLIC_RULES } } },
    { now: clock.now },
  );
  user = await registerAndLogin(t, 'sam@example.com');
});
after(() => t.close());

function me(headers: Record<string, string> = {}, cookies?: Record<string, string>) {
  return t.request({ method: 'GET', url: '/api/auth/me', headers, cookies });
}

describe('login', () => {
  test('200 {token, user} and the session cookie: HttpOnly, SameSite=Lax, Path=/, not Secure over HTTP', async () => {
    const res = await login(t, 'Sam@Example.com', user.password);
    assert.equal(res.statusCode, 200, res.body);
    const body = json(res);
    assert.deepEqual(Object.keys(body), ['token', 'user']);
    assert.match(String(body.token), /^[A-Za-z0-9_-]{43}$/, '256 random bits');
    assert.deepEqual(body.user, await t.store.get('users', user.id));
    const setCookie = sessionSetCookie(res);
    assert.ok(setCookie.startsWith(`${SESSION_COOKIE}=${body.token};`));
    const attributes = cookieAttributes(setCookie);
    assert.equal(attributes.get('path'), '/');
    assert.equal(attributes.get('samesite'), 'Lax');
    assert.ok(attributes.has('httponly'));
    assert.ok(!attributes.has('secure'));
    assert.equal(attributes.get('max-age'), '60', 'the session lifetime');
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.ok(await sessionOf(t, body.token as string, clock.now()), 'stored');
  });

  test('each login issues a new token; older sessions stay valid until logged out', async () => {
    const first = json(await login(t, user.email, user.password)).token as string;
    const second = json(await login(t, user.email, user.password)).token as string;
    assert.notEqual(first, second);
    for (const token of [user.token, first, second]) {
      const res = await me({ authorization: `Bearer ${token}` });
      assert.equal(res.statusCode, 200, res.body);
    }
  });

  test('the token is stored only as a hash', async () => {
    const token = json(await login(t, user.email, user.password)).token as string;
    const rows = await t.store.transaction(async (tx) => tx.getSession(token, clock.now().toISOString()));
    assert.equal(rows, undefined, 'no session is keyed by the raw token');
    assert.ok(await sessionOf(t, token, clock.now()));
  });
});

describe('me', () => {
  const ways = [
    { name: 'a bearer token', request: () => me(bearer(user)) },
    { name: 'the cookie', request: () => me({}, { [SESSION_COOKIE]: user.token }) },
  ];
  for (const way of ways) {
    test(`with ${way.name}: 200, the user, private and varying on the credentials`, async () => {
      const res = await way.request();
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(json(res), await t.store.get('users', user.id));
      assert.equal(res.headers['cache-control'], 'private, no-cache');
      for (const name of ['authorization', 'cookie']) assert.ok(varyOf(res).includes(name), `Vary: ${name}`);
    });
  }

  test('anonymous: 401 with WWW-Authenticate', async () => {
    assertRefused(await me(), 401);
  });

  const badTokens = [
    { name: 'an unknown token', headers: { authorization: 'Bearer nope' } },
    { name: 'a malformed Authorization', headers: { authorization: 'Basic c2FtOnB3' } },
    { name: 'an empty bearer', headers: { authorization: 'Bearer ' } },
  ];
  for (const row of badTokens) {
    test(`${row.name}: 401, even on a public route`, async () => {
      assertRefused(await me(row.headers), 401, INVALID_TOKEN);
      assertRefused(
        await t.request({ method: 'GET', url: '/api/posts', headers: row.headers }),
        401,
        INVALID_TOKEN,
      );
    });
  }

  test('an unknown cookie is anonymous and cleared', async () => {
    const res = await me({}, { [SESSION_COOKIE]: 'stale' });
    assertRefused(res, 401);
    const attributes = cookieAttributes(sessionSetCookie(res));
    assert.ok(sessionSetCookie(res).startsWith(`${SESSION_COOKIE}=;`));
    assert.equal(attributes.get('max-age'), '0');
  });
});

describe('logout', () => {
  for (const via of ['bearer', 'cookie'] as const) {
    test(`with the ${via}: 204, cookie cleared, session revoked server-side`, async () => {
      const token = json(await login(t, user.email, user.password)).token as string;
      const credentials =
        via === 'bearer'
          ? { headers: { authorization: `Bearer ${token}` } }
          : { cookies: { [SESSION_COOKIE]: token } };
      const res = await t.request({ method: 'POST', url: '/api/auth/logout', ...credentials });
      assert.equal(res.statusCode, 204, res.body);
      assert.equal(res.body, '');
      const setCookie = sessionSetCookie(res);
      assert.ok(setCookie.startsWith(`${SESSION_COOKIE}=;`), setCookie);
      const attributes = cookieAttributes(setCookie);
      assert.equal(attributes.get('max-age'), '0');
      assert.equal(attributes.get('path'), '/');
      assert.equal(await sessionOf(t, token, clock.now()), undefined, 'gone from the store');
      assertRefused(await me({ authorization: `Bearer ${token}` }), 401, INVALID_TOKEN);
      assertRefused(await me({}, { [SESSION_COOKIE]: token }), 401);
      assert.equal((await me(bearer(user))).statusCode, 200, 'other sessions live on');
    });
  }
});

describe('expiry', () => {
  test('a session lives sessionTtl seconds, then its token is refused', async () => {
    const res = await login(t, user.email, user.password);
    const token = json(res).token as string;
    clock.advance(59_000);
    assert.equal((await me({ authorization: `Bearer ${token}` })).statusCode, 200);
    clock.advance(2_000);
    assertRefused(await me({ authorization: `Bearer ${token}` }), 401, INVALID_TOKEN);
    assertRefused(await me({}, { [SESSION_COOKIE]: token }), 401);
    assert.equal(await sessionOf(t, token, clock.now()), undefined);
    const fresh = await login(t, user.email, user.password);
    assert.equal(fresh.statusCode, 200, 'logging in again works');
    user = { ...user, token: json(fresh).token as string };
  });
});

describe('the cookie is Secure behind HTTPS only', () => {
  const rows: { name: string; config: UserConfig; headers: Record<string, string>; secure: boolean }[] = [
    { name: 'plain HTTP', config: {}, headers: {}, secure: false },
    {
      name: 'X-Forwarded-Proto: https with trustProxy',
      config: { trustProxy: true },
      headers: { 'x-forwarded-proto': 'https' },
      secure: true,
    },
    {
      name: 'X-Forwarded-Proto: https without trustProxy',
      config: {},
      headers: { 'x-forwarded-proto': 'https' },
      secure: false,
    },
    {
      name: 'Forwarded: proto=https with trustProxy',
      config: { trustProxy: true },
      headers: { forwarded: 'for=192.0.2.1;proto=https;host=api.example' },
      secure: true,
    },
    {
      name: 'Forwarded: proto=https without trustProxy',
      config: {},
      headers: { forwarded: 'for=192.0.2.1;proto=https' },
      secure: false,
    },
    {
      name: 'a publicUrl of https://…',
      config: { publicUrl: 'https://api.example' },
      headers: {},
      secure: true,
    },
    {
      name: 'a publicUrl of http://…',
      config: { publicUrl: 'http://api.example' },
      headers: {},
      secure: false,
    },
  ];
  for (const row of rows) {
    test(`${row.name}: ${row.secure ? 'Secure' : 'not Secure'} on login and logout`, async () => {
      const app = await authApp(row.config);
      try {
        const email = 'https@example.com';
        await app.request({
          method: 'POST',
          url: '/api/auth/register',
          payload: { email, password: passwordOf(email) },
        });
        const res = await login(app, email, passwordOf(email), { headers: row.headers });
        assert.equal(res.statusCode, 200, res.body);
        assert.equal(cookieAttributes(sessionSetCookie(res)).has('secure'), row.secure);
        const out = await app.request({
          method: 'POST',
          url: '/api/auth/logout',
          headers: { ...row.headers, authorization: `Bearer ${json(res).token}` },
        });
        assert.equal(out.statusCode, 204);
        assert.equal(cookieAttributes(sessionSetCookie(out)).has('secure'), row.secure);
      } finally {
        await app.close();
      }
    });
  }
});

describe('deleting a user revokes their sessions', () => {
  test('every token of the deleted user is refused and gone from the store', async () => {
    const gone = await registerAndLogin(t, 'gone@example.com');
    const other = json(await login(t, gone.email, gone.password)).token as string;
    const res = await t.request({ method: 'DELETE', url: `/api/users/${gone.id}`, headers: bearer(gone) });
    assert.equal(res.statusCode, 204, res.body);
    for (const token of [gone.token, other]) {
      assert.equal(await sessionOf(t, token, clock.now()), undefined);
      assertRefused(await me({ authorization: `Bearer ${token}` }), 401, INVALID_TOKEN);
    }
    const again = await login(t, gone.email, gone.password);
    assertRefused(again, 401);
  });
});

leakScan();
