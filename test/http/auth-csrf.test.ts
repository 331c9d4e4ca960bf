/**
 * CSRF (PRODUCT.md, Details: Users, rules, sessions; HTTP.md, Forms and
 * CSRF): a cookie-authenticated unsafe request passes only from the server's
 * own origin (publicUrl's when configured), or without Origin when
 * Sec-Fetch-Site is same-origin or none, or with neither header. Bearer
 * tokens are not subject to it. A refusal is a 403 problem and writes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { HTTPMethods, LightMyRequestResponse } from 'fastify';
import type { UserConfig } from '../../src/config/types.js';
import { json, type TestApp } from '../harness.js';
import {
  authApp,
  bearer,
  leakScan,
  registerAndLogin,
  SESSION_COOKIE,
  seed,
  sessionOf,
  type User,
} from './auth-helpers.js';
import { assertProblem, stored } from './helpers.js';

const RULES = { list: 'auth', view: 'auth', create: 'auth', update: 'auth', delete: 'auth' };
const CONFIG: UserConfig = { collections: { notes: { fields: { title: { type: 'text' } }, rules: RULES } } };
const CSRF_TYPE = 'https://methodical.dev/problems/cross-origin-request';
const METHODS: HTTPMethods[] = ['POST', 'PUT', 'PATCH', 'DELETE'];

interface Via {
  cookies?: Record<string, string>;
  headers?: Record<string, string>;
}

/** One unsafe request on notes; checks the stored state for a refusal or a success. */
async function attempt(
  t: TestApp,
  method: HTTPMethods,
  headers: Record<string, string>,
  via: Via,
  ok: boolean,
) {
  const record = await seed(t, 'notes', { title: 'before' });
  const before = await stored(t, 'notes');
  const url = method === 'POST' ? '/api/notes' : `/api/notes/${record.id}`;
  const res = await t.request({
    method,
    url,
    headers: { ...headers, ...via.headers },
    cookies: via.cookies,
    payload: method === 'DELETE' ? undefined : { title: 'after' },
  });
  if (!ok) {
    assertProblem(res, 403, { type: CSRF_TYPE, title: 'Cross-origin request refused' });
    assert.deepEqual(await stored(t, 'notes'), before, 'nothing was written');
    return res;
  }
  assert.ok(res.statusCode < 300, `${res.statusCode}: ${res.body}`);
  const after = await stored(t, 'notes');
  if (method === 'POST') assert.equal(after.length, before.length + 1);
  else if (method === 'DELETE') assert.equal(await t.store.get('notes', record.id), undefined);
  else assert.equal((await t.store.get('notes', record.id))?.title, 'after');
  return res;
}

describe('with the session cookie', () => {
  let t: TestApp;
  let user: User;
  before(async () => {
    t = await authApp(CONFIG);
    user = await registerAndLogin(t, 'cookie@example.com');
  });
  after(() => t.close());

  const rows: { name: string; headers: Record<string, string>; ok: boolean }[] = [
    { name: 'a foreign Origin', headers: { origin: 'https://evil.example' }, ok: false },
    { name: 'Origin: null', headers: { origin: 'null' }, ok: false },
    { name: 'an unparseable Origin', headers: { origin: 'not a url' }, ok: false },
    { name: 'our origin on another port', headers: { origin: 'http://localhost:3000' }, ok: false },
    { name: 'our host over another scheme', headers: { origin: 'https://localhost' }, ok: false },
    { name: 'the same Origin', headers: { origin: 'http://localhost' }, ok: true },
    { name: 'the same Origin with its default port', headers: { origin: 'http://localhost:80' }, ok: true },
    {
      name: "the Host header's origin",
      headers: { host: 'api.example:8080', origin: 'http://api.example:8080' },
      ok: true,
    },
    {
      name: 'an Origin other than Host',
      headers: { host: 'api.example:8080', origin: 'http://localhost' },
      ok: false,
    },
    {
      name: 'no Origin, Sec-Fetch-Site: same-origin',
      headers: { 'sec-fetch-site': 'same-origin' },
      ok: true,
    },
    { name: 'no Origin, Sec-Fetch-Site: none', headers: { 'sec-fetch-site': 'none' }, ok: true },
    { name: 'no Origin, Sec-Fetch-Site: cross-site', headers: { 'sec-fetch-site': 'cross-site' }, ok: false },
    { name: 'no Origin, Sec-Fetch-Site: same-site', headers: { 'sec-fetch-site': 'same-site' }, ok: false },
    {
      name: 'a foreign Origin with Sec-Fetch-Site: same-origin',
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'same-origin' },
      ok: false,
    },
    { name: 'neither header (not a browser)', headers: {}, ok: true },
  ];
  for (const row of rows) {
    for (const method of METHODS) {
      test(`${method} with ${row.name}: ${row.ok ? 'passes' : '403'}`, async () => {
        await attempt(t, method, row.headers, { cookies: { [SESSION_COOKIE]: user.token } }, row.ok);
      });
    }
  }

  test('safe methods are not checked: GET from a foreign Origin passes', async () => {
    const res = await t.request({
      method: 'GET',
      url: '/api/notes',
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      cookies: { [SESSION_COOKIE]: user.token },
    });
    assert.equal(res.statusCode, 200, res.body);
  });

  test('logout from a foreign Origin: 403 and the session stays', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { origin: 'https://evil.example' },
      cookies: { [SESSION_COOKIE]: user.token },
    });
    assertProblem(res, 403, { type: CSRF_TYPE });
    assert.equal(res.headers['set-cookie'], undefined, 'the cookie is not cleared');
    assert.ok(await sessionOf(t, user.token));
  });

  test('a stale cookie is anonymous, so the rule answers (401), not CSRF', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/api/notes',
      headers: { origin: 'https://evil.example' },
      cookies: { [SESSION_COOKIE]: 'stale' },
      payload: { title: 'x' },
    });
    assertProblem(res, 401);
  });

  for (const method of METHODS) {
    test(`${method} with a bearer token from a foreign Origin passes`, async () => {
      await attempt(
        t,
        method,
        { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
        { headers: bearer(user) },
        true,
      );
    });
  }
});

describe('own origin behind a proxy', () => {
  const rows: { name: string; config: UserConfig; headers: Record<string, string>; ok: boolean }[] = [
    {
      name: 'publicUrl, Origin = publicUrl',
      config: { publicUrl: 'https://api.example' },
      headers: { origin: 'https://api.example' },
      ok: true,
    },
    {
      name: 'publicUrl with a path, Origin = its origin',
      config: { publicUrl: 'https://api.example/app' },
      headers: { origin: 'https://api.example' },
      ok: true,
    },
    {
      name: "publicUrl, Origin = the Host's",
      config: { publicUrl: 'https://api.example' },
      headers: { origin: 'http://localhost' },
      ok: false,
    },
    {
      name: 'trustProxy with X-Forwarded-Proto: https, Origin https://',
      config: { trustProxy: true },
      headers: { host: 'api.example', 'x-forwarded-proto': 'https', origin: 'https://api.example' },
      ok: true,
    },
    {
      name: 'trustProxy with X-Forwarded-Proto: https, Origin http://',
      config: { trustProxy: true },
      headers: { host: 'api.example', 'x-forwarded-proto': 'https', origin: 'http://api.example' },
      ok: false,
    },
    {
      name: 'trustProxy with X-Forwarded-Host, Origin = the forwarded origin',
      config: { trustProxy: true },
      headers: {
        host: 'backend:3000',
        'x-forwarded-host': 'api.example',
        'x-forwarded-proto': 'https',
        origin: 'https://api.example',
      },
      ok: true,
    },
    {
      name: 'X-Forwarded-Host without trustProxy is ignored',
      config: {},
      headers: { host: 'backend:3000', 'x-forwarded-host': 'evil.example', origin: 'http://evil.example' },
      ok: false,
    },
    {
      // nginx's `proxy_set_header Host $host` drops the port; X-Forwarded-Port says it.
      name: 'trustProxy, Host without its port plus X-Forwarded-Port',
      config: { trustProxy: true },
      headers: { host: 'localhost', 'x-forwarded-port': '8080', origin: 'http://localhost:8080' },
      ok: true,
    },
    {
      name: 'trustProxy, X-Forwarded-Host with a port: X-Forwarded-Port does not add another',
      config: { trustProxy: true },
      headers: {
        host: 'backend:3000',
        'x-forwarded-host': 'localhost:8080',
        'x-forwarded-port': '9999',
        origin: 'http://localhost:8080',
      },
      ok: true,
    },
    {
      name: 'X-Forwarded-Port without trustProxy is ignored',
      config: {},
      headers: { host: 'localhost', 'x-forwarded-port': '8080', origin: 'http://localhost:8080' },
      ok: false,
    },
    {
      name: 'trustProxy with Forwarded proto= and host=',
      config: { trustProxy: true },
      headers: {
        host: 'backend:3000',
        forwarded: 'for=192.0.2.1;proto=https;host=api.example',
        origin: 'https://api.example',
      },
      ok: true,
    },
    {
      name: 'trustProxy with Forwarded, quoted host with a port, last element counts',
      config: { trustProxy: true },
      headers: {
        host: 'backend:3000',
        forwarded: 'host=evil.example;proto=http, for="[2001:db8::1]";host="api.example:8443";proto=https',
        origin: 'https://api.example:8443',
      },
      ok: true,
    },
    {
      name: 'trustProxy with Forwarded, Origin = the host before the proxy',
      config: { trustProxy: true },
      headers: {
        host: 'backend:3000',
        forwarded: 'proto=https;host=api.example',
        origin: 'http://backend:3000',
      },
      ok: false,
    },
    {
      name: 'Forwarded without trustProxy is ignored',
      config: {},
      headers: {
        host: 'backend:3000',
        forwarded: 'proto=http;host=evil.example',
        origin: 'http://evil.example',
      },
      ok: false,
    },
    {
      name: 'trustedOrigins: a listed front-end origin',
      config: { trustedOrigins: ['http://localhost:5173'] },
      headers: { origin: 'http://localhost:5173' },
      ok: true,
    },
    {
      name: 'trustedOrigins: the own origin still passes',
      config: { trustedOrigins: ['http://localhost:5173'] },
      headers: { origin: 'http://localhost' },
      ok: true,
    },
    {
      name: 'trustedOrigins: another port of the listed host',
      config: { trustedOrigins: ['http://localhost:5173'] },
      headers: { origin: 'http://localhost:5174' },
      ok: false,
    },
    {
      name: 'trustedOrigins: Origin: null is never trusted',
      config: { trustedOrigins: ['http://localhost:5173'] },
      headers: { origin: 'null' },
      ok: false,
    },
  ];
  for (const row of rows) {
    test(`${row.name}: ${row.ok ? 'passes' : '403'}`, async () => {
      const t = await authApp({ ...CONFIG, ...row.config });
      try {
        const user = await registerAndLogin(t, 'proxy@example.com');
        const res: LightMyRequestResponse = await attempt(
          t,
          'POST',
          row.headers,
          { cookies: { [SESSION_COOKIE]: user.token } },
          row.ok,
        );
        if (row.ok) assert.equal(json(res).title, 'after');
      } finally {
        await t.close();
      }
    });
  }
});

describe('the 403 says what it saw, what it expected and which settings fix it', () => {
  const rows: { name: string; config: UserConfig; headers: Record<string, string>; says: string[] }[] = [
    {
      name: 'a stock proxy without trustProxy',
      config: {},
      headers: { host: '127.0.0.1:3000', origin: 'http://localhost:8080' },
      says: [
        'Origin http://localhost:8080',
        'own origin is http://127.0.0.1:3000',
        'publicUrl',
        'trustProxy',
      ],
    },
    {
      name: 'publicUrl set to another origin',
      config: { publicUrl: 'https://api.example' },
      headers: { origin: 'https://www.example' },
      says: ['Origin https://www.example', 'own origin is https://api.example', 'publicUrl', 'trustProxy'],
    },
    {
      name: 'trustedOrigins listed',
      config: { trustedOrigins: ['http://localhost:5173'] },
      headers: { origin: 'http://localhost:5174' },
      says: ['Origin http://localhost:5174', 'trustedOrigins (http://localhost:5173)'],
    },
    {
      name: 'no Origin, cross-site',
      config: {},
      headers: { 'sec-fetch-site': 'cross-site' },
      says: ['no Origin and Sec-Fetch-Site: cross-site', 'own origin is http://localhost'],
    },
    { name: 'Origin: null', config: {}, headers: { origin: 'null' }, says: ['Origin: null'] },
  ];
  for (const row of rows) {
    test(row.name, async () => {
      const t = await authApp({ ...CONFIG, ...row.config });
      try {
        const user = await registerAndLogin(t, 'detail@example.com');
        const res = await attempt(
          t,
          'POST',
          row.headers,
          { cookies: { [SESSION_COOKIE]: user.token } },
          false,
        );
        const detail = String(json(res).detail);
        for (const part of row.says)
          assert.ok(detail.includes(part), `${JSON.stringify(part)} in: ${detail}`);
      } finally {
        await t.close();
      }
    });
  }
});

leakScan();
