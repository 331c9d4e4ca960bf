/**
 * Two `methodical serve` processes on one database file stand for two nodes
 * (PRODUCT.md, Scale-out): concurrent wrong passwords spread over both
 * cannot get more guesses than the limit, the throttle they earn holds on
 * both, a session made on one works on the other until logout there, and
 * one Idempotency-Key sent to both at once makes one record.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cliSandbox, PUBLIC_RULES, request, type Server, SLOW, serve, writeJsonConfig } from './helpers.js';

const tmp = cliSandbox('methodical-nodes-');
const LIMITS = { perEmail: 3, perAddress: 5, perEmailTotal: 100, window: 600, slowDown: 60 };
const config = writeJsonConfig(tmp.dir, {
  auth: { loginThrottle: LIMITS },
  collections: { notes: { fields: { title: { type: 'text' } }, rules: PUBLIC_RULES } },
});
const data = join(tmp.dir, 'data');
const EMAIL = 'ann@example.com';
const PASSWORD = 'correct horse battery';

describe('two processes on one database', SLOW, () => {
  const nodes: Server[] = [];
  before(async () => {
    // One after the other: the first one creates the tables, the second finds them.
    for (let i = 0; i < 2; i++) nodes.push(await serve(['--config', config, '--data', data, '--port', '0']));
    const reg = await request(`${nodes[0].url}/api/auth/register`, {
      method: 'POST',
      body: { email: EMAIL, password: PASSWORD },
    });
    assert.equal(reg.status, 201, reg.text);
  });
  after(async () => {
    for (const node of nodes) await node.stop();
  });

  const login = (node: Server, password: string) =>
    request(`${node.url}/api/auth/login`, { method: 'POST', body: { email: EMAIL, password } });

  test('a session made on one node works on the other; logout on the other revokes it on both', async () => {
    const res = await login(nodes[0], PASSWORD);
    assert.equal(res.status, 200, res.text);
    const headers = { authorization: `Bearer ${res.body?.token}` };
    for (const node of nodes) {
      const me = await request(`${node.url}/api/auth/me`, { headers });
      assert.equal(me.status, 200, me.text);
      assert.equal(me.body?.email, EMAIL);
    }
    const out = await request(`${nodes[1].url}/api/auth/logout`, { method: 'POST', headers });
    assert.equal(out.status, 204, out.text);
    for (const node of nodes) {
      const me = await request(`${node.url}/api/auth/me`, { headers });
      assert.equal(me.status, 401, me.text);
    }
  });

  test('concurrent wrong passwords over both nodes get exactly the limit of guesses', async () => {
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => login(nodes[i % 2], `wrong password ${i}`)),
    );
    const statuses = answers.map((a) => a.status).sort();
    assert.equal(statuses.filter((s) => s === 401).length, LIMITS.perEmail, String(statuses));
    assert.equal(statuses.filter((s) => s === 429).length, 12 - LIMITS.perEmail, String(statuses));
    for (const node of nodes) {
      const right = await login(node, PASSWORD);
      assert.equal(right.status, 429, right.text);
      assert.equal(right.headers.get('content-type'), 'application/problem+json');
      assert.match(String(right.body?.detail), /^Too many failed logins; try again in \d+ s\.$/);
      const wait = Number(right.headers.get('retry-after'));
      assert.ok(wait > 590 && wait <= 600, `Retry-After ${wait}`);
    }
  });

  test('one Idempotency-Key sent to both nodes at once makes exactly one record', async () => {
    const headers = { 'idempotency-key': '"two-nodes-1"' };
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        request(`${nodes[i % 2].url}/api/notes`, { method: 'POST', body: { title: 'once' }, headers }),
      ),
    );
    const created = answers.filter((a) => a.status === 201);
    // A retry that finds the first one still running on its own node may be told to wait (409, Retry-After).
    for (const a of answers.filter((x) => x.status !== 201)) {
      assert.equal(a.status, 409, a.text);
      assert.equal(a.headers.get('retry-after'), '1');
    }
    assert.ok(created.length >= 1, answers.map((a) => a.status).join());
    assert.equal(new Set(created.map((a) => a.body?.id)).size, 1, 'every 201 is the same record');
    const list = await request(`${nodes[1].url}/api/notes`);
    assert.equal((list.body?.items as unknown[] | undefined)?.length, 1, list.text);
  });
});
