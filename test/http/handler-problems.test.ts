/**
 * A 401 that a route handler (`ctx.problem`) or a hook (`ctx.reject`)
 * answers is a 401 like the server's own: it carries WWW-Authenticate
 * (HTTP.md, Errors), as the OpenAPI document says every 401 does.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PUBLIC_RULES, type TestApp, testApp } from '../harness.js';
import { assertProblem, stored } from './helpers.js';

let t: TestApp;
before(async () => {
  t = await testApp({
    collections: { notes: { fields: { text: { type: 'text' } }, rules: PUBLIC_RULES } },
    hooks: {
      notes: {
        beforeCreate: (ctx) => {
          if (ctx.record?.text === 'members only') ctx.reject(401, 'Sign in to post members-only notes.');
        },
      },
    },
    routes: {
      'GET /members': (ctx) => ctx.problem(401, 'Sign in to see the members.'),
      'GET /teapot': (ctx) => ctx.problem(418, 'Not a 401.'),
    },
  });
});
after(() => t.close());

const cases = [
  { name: 'a handler', method: 'GET', url: '/members', payload: undefined, detail: /see the members/ },
  {
    name: 'a hook',
    method: 'POST',
    url: '/api/notes',
    payload: { text: 'members only' },
    detail: /members-only/,
  },
] as const;

for (const c of cases) {
  test(`a 401 from ${c.name} carries WWW-Authenticate`, async () => {
    const res = await t.request({ method: c.method, url: c.url, payload: c.payload });
    assertProblem(res, 401, { detail: c.detail });
    assert.equal(res.headers['www-authenticate'], 'Bearer realm="methodical"');
    assert.deepEqual(await stored(t, 'notes'), []);
  });
}

test('another status from a handler names no scheme', async () => {
  const res = await t.request({ method: 'GET', url: '/teapot' });
  assert.equal(res.headers['www-authenticate'], undefined);
});
