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
