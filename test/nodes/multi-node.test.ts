/**
 * Many nodes with real parts (PRODUCT.md, Scale-out): three `methodical
 * serve` processes on loopback ports sharing one PostgreSQL schema, behind
 * Debian's nginx configured by docs/nginx-nodes.conf as it is (only the
 * ports replaced), with `trustProxy`. A client spreads a write load over
 * nginx and the nodes directly while one node is killed with SIGKILL
 * inside a write; afterwards every write that got a 2xx is in the database
 * once. A rolling restart through nginx answers every read and write, and
 * idempotency keys, If-Match, a stock-taking hook, sessions, files and
 * cookie logins hold across nodes. Nothing here is timed: waits are bounded
 * only so that a hang fails instead of stalling the run.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { freePort, killServers, type Server, serve, tempDir } from '../cli/helpers.js';
import { withSearchPath } from '../postgres-schema.js';
import {
  type Answer,
  missing,
  NGINX,
  type ProxyProcess,
  registerAndLogIn,
  send,
  sessionCookie,
  startNginxSite,
} from '../proxy/harness.js';
import { body, CONFIG_TS, type LoadWrite, nodesSite, postUntilAnswered, sleep } from './harness.js';

const BASE = process.env.TEST_DATABASE_URL;
/** Generous, never asserted on: three nodes compile a TS config on a busy machine. */
const BOUNDED = { timeout: 300_000 };

if (!BASE) {
  test('many nodes behind nginx', { skip: 'set TEST_DATABASE_URL=postgres://… to run it' }, () => {});
} else {
  describe('three nodes on one PostgreSQL schema behind nginx', {
    ...BOUNDED,
    skip: missing(NGINX, 'nginx'),
  }, () => {
    const tmp = tempDir('methodical-multi-node-');
    const schema = `methodical_nodes_${randomBytes(6).toString('hex')}`;
    const url = withSearchPath(BASE, schema);
    const db = new pg.Client({ connectionString: BASE });
    const config = join(tmp.dir, 'methodical.config.ts');
    const ports: number[] = [];
    const nodes: Server[] = [];
    let nginx: ProxyProcess;
    const startNode = (i: number, env?: Record<string, string>) =>
      serve(
        [
          '--config',
          config,
          '--data',
          join(tmp.dir, `data-${i}`),
          '--database',
          url,
          '--port',
          String(ports[i]),
        ],
        { cwd: tmp.dir, env },
      );
    const rows = async (sql: string, params: unknown[] = []) =>
      (await db.query(sql.replaceAll('$schema', `"${schema}"`), params)).rows as Record<string, unknown>[];

    before(async () => {
      await db.connect();
      await db.query(`CREATE SCHEMA "${schema}"`);
      writeFileSync(config, CONFIG_TS);
      for (let i = 0; i < 3; i++) ports.push(await freePort());
      // One after the other: the first creates the tables, the others find them.
      // Node 1 is the one the load test kills: it can be made to hang inside a write.
      for (let i = 0; i < 3; i++) nodes.push(await startNode(i, i === 1 ? { STALL_WRITES: '1' } : undefined));
      const proxyDir = join(tmp.dir, 'nginx');
      mkdirSync(proxyDir);
      const port = await freePort();
      nginx = await startNginxSite(proxyDir, port, nodesSite(port, ports));
    });
    after(async () => {
      await nginx?.stop();
      for (const node of nodes) await node.stop();
      killServers();
      await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
      await db.end().catch(() => {});
      tmp.remove();
    });

    test('a write load over nginx and the nodes, one node killed inside a write halfway: every 2xx is in the database once', async () => {
      const WRITES = 48;
      const KILL_AFTER = 16;
      const PARALLEL = 4;
      const run = randomBytes(4).toString('hex');
      const targets = [nginx.url, ...nodes.map((n) => n.url)];
      const writes: LoadWrite[] = Array.from({ length: WRITES }, (_, i) => ({
        key: `load-${run}-${i}`,
        title: `load ${run} ${i}`,
        attempts: [],
      }));
      // One more, sent first to the node that is killed while it runs this very write.
      const STALLED = WRITES;
      writes.push({ key: `load-${run}-stalled`, title: `load ${run} stalled`, attempts: [] });
      const victim = nodes[1];
      let done = 0;
      let next = 0;
      let stalled: Promise<void> | undefined;

      const write = (i: number, first = i) => postUntilAnswered(writes[i], targets, first);
      async function worker(): Promise<void> {
        while (next < WRITES) {
          await write(next++);
          if (++done === KILL_AFTER) {
            stalled = write(STALLED, targets.indexOf(victim.url));
            await victim.stderrIncludes('stalling a write');
            victim.child.kill('SIGKILL');
          }
        }
      }
      await Promise.all(Array.from({ length: PARALLEL }, worker));
      await stalled;
      const exit = await victim.exit;
      assert.equal(exit.signal, 'SIGKILL');

      const report = JSON.stringify(writes.map((w) => [w.key, w.attempts, w.final?.status]));
      for (const w of writes) {
        assert.ok(w.final, `${w.key} got an answer: ${JSON.stringify(w.attempts)}`);
        assert.equal(w.final.status, 201, `${w.key}: ${w.final.body}`);
      }
      // Writes sent straight to the dead node after the kill were refused and went to another node.
      const retried = writes.filter((w) => w.attempts.length > 1);
      assert.ok(
        retried.some((w) => w.attempts.some((a) => a.target === victim.url && typeof a.status === 'string')),
        report,
      );
      // The write the node died in: its connection was cut, the retry through the next node ran it
      // (the dead node's transaction, key claim included, was rolled back: no replay, no 409 forever).
      const cut = writes[STALLED];
      assert.deepEqual(cut.attempts[0], { target: victim.url, status: 'ECONNRESET' }, report);
      assert.equal(cut.final?.status, 201, report);
      assert.equal(cut.final?.headers['idempotent-replayed'], undefined, report);
      const stored = await rows('SELECT id, title FROM $schema.notes WHERE title LIKE $1', [`load ${run} %`]);
      assert.equal(stored.length, writes.length, `one record per write: ${report}`);
      const byTitle = new Map(stored.map((r) => [r.title, r.id]));
      assert.equal(byTitle.size, writes.length, 'no title twice');
      for (const w of writes)
        assert.equal(byTitle.get(w.title), body(w.final!).id, `${w.key} is the stored record`);
      const replays = writes.filter((w) => w.final?.headers['idempotent-replayed'] === 'true');
      for (const w of replays) assert.ok(w.attempts.length > 1, `only a retry is a replay: ${w.key}`);

      // A rolling restart: the killed node comes back on its port and serves the same data.
      nodes[1] = await startNode(1);
      const read = await send(`${nodes[1].url}/api/notes/${body(writes[0].final!).id}`);
      assert.equal(read.status, 200, read.body);
      assert.equal(body(read).title, writes[0].title);
    });

    test('a rolling restart through nginx (SIGTERM, start again, one node at a time): every read and write answered', async () => {
      const run = randomBytes(4).toString('hex');
      const reads: Answer[] = [];
      const writes: LoadWrite[] = [];
      let rolling = true;
      const client = (async () => {
        for (let i = 0; rolling; i++) {
          reads.push(await send(`${nginx.url}/api/notes?perPage=1`));
          const w: LoadWrite = { key: `roll-${run}-${i}`, title: `roll ${run} ${i}`, attempts: [] };
          writes.push(w);
          await postUntilAnswered(w, [nginx.url], 0);
          await sleep(20);
        }
      })();
      for (let i = 0; i < nodes.length; i++) {
        const exit = await nodes[i].stop('SIGTERM');
        assert.deepEqual(exit, { code: 0, signal: null }, nodes[i].stderr());
        nodes[i] = await startNode(i);
        // As docs/scale-out.md says: the next node only once nginx sends to this one again (fail_timeout).
        await sleep(6_000);
      }
      rolling = false;
      await client;
      const report = JSON.stringify(writes.map((w) => [w.key, w.attempts]));
      // nginx sends a read on from a stopping or stopped node to a running one: none fails.
      for (const r of reads) assert.equal(r.status, 200, r.body);
      // A write may meet a stopping node (503, or a cut connection): its retry with the key is answered.
      for (const w of writes) assert.equal(w.final?.status, 201, report);
      const stored = await rows('SELECT title FROM $schema.notes WHERE title LIKE $1', [`roll ${run} %`]);
      assert.equal(stored.length, writes.length, report);
      assert.equal(new Set(stored.map((r) => r.title)).size, writes.length, report);
    });

    test('one Idempotency-Key retried through other nodes makes exactly one record', async () => {
      const headers = { 'idempotency-key': '"retried-once"' };
      const first = await send(`${nodes[0].url}/api/notes`, {
        method: 'POST',
        headers,
        body: { title: 'retried' },
      });
      assert.equal(first.status, 201, first.body);
      for (const target of [nodes[1].url, nodes[2].url, nginx.url]) {
        const again = await send(`${target}/api/notes`, {
          method: 'POST',
          headers,
          body: { title: 'retried' },
        });
        assert.equal(again.status, 201, again.body);
        assert.equal(again.headers['idempotent-replayed'], 'true');
        assert.equal(body(again).id, body(first).id);
        assert.equal(again.headers.etag, first.headers.etag);
      }
      // And sent to every node at once: one record, the others replay it or are told to wait.
      const together = { 'idempotency-key': '"sent-together"' };
      const answers = await Promise.all(
        [...nodes, ...nodes].map((n) =>
          send(`${n.url}/api/notes`, { method: 'POST', headers: together, body: { title: 'together' } }),
        ),
      );
      const created = answers.filter((a) => a.status === 201);
      for (const a of answers.filter((x) => x.status !== 201)) {
        assert.equal(a.status, 409, a.body);
        assert.equal(a.headers['retry-after'], '1');
      }
      assert.ok(created.length >= 1, answers.map((a) => a.status).join());
      assert.equal(new Set(created.map((a) => body(a).id)).size, 1);
      assert.deepEqual(
        (
          await rows('SELECT title FROM $schema.notes WHERE title IN ($1, $2) ORDER BY title', [
            'retried',
            'together',
          ])
        ).map((r) => r.title),
        ['retried', 'together'],
      );
    });

    test('parallel PUTs with one If-Match over every node: exactly one succeeds, the others get 412', async () => {
      const created = await send(`${nginx.url}/api/notes`, { method: 'POST', body: { title: 'contested' } });
      assert.equal(created.status, 201, created.body);
      const id = body(created).id as string;
      const etag = String(created.headers.etag);
      const targets = [nginx.url, ...nodes.map((n) => n.url)];
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          send(`${targets[i % targets.length]}/api/notes/${id}`, {
            method: 'PUT',
            headers: { 'if-match': etag },
            body: { title: `put ${i}` },
          }),
        ),
      );
      const won = answers.filter((a) => a.status === 200);
      assert.equal(won.length, 1, answers.map((a) => a.status).join());
      for (const a of answers.filter((x) => x.status !== 200)) {
        assert.equal(a.status, 412, a.body);
        assert.equal(a.headers['content-type'], 'application/problem+json');
        assert.ok(String(body(a).detail).length > 0);
      }
      const [row] = await rows('SELECT title FROM $schema.notes WHERE id = $1', [id]);
      assert.equal(row.title, body(won[0]).title);
    });

    test('concurrent checkouts of the last item over every node sell it once', async () => {
      const product = await send(`${nodes[0].url}/api/products`, {
        method: 'POST',
        body: { name: 'Last copy', stock: 1 },
      });
      assert.equal(product.status, 201, product.body);
      const id = body(product).id as string;
      const targets = [nginx.url, ...nodes.map((n) => n.url)];
      const answers = await Promise.all(
        Array.from({ length: 9 }, (_, i) =>
          send(`${targets[i % targets.length]}/api/orders`, { method: 'POST', body: { product: id } }),
        ),
      );
      assert.equal(answers.filter((a) => a.status === 201).length, 1, answers.map((a) => a.status).join());
      for (const a of answers.filter((x) => x.status !== 201)) {
        assert.equal(a.status, 409, a.body);
        assert.equal(a.headers['content-type'], 'application/problem+json');
        assert.equal(body(a).detail, 'Out of stock: no "Last copy" left.');
      }
      assert.deepEqual(await rows('SELECT stock FROM $schema.products WHERE id = $1', [id]), [
        { stock: '0' },
      ]);
      assert.equal((await rows('SELECT id FROM $schema.orders WHERE product = $1', [id])).length, 1);
    });

    test('a session made on one node works on the others, and logout revokes it on all', async () => {
      const credentials = { email: 'nodes@example.com', password: 'correct horse battery' };
      const reg = await send(`${nodes[0].url}/api/auth/register`, { method: 'POST', body: credentials });
      assert.equal(reg.status, 201, reg.body);
      const login = await send(`${nodes[1].url}/api/auth/login`, { method: 'POST', body: credentials });
      assert.equal(login.status, 200, login.body);
      const headers = { authorization: `Bearer ${body(login).token}` };
      const everywhere = [...nodes.map((n) => n.url), nginx.url];
      for (const target of everywhere) {
        const me = await send(`${target}/api/auth/me`, { headers });
        assert.equal(me.status, 200, `${target}: ${me.body}`);
        assert.equal(body(me).email, credentials.email);
      }
      const out = await send(`${nodes[2].url}/api/auth/logout`, { method: 'POST', headers });
      assert.equal(out.status, 204, out.body);
      for (const target of everywhere) {
        const me = await send(`${target}/api/auth/me`, { headers });
        assert.equal(me.status, 401, `${target}: ${me.body}`);
        assert.ok(me.headers['www-authenticate']);
      }
    });

    test('a file uploaded through one node downloads byte for byte from the others', async () => {
      // Three chunks of the PostgreSQL file store (256 KiB each), the last one short.
      const bytes = randomBytes(600 * 1024);
      const form = new FormData();
      form.set('title', 'shared file');
      form.set('doc', new Blob([bytes], { type: 'application/octet-stream' }), 'data.bin');
      const res = await fetch(`${nodes[2].url}/api/uploads`, {
        method: 'POST',
        headers: { accept: 'application/json' },
        body: form,
      });
      const record = (await res.json()) as { id: string; doc: string };
      assert.equal(res.status, 201, JSON.stringify(record));
      for (const target of [nodes[0].url, nodes[1].url, nginx.url]) {
        const down = await fetch(
          `${target}/api/files/uploads/${record.id}/doc/${encodeURIComponent(record.doc)}`,
        );
        assert.equal(down.status, 200, target);
        assert.equal(down.headers.get('content-length'), String(bytes.length));
        assert.ok(Buffer.from(await down.arrayBuffer()).equals(bytes), `${target} sends the same bytes`);
      }
      // Nothing of it is on any node's own disk: the files are in the database.
      // It is kept in the database: one blob of three chunks, whole and nowhere on a node's disk.
      const blobs = await rows(
        'SELECT b.size, count(c.seq)::int AS chunks, sum(length(c.data))::int AS bytes FROM $schema.methodical_blobs b JOIN $schema.methodical_blob_chunks c ON c.blob_id = b.id GROUP BY b.id',
      );
      assert.deepEqual(blobs, [{ size: String(bytes.length), chunks: 3, bytes: bytes.length }]);
      for (let i = 0; i < 3; i++) assert.ok(!existsSync(join(tmp.dir, `data-${i}`, 'files')));
    });

    test('cookie login through nginx, and a cookie-authenticated write through nginx (trustProxy)', async () => {
      const origin = nginx.url; // What a browser on the balanced site sends.
      const credentials = { email: 'cookie@example.com', password: 'correct horse battery' };
      const login = await registerAndLogIn(nginx.url, origin, credentials);
      const cookie = sessionCookie(login);
      const created = await send(`${nginx.url}/api/diary`, {
        method: 'POST',
        headers: { origin, cookie },
        body: { title: 'through the balancer' },
      });
      assert.equal(created.status, 201, created.body);
      const id = body(created).id as string;
      assert.equal((await rows('SELECT id FROM $schema.diary WHERE id = $1', [id])).length, 1);
      // The cookie is one session in the database: each node knows it, and a forged origin is still refused.
      for (const node of nodes) {
        const read = await send(`${node.url}/api/diary/${id}`, { headers: { cookie } });
        assert.equal(read.status, 200, read.body);
      }
      const forged = await send(`${nginx.url}/api/diary`, {
        method: 'POST',
        headers: { origin: 'http://evil.example', cookie },
        body: { title: 'forged' },
      });
      assert.equal(forged.status, 403, forged.body);
      assert.equal((await rows("SELECT id FROM $schema.diary WHERE title = 'forged'")).length, 0);
    });
  });
}
