/**
 * Realtime across nodes: two apps, each with its own PostgresStore pool,
 * on one schema. A stream on one node hears the writes made through the
 * other (LISTEN/NOTIFY wakes it, the change log is what it reads), every
 * node streams the changes in the same order, and a client that reconnects
 * to the other node is replayed exactly what it missed.
 * Runs when TEST_DATABASE_URL is set.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import type { UserConfig } from '../../src/config/types.js';
import { validateConfig } from '../../src/config/validate.js';
import { LocalFileStorage } from '../../src/files/local/local-storage.js';
import { createApp } from '../../src/http/app.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { json, PUBLIC_RULES } from '../harness.js';
import { SseClient, type SseEvent } from './sse-client.js';

const url = process.env.TEST_DATABASE_URL;

const CONFIG: UserConfig = {
  collections: { items: { fields: { name: { type: 'text', required: true } }, rules: PUBLIC_RULES } },
};

function data(event: SseEvent): Record<string, unknown> {
  return JSON.parse(event.data);
}

if (!url) {
  test('realtime on two nodes', { skip: 'set TEST_DATABASE_URL=postgres://… to run it' }, () => {});
} else {
  describe('realtime on two nodes of one PostgreSQL database', () => {
    const schema = `methodical_test_${randomBytes(6).toString('hex')}`;
    const dir = mkdtempSync(join(tmpdir(), 'methodical-rt-nodes-'));
    const nodes: { app: FastifyInstance; store: PostgresStore; base: string }[] = [];
    const clients: SseClient[] = [];

    before(async () => {
      const config = validateConfig(CONFIG, 'test.config.json', dir);
      for (let i = 0; i < 2; i++) {
        const store = new PostgresStore({ url, collections: config.collections, schema, poolSize: 6 });
        await store.migrate(await store.planMigration());
        // No polling within a test's time: only a NOTIFY can wake the other node.
        const app = createApp(
          { config, store, files: new LocalFileStorage(join(dir, 'files')) },
          { realtimePollMs: 600_000 },
        );
        await app.listen({ host: '127.0.0.1', port: 0 });
        const address = app.server.address();
        assert.ok(address && typeof address === 'object');
        nodes.push({ app, store, base: `http://127.0.0.1:${address.port}` });
      }
    });
    after(async () => {
      for (const client of clients) client.close();
      for (const { app, store } of nodes) {
        await app.close();
        await store.close();
      }
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
      rmSync(dir, { recursive: true, force: true });
    });

    async function stream(i: number, headers: Record<string, string> = {}): Promise<SseClient> {
      const client = await SseClient.open(`${nodes[i]?.base}/api/realtime?topics=items`, headers);
      clients.push(client);
      assert.equal(client.response.status, 200);
      await client.until(() => client.comments > 0);
      // Subscribed once the log's head is known (the id with no event).
      await client.until(() => client.lastEventId !== '' || client.events.length > 0, 3000).catch(() => {});
      return client;
    }

    async function write(i: number, method: string, path: string, payload?: Record<string, unknown>) {
      const res = await nodes[i]?.app.inject({ method, url: path, payload });
      assert.ok(res && res.statusCode < 300, res?.body);
      return res.statusCode === 204 ? {} : json(res);
    }

    test('a stream on one node hears a write made through the other, woken by its NOTIFY', async () => {
      const onB = await stream(1);
      const item = await write(0, 'POST', '/api/items', { name: 'lamp' });
      const event = await onB.next();
      assert.deepEqual([event.event, data(event).id], ['create', item.id]);
      const get = await nodes[1]?.app.inject({ method: 'GET', url: `/api/items/${item.id}` });
      assert.equal(data(event).etag, get?.headers.etag, 'the ETag node B answers');
      onB.close();
    });

    test('writes through both nodes reach streams on both, in the same order, each once', async () => {
      const a = await stream(0);
      const b = await stream(1);
      const writes = await Promise.all(
        Array.from({ length: 20 }, (_, i) => write(i % 2, 'POST', '/api/items', { name: `n${i}` })),
      );
      const want = new Set(writes.map((w) => w.id));
      const seenA = [];
      const seenB = [];
      for (let i = 0; i < 20; i++) seenA.push(await a.next());
      for (let i = 0; i < 20; i++) seenB.push(await b.next());
      assert.deepEqual(new Set(seenA.map((e) => data(e).id)), want);
      assert.deepEqual(
        seenA.map((e) => e.id),
        seenB.map((e) => e.id),
        'the same ids in the same order on both nodes',
      );
      assert.equal(new Set(seenA.map((e) => e.id)).size, 20, 'no id twice');
      await a.none();
      await b.none();
      a.close();
      b.close();
    });

    test('a client that reconnects to the other node is replayed what it missed, then goes live', async () => {
      const onA = await stream(0);
      const first = await write(0, 'POST', '/api/items', { name: 'first' });
      const seen = await onA.next();
      assert.equal(data(seen).id, first.id);
      onA.close();
      const missed = [
        await write(1, 'PATCH', `/api/items/${first.id}`, { name: 'renamed on B' }),
        await write(0, 'POST', '/api/items', { name: 'made on A' }),
      ];
      await write(1, 'DELETE', `/api/items/${first.id}`);
      const onB = await stream(1, { 'last-event-id': seen.id });
      const replayed = [await onB.next(), await onB.next(), await onB.next()];
      assert.deepEqual(
        replayed.map((e) => [e.event, data(e).id]),
        [
          ['update', missed[0]?.id],
          ['create', missed[1]?.id],
          ['delete', first.id],
        ],
      );
      const live = await write(0, 'POST', '/api/items', { name: 'live' });
      const next = await onB.next();
      assert.deepEqual([next.event, data(next).id], ['create', live.id]);
      await onB.none();
      onB.close();
    });
  });
}
