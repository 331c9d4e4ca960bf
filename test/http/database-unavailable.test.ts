/**
 * A database that cannot take a request now (PostgreSQL: a deadlock, no free
 * connection, a server that does not answer) is a 503 problem with a
 * Retry-After, never a 500, and the app keeps answering. The mapping on any
 * store; with TEST_DATABASE_URL also a real pool with its one connection held.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { validateConfig } from '../../src/config/validate.js';
import { LocalFileStorage } from '../../src/files/local/local-storage.js';
import { createApp } from '../../src/http/app.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { DatabaseUnavailable } from '../../src/util/database-unavailable.js';
import { BOOKS_CONFIG, testApp } from '../harness.js';
import { assertProblem, DUNE, stored } from './helpers.js';

const CASES = [
  { reason: 'conflict', retryAfter: '1', detail: /concurrent write.*nothing was written/ },
  { reason: 'busy', retryAfter: '1', detail: /no free connection.*nothing was written/ },
  {
    reason: 'unreachable',
    retryAfter: '5',
    detail: /did not answer.*may not have been applied.*Idempotency-Key/,
  },
] as const;

describe('a database that cannot take the request now', () => {
  for (const c of CASES) {
    test(`${c.reason}: 503 with Retry-After ${c.retryAfter}, nothing stored, the next request works`, async () => {
      const t = await testApp(BOOKS_CONFIG);
      try {
        const real = t.store.transaction.bind(t.store);
        let fail = true;
        t.store.transaction = ((fn, options) => {
          if (fail) return Promise.reject(new DatabaseUnavailable(c.reason));
          return real(fn, options);
        }) as typeof t.store.transaction;
        const res = await t.request({ method: 'POST', url: '/api/books', payload: DUNE });
        assertProblem(res, 503, { title: 'Service Unavailable', detail: c.detail });
        assert.equal(res.headers['retry-after'], c.retryAfter);
        assert.deepEqual(await stored(t, 'books'), []);
        fail = false;
        const again = await t.request({ method: 'POST', url: '/api/books', payload: DUNE });
        assert.equal(again.statusCode, 201, again.body);
        assert.equal((await stored(t, 'books')).length, 1);
      } finally {
        await t.close();
      }
    });
  }
});

const url = process.env.TEST_DATABASE_URL;

if (!url) {
  test('PostgreSQL pool with no free connection', {
    skip: 'set TEST_DATABASE_URL=postgres://… to run it',
  }, () => {});
} else {
  describe('PostgreSQL pool with no free connection', () => {
    const schema = `methodical_test_${randomBytes(6).toString('hex')}`;
    const dir = mkdtempSync(join(tmpdir(), 'methodical-pg-busy-'));
    after(async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
      rmSync(dir, { recursive: true, force: true });
    });

    test('a write waits the bounded time, then answers 503 busy; once free, it goes through', async () => {
      const config = validateConfig(BOOKS_CONFIG, 'test.config.json', dir);
      const store = new PostgresStore({
        url,
        collections: config.collections,
        schema,
        poolSize: 1,
        connectTimeoutMs: 200,
      });
      await store.migrate(await store.planMigration());
      const app = createApp({ config, store, files: new LocalFileStorage(join(dir, 'files')) });
      await app.ready();
      try {
        let release = () => {};
        const gate = new Promise<void>((resolve) => {
          release = resolve;
        });
        let holding = () => {};
        const held = new Promise<void>((resolve) => {
          holding = resolve;
        });
        const holder = store.transaction(async () => {
          holding();
          await gate;
        });
        await held;
        const res = await app.inject({ method: 'POST', url: '/api/books', payload: DUNE });
        assertProblem(res, 503, { detail: /no free connection/ });
        assert.equal(res.headers['retry-after'], '1');
        release();
        await holder;
        assert.equal(
          (await store.list('books', { filter: null, sort: [], limit: 10, offset: 0, count: true })).total,
          0,
        );
        const again = await app.inject({ method: 'POST', url: '/api/books', payload: DUNE });
        assert.equal(again.statusCode, 201, again.body);
      } finally {
        await app.close();
        await store.close();
      }
    });
  });
}
