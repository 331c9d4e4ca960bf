/**
 * CORS (HTTP.md, CORS): off by default; with `cors.origins`, a preflight
 * needs no auth and answers 204 with the exact origin, the methods and the
 * requested headers; credentials never go with `*`; `Vary: Origin`; ETag,
 * Location, Link and Idempotent-Replayed are exposed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { UserConfig } from '../../src/config/types.js';
import type { TestApp } from '../harness.js';
import {
  authApp,
  bearer,
  leakScan,
  registerAndLogin,
  SESSION_COOKIE,
  type User,
  varyOf,
} from './auth-helpers.js';
import { assertProblem } from './helpers.js';

const APP = 'https://app.example';
const collections: UserConfig['collections'] = {
  notes: {
    fields: { title: { type: 'text' } },
    rules: { list: 'auth', view: 'auth', create: 'auth', update: 'owner', delete: 'owner' },
  },
};

function list(header: string | string[] | undefined): string[] {
  return String(header ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
}

function preflight(t: TestApp, origin: string, method: string, headers?: string) {
  return t.request({
    method: 'OPTIONS',
    url: '/api/notes/abc',
    headers: {
      origin,
      'access-control-request-method': method,
      ...(headers ? { 'access-control-request-headers': headers } : {}),
    },
  });
}

describe('with cors.origins', () => {
  let t: TestApp;
  let user: User;
  before(async () => {
    t = await authApp({ cors: { origins: [APP] }, collections });
    user = await registerAndLogin(t, 'cors@example.com');
  });
  after(() => t.close());

  const preflights = [
    { method: 'DELETE', headers: 'authorization, if-match' },
    { method: 'PATCH', headers: 'authorization, content-type, idempotency-key, if-match' },
    { method: 'POST', headers: 'content-type' },
    { method: 'PUT', headers: undefined },
  ];
  for (const row of preflights) {
    test(`preflight for ${row.method} (${row.headers ?? 'no headers'}): 204 without auth`, async () => {
      const res = await preflight(t, APP, row.method, row.headers);
      assert.equal(res.statusCode, 204, res.body);
      assert.equal(res.body, '');
      assert.equal(res.headers['access-control-allow-origin'], APP, 'the exact origin');
      assert.equal(res.headers['access-control-allow-credentials'], 'true');
      assert.ok(list(res.headers['access-control-allow-methods']).includes(row.method.toLowerCase()));
      const allowed = list(res.headers['access-control-allow-headers']);
      for (const h of list(row.headers)) assert.ok(allowed.includes(h), `${h} allowed: ${allowed}`);
      assert.ok(varyOf(res).includes('origin'));
      assert.equal(res.headers['www-authenticate'], undefined);
    });
  }

  test('a preflight from a disallowed origin gets no Access-Control-Allow-Origin', async () => {
    const res = await preflight(t, 'https://evil.example', 'DELETE', 'authorization');
    assert.equal(res.headers['access-control-allow-origin'], undefined);
    assert.ok(varyOf(res).includes('origin'));
  });

  test('an actual response: exact origin, credentials, exposed headers, Vary: Origin', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/api/notes',
      headers: { origin: APP, 'idempotency-key': 'cors-1', ...bearer(user) },
      payload: { title: 'cross' },
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.headers['access-control-allow-origin'], APP);
    assert.equal(res.headers['access-control-allow-credentials'], 'true');
    const exposed = list(res.headers['access-control-expose-headers']);
    for (const h of ['etag', 'location', 'link', 'idempotent-replayed'])
      assert.ok(exposed.includes(h), `${h}`);
    for (const h of ['origin', 'authorization', 'cookie']) assert.ok(varyOf(res).includes(h), `Vary ${h}`);
    const replay = await t.request({
      method: 'POST',
      url: '/api/notes',
      headers: { origin: APP, 'idempotency-key': 'cors-1', ...bearer(user) },
      payload: { title: 'cross' },
    });
    assert.equal(replay.headers['idempotent-replayed'], 'true');
    assert.ok(list(replay.headers['access-control-expose-headers']).includes('idempotent-replayed'));
    assert.equal(replay.headers['access-control-allow-origin'], APP);
  });

  test('a list from an allowed origin exposes Link', async () => {
    const res = await t.request({
      method: 'GET',
      url: '/api/notes',
      headers: { origin: APP, ...bearer(user) },
    });
    assert.equal(res.statusCode, 200);
    assert.ok(res.headers.link);
    assert.equal(res.headers['access-control-allow-origin'], APP);
    assert.ok(list(res.headers['access-control-expose-headers']).includes('link'));
  });

  test('an actual response to a disallowed origin has no Access-Control-Allow-Origin', async () => {
    const res = await t.request({
      method: 'GET',
      url: '/api/notes',
      headers: { origin: 'https://evil.example', ...bearer(user) },
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['access-control-allow-origin'], undefined);
  });

  test('an error answer to an allowed origin still varies on Origin', {}, async () => {
    const res = await t.request({ method: 'GET', url: '/api/notes', headers: { origin: APP } });
    assertProblem(res, 401);
    assert.equal(res.headers['access-control-allow-origin'], APP);
    assert.ok(varyOf(res).includes('origin'), `Vary: ${res.headers.vary}`);
  });

  test('CORS does not relax CSRF: a cookie-authenticated write from an allowed origin is refused', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/api/notes',
      headers: { origin: APP },
      cookies: { [SESSION_COOKIE]: user.token },
      payload: { title: 'by cookie' },
    });
    assertProblem(res, 403, { type: 'https://methodical.dev/problems/cross-origin-request' });
  });
});

describe('with cors.origins ["*"]', () => {
  let t: TestApp;
  before(async () => {
    t = await authApp({ cors: { origins: ['*'] }, collections });
  });
  after(() => t.close());

  test('any origin, never with credentials', async () => {
    const pre = await preflight(t, 'https://anyone.example', 'PATCH', 'authorization');
    assert.equal(pre.statusCode, 204);
    assert.equal(pre.headers['access-control-allow-origin'], '*');
    assert.equal(pre.headers['access-control-allow-credentials'], undefined);
    const res = await t.request({
      method: 'GET',
      url: '/api/notes',
      headers: { origin: 'https://anyone.example' },
    });
    assert.equal(res.headers['access-control-allow-origin'], '*');
    assert.equal(res.headers['access-control-allow-credentials'], undefined);
  });
});

describe('without cors config', () => {
  let t: TestApp;
  before(async () => {
    t = await authApp({ collections });
  });
  after(() => t.close());

  test('no CORS headers at all; OPTIONS is the plain Allow answer', async () => {
    const pre = await preflight(t, APP, 'DELETE', 'authorization');
    assert.equal(pre.statusCode, 204);
    assert.ok(pre.headers.allow);
    assert.equal(pre.headers['access-control-allow-origin'], undefined);
    assert.equal(pre.headers['access-control-allow-methods'], undefined);
  });
});

leakScan();
