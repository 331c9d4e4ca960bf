/**
 * The built-in users collection and its default rules (PRODUCT.md, Details:
 * Users, rules, sessions): list admin only; view, update and delete self or
 * admin; create only through register; `admin` only set by administrators.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { HTTPMethods } from 'fastify';
import { json, type TestApp } from '../harness.js';
import {
  authApp,
  bearer,
  leakScan,
  login,
  passwordOf,
  registerAndLogin,
  sessionOf,
  type User,
} from './auth-helpers.js';
import { stored } from './helpers.js';
import { assertRefused, INVALID_TOKEN } from './rules-helpers.js';

let t: TestApp;
let alice: User;
let bob: User;
let admin: User;

before(async () => {
  t = await authApp({});
  alice = await registerAndLogin(t, 'alice@example.com');
  bob = await registerAndLogin(t, 'bob@example.com');
  admin = await registerAndLogin(t, 'admin@example.com', true);
});
after(() => t.close());

const who = (name: 'anonymous' | 'alice' | 'bob' | 'admin'): User | null =>
  ({ anonymous: null, alice, bob, admin })[name];

describe('list', () => {
  const rows = [
    { caller: 'anonymous', status: 401 },
    { caller: 'alice', status: 403 },
    { caller: 'admin', status: 200 },
  ] as const;
  for (const row of rows) {
    test(`${row.caller}: ${row.status}`, async () => {
      const res = await t.request({ method: 'GET', url: '/api/users', headers: bearer(who(row.caller)) });
      if (row.status !== 200) return assertRefused(res, row.status);
      assert.equal(res.statusCode, 200, res.body);
      const body = json(res);
      const users = await stored(t, 'users');
      assert.equal(body.totalItems, users.length);
      assert.deepEqual(body.items, users);
      for (const user of users) {
        assert.deepEqual(Object.keys(user), ['id', 'email', 'name', 'admin', 'created', 'updated']);
      }
    });
  }
});

describe('view, update and delete: self or admin', () => {
  const rows = [
    { caller: 'anonymous', target: 'alice', view: 401, update: 401 },
    { caller: 'alice', target: 'alice', view: 200, update: 200 },
    { caller: 'alice', target: 'bob', view: 404, update: 404 },
    { caller: 'bob', target: 'alice', view: 404, update: 404 },
    { caller: 'admin', target: 'bob', view: 200, update: 200 },
  ] as const;
  for (const row of rows) {
    test(`${row.caller} views ${row.target}: ${row.view}`, async () => {
      const target = who(row.target)!;
      const res = await t.request({
        method: 'GET',
        url: `/api/users/${target.id}`,
        headers: bearer(who(row.caller)),
      });
      if (row.view !== 200) return assertRefused(res, row.view);
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(json(res), await t.store.get('users', target.id));
    });

    for (const method of ['PATCH', 'PUT'] as const) {
      test(`${row.caller} ${method}es ${row.target}'s name: ${row.update}`, async () => {
        const target = who(row.target)!;
        const before = await t.store.get('users', target.id);
        const name = `${row.caller} was here (${method})`;
        const payload = method === 'PUT' ? { email: target.email, name } : { name };
        const res = await t.request({
          method,
          url: `/api/users/${target.id}`,
          payload,
          headers: bearer(who(row.caller)),
        });
        const after = await t.store.get('users', target.id);
        if (row.update !== 200) {
          assertRefused(res, row.update);
          assert.deepEqual(after, before, 'nothing changed');
          return;
        }
        assert.equal(res.statusCode, 200, res.body);
        assert.deepEqual(json(res), after);
        assert.equal(after?.name, name);
        assert.equal(after?.admin, false, 'PUT without admin leaves the flag alone');
      });
    }
  }

  const deletes = [
    { caller: 'anonymous', target: 'alice', status: 401 },
    { caller: 'alice', target: 'bob', status: 404 },
  ] as const;
  for (const row of deletes) {
    test(`${row.caller} deletes ${row.target}: ${row.status}, nothing deleted`, async () => {
      const target = who(row.target)!;
      const before = await t.store.get('users', target.id);
      const res = await t.request({
        method: 'DELETE',
        url: `/api/users/${target.id}`,
        headers: bearer(who(row.caller)),
      });
      assertRefused(res, row.status);
      assert.deepEqual(await t.store.get('users', target.id), before);
      assert.ok(await sessionOf(t, target.token), 'their session lives on');
    });
  }

  for (const deleter of ['self', 'admin'] as const) {
    test(`deleted by ${deleter}: 204, gone, every session revoked`, async () => {
      const doomed = await registerAndLogin(t, `doomed-by-${deleter}@example.com`);
      const second = json(await login(t, doomed.email, doomed.password)).token as string;
      const res = await t.request({
        method: 'DELETE',
        url: `/api/users/${doomed.id}`,
        headers: bearer(deleter === 'self' ? doomed : admin),
      });
      assert.equal(res.statusCode, 204, res.body);
      assert.equal(await t.store.get('users', doomed.id), undefined);
      for (const token of [doomed.token, second]) {
        assert.equal(await sessionOf(t, token), undefined, 'session removed from the store');
        const me = await t.request({
          method: 'GET',
          url: '/api/auth/me',
          headers: { authorization: `Bearer ${token}` },
        });
        assertRefused(me, 401, INVALID_TOKEN);
      }
    });
  }
});

describe('create only through register', () => {
  // /api/users takes no POST at all (its Allow says so): 405; a PUT to a new id is the create rule's 403.
  const attempts: {
    caller: 'anonymous' | 'alice' | 'admin';
    method: HTTPMethods;
    url: string;
    status: 403 | 405;
  }[] = [
    { caller: 'anonymous', method: 'POST', url: '/api/users', status: 405 },
    { caller: 'alice', method: 'POST', url: '/api/users', status: 405 },
    { caller: 'admin', method: 'POST', url: '/api/users', status: 405 },
    { caller: 'anonymous', method: 'PUT', url: '/api/users/newuser1', status: 403 },
    { caller: 'admin', method: 'PUT', url: '/api/users/newuser1', status: 403 },
  ];
  for (const row of attempts) {
    test(`${row.method} ${row.url} by ${row.caller}: ${row.status}, nothing created`, async () => {
      const before = await stored(t, 'users');
      const res = await t.request({
        method: row.method,
        url: row.url,
        payload: { email: 'sneaky@example.com', name: 'Sneaky' },
        headers: bearer(who(row.caller)),
      });
      assertRefused(res, row.status);
      if (row.status === 405) assert.equal(res.headers.allow, 'GET, HEAD, OPTIONS');
      assert.deepEqual(await stored(t, 'users'), before);
    });
  }
});

describe('the admin flag', () => {
  const attempts = [
    { method: 'PATCH', payload: { admin: true } },
    { method: 'PUT', payload: { email: 'alice@example.com', admin: true } },
  ] as const;
  for (const row of attempts) {
    test(`a user cannot make themselves admin with ${row.method}: 403, unchanged`, async () => {
      const before = await t.store.get('users', alice.id);
      const res = await t.request({
        method: row.method,
        url: `/api/users/${alice.id}`,
        payload: row.payload,
        headers: bearer(alice),
      });
      assertRefused(res, 403);
      assert.deepEqual(await t.store.get('users', alice.id), before);
      assertRefused(await t.request({ method: 'GET', url: '/api/users', headers: bearer(alice) }), 403);
    });
  }

  test('an admin can grant and take it back; the session follows at once', async () => {
    const grant = await t.request({
      method: 'PATCH',
      url: `/api/users/${bob.id}`,
      payload: { admin: true },
      headers: bearer(admin),
    });
    assert.equal(grant.statusCode, 200, grant.body);
    assert.equal((await t.store.get('users', bob.id))?.admin, true);
    assert.equal(
      (await t.request({ method: 'GET', url: '/api/users', headers: bearer(bob) })).statusCode,
      200,
    );
    const revoke = await t.request({
      method: 'PATCH',
      url: `/api/users/${bob.id}`,
      payload: { admin: false },
      headers: bearer(admin),
    });
    assert.equal(revoke.statusCode, 200, revoke.body);
    assert.equal((await t.store.get('users', bob.id))?.admin, false);
    assertRefused(await t.request({ method: 'GET', url: '/api/users', headers: bearer(bob) }), 403);
  });
});

describe('emails are stored lowercased', () => {
  test('when a user changes theirs, and they log in with it', {}, async () => {
    const res = await t.request({
      method: 'PATCH',
      url: `/api/users/${bob.id}`,
      payload: { email: 'Bob.Renamed@Example.COM' },
      headers: bearer(bob),
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal((await t.store.get('users', bob.id))?.email, 'bob.renamed@example.com');
    assert.equal(json(res).email, 'bob.renamed@example.com');
    const again = await login(t, 'bob.renamed@example.com', passwordOf('bob@example.com'));
    assert.equal(again.statusCode, 200, again.body);
  });

  test("another user's email with an upper-case local part is the same email: 409", {}, async () => {
    const before = await t.store.get('users', alice.id);
    const res = await t.request({
      method: 'PATCH',
      url: `/api/users/${alice.id}`,
      payload: { email: 'ADMIN@example.com' },
      headers: bearer(alice),
    });
    assert.equal(res.statusCode, 409, res.body);
    assert.deepEqual(await t.store.get('users', alice.id), before);
  });

  test("taking another user's email with another domain case: 409, unchanged", async () => {
    const before = await t.store.get('users', alice.id);
    const res = await t.request({
      method: 'PATCH',
      url: `/api/users/${alice.id}`,
      payload: { email: 'admin@EXAMPLE.com' },
      headers: bearer(alice),
    });
    assert.equal(res.statusCode, 409, res.body);
    assert.deepEqual(json(res).errors, [
      { field: 'email', code: 'unique', message: 'must be unique: another record has this value' },
    ]);
    assert.deepEqual(await t.store.get('users', alice.id), before);
  });
});

leakScan();
