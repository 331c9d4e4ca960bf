/**
 * The patch bomb from the security review: a ~1 KB JSON Patch of chained
 * `{"op":"copy","from":"","path":"/kN"}` operations doubles the document with
 * each one. Sent over real HTTP to a server in its own process, it is a 422
 * that arrives well within a generous bound, the server's resident memory
 * barely grows, and a /healthz sent during the attack still answers. The
 * bounds are generous on purpose: machines are shared and noisy.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { type ChildServer, NEEDS_PROC, startChildServer } from './child-server.js';

const MiB = 1024 * 1024;
const GROWTH_LIMIT = 64 * MiB;
const TIME_LIMIT_MS = 5000;

interface Answer {
  status: number;
  body: Record<string, unknown>;
  ms: number;
}

/** One request with an optional JSON body; resolves with the status, the parsed body and how long it took. */
function send(base: string, method: string, path: string, body?: unknown, type = 'application/json') {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const headers: Record<string, string> = payload ? { 'content-type': type } : {};
  const started = process.hrtime.bigint();
  return new Promise<Answer>((resolve, reject) => {
    const req = request(new URL(path, base), { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          body: text === '' ? {} : JSON.parse(text),
          ms: Number(process.hrtime.bigint() - started) / 1e6,
        });
      });
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end(payload);
  });
}

const copyBomb = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ op: 'copy', from: '', path: `/k${i}` }));

describe('the JSON Patch copy bomb against a server in its own process', { skip: NEEDS_PROC }, () => {
  let server: ChildServer;
  let record: Record<string, unknown>;

  before(async () => {
    server = await startChildServer();
    const created = await send(server.url, 'POST', '/api/notes', { title: 'target', data: { a: 1 } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    record = created.body;
  });

  after(() => server.stop());

  test('25 and 60 chained copies: a 422 in bounded time and memory, /healthz answering meanwhile', {
    timeout: 60_000,
  }, async () => {
    const path = `/api/notes/${record.id}`;
    // Warm up with ordinary requests, so the baseline has the patch path loaded and compiled.
    for (let i = 0; i < 20; i++) {
      const ok = await send(
        server.url,
        'PATCH',
        path,
        [{ op: 'test', path: '/title', value: 'target' }],
        'application/json-patch+json',
      );
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
    }
    const baseline = server.rss();
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, server.rss());
    }, 10);
    try {
      for (const n of [25, 60]) {
        const bomb = copyBomb(n);
        assert.ok(JSON.stringify(bomb).length < 3000, 'a small request');
        const [answer, health] = await Promise.all([
          send(server.url, 'PATCH', path, bomb, 'application/json-patch+json'),
          // Sent while the bomb is being read and applied.
          new Promise((resolve) => setTimeout(resolve, 5)).then(() => send(server.url, 'GET', '/healthz')),
        ]);
        console.log(
          `${n} copies: ${answer.status} in ${answer.ms.toFixed(0)} ms; /healthz ${health.status} in ${health.ms.toFixed(0)} ms`,
        );
        assert.equal(answer.status, 422, JSON.stringify(answer.body));
        assert.equal(answer.body.type, 'https://methodical.dev/problems/limit-exceeded');
        assert.equal(answer.body.limit, 'limits.json');
        assert.equal(typeof answer.body.operation, 'number');
        assert.match(String(answer.body.detail), /\(limits\.json\)/);
        assert.ok(answer.ms < TIME_LIMIT_MS, `answered in ${answer.ms.toFixed(0)} ms`);
        assert.equal(health.status, 200);
        assert.ok(health.ms < TIME_LIMIT_MS, `/healthz answered in ${health.ms.toFixed(0)} ms`);
      }
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, server.rss());
    const growth = peak - baseline;
    console.log(
      `child RSS ${(baseline / MiB).toFixed(1)} → peak ${(peak / MiB).toFixed(1)} MiB ` +
        `(growth ${(growth / MiB).toFixed(1)} MiB, limit ${GROWTH_LIMIT / MiB} MiB)`,
    );
    assert.ok(growth < GROWTH_LIMIT, `RSS grew ${(growth / MiB).toFixed(1)} MiB`);
    assert.equal(server.child.exitCode, null, 'the server is still running');
    const after = await send(server.url, 'GET', path);
    assert.equal(after.status, 200);
    assert.deepEqual(after.body, record, 'the record is unchanged');
  });
});
