/**
 * Failed logins (PRODUCT.md, Users and auth; Details: Users, rules,
 * sessions): an unknown email and a wrong password answer the same 401 with
 * WWW-Authenticate; repeated failures per email or per client address answer
 * 429 with Retry-After until the window passes; a success clears the email's
 * count. The clock is moved by hand, never waited for.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { json, type TestApp } from '../harness.js';
import { authApp, leakScan, login, registerAndLogin, type User, WWW_AUTHENTICATE } from './auth-helpers.js';
import { assertProblem, movableClock, stableHeaders } from './helpers.js';

const clock = movableClock(Date.parse('2030-06-01T12:00:00Z'));
const WINDOW = 60;
let t: TestApp;
let users: Record<'ann' | 'ben' | 'cat' | 'dan' | 'eve', User>;

before(async () => {
  t = await authApp(
    { auth: { loginThrottle: { perEmail: 3, perAddress: 5, window: WINDOW } } },
    { now: clock.now },
  );
  users = {
    ann: await registerAndLogin(t, 'ann@example.com'),
    ben: await registerAndLogin(t, 'ben@example.com'),
    cat: await registerAndLogin(t, 'cat@example.com'),
    dan: await registerAndLogin(t, 'dan@example.com'),
    eve: await registerAndLogin(t, 'eve@example.com'),
  };
});
after(() => t.close());

/** Asserts a 429 with a whole number of seconds to wait, and returns it. */
function assertThrottled(res: LightMyRequestResponse): number {
  assertProblem(res, 429, { title: 'Too Many Requests' });
  const retryAfter = String(res.headers['retry-after']);
  assert.match(retryAfter, /^[0-9]+$/);
  const seconds = Number(retryAfter);
  assert.ok(seconds > 0 && seconds <= WINDOW, `Retry-After ${seconds}`);
  assert.equal(res.headers['set-cookie'], undefined, 'no session');
  return seconds;
}

function assertUnauthorized(res: LightMyRequestResponse): void {
  assertProblem(res, 401);
  assert.equal(res.headers['www-authenticate'], WWW_AUTHENTICATE);
  assert.equal(res.headers['set-cookie'], undefined);
}

describe('failed logins look alike', () => {
  test('unknown email and wrong password: the same status, headers and body', async () => {
    const unknown = await login(t, 'nobody@example.com', 'whatever-pass', { remoteAddress: '10.1.0.1' });
    const wrong = await login(t, users.ann.email, 'whatever-pass', { remoteAddress: '10.1.0.2' });
    assertUnauthorized(unknown);
    assertUnauthorized(wrong);
    assert.equal(unknown.body, wrong.body);
    assert.deepEqual(stableHeaders(unknown), stableHeaders(wrong));
    assert.doesNotMatch(unknown.body, /nobody|ann@/, 'the body does not echo the email');
  });

  const invalid = [
    { name: 'no password', payload: { email: 'ann@example.com' }, fields: ['password'] },
    { name: 'no email', payload: { password: 'whatever-pass' }, fields: ['email'] },
    { name: 'an empty body object', payload: {}, fields: ['email', 'password'] },
  ];
  for (const row of invalid) {
    test(`${row.name}: 422 naming the missing fields`, async () => {
      const res = await t.request({ method: 'POST', url: '/api/auth/login', payload: row.payload });
      const problem = assertProblem(res, 422);
      assert.deepEqual(
        (problem.errors as { field: string }[]).map((e) => e.field),
        row.fields,
      );
    });
  }
});

describe('throttling per email', () => {
  test('after perEmail failures even the right password gets 429 until the window passes', async () => {
    const { ben } = users;
    for (let i = 0; i < 3; i++) {
      assertUnauthorized(await login(t, ben.email, `wrong-pass-${i}`, { remoteAddress: '10.2.0.1' }));
    }
    assert.equal(
      assertThrottled(await login(t, ben.email, ben.password, { remoteAddress: '10.2.0.1' })),
      WINDOW,
    );
    const elsewhere = await login(t, 'BEN@example.com', ben.password, { remoteAddress: '10.2.0.2' });
    assert.equal(assertThrottled(elsewhere), WINDOW, 'per email, from any address, in any case');
    clock.advance(30_000);
    assert.equal(assertThrottled(await login(t, ben.email, ben.password, { remoteAddress: '10.2.0.3' })), 30);
    clock.advance(31_000);
    const res = await login(t, ben.email, ben.password, { remoteAddress: '10.2.0.1' });
    assert.equal(res.statusCode, 200, res.body);
  });

  test('a success clears that email’s count', async () => {
    const { cat } = users;
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 2; i++) {
        assertUnauthorized(
          await login(t, cat.email, `wrong-pass-${i}`, { remoteAddress: `10.3.${round}.${i}` }),
        );
      }
      const res = await login(t, cat.email, cat.password, { remoteAddress: `10.3.${round}.9` });
      assert.equal(res.statusCode, 200, `round ${round}: ${res.body}`);
    }
  });

  test('concurrent failures cannot slip past the limit', async () => {
    const { eve } = users;
    const attempts = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        login(t, eve.email, `wrong-pass-${i}`, { remoteAddress: `10.4.0.${i}` }),
      ),
    );
    const statuses = attempts.map((r) => r.statusCode).sort();
    assert.ok(
      statuses.filter((s) => s === 401).length <= 3,
      `at most perEmail guesses were checked: ${statuses}`,
    );
    assert.ok(
      statuses.every((s) => s === 401 || s === 429),
      String(statuses),
    );
    assertThrottled(await login(t, eve.email, eve.password, { remoteAddress: '10.4.1.1' }));
    clock.advance((WINDOW + 1) * 1000);
  });
});

describe('throttling per client address', () => {
  test('after perAddress failures from one address, any login from it gets 429', async () => {
    const { dan } = users;
    for (let i = 0; i < 5; i++) {
      assertUnauthorized(
        await login(t, `stranger${i}@example.com`, 'whatever-pass', { remoteAddress: '10.5.0.1' }),
      );
    }
    assertThrottled(await login(t, dan.email, dan.password, { remoteAddress: '10.5.0.1' }));
    const elsewhere = await login(t, dan.email, dan.password, { remoteAddress: '10.5.0.2' });
    assert.equal(elsewhere.statusCode, 200, 'other addresses are not affected');
    clock.advance((WINDOW + 1) * 1000);
    const later = await login(t, dan.email, dan.password, { remoteAddress: '10.5.0.1' });
    assert.equal(later.statusCode, 200, later.body);
  });

  test('concurrent failures from one address cannot slip past the limit', async () => {
    const attempts = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        login(t, `swarm${i}@example.com`, 'whatever-pass', { remoteAddress: '10.8.0.1' }),
      ),
    );
    const statuses = attempts.map((r) => r.statusCode).sort();
    assert.ok(
      statuses.filter((s) => s === 401).length <= 5,
      `at most perAddress guesses were checked: ${statuses}`,
    );
    assert.ok(
      statuses.every((s) => s === 401 || s === 429),
      String(statuses),
    );
    assertThrottled(await login(t, users.dan.email, users.dan.password, { remoteAddress: '10.8.0.1' }));
  });

  test('a success does not clear the address count', async () => {
    const { dan } = users;
    for (let i = 0; i < 4; i++) {
      assertUnauthorized(
        await login(t, `roamer${i}@example.com`, 'whatever-pass', { remoteAddress: '10.6.0.1' }),
      );
    }
    assert.equal((await login(t, dan.email, dan.password, { remoteAddress: '10.6.0.1' })).statusCode, 200);
    assertUnauthorized(await login(t, 'roamer9@example.com', 'whatever-pass', { remoteAddress: '10.6.0.1' }));
    assertThrottled(await login(t, dan.email, dan.password, { remoteAddress: '10.6.0.1' }));
  });
});

describe('default limits', () => {
  let defaults: TestApp;
  before(async () => {
    defaults = await authApp({});
  });
  after(() => defaults.close());

  test('10 failures for one email within 10 minutes: the 11th login gets 429', async () => {
    const user = await registerAndLogin(defaults, 'dee@example.com');
    for (let i = 0; i < 10; i++) {
      const res = await login(defaults, user.email, `wrong-pass-${i}`, { remoteAddress: '10.7.0.1' });
      assert.equal(res.statusCode, 401, `failure ${i + 1}`);
    }
    const res = await login(defaults, user.email, user.password, { remoteAddress: '10.7.0.2' });
    assertProblem(res, 429);
    const seconds = Number(res.headers['retry-after']);
    assert.ok(Number.isInteger(seconds) && seconds > 0 && seconds <= 600, `Retry-After ${seconds}`);
    assert.equal(json(res).status, 429);
  });
});

leakScan();
