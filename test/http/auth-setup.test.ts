/**
 * The first administrator through the one-time setup link (POST
 * /api/auth/setup): the token `serve` makes works once, for 24 hours, only
 * while there is no admin; two concurrent setups make one admin; wrong
 * tokens count against the login throttle.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { InjectOptions } from 'fastify';
import { hasAdmin, issueSetupToken, SETUP_TTL_MS } from '../../src/service/admin-setup.js';
import { json, PUBLIC_RULES, type TestApp } from '../harness.js';
import {
  authApp,
  leakScan,
  login,
  passwordOf,
  register,
  SESSION_COOKIE,
  secret,
  sessionSetCookie,
  THROTTLE_LIMITS,
  THROTTLE_START,
} from './auth-helpers.js';
import { assertProblem, mediaType, movableClock, stored } from './helpers.js';

const CONFIG = { auth: { loginThrottle: THROTTLE_LIMITS }, collections: { posts: { rules: PUBLIC_RULES } } };
const ALREADY = 'An administrator exists already: sign in at /_/';

const apps: TestApp[] = [];
after(() => Promise.all(apps.map((t) => t.close())));

/** A fresh site with no user, its clock, and a setup token issued the way `serve` does. */
async function freshSite() {
  const clock = movableClock(THROTTLE_START);
  const t = await authApp(CONFIG, { now: clock.now });
  apps.push(t);
  const token = await issueSetupToken(t.store, clock.now());
  assert.ok(token, 'a token while there is no admin');
  // No answer may echo the token: the leak scan looks for it like for a password.
  return { t, clock, token: secret(token) };
}

function setup(t: TestApp, payload: Record<string, unknown>, extra: Partial<InjectOptions> = {}) {
  if (typeof payload.password === 'string') secret(payload.password);
  return t.request({ method: 'POST', url: '/api/auth/setup', payload, ...extra });
}

const first = (email = 'root@example.com') => ({ email, password: passwordOf(email), name: 'Root' });

describe('the setup token', () => {
  test('is 256 random bits, stored only as a hash; none is made once an admin exists', async () => {
    const { t, token } = await freshSite();
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    const raw = await t.store.transaction((tx) => tx.getMarker(`admin-setup:${token}`));
    assert.equal(raw, undefined, 'the raw token is not a marker');
    const res = await setup(t, { token, ...first() });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(await issueSetupToken(t.store), undefined);
  });
});

describe('POST /api/auth/setup', () => {
  test('201: the user is an admin, Location and ETag like register, and the caller is signed in', async () => {
    const { t, token } = await freshSite();
    const res = await setup(t, { token, ...first('Root@Example.com') });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(mediaType(res), 'application/json');
    const body = json(res);
    assert.equal(body.admin, true);
    assert.equal(body.email, 'root@example.com', 'stored lowercased');
    assert.equal(body.name, 'Root');
    assert.equal(res.headers.location, `/api/users/${body.id}`);
    assert.match(String(res.headers.etag), /^"/);
    assert.deepEqual(await t.store.get('users', body.id as string), body);
    // The cookie it set is a session of the new admin.
    const cookie = sessionSetCookie(res);
    const value = cookie.slice(SESSION_COOKIE.length + 1, cookie.indexOf(';'));
    const me = await t.request({ method: 'GET', url: '/api/auth/me', cookies: { [SESSION_COOKIE]: value } });
    assert.equal(me.statusCode, 200, me.body);
    assert.equal(json(me).admin, true);
    // And the password works for a login.
    assert.equal((await login(t, 'root@example.com', passwordOf('root@example.com'))).statusCode, 200);
  });

  const refusals: {
    name: string;
    body: (token: string) => Record<string, unknown>;
    before?: (site: Awaited<ReturnType<typeof freshSite>>) => Promise<void>;
    status: number;
    detail: RegExp;
    field?: string;
  }[] = [
    {
      name: 'a wrong token: 403',
      body: () => ({ token: 'x'.repeat(43), ...first() }),
      status: 403,
      detail: /setup link is not valid.*methodical user create/,
    },
    {
      name: 'a token 24 hours old: 403, expired',
      body: (token) => ({ token, ...first() }),
      before: async ({ clock }) => clock.advance(SETUP_TTL_MS),
      status: 403,
      detail: /expired/,
    },
    {
      name: 'no token: 422 on token',
      body: () => first(),
      status: 422,
      detail: /token/,
      field: 'token',
    },
    {
      name: 'a bad email: 422 like register',
      body: (token) => ({ token, email: 'not-an-email', password: passwordOf('x@example.com') }),
      status: 422,
      detail: /invalid/,
      field: 'email',
    },
    {
      name: 'a short password: 422 like register',
      body: (token) => ({ token, email: 'root@example.com', password: 'short' }),
      status: 422,
      detail: /invalid/,
      field: 'password',
    },
    {
      name: 'an admin made meanwhile (user create --admin): 409',
      body: (token) => ({ token, ...first() }),
      before: async ({ t }) => {
        const res = await register(t, {
          email: 'other@example.com',
          password: passwordOf('other@example.com'),
        });
        const user = await t.store.get('users', json(res).id as string);
        await t.store.transaction(async (tx) => tx.update('users', { ...user!, admin: true }));
      },
      status: 409,
      detail: new RegExp(`^${ALREADY}$`),
    },
  ];
  for (const r of refusals) {
    test(`${r.name}, and no admin is made`, async () => {
      const site = await freshSite();
      await r.before?.(site);
      const before = (await stored(site.t, 'users')).length;
      const res = await setup(site.t, r.body(site.token));
      const problem = assertProblem(res, r.status, { detail: r.detail });
      if (r.field) {
        assert.ok(
          (problem.errors as { field: string }[]).some((e) => e.field === r.field),
          JSON.stringify(problem.errors),
        );
      }
      assert.equal(res.headers['set-cookie'], undefined, 'nobody is signed in');
      assert.equal((await stored(site.t, 'users')).length, before, 'no user written');
      if (r.status !== 409) assert.equal(await hasAdmin(site.t.store), false);
    });
  }

  test('a token a second short of 24 hours old still works', async () => {
    const { t, token, clock } = await freshSite();
    clock.advance(SETUP_TTL_MS - 1000);
    const res = await setup(t, { token, ...first() });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(await hasAdmin(t.store), true);
  });

  test('the link works once: again 409, and after the admin is gone 403 (used)', async () => {
    const { t, token } = await freshSite();
    assert.equal((await setup(t, { token, ...first() })).statusCode, 201);
    assertProblem(await setup(t, { token, ...first('two@example.com') }), 409, {
      detail: /^An administrator/,
    });
    const [admin] = await stored(t, 'users');
    await t.store.transaction((tx) => tx.delete('users', admin.id));
    assertProblem(await setup(t, { token, ...first('three@example.com') }), 403, { detail: /used already/ });
    assert.equal((await stored(t, 'users')).length, 0);
  });

  test('concurrent setups with valid tokens make one admin; the others are 409', async () => {
    const { t, token, clock } = await freshSite();
    const tokens = [token];
    for (let i = 1; i < 6; i++) tokens.push((await issueSetupToken(t.store, clock.now())) as string);
    const answers = await Promise.all(
      tokens.map((value, i) =>
        // From addresses of their own: in-flight attempts from one address count against its throttle.
        setup(t, { token: value, ...first(`admin${i}@example.com`) }, { remoteAddress: `10.8.0.${i + 1}` }),
      ),
    );
    const statuses = answers.map((r) => r.statusCode).sort();
    assert.deepEqual(statuses, [201, 409, 409, 409, 409, 409], answers.map((r) => r.body).join('\n'));
    const users = await stored(t, 'users');
    assert.equal(users.length, 1);
    assert.equal(users[0].admin, true);
  });

  test('wrong tokens count against the login throttle: 429 with Retry-After, even for the right token', async () => {
    const { t, token } = await freshSite();
    const from = { remoteAddress: '10.9.0.1' };
    for (let i = 0; i < THROTTLE_LIMITS.perEmail; i++) {
      assertProblem(await setup(t, { token: `guess-${i}`, ...first() }, from), 403);
    }
    const res = await setup(t, { token, ...first() }, from);
    assertProblem(res, 429);
    assert.match(String(res.headers['retry-after']), /^\d+$/);
    assert.equal(await hasAdmin(t.store), false);
    // Another address is not held up.
    assert.equal((await setup(t, { token, ...first() }, { remoteAddress: '10.9.0.2' })).statusCode, 201);
  });

  test('an HTML form: 303 to /_/ with the session cookie', async () => {
    const { t, token } = await freshSite();
    const email = 'form@example.com';
    const res = await t.request({
      method: 'POST',
      url: '/api/auth/setup',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      payload: new URLSearchParams({ token, email, password: secret(passwordOf(email)) }).toString(),
    });
    assert.equal(res.statusCode, 303, res.body);
    assert.equal(res.headers.location, '/_/');
    sessionSetCookie(res);
    const [user] = await stored(t, 'users');
    assert.equal(user.email, email);
    assert.equal(user.admin, true);
  });

  test('GET: 405 with Allow', async () => {
    const { t } = await freshSite();
    const res = await t.request({ method: 'GET', url: '/api/auth/setup' });
    assertProblem(res, 405);
    assert.equal(res.headers.allow, 'POST, OPTIONS');
  });
});

leakScan();
