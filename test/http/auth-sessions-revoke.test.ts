/**
 * Signing a user out everywhere (DELETE /api/users/{id}/sessions): every
 * session of theirs is revoked, for admins and for the user themself;
 * anyone else is told what the users collection's view rule tells them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { InjectOptions } from 'fastify';
import { json, PUBLIC_RULES, type TestApp } from '../harness.js';
import {
  authApp,
  bearer,
  cookieAttributes,
  leakScan,
  login,
  registerAndLogin,
  SESSION_COOKIE,
  sessionOf,
  sessionSetCookie,
  type User,
  WWW_AUTHENTICATE,
} from './auth-helpers.js';
import { assertProblem } from './helpers.js';

/** A user with several sessions: the one of registerAndLogin and two more logins. */
interface Signed extends User {
  tokens: string[];
}

let made = 0;

async function signedIn(t: TestApp, name: string, admin = false): Promise<Signed> {
  made++;
  const user = await registerAndLogin(t, `${name}${made}@example.com`, admin);
  const tokens = [user.token];
  for (let i = 0; i < 2; i++) tokens.push(json(await login(t, user.email, user.password)).token as string);
  return { ...user, tokens };
}

async function liveSessions(t: TestApp, user: Signed): Promise<number> {
  const found = await Promise.all(user.tokens.map((token) => sessionOf(t, token)));
  return found.filter(Boolean).length;
}

async function meStatus(t: TestApp, token: string): Promise<number> {
  return (
    await t.request({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${token}` } })
  ).statusCode;
}

function revoke(t: TestApp, id: string, extra: Partial<InjectOptions> = {}) {
  return t.request({ method: 'DELETE', url: `/api/users/${id}/sessions`, ...extra });
}

describe('DELETE /api/users/{id}/sessions', () => {
  let t: TestApp;
  before(async () => {
    t = await authApp({ collections: { posts: { rules: PUBLIC_RULES } } });
  });
  after(() => t.close());

  const cases: {
    name: string;
    caller: 'admin' | 'self' | 'other' | 'anonymous';
    unknown?: boolean;
    status: number;
    detail?: RegExp;
  }[] = [
    { name: 'an admin signs a user out: 204', caller: 'admin', status: 204 },
    { name: 'a user signs themself out: 204, the calling session too', caller: 'self', status: 204 },
    { name: 'another user: 404, as for a user they may not view', caller: 'other', status: 404 },
    { name: 'anonymous: 401', caller: 'anonymous', status: 401 },
    { name: 'an unknown user: 404, even to an admin', caller: 'admin', unknown: true, status: 404 },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const target = await signedIn(t, 'target');
      const admin = await signedIn(t, 'admin', true);
      const other = await signedIn(t, 'other');
      const caller = { admin, self: target, other, anonymous: null }[c.caller];
      const res = await revoke(t, c.unknown ? 'nosuchuser' : target.id, {
        headers: caller ? { authorization: `Bearer ${caller.tokens[0]}` } : {},
      });
      if (c.status === 204) {
        assert.equal(res.statusCode, 204, res.body);
        assert.equal(res.body, '');
        assert.equal(res.headers['cache-control'], 'no-store');
        assert.equal(await liveSessions(t, target), 0, 'no session of the user is left in the store');
        for (const token of target.tokens) assert.equal(await meStatus(t, token), 401);
      } else {
        assertProblem(res, c.status);
        if (c.status === 401) assert.equal(res.headers['www-authenticate'], WWW_AUTHENTICATE);
        assert.equal(await liveSessions(t, target), 3, "the user's sessions are untouched");
      }
      // Nobody else was signed out.
      for (const bystander of c.caller === 'self'
        ? [admin, other]
        : [admin, other].filter((u) => u !== caller)) {
        assert.equal(await liveSessions(t, bystander), 3);
      }
      if (caller && caller !== target)
        assert.equal(await liveSessions(t, caller), 3, "the caller's sessions");
    });
  }

  test('with the session cookie: the cookie is cleared too', async () => {
    const user = await signedIn(t, 'cookie');
    const res = await revoke(t, user.id, { cookies: { [SESSION_COOKIE]: user.tokens[1] } });
    assert.equal(res.statusCode, 204, res.body);
    const cleared = sessionSetCookie(res);
    assert.equal(cookieAttributes(cleared).get('max-age'), '0');
    assert.equal(await liveSessions(t, user), 0);
  });

  test('a cookie request from another origin is refused (CSRF) and signs nobody out', async () => {
    const user = await signedIn(t, 'csrf');
    const res = await revoke(t, user.id, {
      cookies: { [SESSION_COOKIE]: user.tokens[0] },
      headers: { origin: 'http://evil.example' },
    });
    assertProblem(res, 403, { type: 'https://methodical.dev/problems/cross-origin-request' });
    assert.equal(await liveSessions(t, user), 3);
  });

  test('other methods: 405 with Allow; OPTIONS lists DELETE', async () => {
    const admin = await signedIn(t, 'methods', true);
    for (const method of ['GET', 'POST', 'PUT', 'PATCH'] as const) {
      const res = await t.request({ method, url: `/api/users/${admin.id}/sessions`, headers: bearer(admin) });
      assertProblem(res, 405);
      assert.equal(res.headers.allow, 'DELETE, OPTIONS');
    }
    const options = await t.request({ method: 'OPTIONS', url: `/api/users/${admin.id}/sessions` });
    assert.equal(options.statusCode, 204);
    assert.equal(options.headers.allow, 'DELETE, OPTIONS');
    assert.equal(await liveSessions(t, admin), 3);
  });
});

describe('where the rules let anyone view users', () => {
  let t: TestApp;
  before(async () => {
    t = await authApp({ collections: { users: { rules: { view: 'public' } } } });
  });
  after(() => t.close());

  test('another user may view the user but not sign them out: 403', async () => {
    const target = await signedIn(t, 'viewed');
    const other = await signedIn(t, 'viewer');
    assert.equal(
      (await t.request({ method: 'GET', url: `/api/users/${target.id}`, headers: bearer(other) })).statusCode,
      200,
    );
    assertProblem(await revoke(t, target.id, { headers: bearer(other) }), 403, { detail: /administrators/ });
    assert.equal(await liveSessions(t, target), 3);
  });
});

leakScan();
