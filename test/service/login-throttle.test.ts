/**
 * LoginThrottle without HTTP, with the default limits (10 per email and
 * address, 50 per address, 100 per email from anywhere, 10 min window, 60 s
 * slow-down): the many-addresses slow-down never asks for more than 60 s
 * and never stops the right password from a new address, and the in-memory
 * counter stays within its key cap.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validateConfig } from '../../src/config/validate.js';
import { LoginThrottle, MemoryAttemptCounter } from '../../src/service/login-throttle.js';
import { isProblem } from '../../src/util/problem.js';

const DEFAULTS = validateConfig({}, 'methodical.config.json', process.cwd()).auth.loginThrottle;
const T0 = Date.parse('2030-06-01T12:00:00Z');

/** The Retry-After seconds of a refused attempt, or 0 when it was let through (and settled as `outcome`). */
function attempt(
  throttle: LoginThrottle,
  email: string,
  address: string,
  at: number,
  outcome: 'failed' | 'succeeded' = 'failed',
): number {
  try {
    throttle.begin(email, address, at).settle(outcome);
    return 0;
  } catch (error) {
    assert.ok(isProblem(error) && error.status === 429, String(error));
    return Number(error.headers['Retry-After']);
  }
}

describe('the default limits', () => {
  test('100 failures for one email from many addresses slow it down by at most 60 s', () => {
    assert.deepEqual(DEFAULTS, {
      perEmail: 10,
      perAddress: 50,
      perEmailTotal: 100,
      windowSeconds: 600,
      slowDownSeconds: 60,
    });
    const throttle = new LoginThrottle(DEFAULTS);
    // 25 addresses, 4 tries each, one second apart: 100 failures, each address under its own limits.
    for (let i = 0; i < 100; i++) {
      assert.equal(attempt(throttle, 'ann@x.example', `10.0.0.${i % 25}`, T0 + i * 1000), 0, `try ${i}`);
    }
    const now = T0 + 100_000;
    // A new address (the owner's): let through at once.
    assert.equal(attempt(throttle, 'ann@x.example', '192.0.2.1', now, 'succeeded'), 0);
    // An address that tried 1 s ago waits 59 s; the longest any address waits is 60 s.
    assert.equal(attempt(throttle, 'ann@x.example', '10.0.0.24', now), 59);
    let longest = 0;
    for (let i = 0; i < 25; i++) {
      longest = Math.max(longest, attempt(throttle, 'ann@x.example', `10.0.0.${i}`, now));
    }
    assert.ok(longest > 0 && longest <= 60, `longest wait ${longest}`);
    // Once it has waited, that address may try again.
    assert.equal(attempt(throttle, 'ann@x.example', '10.0.0.24', now + 59_000, 'succeeded'), 0);
    // Other emails are not slowed down.
    assert.equal(attempt(throttle, 'ben@x.example', '10.0.0.24', now), 0);
  });

  test('one address: 10 failures for an email, 50 in all', () => {
    const throttle = new LoginThrottle(DEFAULTS);
    for (let i = 0; i < 10; i++) assert.equal(attempt(throttle, 'ann@x.example', '10.0.0.1', T0), 0);
    assert.equal(attempt(throttle, 'ann@x.example', '10.0.0.1', T0 + 1000), 599);
    for (let i = 0; i < 40; i++) assert.equal(attempt(throttle, `u${i}@x.example`, '10.0.0.1', T0), 0);
    assert.equal(attempt(throttle, 'new@x.example', '10.0.0.1', T0 + 10_000), 590);
    assert.equal(attempt(throttle, 'ann@x.example', '10.0.0.2', T0 + 10_000, 'succeeded'), 0);
  });

  test('an attempt that ended in an error (neither outcome) does not count', () => {
    const throttle = new LoginThrottle({ ...DEFAULTS, perEmail: 1 });
    throttle.begin('ann@x.example', '10.0.0.1', T0).settle('abandoned');
    assert.equal(attempt(throttle, 'ann@x.example', '10.0.0.1', T0), 0);
    assert.equal(attempt(throttle, 'ann@x.example', '10.0.0.1', T0), 600);
  });
});

describe('memory stays bounded', () => {
  test('past its cap the counter forgets the least recently touched keys', () => {
    const counter = new MemoryAttemptCounter(100);
    const throttle = new LoginThrottle(DEFAULTS, counter);
    for (let i = 0; i < 1000; i++) attempt(throttle, `u${i}@x.example`, `10.0.${i >> 8}.${i & 255}`, T0 + i);
    assert.ok(counter.size <= 100, `size ${counter.size}`);
  });

  test('very long emails are kept as hashes: still counted apart, and together when equal', () => {
    const throttle = new LoginThrottle({ ...DEFAULTS, perEmail: 2 });
    const long = (c: string) => `${'x'.repeat(100_000)}${c}@x.example`;
    for (let i = 0; i < 2; i++) assert.equal(attempt(throttle, long('a'), '10.0.0.1', T0), 0);
    assert.equal(attempt(throttle, long('a'), '10.0.0.1', T0), 600);
    assert.equal(attempt(throttle, long('b'), '10.0.0.1', T0), 0);
  });

  test('each key keeps no more times than its limit, and expired times go when read', () => {
    const counter = new MemoryAttemptCounter();
    for (let i = 0; i < 1000; i++) counter.record('k', T0 + i, 10);
    assert.deepEqual(
      counter.recent('k', 0),
      Array.from({ length: 10 }, (_, i) => T0 + 990 + i),
    );
    assert.deepEqual(
      counter.recent('k', T0 + 995),
      [995, 996, 997, 998, 999].map((i) => T0 + i),
    );
    assert.deepEqual(counter.recent('k', T0 + 2000), []);
    assert.equal(counter.size, 0);
  });
});
