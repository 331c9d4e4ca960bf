/**
 * POST /api/auth/register (PRODUCT.md, Users and auth; Details: Users,
 * rules, sessions): 201 with Location, lowercased unique emails, passwords
 * of 8 to 256 characters hashed with Argon2id, `admin` only from an admin.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { json, type TestApp } from '../harness.js';
import {
  authApp,
  bearer,
  leakScan,
  login,
  register,
  registerAndLogin,
  secret,
  type User,
} from './auth-helpers.js';
import { assertProblem, mediaType, stored } from './helpers.js';

let t: TestApp;
let admin: User;
let member: User;

before(async () => {
  t = await authApp({});
  admin = await registerAndLogin(t, 'root@example.com', true);
  member = await registerAndLogin(t, 'member@example.com');
});
after(() => t.close());

function passwordHash(id: string): Promise<string | undefined> {
  return t.store.transaction((tx) => tx.getPasswordHash('users', id));
}

async function usersWith(email: string) {
  return (await stored(t, 'users')).filter((u) => u.email === email);
}

describe('register', () => {
  test('201 with the user, Location /api/users/{id}, ETag; the password is kept only as an Argon2id hash', async () => {
    const password = secret('correct horse battery');
    const res = await register(t, { email: 'new@example.com', password, name: 'New' });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(mediaType(res), 'application/json');
    const body = json(res);
    assert.equal(res.headers.location, `/api/users/${body.id}`);
    assert.equal(res.headers['content-location'], res.headers.location);
    assert.match(String(res.headers.etag), /^"[^"]+"$/);
    assert.deepEqual(Object.keys(body), ['id', 'email', 'name', 'admin', 'created', 'updated']);
    assert.deepEqual(
      { email: body.email, name: body.name, admin: body.admin },
      { email: 'new@example.com', name: 'New', admin: false },
    );
    assert.deepEqual(await t.store.get('users', body.id as string), body);
    assert.match(String(await passwordHash(body.id as string)), /^\$argon2id\$/);
    assert.equal((await login(t, 'new@example.com', password)).statusCode, 200);
  });

  test('the email is trimmed and lowercased; login accepts any case', async () => {
    const password = secret('mixed-case-pass');
    const res = await register(t, { email: '  Mixed.Case@Example.COM ', password });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(json(res).email, 'mixed.case@example.com');
    assert.equal((await usersWith('mixed.case@example.com')).length, 1);
    const again = await login(t, 'MIXED.case@EXAMPLE.com', password);
    assert.equal(again.statusCode, 200, again.body);
    assert.equal((json(again).user as Record<string, unknown>).email, 'mixed.case@example.com');
  });

  const duplicates = ['member@example.com', 'MEMBER@Example.com', ' member@example.com'];
  for (const email of duplicates) {
    test(`a duplicate email (${JSON.stringify(email)}): 409 with a field error, nothing stored`, async () => {
      const users = await stored(t, 'users');
      const res = await register(t, { email, password: secret('another-password') });
      const problem = assertProblem(res, 409, { type: 'https://methodical.dev/problems/unique-violation' });
      assert.deepEqual(problem.errors, [
        { field: 'email', code: 'unique', message: 'must be unique: another record has this value' },
      ]);
      assert.equal(res.headers.location, undefined);
      assert.deepEqual(await stored(t, 'users'), users);
      assert.equal(
        (await login(t, 'member@example.com', member.password)).statusCode,
        200,
        'old password kept',
      );
    });
  }
});

describe('Prefer on register, as on every create', () => {
  const rows = [
    { prefer: 'return=minimal', minimal: true },
    { prefer: 'return=minimal, respond-async', minimal: true },
    { prefer: 'return=representation', minimal: false },
    { prefer: undefined, minimal: false },
  ];
  rows.forEach((row, i) => {
    test(`Prefer: ${row.prefer ?? '(none)'}: 201${row.minimal ? ', no body, Preference-Applied' : ' with the user'}; Location and ETag kept`, async () => {
      const email = `prefer${i}@example.com`;
      const password = secret(`prefer-pass-${i}`);
      const headers: Record<string, string> = row.prefer ? { prefer: row.prefer } : {};
      const res = await register(t, { email, password }, headers);
      assert.equal(res.statusCode, 201, res.body);
      const [user] = await usersWith(email);
      assert.ok(user, 'the user is stored');
      assert.equal(res.headers.location, `/api/users/${user.id}`);
      assert.match(String(res.headers.etag), /^"[^"]+"$/);
      assert.match(String(res.headers.vary), /Accept/);
      if (row.minimal) {
        assert.equal(res.body, '');
        assert.equal(res.headers['preference-applied'], 'return=minimal');
        assert.equal(res.headers['content-type'], undefined);
        assert.equal(res.headers['content-location'], undefined);
      } else {
        assert.equal(res.headers['preference-applied'], undefined);
        assert.equal(mediaType(res), 'application/json');
        assert.deepEqual(json(res), user);
        assert.equal(res.headers['content-location'], res.headers.location);
      }
      const fetched = await t.request({
        method: 'GET',
        url: `/api/users/${user.id}`,
        headers: bearer(admin),
      });
      assert.equal(fetched.headers.etag, res.headers.etag, "the ETag is the stored record's");
      assert.equal((await login(t, email, password)).statusCode, 200);
    });
  });

  test('a replay of a minimal register is minimal too, with Idempotent-Replayed', async () => {
    const password = secret('replayed-minimal');
    const headers = { prefer: 'return=minimal', 'idempotency-key': 'register-minimal-1' };
    const body = { email: 'replay-minimal@example.com', password };
    const first = await register(t, body, headers);
    const again = await register(t, body, headers);
    assert.equal(first.statusCode, 201, first.body);
    assert.equal(again.statusCode, 201, again.body);
    assert.equal(again.body, '');
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(again.headers.location, first.headers.location);
    assert.equal(again.headers.etag, first.headers.etag);
    assert.equal((await usersWith('replay-minimal@example.com')).length, 1);
  });

  test('login ignores Prefer: its answer is the token and the user', async () => {
    const res = await login(t, 'member@example.com', member.password, {
      headers: { prefer: 'return=minimal' },
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['preference-applied'], undefined);
    assert.deepEqual(Object.keys(json(res)), ['token', 'user']);
  });
});

describe('passwords are 8 to 256 characters', () => {
  const rows: { name: string; password: unknown; status: number; code?: string }[] = [
    { name: '7 characters', password: 'abcdefg', status: 422, code: 'min' },
    { name: '8 characters', password: 'abcdefgh', status: 201 },
    { name: '256 characters', password: 'p'.repeat(256), status: 201 },
    { name: '257 characters', password: 'p'.repeat(257), status: 422, code: 'max' },
    { name: '8 emoji (16 UTF-16 units)', password: '🔑'.repeat(8), status: 201 },
    { name: '7 emoji (14 UTF-16 units)', password: '🔑'.repeat(7), status: 422, code: 'min' },
    { name: 'empty', password: '', status: 422, code: 'min' },
    { name: 'a number', password: 12345678, status: 422, code: 'required' },
    { name: 'missing', password: undefined, status: 422, code: 'required' },
  ];
  rows.forEach((row, i) => {
    test(`${row.name}: ${row.status}`, async () => {
      const email = `length${i}@example.com`;
      const body: Record<string, unknown> = { email };
      if (row.password !== undefined) body.password = row.password;
      const res = await register(t, body);
      if (row.status === 201) {
        assert.equal(res.statusCode, 201, res.body);
        assert.equal((await login(t, email, row.password as string)).statusCode, 200);
        return;
      }
      const problem = assertProblem(res, 422, { type: 'https://methodical.dev/problems/validation' });
      assert.deepEqual(
        (problem.errors as { field: string; code: string }[]).map((e) => [e.field, e.code]),
        [['password', row.code]],
      );
      assert.deepEqual(await usersWith(email), []);
    });
  });

  test('every problem at once: a bad email and a short password', async () => {
    const res = await register(t, { email: 'not-an-email', password: 'short', name: 'x'.repeat(201) });
    const problem = assertProblem(res, 422);
    assert.deepEqual((problem.errors as { field: string }[]).map((e) => e.field).sort(), [
      'email',
      'name',
      'password',
    ]);
  });

  test('an unknown field: 422, nothing stored', async () => {
    const res = await register(t, { email: 'extra@example.com', password: 'long enough', role: 'boss' });
    const problem = assertProblem(res, 422);
    assert.deepEqual(
      (problem.errors as { field: string }[]).map((e) => e.field),
      ['role'],
    );
    assert.deepEqual(await usersWith('extra@example.com'), []);
  });

  const malformed = [
    { name: 'an array', payload: '[]', status: 400 },
    { name: 'broken JSON', payload: '{"email":', status: 400 },
  ];
  for (const row of malformed) {
    test(`${row.name} as the body: ${row.status}`, async () => {
      const res = await t.request({
        method: 'POST',
        url: '/api/auth/register',
        headers: { 'content-type': 'application/json' },
        payload: row.payload,
      });
      assertProblem(res, row.status);
    });
  }
});

describe('admin on register', () => {
  const rows = [
    { caller: 'anonymous', status: 403 },
    { caller: 'a member', status: 403 },
    { caller: 'an admin', status: 201 },
  ] as const;
  rows.forEach((row, i) => {
    test(`admin: true from ${row.caller}: ${row.status}`, async () => {
      const email = `wannabe${i}@example.com`;
      const caller = row.caller === 'anonymous' ? null : row.caller === 'a member' ? member : admin;
      const res = await register(
        t,
        { email, password: secret(`wannabe-pass-${i}`), admin: true },
        bearer(caller),
      );
      if (row.status === 403) {
        assertProblem(res, 403);
        assert.deepEqual(await usersWith(email), [], 'nothing stored');
        return;
      }
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(json(res).admin, true);
      assert.equal((await usersWith(email))[0]?.admin, true);
    });
  });

  test('admin: false from anonymous is fine', async () => {
    const res = await register(t, {
      email: 'humble@example.com',
      password: secret('humble-pass'),
      admin: false,
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(json(res).admin, false);
  });
});

leakScan();
