/**
 * Changing a password through PUT/PATCH /api/users/{id} (PRODUCT.md, Users,
 * rules, sessions): the users rules apply (self or admin); changing one's
 * own password needs the current one in `oldPassword` (missing or wrong: 422
 * on that field); an admin sets another user's without it; the new password
 * is 8 to 256 characters and stored only as a hash; `oldPassword` is never
 * stored; the user's other sessions are revoked and the caller's own is kept.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { HTTPMethods } from 'fastify';
import { verifyPassword } from '../../src/service/passwords.js';
import { json, ON_POSTGRES, PUBLIC_RULES, type TestApp } from '../harness.js';
import {
  authApp,
  bearer,
  leakScan,
  login,
  registerAndLogin,
  SESSION_COOKIE,
  secret,
  sessionOf,
  type User,
} from './auth-helpers.js';
import { assertProblem } from './helpers.js';
import { assertRefused } from './rules-helpers.js';

let t: TestApp;
let alice: User;
let bob: User;
let admin: User;
/** Every oldPassword sent, to look for in the database files. */
const oldPasswords = new Set<string>();

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

/** A fresh session for the user (their earlier ones may have been revoked). */
async function relogin(user: User): Promise<User> {
  const res = await login(t, user.email, user.password);
  assert.equal(res.statusCode, 200, res.body);
  return { ...user, token: json(res).token as string };
}

async function works(token: string): Promise<boolean> {
  const res = await t.request({
    method: 'GET',
    url: '/api/auth/me',
    headers: { authorization: `Bearer ${token}` },
  });
  assert.ok(res.statusCode === 200 || res.statusCode === 401, res.body);
  return res.statusCode === 200 && (await sessionOf(t, token)) !== undefined;
}

function old(password: string): string {
  if (password.length >= 8) oldPasswords.add(password);
  return secret(password);
}

describe('a successful change', () => {
  const rows: {
    name: string;
    method: HTTPMethods;
    by: 'self' | 'admin';
    via?: 'cookie';
    oldPassword?: 'right' | 'wrong';
  }[] = [
    {
      name: 'PATCH by the user with the current password',
      method: 'PATCH',
      by: 'self',
      oldPassword: 'right',
    },
    { name: 'PUT by the user with the current password', method: 'PUT', by: 'self', oldPassword: 'right' },
    {
      name: 'PATCH by the user signed in with the cookie',
      method: 'PATCH',
      by: 'self',
      via: 'cookie',
      oldPassword: 'right',
    },
    { name: 'PATCH by an admin, without oldPassword', method: 'PATCH', by: 'admin' },
    { name: 'PUT by an admin, without oldPassword', method: 'PUT', by: 'admin' },
    {
      name: 'PATCH by an admin, with a wrong oldPassword (not needed, not checked)',
      method: 'PATCH',
      by: 'admin',
      oldPassword: 'wrong',
    },
  ];
  rows.forEach((row, i) => {
    test(`${row.name}: 200, a new hash, the other sessions revoked`, async () => {
      alice = await relogin(alice);
      const spare = (await relogin(alice)).token;
      const bobBefore = (await relogin(bob)).token;
      const password = secret(`brand-new-password-${i}`);
      const payload: Record<string, unknown> =
        row.method === 'PUT' ? { email: alice.email, name: `Alice ${i}`, password } : { password };
      if (row.oldPassword)
        payload.oldPassword = old(row.oldPassword === 'right' ? alice.password : `not-it-${i}-pass`);
      const caller = row.by === 'self' ? alice : admin;
      const headers = row.via === 'cookie' ? { cookie: `${SESSION_COOKIE}=${caller.token}` } : bearer(caller);
      const res = await t.request({ method: row.method, url: `/api/users/${alice.id}`, payload, headers });
      assert.equal(res.statusCode, 200, res.body);
      const stored = await t.store.get('users', alice.id);
      assert.deepEqual(json(res), stored);
      assert.equal(json(res).password, undefined);
      assert.equal(json(res).oldPassword, undefined);
      assert.equal((stored as Record<string, unknown>).oldPassword, undefined);
      if (row.method === 'PUT') assert.equal(json(res).name, `Alice ${i}`);
      assert.equal(await verifyPassword(await hashOf(alice.id), password), true);

      assert.equal(await works(spare), false, "the user's other session is revoked");
      assert.equal(await works(alice.token), row.by === 'self', "the caller's own session is kept");
      assert.equal(await works(admin.token), true, "the admin's session is untouched");
      assert.equal(await works(bobBefore), true, "another user's session is untouched");
      assertProblem(await login(t, alice.email, alice.password), 401);
      alice = await relogin({ ...alice, password });
    });
  });
});

describe('a refused change leaves the hash and the sessions alone', () => {
  const rows: {
    name: string;
    caller: () => User | null;
    target: () => User;
    password: unknown;
    oldPassword?: unknown;
    status: number;
    errors?: [field: string, code: string][];
  }[] = [
    {
      name: 'own password without oldPassword',
      caller: () => alice,
      target: () => alice,
      password: 'a-fine-new-password',
      status: 422,
      errors: [['oldPassword', 'required']],
    },
    {
      name: 'own password with an empty oldPassword',
      caller: () => alice,
      target: () => alice,
      password: 'a-fine-new-password',
      oldPassword: '',
      status: 422,
      errors: [['oldPassword', 'required']],
    },
    {
      name: 'own password with oldPassword not a string',
      caller: () => alice,
      target: () => alice,
      password: 'a-fine-new-password',
      oldPassword: 12345678,
      status: 422,
      errors: [['oldPassword', 'required']],
    },
    {
      name: 'own password with a wrong oldPassword',
      caller: () => alice,
      target: () => alice,
      password: 'a-fine-new-password',
      oldPassword: 'not-the-current-one',
      status: 422,
      errors: [['oldPassword', 'incorrect']],
    },
    {
      name: "another user's current password as oldPassword",
      caller: () => alice,
      target: () => alice,
      password: 'a-fine-new-password',
      oldPassword: () => bob.password,
      status: 422,
      errors: [['oldPassword', 'incorrect']],
    },
    {
      name: 'a short password with the right oldPassword',
      caller: () => alice,
      target: () => alice,
      password: 'short',
      oldPassword: () => alice.password,
      status: 422,
      errors: [['password', 'min']],
    },
    {
      name: 'a password of 257 characters with the right oldPassword',
      caller: () => alice,
      target: () => alice,
      password: 'p'.repeat(257),
      oldPassword: () => alice.password,
      status: 422,
      errors: [['password', 'max']],
    },
    {
      name: 'a short password and a wrong oldPassword: both at once',
      caller: () => alice,
      target: () => alice,
      password: 'short',
      oldPassword: 'not-the-current-one',
      status: 422,
      errors: [
        ['password', 'min'],
        ['oldPassword', 'incorrect'],
      ],
    },
    { name: 'anonymous', caller: () => null, target: () => alice, password: 'anonymous-try-1', status: 401 },
    {
      name: "another user's password",
      caller: () => bob,
      target: () => alice,
      password: 'takeover-try-1',
      oldPassword: 'whatever-pass',
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
    test(`${row.name}: ${row.status}`, async () => {
      const target = row.target();
      const spare = (await relogin(target)).token;
      const before = { record: await t.store.get('users', target.id), hash: await hashOf(target.id) };
      const payload: Record<string, unknown> = {
        password: typeof row.password === 'string' ? secret(row.password) : row.password,
      };
      const oldPassword = typeof row.oldPassword === 'function' ? row.oldPassword() : row.oldPassword;
      if (oldPassword !== undefined)
        payload.oldPassword = typeof oldPassword === 'string' ? old(oldPassword) : oldPassword;
      const res = await t.request({
        method: 'PATCH',
        url: `/api/users/${target.id}`,
        payload,
        headers: bearer(row.caller()),
      });
      assertRefused(res, row.status);
      if (row.errors) {
        const problem = json(res);
        assert.deepEqual(
          (problem.errors as { field: string; code: string }[]).map((e) => [e.field, e.code]),
          row.errors,
        );
        for (const [field] of row.errors) assert.match(String(problem.detail), new RegExp(field, 'i'));
      }
      assert.deepEqual(
        { record: await t.store.get('users', target.id), hash: await hashOf(target.id) },
        before,
      );
      assert.equal(await works(target.token), true, 'sessions untouched');
      assert.equal(await works(spare), true, 'sessions untouched');
    });
  }

  test('oldPassword alone changes nothing and is not an unknown field', async () => {
    const hash = await hashOf(alice.id);
    const res = await t.request({
      method: 'PATCH',
      url: `/api/users/${alice.id}`,
      payload: { name: 'Alice A.', oldPassword: old(alice.password) },
      headers: bearer(alice),
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(json(res).name, 'Alice A.');
    assert.equal(json(res).oldPassword, undefined);
    assert.equal((await t.store.get('users', alice.id))?.name, 'Alice A.');
    assert.equal(await hashOf(alice.id), hash);
    assert.equal(await works(alice.token), true);
  });

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

describe('an admin changes their own password', () => {
  test('without oldPassword: 200, their other sessions revoked, this one kept', async () => {
    const boss = await registerAndLogin(t, 'boss@example.com', true);
    const spare = (await relogin(boss)).token;
    const password = secret('boss-new-password-1');
    const res = await t.request({
      method: 'PATCH',
      url: `/api/users/${boss.id}`,
      payload: { password },
      headers: bearer(boss),
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(await verifyPassword(await hashOf(boss.id), password), true);
    assert.equal(await works(boss.token), true);
    assert.equal(await works(spare), false);
  });
});

describe('guessing the current password', () => {
  test('wrong oldPasswords count as failed logins: after 10 from one address, 429', async () => {
    const carol = await registerAndLogin(t, 'carol@example.com');
    for (let i = 0; i < 10; i++) {
      const res = await t.request({
        method: 'PATCH',
        url: `/api/users/${carol.id}`,
        payload: { password: 'a-fine-new-password', oldPassword: old(`guess-number-${i}`) },
        headers: bearer(carol),
        remoteAddress: '10.20.0.1',
      });
      assertProblem(res, 422);
    }
    const res = await t.request({
      method: 'PATCH',
      url: `/api/users/${carol.id}`,
      payload: { password: 'a-fine-new-password', oldPassword: carol.password },
      headers: bearer(carol),
      remoteAddress: '10.20.0.1',
    });
    assertProblem(res, 429);
    assert.match(String(res.headers['retry-after']), /^[0-9]+$/);
    assert.equal(await verifyPassword(await hashOf(carol.id), carol.password), true);
    assert.equal(
      (await login(t, carol.email, carol.password, { remoteAddress: '10.20.0.2' })).statusCode,
      200,
    );
  });
});

test(
  'no oldPassword reached the database files',
  ON_POSTGRES ? { skip: 'reads the SQLite files' } : {},
  () => {
    assert.ok(oldPasswords.size > 0);
    const files = readdirSync(t.dir).filter((f) => f.startsWith('data.db'));
    assert.ok(files.length > 0, 'the database files are there');
    for (const file of files) {
      const bytes = readFileSync(join(t.dir, file)).toString('latin1');
      for (const p of oldPasswords) assert.ok(!bytes.includes(p), `${p} found in ${file}`);
    }
  },
);

leakScan();
