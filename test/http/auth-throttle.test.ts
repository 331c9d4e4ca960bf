/**
 * Failed logins (PRODUCT.md, Users, rules, sessions): an unknown email and
 * a wrong password answer the same 401; failures per (email, client
 * address) and per client address answer 429 with Retry-After from that
 * address only, until the window passes; a success clears that address's
 * count for that email; the right password from another address still logs
 * in; failures for one email from many addresses only slow it down (429
 * with a Retry-After of at most the slow-down). Each scenario runs on its
 * own app with its own clock, moved by hand, never waited for.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import type { UserConfig } from '../../src/config/types.js';
import { json, type TestApp } from '../harness.js';
import {
  authApp,
  THROTTLE_LIMITS as LIMITS,
  leakScan,
  login,
  registerAndLogin,
  THROTTLE_SLOW_DOWN as SLOW_DOWN,
  THROTTLE_START as START,
  sessionOf,
  type User,
  THROTTLE_WINDOW as WINDOW,
  WWW_AUTHENTICATE,
} from './auth-helpers.js';
import { assertProblem, movableClock, stableHeaders } from './helpers.js';

/** One login attempt of a scenario. */
interface Step {
  /** Seconds the clock moves before this step. */
  advance?: number;
  /** The email to use: ann's (default), ben's, or another; `#` is replaced by the repetition's index. */
  email?: string;
  /** The right password of ann or ben (default: a wrong one). */
  right?: boolean;
  /** The connection's address; `#` is replaced by the repetition's index. */
  from: string;
  /** An X-Forwarded-For header; `#` as in `from`. */
  forwardedFor?: string;
  /** Run the step this many times (default 1). */
  times?: number;
  expect: 200 | 401 | 429;
  /** The exact Retry-After of a 429. */
  retryAfter?: number;
}

interface Scenario {
  name: string;
  config?: UserConfig;
  /** The most any 429 of the scenario may ask to wait (default: the window). */
  maxRetryAfter?: number;
  steps: Step[];
}

const ANN = 'ann@example.com';
const BEN = 'ben@example.com';

const SCENARIOS: Scenario[] = [
  {
    name: 'per email and address: 429 from that address until the window passes; another address still logs in',
    steps: [
      { from: '10.0.0.1', times: 3, expect: 401 },
      { from: '10.0.0.1', right: true, expect: 429, retryAfter: WINDOW },
      { from: '10.0.0.2', right: true, expect: 200 },
      { from: '10.0.0.1', email: BEN, right: true, expect: 200 },
      { advance: 30, from: '10.0.0.1', right: true, expect: 429, retryAfter: 30 },
      { advance: 29, from: '10.0.0.1', right: true, expect: 429, retryAfter: 1 },
      { advance: 1, from: '10.0.0.1', right: true, expect: 200 },
    ],
  },
  {
    name: 'the email counts in any case and with spaces around it',
    steps: [
      { from: '10.0.0.1', email: 'ANN@Example.com', expect: 401 },
      { from: '10.0.0.1', email: ' ann@example.COM ', times: 2, expect: 401 },
      { from: '10.0.0.1', email: 'Ann@Example.Com', right: true, expect: 429, retryAfter: WINDOW },
    ],
  },
  {
    name: 'failures leave the window one by one',
    steps: [
      { from: '10.0.0.1', expect: 401 },
      { advance: 10, from: '10.0.0.1', times: 2, expect: 401 },
      { from: '10.0.0.1', expect: 429, retryAfter: 50 },
      { advance: 50, from: '10.0.0.1', expect: 401 },
      { from: '10.0.0.1', right: true, expect: 429, retryAfter: 10 },
    ],
  },
  {
    name: 'a success from an address clears its count for that email',
    steps: [
      { from: '10.0.0.1', times: 2, expect: 401 },
      { from: '10.0.0.1', right: true, expect: 200 },
      { from: '10.0.0.1', times: 2, expect: 401 },
      { from: '10.0.0.1', right: true, expect: 200 },
      // Four failures from there so far: the fifth makes the address reach its own limit.
      { from: '10.0.0.1', expect: 401 },
      { from: '10.0.0.1', right: true, expect: 429, retryAfter: WINDOW },
    ],
  },
  {
    name: 'a success from another address does not clear the count of the first one',
    steps: [
      { from: '10.0.0.1', times: 3, expect: 401 },
      { from: '10.0.0.2', right: true, expect: 200 },
      { from: '10.0.0.1', right: true, expect: 429, retryAfter: WINDOW },
    ],
  },
  {
    name: 'per address: failures for many emails throttle every login from it, and only from it',
    steps: [
      { from: '10.0.0.1', email: 'stranger#@example.com', times: 4, expect: 401 },
      { from: '10.0.0.1', right: true, expect: 200 },
      { from: '10.0.0.1', email: 'stranger9@example.com', expect: 401 },
      { from: '10.0.0.1', right: true, expect: 429, retryAfter: WINDOW },
      { from: '10.0.0.1', email: BEN, right: true, expect: 429, retryAfter: WINDOW },
      { from: '10.0.0.2', right: true, expect: 200 },
      { advance: WINDOW, from: '10.0.0.1', right: true, expect: 200 },
    ],
  },
  {
    name: 'one email from many addresses: slowed down to one try per address per slow-down, never longer',
    maxRetryAfter: SLOW_DOWN,
    steps: [
      { from: '10.1.0.#', times: 6, expect: 401 },
      { from: '10.2.0.1', right: true, expect: 200 },
      { from: '10.1.0.0', expect: 429, retryAfter: SLOW_DOWN },
      { from: '10.1.0.0', right: true, expect: 429, retryAfter: SLOW_DOWN },
      { advance: 5, from: '10.1.0.1', right: true, expect: 429, retryAfter: SLOW_DOWN - 5 },
      { advance: SLOW_DOWN - 5, from: '10.1.0.0', expect: 401 },
      { from: '10.1.0.0', right: true, expect: 429, retryAfter: SLOW_DOWN },
      { from: '10.1.0.1', right: true, expect: 200 },
      { from: '10.3.0.#', times: 3, expect: 401 },
      { from: '10.3.0.0', right: true, expect: 429, retryAfter: SLOW_DOWN },
      { from: '10.1.0.0', email: BEN, right: true, expect: 200 },
      { advance: SLOW_DOWN, from: '10.1.0.0', right: true, expect: 200 },
    ],
  },
  {
    name: 'the slow-down ends with the window',
    maxRetryAfter: SLOW_DOWN,
    steps: [
      { from: '10.1.0.#', times: 6, expect: 401 },
      { from: '10.1.0.0', right: true, expect: 429, retryAfter: SLOW_DOWN },
      { advance: WINDOW, from: '10.1.0.0', times: 2, expect: 401 },
      { from: '10.1.0.0', right: true, expect: 200 },
    ],
  },
  {
    name: 'with trustProxy the client address is the X-Forwarded-For one',
    config: { trustProxy: true },
    steps: [
      { from: '10.9.9.9', forwardedFor: '203.0.113.1', times: 3, expect: 401 },
      { from: '10.9.9.9', forwardedFor: '203.0.113.1', right: true, expect: 429, retryAfter: WINDOW },
      { from: '10.9.9.9', forwardedFor: '203.0.113.2', right: true, expect: 200 },
      { from: '10.9.9.9', right: true, expect: 200 },
    ],
  },
  {
    name: 'without trustProxy X-Forwarded-For is ignored',
    steps: [
      { from: '10.9.9.9', forwardedFor: '203.0.113.#', times: 3, expect: 401 },
      { from: '10.9.9.9', forwardedFor: '203.0.113.7', right: true, expect: 429, retryAfter: WINDOW },
    ],
  },
];

function assertUnauthorized(res: LightMyRequestResponse): void {
  assertProblem(res, 401);
  assert.equal(res.headers['www-authenticate'], WWW_AUTHENTICATE);
  assert.equal(res.headers['set-cookie'], undefined);
}

/** Asserts a 429 with a whole number of seconds to wait, at most `max`, and no session; returns the seconds. */
function assertThrottled(res: LightMyRequestResponse, max: number): number {
  const problem = assertProblem(res, 429, { title: 'Too Many Requests' });
  const retryAfter = String(res.headers['retry-after']);
  assert.match(retryAfter, /^[0-9]+$/);
  const seconds = Number(retryAfter);
  assert.ok(seconds > 0 && seconds <= max, `Retry-After ${seconds} is within 1..${max}`);
  assert.match(String(problem.detail), new RegExp(`try again in ${seconds} s`));
  assert.equal(res.headers['set-cookie'], undefined, 'no session');
  assert.equal(problem.token, undefined);
  return seconds;
}

describe('login throttling scenarios', () => {
  for (const scenario of SCENARIOS) {
    test(scenario.name, async () => {
      const clock = movableClock(START);
      const t = await authApp({ ...scenario.config, auth: { loginThrottle: LIMITS } }, { now: clock.now });
      try {
        const users: Record<string, User> = {
          [ANN]: await registerAndLogin(t, ANN),
          [BEN]: await registerAndLogin(t, BEN),
        };
        let n = 0;
        for (const [i, step] of scenario.steps.entries()) {
          clock.advance((step.advance ?? 0) * 1000);
          for (let k = 0; k < (step.times ?? 1); k++) {
            const fill = (s: string) => s.replaceAll('#', String(k));
            const email = fill(step.email ?? ANN);
            const user = users[email.trim().toLowerCase()];
            const password = step.right ? user.password : `wrong-password-${n++}`;
            const res = await login(t, email, password, {
              remoteAddress: fill(step.from),
              headers: step.forwardedFor ? { 'x-forwarded-for': fill(step.forwardedFor) } : {},
            });
            const where = `step ${i} (${k}): ${res.statusCode} ${res.body}`;
            assert.equal(res.statusCode, step.expect, where);
            if (step.expect === 401) assertUnauthorized(res);
            if (step.expect === 429) {
              const seconds = assertThrottled(res, scenario.maxRetryAfter ?? WINDOW);
              if (step.retryAfter !== undefined) assert.equal(seconds, step.retryAfter, where);
            }
            if (step.expect === 200) {
              const body = json(res);
              assert.equal((body.user as { id: string }).id, user.id, where);
              assert.ok(await sessionOf(t, body.token as string, clock.now()), `a stored session: ${where}`);
            }
          }
        }
      } finally {
        await t.close();
      }
    });
  }
});

describe('failed logins look alike; concurrent guesses', () => {
  const clock = movableClock(START);
  let t: TestApp;
  let ann: User;
  before(async () => {
    t = await authApp({ auth: { loginThrottle: LIMITS } }, { now: clock.now });
    ann = await registerAndLogin(t, ANN);
  });
  after(() => t.close());

  test('unknown email and wrong password: the same status, headers and body', async () => {
    const unknown = await login(t, 'nobody@example.com', 'whatever-pass', { remoteAddress: '10.1.0.1' });
    const wrong = await login(t, ann.email, 'whatever-pass', { remoteAddress: '10.1.0.2' });
    assertUnauthorized(unknown);
    assertUnauthorized(wrong);
    assert.equal(unknown.body, wrong.body);
    assert.deepEqual(stableHeaders(unknown), stableHeaders(wrong));
    assert.doesNotMatch(unknown.body, /nobody|ann@/, 'the body does not echo the email');
  });

  const invalid = [
    { name: 'no password', payload: { email: ANN }, fields: ['password'] },
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

  const swarms = [
    { name: 'for one email from one address', email: () => ann.email, limit: LIMITS.perEmail },
    { name: 'for many emails from one address', email: (i: number) => `swarm${i}@x.example`, limit: 5 },
  ];
  for (const swarm of swarms) {
    test(`concurrent failures ${swarm.name} cannot slip past the limit`, async () => {
      clock.advance((WINDOW + 1) * 1000);
      const attempts = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          login(t, swarm.email(i), `wrong-pass-${i}`, { remoteAddress: '10.4.0.1' }),
        ),
      );
      const statuses = attempts.map((r) => r.statusCode).sort();
      assert.ok(
        statuses.every((s) => s === 401 || s === 429),
        String(statuses),
      );
      assert.equal(statuses.filter((s) => s === 401).length, swarm.limit, String(statuses));
      assertThrottled(await login(t, ann.email, ann.password, { remoteAddress: '10.4.0.1' }), WINDOW);
      assert.equal((await login(t, ann.email, ann.password, { remoteAddress: '10.4.0.2' })).statusCode, 200);
    });
  }
});

describe('default limits', () => {
  let t: TestApp;
  const clock = movableClock(START);
  before(async () => {
    t = await authApp({}, { now: clock.now });
  });
  after(() => t.close());

  test('10 failures for one email from one address within 10 minutes: 429 from there only', async () => {
    const user = await registerAndLogin(t, 'dee@example.com');
    for (let i = 0; i < 10; i++) {
      clock.advance(1000);
      const res = await login(t, user.email, `wrong-pass-${i}`, { remoteAddress: '10.7.0.1' });
      assert.equal(res.statusCode, 401, `failure ${i + 1}`);
    }
    const res = await login(t, user.email, user.password, { remoteAddress: '10.7.0.1' });
    assert.equal(assertThrottled(res, 600), 600 - 9);
    const elsewhere = await login(t, user.email, user.password, { remoteAddress: '10.7.0.2' });
    assert.equal(elsewhere.statusCode, 200, elsewhere.body);
  });
});

leakScan();
