/**
 * Changing a password through PUT/PATCH /api/users/{id}: the users rules
 * apply (self or admin), the new password is 8 to 256 characters, it is
 * stored only as a hash, and every session of that user is revoked.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { HTTPMethods } from 'fastify';
import { verifyPassword } from '../../src/service/passwords.js';
import { json, PUBLIC_RULES, type TestApp } from '../harness.js';
import {
  authApp,
  bearer,
  leakScan,
  login,
  registerAndLogin,
  secret,
  sessionOf,
  type User,
} from './auth-helpers.js';
import { assertProblem } from './helpers.js';
import { assertRefused, INVALID_TOKEN } from './rules-helpers.js';

let t: TestApp;
let alice: User;
let bob: User;
let admin: User;

before(async () => {
  t = await authApp({ collections: { notes: { fields: { title: { type: 'text' } }, rules: PUBLIC_RULES } } });
  alice = await registerAndLogin(t, 'alice@example.com');
  bob = await registerAndLogin(t, 'bob@example.com');
  admin = await registerAndLogin(t, 'admin@example.com', true);
});
after(() => t.close());

function hashOf(id: string): Promise<string | undefined> {
  return t.store.transaction((tx) => tx.getPasswordHash('users', id));
}

/** Log the user in afresh (their earlier sessions may have been revoked). */
async function relogin(user: User): Promise<User> {
  const res = await login(t, user.email, user.password);
  assert.equal(res.statusCode, 200, res.body);
  return { ...user, token: json(res).token as string };
}

describe('a successful change', () => {
  const rows: { method: HTTPMethods; by: 'self' | 'admin' }[] = [
    { method: 'PATCH', by: 'self' },
    { method: 'PUT', by: 'self' },
    { method: 'PATCH', by: 'admin' },
  ];
  rows.forEach((row, i) => {
    test(`${row.method} by ${row.by}: 200, new hash, every session of the user revoked`, async () => {
      alice = await relogin(alice);
      const spare = json(await login(t, alice.email, alice.password)).token as string;
      const password = secret(`brand-new-password-${i}`);
      const payload = row.method === 'PUT' ? { email: alice.email, password } : { password };
      const caller = row.by === 'self' ? alice : admin;
      const res = await t.request({
        method: row.method,
        url: `/api/users/${alice.id}`,
        payload,
        headers: bearer(caller),
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(json(res), await t.store.get('users', alice.id));
      assert.equal(json(res).password, undefined);
      assert.equal(await verifyPassword(await hashOf(alice.id), password), true);
      for (const token of [alice.token, spare]) {
        assert.equal(await sessionOf(t, token), undefined);
        assertRefused(
          await t.request({
            method: 'GET',
            url: '/api/auth/me',
            headers: { authorization: `Bearer ${token}` },
          }),
          401,
          INVALID_TOKEN,
        );
      }
      assert.equal(
        (await t.request({ method: 'GET', url: '/api/auth/me', headers: bearer(admin) })).statusCode,
        200,
      );
      assertProblem(await login(t, alice.email, alice.password), 401);
      alice = { ...alice, password };
      alice = await relogin(alice);
    });
  });
});

describe('a refused change leaves the hash and the sessions alone', () => {
  const rows: {
    name: string;
    caller: () => User | null;
    target: () => User;
    password: string;
    status: number;
    todo?: string;
  }[] = [
    { name: 'a short password', caller: () => alice, target: () => alice, password: 'short', status: 422 },
    {
      name: 'a password of 257 characters',
      caller: () => alice,
      target: () => alice,
      password: 'p'.repeat(257),
      status: 422,
    },
    { name: 'anonymous', caller: () => null, target: () => alice, password: 'anonymous-try-1', status: 401 },
    {
      name: "another user's password",
      caller: () => bob,
      target: () => alice,
      password: 'takeover-try-1',
      status: 404,
    },
    {
      name: 'anonymous, with a short password',
      caller: () => null,
      target: () => alice,
      password: 'short',
      status: 401,
    },
    {
      name: "another user's, with a short password",
      caller: () => bob,
      target: () => alice,
      password: 'short',
      status: 404,
    },
  ];
  for (const row of rows) {
    test(`${row.name}: ${row.status}`, { todo: row.todo }, async () => {
      const target = row.target();
      const before = { record: await t.store.get('users', target.id), hash: await hashOf(target.id) };
      const res = await t.request({
        method: 'PATCH',
        url: `/api/users/${target.id}`,
        payload: { password: secret(row.password) },
        headers: bearer(row.caller()),
      });
      assertRefused(res, row.status);
      if (row.status === 422) {
        assert.deepEqual(
          (json(res).errors as { field: string }[]).map((e) => e.field),
          ['password'],
        );
      }
      assert.deepEqual(
        { record: await t.store.get('users', target.id), hash: await hashOf(target.id) },
        before,
      );
      assert.ok(await sessionOf(t, target.token), 'sessions untouched');
    });
  }

  test('a password field on another collection is just an unknown field: 422', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/api/notes',
      payload: { title: 'x', password: secret('not-a-user-pass') },
    });
    const problem = assertProblem(res, 422);
    assert.deepEqual(
      (problem.errors as { field: string }[]).map((e) => e.field),
      ['password'],
    );
  });
});

leakScan();
