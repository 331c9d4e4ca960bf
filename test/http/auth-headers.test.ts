/**
 * Headers around authentication (HTTP.md, Validators and caching; Errors;
 * Idempotency keys): caller-dependent answers are `private, no-cache` and
 * vary on Authorization and Cookie, security headers are always present,
 * and Idempotency-Keys are scoped to the caller.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { UserConfig } from '../../src/config/types.js';
import { json, type TestApp } from '../harness.js';
import {
  authApp,
  bearer,
  leakScan,
  login,
  passwordOf,
  registerAndLogin,
  SESSION_COOKIE,
  seed,
  type User,
  varyOf,
} from './auth-helpers.js';
import { stored } from './helpers.js';

const CONFIG: UserConfig = {
  collections: {
    notes: {
      fields: { title: { type: 'text' } },
      rules: { list: 'public', view: 'public', create: 'public', update: 'owner', delete: 'owner' },
    },
    secrets: { fields: { title: { type: 'text' } }, rules: { list: 'admin', view: 'owner' } },
  },
};

let t: TestApp;
let alice: User;
let bob: User;
let noteId: string;

before(async () => {
  t = await authApp(CONFIG);
  alice = await registerAndLogin(t, 'alice@example.com');
  bob = await registerAndLogin(t, 'bob@example.com');
  noteId = (await seed(t, 'notes', { title: 'hello', owner: alice.id })).id;
});
after(() => t.close());

type Caller = 'anonymous' | 'bearer' | 'cookie';
function as(caller: Caller, o: InjectOptions): InjectOptions {
  if (caller === 'bearer') return { ...o, headers: { ...o.headers, ...bearer(alice) } };
  if (caller === 'cookie') return { ...o, cookies: { [SESSION_COOKIE]: alice.token } };
  return o;
}

const READS: { name: string; options: () => InjectOptions; anonymous: boolean }[] = [
  { name: 'GET a list', options: () => ({ method: 'GET', url: '/api/notes' }), anonymous: true },
  { name: 'GET a record', options: () => ({ method: 'GET', url: `/api/notes/${noteId}` }), anonymous: true },
  {
    name: 'HEAD a record',
    options: () => ({ method: 'HEAD', url: `/api/notes/${noteId}` }),
    anonymous: true,
  },
  { name: 'GET me', options: () => ({ method: 'GET', url: '/api/auth/me' }), anonymous: false },
  {
    name: 'POST',
    options: () => ({ method: 'POST', url: '/api/notes', payload: { title: 'x' } }),
    anonymous: true,
  },
  {
    name: 'PATCH',
    options: () => ({ method: 'PATCH', url: `/api/notes/${noteId}`, payload: { title: 'patched' } }),
    anonymous: false,
  },
];

describe('Cache-Control and Vary', () => {
  for (const row of READS) {
    for (const caller of ['anonymous', 'bearer', 'cookie'] as const) {
      if (caller === 'anonymous' && !row.anonymous) continue;
      const expected = caller === 'anonymous' ? 'no-cache' : 'private, no-cache';
      test(`${row.name} as ${caller}: Cache-Control: ${expected}; Vary names Authorization and Cookie`, async () => {
        const res = await t.request(as(caller, row.options()));
        assert.ok(res.statusCode < 300, `${res.statusCode}: ${res.body}`);
        assert.equal(res.headers['cache-control'], expected);
        for (const name of ['accept', 'authorization', 'cookie']) {
          assert.ok(varyOf(res).includes(name), `Vary ${res.headers.vary} names ${name}`);
        }
      });
    }
  }

  test('login and register vary on the credentials too; login is never stored', async () => {
    const res = await login(t, alice.email, alice.password);
    assert.equal(res.headers['cache-control'], 'no-store');
    for (const name of ['authorization', 'cookie']) assert.ok(varyOf(res).includes(name));
    const reg = await t.request({
      method: 'POST',
      url: '/api/auth/register',
      payload: { email: 'carol@example.com', password: passwordOf('carol@example.com') },
    });
    assert.equal(reg.statusCode, 201);
    for (const name of ['authorization', 'cookie']) assert.ok(varyOf(reg).includes(name));
  });

  const refusals: { name: string; request: () => InjectOptions; status: number }[] = [
    {
      name: 'anonymous view of an owner record',
      request: () => ({ method: 'GET', url: '/api/secrets/x' }),
      status: 401,
    },
    {
      name: 'a non-admin list',
      request: () => ({ method: 'GET', url: '/api/secrets', headers: bearer(bob) }),
      status: 403,
    },
    {
      name: "another user's record",
      request: () => ({ method: 'DELETE', url: `/api/notes/${noteId}`, headers: bearer(bob) }),
      status: 403,
    },
  ];
  for (const row of refusals) {
    test(`a refusal that depends on the caller (${row.name}) varies on Authorization and Cookie`, {}, async () => {
      const res = await t.request(row.request());
      assert.equal(res.statusCode, row.status);
      for (const name of ['accept', 'authorization', 'cookie']) {
        assert.ok(varyOf(res).includes(name), `Vary ${res.headers.vary} names ${name}`);
      }
    });
  }
});

describe('security headers (helmet)', () => {
  const responses: { name: string; request: () => InjectOptions }[] = [
    { name: 'a record', request: () => ({ method: 'GET', url: `/api/notes/${noteId}` }) },
    {
      name: 'a login',
      request: () => ({ method: 'POST', url: '/api/auth/login', payload: { email: 'x@example.com' } }),
    },
    { name: 'a 401 problem', request: () => ({ method: 'GET', url: '/api/auth/me' }) },
    { name: 'a 404', request: () => ({ method: 'GET', url: '/nowhere' }) },
  ];
  for (const row of responses) {
    test(`on ${row.name}`, async () => {
      const res = await t.request(row.request());
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/);
      assert.ok(res.headers['referrer-policy']);
      assert.ok(res.headers['x-frame-options']);
      assert.equal(res.headers['x-powered-by'], undefined);
    });
  }
});

describe('Idempotency-Key is scoped to the caller', () => {
  async function post(key: string, o: Partial<InjectOptions> = {}): Promise<LightMyRequestResponse> {
    return t.request({
      method: 'POST',
      url: '/api/notes',
      payload: { title: 'same body' },
      ...o,
      headers: { 'idempotency-key': key, ...o.headers },
    });
  }

  test('two users with the same key and body each get their own record, and their own replay', async () => {
    const before = (await stored(t, 'notes')).length;
    const a1 = await post('shared-key', { headers: bearer(alice) });
    const b1 = await post('shared-key', { headers: bearer(bob) });
    assert.equal(a1.statusCode, 201, a1.body);
    assert.equal(b1.statusCode, 201, b1.body);
    assert.equal(b1.headers['idempotent-replayed'], undefined, "bob does not get alice's answer");
    assert.notEqual(json(a1).id, json(b1).id);
    assert.deepEqual([json(a1).owner, json(b1).owner], [alice.id, bob.id]);
    assert.equal((await stored(t, 'notes')).length, before + 2);

    const a2 = await post('shared-key', { headers: bearer(alice) });
    const b2 = await post('shared-key', { cookies: { [SESSION_COOKIE]: bob.token } });
    assert.equal(a2.headers['idempotent-replayed'], 'true');
    assert.equal(b2.headers['idempotent-replayed'], 'true', 'the same user through another credential');
    assert.equal(a2.body, a1.body);
    assert.equal(b2.body, b1.body);
    assert.equal((await stored(t, 'notes')).length, before + 2, 'replays write nothing');
  });

  test("anonymous callers are scoped by address and never see a user's replay", async () => {
    const before = (await stored(t, 'notes')).length;
    const mine = await post('anon-key', { headers: bearer(alice) });
    const first = await post('anon-key', { remoteAddress: '192.0.2.1' });
    const second = await post('anon-key', { remoteAddress: '192.0.2.2' });
    const retry = await post('anon-key', { remoteAddress: '192.0.2.1' });
    assert.deepEqual(
      [mine, first, second, retry].map((r) => [r.statusCode, r.headers['idempotent-replayed']]),
      [
        [201, undefined],
        [201, undefined],
        [201, undefined],
        [201, 'true'],
      ],
    );
    assert.equal(new Set([mine, first, second].map((r) => json(r).id)).size, 3);
    assert.equal(json(first).owner, null);
    assert.equal(retry.body, first.body);
    assert.equal((await stored(t, 'notes')).length, before + 3);
  });
});

leakScan();
