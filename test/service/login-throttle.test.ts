/**
 * LoginThrottle without HTTP, with the default limits (10 per email and
 * address, 50 per address, 100 per email from anywhere, 10 min window, 60 s
 * slow-down): the many-addresses slow-down never asks for more than 60 s
 * and never stops the right password from a new address. The counts live
 * in a store (an in-memory SQLite one here).
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { validateConfig } from '../../src/config/validate.js';
import { LoginThrottle, type LoginThrottleLimits } from '../../src/service/login-throttle.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { isProblem } from '../../src/util/problem.js';

const DEFAULTS = validateConfig({}, 'methodical.config.json', process.cwd()).auth.loginThrottle;
const T0 = Date.parse('2030-06-01T12:00:00Z');

const stores: Store[] = [];
after(() => Promise.all(stores.map((s) => s.close())));

/** A throttle over a store of its own. */
function throttleOf(limits: LoginThrottleLimits): LoginThrottle {
  const store = new SqliteStore({ path: ':memory:', collections: {} });
  stores.push(store);
  return new LoginThrottle(limits, store);
}

/** The Retry-After seconds of a refused attempt, or 0 when it was let through (and settled as `outcome`). */
async function attempt(
  throttle: LoginThrottle,
  email: string,
  address: string,
  at: number,
  outcome: 'failed' | 'succeeded' = 'failed',
): Promise<number> {
  try {
    await (await throttle.begin(email, address, at)).settle(outcome);
    return 0;
  } catch (error) {
    assert.ok(isProblem(error) && error.status === 429, String(error));
    return Number(error.headers['Retry-After']);
  }
}

describe('the default limits', async () => {
  test('100 failures for one email from many addresses slow it down by at most 60 s', async () => {
    assert.deepEqual(DEFAULTS, {
      perEmail: 10,
      perAddress: 50,
      perEmailTotal: 100,
      windowSeconds: 600,
      slowDownSeconds: 60,
    });
    const throttle = throttleOf(DEFAULTS);
    // 25 addresses, 4 tries each, one second apart: 100 failures, each address under its own limits.
    for (let i = 0; i < 100; i++) {
      assert.equal(
        await attempt(throttle, 'ann@x.example', `10.0.0.${i % 25}`, T0 + i * 1000),
        0,
        `try ${i}`,
      );
    }
    const now = T0 + 100_000;
    // A new address (the owner's): let through at once.
    assert.equal(await attempt(throttle, 'ann@x.example', '192.0.2.1', now, 'succeeded'), 0);
    // An address that tried 1 s ago waits 59 s; the longest any address waits is 60 s.
    assert.equal(await attempt(throttle, 'ann@x.example', '10.0.0.24', now), 59);
    let longest = 0;
    for (let i = 0; i < 25; i++) {
      longest = Math.max(longest, await attempt(throttle, 'ann@x.example', `10.0.0.${i}`, now));
    }
    assert.ok(longest > 0 && longest <= 60, `longest wait ${longest}`);
    // Once it has waited, that address may try again.
    assert.equal(await attempt(throttle, 'ann@x.example', '10.0.0.24', now + 59_000, 'succeeded'), 0);
    // Other emails are not slowed down.
    assert.equal(await attempt(throttle, 'ben@x.example', '10.0.0.24', now), 0);
  });

  test('one address: 10 failures for an email, 50 in all', async () => {
    const throttle = throttleOf(DEFAULTS);
    for (let i = 0; i < 10; i++) assert.equal(await attempt(throttle, 'ann@x.example', '10.0.0.1', T0), 0);
    assert.equal(await attempt(throttle, 'ann@x.example', '10.0.0.1', T0 + 1000), 599);
    for (let i = 0; i < 40; i++) assert.equal(await attempt(throttle, `u${i}@x.example`, '10.0.0.1', T0), 0);
    assert.equal(await attempt(throttle, 'new@x.example', '10.0.0.1', T0 + 10_000), 590);
    assert.equal(await attempt(throttle, 'ann@x.example', '10.0.0.2', T0 + 10_000, 'succeeded'), 0);
  });

  test('an attempt that ended in an error (neither outcome) does not count', async () => {
    const throttle = throttleOf({ ...DEFAULTS, perEmail: 1 });
    await (await throttle.begin('ann@x.example', '10.0.0.1', T0)).settle('abandoned');
    assert.equal(await attempt(throttle, 'ann@x.example', '10.0.0.1', T0), 0);
    assert.equal(await attempt(throttle, 'ann@x.example', '10.0.0.1', T0), 600);
  });
});

describe('keys stay bounded', () => {
  test('very long emails are kept as hashes: still counted apart, and together when equal', async () => {
    const throttle = throttleOf({ ...DEFAULTS, perEmail: 2 });
    const long = (c: string) => `${'x'.repeat(100_000)}${c}@x.example`;
    for (let i = 0; i < 2; i++) assert.equal(await attempt(throttle, long('a'), '10.0.0.1', T0), 0);
    assert.equal(await attempt(throttle, long('a'), '10.0.0.1', T0), 600);
    assert.equal(await attempt(throttle, long('b'), '10.0.0.1', T0), 0);
  });
});
