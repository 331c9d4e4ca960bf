/**
 * Registering from a form signs the browser in (EXAMPLE-APP.md, scenario
 * 2): 303 with the same session cookie a login sets, the session stored
 * with the user; a duplicate email is the 409 page with a clear message.
 * JSON registration stays 201 without a cookie.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { json, type TestApp } from '../harness.js';
import {
  authApp,
  cookieAttributes,
  leakScan,
  passwordOf,
  register,
  SESSION_COOKIE,
  secret,
  sessionOf,
  sessionSetCookie,
} from './auth-helpers.js';
import { mediaType, stored } from './helpers.js';
import { fields, multipart, urlencoded } from './multipart.js';
import { BROWSER_ACCEPT } from './upload-helpers.js';

let t: TestApp;
before(async () => {
  t = await authApp({});
});
after(() => t.close());

type Form = Record<string, string>;

function registerForm(
  form: Form,
  options: { encoding?: 'urlencoded' | 'multipart'; accept?: string } = {},
): Promise<LightMyRequestResponse> {
  if (form.password) secret(form.password);
  const body = options.encoding === 'multipart' ? multipart(fields(form)) : urlencoded(form);
  return t.request({
    method: 'POST',
    url: '/api/auth/register',
    payload: body.payload,
    headers: { ...body.headers, accept: options.accept ?? BROWSER_ACCEPT },
  });
}

/** The session token a response's Set-Cookie carries. */
function cookieToken(res: LightMyRequestResponse): string {
  return sessionSetCookie(res)
    .split(';')[0]
    .slice(SESSION_COOKIE.length + 1);
}

async function userNamed(email: string) {
  const users = (await stored(t, 'users')).filter((u) => u.email === email);
  assert.equal(users.length, 1, `one user ${email}`);
  return users[0];
}

function me(token: string) {
  return t.request({ method: 'GET', url: '/api/auth/me', headers: { cookie: `${SESSION_COOKIE}=${token}` } });
}

describe('a form registration signs the browser in', () => {
  for (const encoding of ['urlencoded', 'multipart'] as const) {
    test(`${encoding}: 303 to / with the session cookie; the session is stored; /me answers with it`, async () => {
      const email = `form-${encoding}@example.com`;
      const res = await registerForm({ email, password: passwordOf(email), name: 'Form' }, { encoding });
      assert.equal(res.statusCode, 303, res.body);
      assert.equal(res.headers.location, '/');
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.equal(res.body, '');
      const attributes = cookieAttributes(sessionSetCookie(res));
      assert.ok(attributes.has('httponly'));
      assert.equal(attributes.get('samesite')?.toLowerCase(), 'lax');
      assert.equal(attributes.get('path'), '/');
      assert.equal(attributes.has('secure'), false, 'plain HTTP');
      const user = await userNamed(email);
      const token = cookieToken(res);
      const session = await sessionOf(t, token);
      assert.equal(session?.userId, user.id, 'the session row belongs to the new user');
      const mine = await me(token);
      assert.equal(mine.statusCode, 200, mine.body);
      assert.deepEqual(json(mine), user);
    });
  }

  test('_redirect with {id}: 303 there with the new user’s id', async () => {
    const email = 'redirected@example.com';
    const res = await registerForm({ email, password: passwordOf(email), _redirect: '/welcome?user={id}' });
    const user = await userNamed(email);
    assert.equal(res.statusCode, 303, res.body);
    assert.equal(res.headers.location, `/welcome?user=${user.id}`);
    assert.equal((await sessionOf(t, cookieToken(res)))?.userId, user.id);
  });

  test('a form posted by an API client (Accept: JSON): 201 with the user, and signed in too', async () => {
    const email = 'form-json@example.com';
    const res = await registerForm({ email, password: passwordOf(email) }, { accept: 'application/json' });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(json(res).email, email);
    assert.equal((await sessionOf(t, cookieToken(res)))?.userId, json(res).id);
  });

  test('a duplicate email: the 409 page says the account exists; no cookie, nothing stored', async () => {
    const email = 'taken@example.com';
    assert.equal((await registerForm({ email, password: passwordOf(email) })).statusCode, 303);
    const before = await stored(t, 'users');
    const res = await registerForm({ email: 'TAKEN@example.com', password: secret('another-password') });
    assert.equal(res.statusCode, 409, res.body);
    assert.equal(mediaType(res), 'text/html');
    assert.match(res.body, /An account with this email address already exists; sign in instead\./);
    assert.match(res.body, /<strong>email<\/strong>/);
    assert.equal(res.headers['set-cookie'], undefined);
    assert.deepEqual(await stored(t, 'users'), before);
  });

  test('a double-clicked form (same _idempotency_key): one user; the replay sets no cookie', async () => {
    const email = 'double@example.com';
    const form = { email, password: passwordOf(email), _idempotency_key: 'register-once-1' };
    const first = await registerForm(form);
    assert.equal(first.statusCode, 303, first.body);
    const token = cookieToken(first);
    const again = await registerForm(form);
    assert.equal(again.statusCode, 303);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(again.headers.location, first.headers.location);
    assert.equal(again.headers['set-cookie'], undefined, 'a replay never hands out a session');
    const user = await userNamed(email);
    assert.equal((await sessionOf(t, token))?.userId, user.id);
  });

  for (const encoding of ['urlencoded', 'multipart'] as const) {
    test(`${encoding}: a double click in parallel waits for the first: one user, every answer its 303, one cookie`, async () => {
      const email = `parallel-${encoding}@example.com`;
      const form = { email, password: passwordOf(email), _idempotency_key: `register-par-${encoding}` };
      const answers = await Promise.all(Array.from({ length: 4 }, () => registerForm(form, { encoding })));
      const user = await userNamed(email);
      for (const res of answers) {
        assert.equal(res.statusCode, 303, res.body);
        assert.equal(res.headers.location, '/');
      }
      const replayed = answers.filter((r) => r.headers['idempotent-replayed'] === 'true');
      assert.equal(replayed.length, answers.length - 1);
      for (const res of replayed) assert.equal(res.headers['set-cookie'], undefined);
      const first = answers.find((r) => r.headers['idempotent-replayed'] === undefined);
      assert.ok(first);
      assert.equal((await sessionOf(t, cookieToken(first)))?.userId, user.id);
    });
  }
});

describe('JSON registration is unchanged', () => {
  test('201 with the user and Location, no cookie; the user signs in with login', async () => {
    const email = 'json@example.com';
    const res = await register(t, { email, password: passwordOf(email) });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.headers.location, `/api/users/${json(res).id}`);
    assert.equal(res.headers['set-cookie'], undefined);
  });

  test('a duplicate email: the 409 problem names the email field', async () => {
    const res = await register(t, { email: 'json@example.com', password: passwordOf('json@example.com') });
    assert.equal(res.statusCode, 409);
    assert.equal(mediaType(res), 'application/problem+json');
    assert.deepEqual(json(res).errors, [
      { field: 'email', code: 'unique', message: 'must be unique: another record has this value' },
    ]);
  });
});

leakScan();
