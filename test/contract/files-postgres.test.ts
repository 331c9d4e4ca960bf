/**
 * The FileStorage contract against PostgresFileStorage, when TEST_DATABASE_URL
 * names a database: in a schema of its own, created for this run and dropped
 * after it. Without the variable the suite is skipped, saying so.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import pg from 'pg';
import type { Leases } from '../../src/files/postgres/leases.js';
import {
  PostgresFileStorage,
  type PostgresFileStorageOptions,
} from '../../src/files/postgres/postgres-storage.js';
import { FileNotFound, FileTooLarge } from '../../src/files/storage.js';
import { fileStorageContract, source } from './file-storage-contract.js';

const META = { type: 'text/plain', originalName: 'f.txt' };
const MiB = 1024 * 1024;

const url = process.env.TEST_DATABASE_URL;

if (!url) {
  describe('FileStorage contract: postgres', () => {
    it('is skipped: set TEST_DATABASE_URL=postgres://… to run it against PostgreSQL', (t) => {
      t.skip('TEST_DATABASE_URL is not set');
    });
  });
} else {
  const schema = `files_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  let tables: PostgresFileStorage['tables'];

  before(async () => {
    const first = new PostgresFileStorage({ pool, schema });
    await first.open();
    tables = first.tables;
  });
  after(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  });

  const truncate = () =>
    pool.query(
      `TRUNCATE ${tables.dropped}, ${tables.files}, ${tables.staged}, ${tables.chunks}, ${tables.blobs}`,
    );
  const rowsOf = async (sql: string, values: unknown[] = []) => (await pool.query(sql, values)).rows;
  const count = async (table: string) =>
    Number((await pool.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);

  fileStorageContract('postgres', async () => {
    await truncate();
    const open: PostgresFileStorage[] = [];
    const instance = () => {
      const storage = new PostgresFileStorage({ pool, schema });
      open.push(storage);
      return storage;
    };
    return {
      storage: instance(),
      another: async () => instance(),
      // A stopped node renews nothing: its leases lapse.
      abandon: async (other) => {
        await (other as PostgresFileStorage).close();
        await pool.query(`UPDATE ${tables.staged} SET lease = now() - interval '1 second'`);
      },
      // The staged tokens, and any blob (with its chunks) that nothing names any more: none should be left.
      staged: async () => [
        ...(await rowsOf(`SELECT token FROM ${tables.staged}`)).map((r) => r.token),
        ...(
          await rowsOf(
            `SELECT id FROM ${tables.blobs} b WHERE NOT EXISTS (SELECT 1 FROM ${tables.staged} s WHERE s.blob_id = b.id)
               AND NOT EXISTS (SELECT 1 FROM ${tables.files} f WHERE f.blob_id = b.id)
               AND NOT EXISTS (SELECT 1 FROM ${tables.dropped} d WHERE d.blob_id = b.id)`,
          )
        ).map((r) => `orphan blob ${r.id}`),
      ],
      age: async (token, ms) => {
        await pool.query(
          `UPDATE ${tables.staged} SET touched = now() - $2 * interval '1 millisecond' WHERE token = $1`,
          [token, ms],
        );
      },
      done: async () => {
        for (const storage of open) await storage.close();
      },
    };
  });

  describe('PostgresFileStorage across nodes', () => {
    const opened: PostgresFileStorage[] = [];
    const node = (options: Partial<PostgresFileStorageOptions> = {}) => {
      const storage = new PostgresFileStorage({ pool, schema, ...options });
      opened.push(storage);
      return storage;
    };
    beforeEach(truncate);
    afterEach(async () => {
      for (const storage of opened.splice(0)) await storage.close();
    });

    it("never sweeps another node's upload in flight, even at idleMs 0", async () => {
      const a = node();
      const b = node();
      const body = new PassThrough();
      const pending = a.stage(body, 10 * MiB);
      body.write(Buffer.alloc(300 * 1024, 1));
      await until(async () => (await count(tables.chunks)) >= 1);
      assert.equal(await b.sweep({ idleMs: 0 }), 0);
      body.end(Buffer.alloc(10, 2));
      const file = await pending;
      assert.equal(await b.sweep({ idleMs: 0 }), 0, 'held for its commit');
      await b.commit(file.token, 'a/b/c', META);
      assert.equal((await a.stat('a/b/c'))?.size, 300 * 1024 + 10);
    });

    it('renews the lease of what it holds; once released, another node sweeps it', async () => {
      const a = node({ leaseMs: 150 });
      const b = node();
      const file = await a.stage(source(Buffer.from('held')), 10);
      await new Promise((done) => setTimeout(done, 400));
      assert.equal(await b.sweep({ idleMs: 0 }), 0, 'lease renewed past its first term');
      await a.close();
      assert.equal(await b.sweep({ idleMs: 0 }), 1);
      assert.equal(await count(tables.blobs), 0);
      await assert.rejects(b.commit(file.token, 'a/b/c', META), FileNotFound);
    });

    it('stops renewing what another node committed (a recovery after a crash)', async () => {
      const a = node({ leaseMs: 60 });
      const file = await a.stage(source(Buffer.from('moved elsewhere')), 100);
      await node().commit(file.token, 'a/b/c', META);
      const leases = (a as unknown as { leases: Leases }).leases;
      await until(async () => leases.tokens().length === 0);
      assert.equal((leases as unknown as { timer?: unknown }).timer, undefined, 'no timer left');
    });

    it('a node that stopped without releasing leaves its uploads to a sweep once the lease lapses', async () => {
      const a = node({ leaseMs: 100 });
      await a.stage(source(Buffer.from('crashed')), 10);
      // A crash: the process is gone, nothing renews or releases.
      (a as unknown as { leases: Leases }).leases.stop();
      const b = node();
      assert.equal(await b.sweep({ idleMs: 0 }), 0);
      await new Promise((done) => setTimeout(done, 250));
      assert.equal(await b.sweep({ idleMs: 0 }), 1);
    });

    it('a commit and a sweep racing for one staged blob: exactly one wins', async () => {
      const a = node();
      for (let round = 0; round < 10; round++) {
        const file = await a.stage(source(Buffer.from(`round ${round}`)), 100);
        await pool.query(`UPDATE ${tables.staged} SET lease = NULL WHERE token = $1`, [file.token]);
        const sweeper = node();
        const [committed, swept] = await Promise.allSettled([
          a.commit(file.token, `r/${round}/f`, META),
          sweeper.sweep({ idleMs: 0 }),
        ]);
        assert.equal(swept.status, 'fulfilled');
        const stored = await a.stat(`r/${round}/f`);
        if (committed.status === 'fulfilled') {
          assert.equal(swept.value, 0);
          assert.equal(stored?.size, `round ${round}`.length);
        } else {
          assert.ok(committed.reason instanceof FileNotFound);
          assert.equal(swept.value, 1);
          assert.equal(stored, undefined);
        }
      }
      assert.equal(await count(tables.staged), 0);
    });

    it('leaves no chunk behind when an upload fails, and purges removed blobs after the grace', async () => {
      const a = node({ graceMs: 0 });
      await assert.rejects(a.stage(source(Buffer.alloc(MiB, 1), 64 * 1024), MiB - 1), FileTooLarge);
      assert.deepEqual([await count(tables.blobs), await count(tables.chunks)], [0, 0]);
      const file = await a.stage(source(Buffer.alloc(MiB, 1), 64 * 1024), MiB);
      await a.commit(file.token, 'a/b/c', META);
      assert.equal(await count(tables.chunks), 4);
      await a.remove('a/b/c');
      assert.equal(await count(tables.chunks), 4, 'kept for downloads in flight');
      assert.equal(await a.sweep({ idleMs: 0 }), 0, 'purges are not counted as leftovers');
      assert.deepEqual([await count(tables.blobs), await count(tables.chunks)], [0, 0]);
    });

    it('reads only the chunks a range covers', async () => {
      const a = node();
      const bytes = randomBytes(MiB + 1);
      const file = await a.stage(source(bytes, 64 * 1024), 2 * MiB);
      await a.commit(file.token, 'a/b/c', META);
      const seqs: number[] = [];
      const query = pool.query.bind(pool);
      const spy = (text: unknown, values?: unknown[]) => {
        if (typeof text === 'string' && text.includes('generate_series')) seqs.push(Number(values?.[1]));
        return (query as (t: unknown, v?: unknown[]) => Promise<unknown>)(text, values);
      };
      (pool as unknown as { query: typeof spy }).query = spy;
      try {
        const got = await bytesOf(await a.read('a/b/c', { start: 300_000, end: 600_000 }));
        assert.ok(got.equals(bytes.subarray(300_000, 600_001)));
        assert.deepEqual(seqs, [1, 2]);
        seqs.length = 0;
        const last = await bytesOf(await a.read('a/b/c', { start: MiB, end: MiB }));
        assert.deepEqual([...last], [bytes[MiB]]);
        assert.deepEqual(seqs, [4]);
      } finally {
        (pool as unknown as { query: typeof query }).query = query;
      }
    });

    it('a download cut off midway stops fetching and fails nothing', async () => {
      const a = node();
      const file = await a.stage(source(randomBytes(2 * MiB), 64 * 1024), 2 * MiB);
      await a.commit(file.token, 'a/b/c', META);
      const stream = await a.read('a/b/c');
      const errors: unknown[] = [];
      stream.on('error', (error) => errors.push(error));
      await new Promise<void>((done) => stream.once('data', () => done()));
      stream.destroy();
      await new Promise((done) => setTimeout(done, 100));
      assert.deepEqual(errors, []);
      assert.equal((await a.stat('a/b/c'))?.size, 2 * MiB);
    });

    it('keeps chunks uncompressed and out of line', async () => {
      const [column] = await rowsOf(
        `SELECT a.attstorage FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attname = 'data'`,
        [tables.chunks.replaceAll('"', '')],
      );
      assert.equal(column.attstorage, 'e');
    });

    it('creates its tables once however many nodes start together', async () => {
      const fresh = `${schema}_start`;
      const nodes = Array.from({ length: 5 }, () => node({ schema: fresh }));
      try {
        await Promise.all(nodes.map((n) => n.open()));
        await Promise.all(nodes.map((n) => n.health()));
        assert.deepEqual(await nodes[0].health(), { writable: true });
      } finally {
        await pool.query(`DROP SCHEMA IF EXISTS "${fresh}" CASCADE`);
      }
    });

    it('reports an unreachable database as not writable, without throwing', async () => {
      const away = new PostgresFileStorage({ url: 'postgres://postgres@127.0.0.1:1/test', schema });
      try {
        const health = await away.health();
        assert.equal(health.writable, false);
        assert.match(health.detail ?? '', /cannot be reached.*ECONNREFUSED/);
        await assert.rejects(away.stage(source(Buffer.from('x')), 10), /ECONNREFUSED/);
      } finally {
        await away.close();
      }
    });

    it('refuses a schema name that is not a plain identifier', () => {
      assert.throws(() => new PostgresFileStorage({ pool, schema: 'x"; DROP TABLE y; --' }), /schema name/);
    });
  });
}

/** Poll `check` until it holds (a few seconds at most). */
async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((done) => setTimeout(done, 10));
  }
  throw new Error('condition not reached');
}

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
