/**
 * A node holds no state another node needs (PRODUCT.md, Scale-out): two
 * apps over two stores on one SQLite file stand for two nodes behind a load
 * balancer. Failed logins through one count on the other (throttling is in
 * the database, not in a process), and a session made through one works
 * through the other until it is revoked through either. Requests go one at
 * a time: two SQLite writers in one process would wait on each other's
 * lock with the event loop blocked (separate processes do not).
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import type { UserConfig } from '../../src/config/types.js';
import { json, type TestApp } from '../harness.js';
import {
  authApp,
  THROTTLE_LIMITS as LIMITS,
  leakScan,
  login,
  passwordOf,
  registerAndLogin,
  SESSION_COOKIE,
  THROTTLE_SLOW_DOWN as SLOW_DOWN,
  THROTTLE_START as START,
  sessionOf,
  type User,
  THROTTLE_WINDOW as WINDOW,
  WWW_AUTHENTICATE,
} from './auth-helpers.js';
import { assertProblem, movableClock } from './helpers.js';
import { assertRefused } from './rules-helpers.js';

/** Two nodes on one database file, sharing a clock. */
interface Nodes {
  a: TestApp;
  b: TestApp;
  close(): Promise<void>;
}

async function twoNodes(config: UserConfig, now: () => Date): Promise<Nodes> {
  const a = await authApp(config, { now });
  const b = await authApp(config, { now, dir: a.dir });
  return {
    a,
    b,
    async close() {
      // Each TestApp's close empties the shared folder: close the apps and stores first, then remove it once.
      for (const t of [b, a]) {
        await t.app.close();
        await t.store.close();
      }
      rmSync(a.dir, { recursive: true, force: true });
    },
  };
}

const ANN = 'ann@example.com';
const BEN = 'ben@example.com';

interface Step {
  /** The node the request goes through. */
  via: 'a' | 'b';
  advance?: number;
  email?: string;
  right?: boolean;
  from: string;
  /** `#` in `from` is replaced by the repetition's index. */
  times?: number;
  expect: 200 | 401 | 429;
  retryAfter?: number;
}

const SCENARIOS: { name: string; steps: Step[] }[] = [
  {
    name: 'failures for one email from one address add up across nodes',
    steps: [
      { via: 'a', from: '10.0.0.1', times: 2, expect: 401 },
      { via: 'b', from: '10.0.0.1', expect: 401 },
      { via: 'a', from: '10.0.0.1', right: true, expect: 429, retryAfter: WINDOW },
      { via: 'b', from: '10.0.0.1', right: true, expect: 429, retryAfter: WINDOW },
      { via: 'b', from: '10.0.0.2', right: true, expect: 200 },
      { advance: WINDOW, via: 'a', from: '10.0.0.1', right: true, expect: 200 },
    ],
  },
  {
    name: 'a success through one node clears the count the other node made',
    steps: [
      { via: 'a', from: '10.0.0.1', times: 2, expect: 401 },
      { via: 'b', from: '10.0.0.1', right: true, expect: 200 },
      { via: 'a', from: '10.0.0.1', times: 2, expect: 401 },
      { via: 'b', from: '10.0.0.1', right: true, expect: 200 },
      // Four failures from that address in all: the fifth reaches its own limit, on both nodes.
      { via: 'b', from: '10.0.0.1', expect: 401 },
      { via: 'a', from: '10.0.0.1', right: true, expect: 429, retryAfter: WINDOW },
      { via: 'b', from: '10.0.0.1', email: BEN, right: true, expect: 429, retryAfter: WINDOW },
    ],
  },
  {
    name: 'failures for many emails from one address, through both nodes, throttle that address',
    steps: [
      { via: 'a', from: '10.0.0.1', email: 'stranger#@example.com', times: 3, expect: 401 },
      { via: 'b', from: '10.0.0.1', email: 'other#@example.com', times: 2, expect: 401 },
      { via: 'a', from: '10.0.0.1', email: BEN, right: true, expect: 429, retryAfter: WINDOW },
      { via: 'b', from: '10.0.0.2', right: true, expect: 200 },
    ],
  },
  {
    name: 'one email from many addresses through both nodes: slowed down on both, never longer',
    steps: [
      { via: 'a', from: '10.1.0.#', times: 3, expect: 401 },
      { via: 'b', from: '10.2.0.#', times: 3, expect: 401 },
      { via: 'a', from: '10.2.0.0', right: true, expect: 429, retryAfter: SLOW_DOWN },
      { via: 'b', from: '10.1.0.0', right: true, expect: 429, retryAfter: SLOW_DOWN },
      { via: 'a', from: '10.9.0.1', right: true, expect: 200 },
      { advance: SLOW_DOWN, via: 'b', from: '10.1.0.0', right: true, expect: 200 },
    ],
  },
];

function assertThrottled(res: LightMyRequestResponse, seconds: number | undefined, where: string): void {
  const problem = assertProblem(res, 429, { title: 'Too Many Requests' });
  const retryAfter = Number(res.headers['retry-after']);
  if (seconds !== undefined) assert.equal(retryAfter, seconds, where);
  assert.match(String(problem.detail), new RegExp(`try again in ${retryAfter} s`));
  assert.equal(res.headers['set-cookie'], undefined, 'no session');
}

describe('login throttling is shared by every node on the database', () => {
  for (const scenario of SCENARIOS) {
    test(scenario.name, async () => {
      const clock = movableClock(START);
      const nodes = await twoNodes({ auth: { loginThrottle: LIMITS } }, clock.now);
      try {
        const users: Record<string, User> = {
          [ANN]: await registerAndLogin(nodes.a, ANN),
          [BEN]: await registerAndLogin(nodes.b, BEN),
        };
        let n = 0;
        for (const [i, step] of scenario.steps.entries()) {
          clock.advance((step.advance ?? 0) * 1000);
          for (let k = 0; k < (step.times ?? 1); k++) {
            const fill = (s: string) => s.replaceAll('#', String(k));
            const email = fill(step.email ?? ANN);
            const password = step.right ? users[email].password : `wrong-password-${n++}`;
            const res = await login(nodes[step.via], email, password, { remoteAddress: fill(step.from) });
            const where = `step ${i} (${k}) via ${step.via}: ${res.statusCode} ${res.body}`;
            assert.equal(res.statusCode, step.expect, where);
            if (step.expect === 401) {
              assertProblem(res, 401);
              assert.equal(res.headers['www-authenticate'], WWW_AUTHENTICATE);
            }
            if (step.expect === 429) assertThrottled(res, step.retryAfter, where);
            if (step.expect === 200) {
              const token = json(res).token as string;
              // The session is in the database: the other node's store has it too.
              const other = nodes[step.via === 'a' ? 'b' : 'a'];
              assert.ok(await sessionOf(other, token, clock.now()), `a shared session: ${where}`);
            }
          }
        }
      } finally {
        await nodes.close();
      }
    });
  }
});

describe('sessions are shared by every node on the database', () => {
  const clock = movableClock(START);
  let nodes: Nodes;
  let sam: User;
  before(async () => {
    nodes = await twoNodes({}, clock.now);
    sam = await registerAndLogin(nodes.a, 'sam@example.com');
  });
  after(() => nodes.close());

  const me = (t: TestApp, token: string, via: 'bearer' | 'cookie') =>
    t.request({
      method: 'GET',
      url: '/api/auth/me',
      ...(via === 'bearer'
        ? { headers: { authorization: `Bearer ${token}` } }
        : { cookies: { [SESSION_COOKIE]: token } }),
    });

  for (const via of ['bearer', 'cookie'] as const) {
    test(`a session made through A works through B (${via}); logout through B revokes it on A`, async () => {
      const res = await login(nodes.a, sam.email, sam.password);
      assert.equal(res.statusCode, 200, res.body);
      const token = json(res).token as string;
      for (const t of [nodes.b, nodes.a]) {
        const seen = await me(t, token, via);
        assert.equal(seen.statusCode, 200, seen.body);
        assert.equal(json(seen).id, sam.id);
      }
      const out = await nodes.b.request({
        method: 'POST',
        url: '/api/auth/logout',
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(out.statusCode, 204, out.body);
      assert.equal(await sessionOf(nodes.a, token, clock.now()), undefined, 'gone from the database');
      for (const t of [nodes.a, nodes.b]) assertRefused(await me(t, token, via), 401);
      assert.equal((await me(nodes.a, sam.token, via)).statusCode, 200, 'other sessions live on');
    });
  }

  test('a password change through B revokes the sessions made through A, but the one it used', async () => {
    const ivy = await registerAndLogin(nodes.a, 'ivy@example.com');
    const other = json(await login(nodes.a, ivy.email, ivy.password)).token as string;
    const changed = await nodes.b.request({
      method: 'PATCH',
      url: `/api/users/${ivy.id}`,
      headers: { authorization: `Bearer ${ivy.token}` },
      payload: { oldPassword: ivy.password, password: passwordOf('ivy-new@example.com') },
    });
    assert.equal(changed.statusCode, 200, changed.body);
    assertRefused(await me(nodes.a, other, 'bearer'), 401);
    assert.equal(await sessionOf(nodes.a, other, clock.now()), undefined);
    assert.equal((await me(nodes.a, ivy.token, 'bearer')).statusCode, 200);
  });

  test('a session expires at the same time on every node', async () => {
    const res = await login(nodes.b, sam.email, sam.password);
    const token = json(res).token as string;
    const ttl = nodes.a.config.auth.sessionTtlSeconds;
    clock.advance(ttl * 1000 - 1000);
    for (const t of [nodes.a, nodes.b]) assert.equal((await me(t, token, 'bearer')).statusCode, 200);
    clock.advance(1000);
    for (const t of [nodes.a, nodes.b]) assertRefused(await me(t, token, 'bearer'), 401);
  });
});

leakScan();
