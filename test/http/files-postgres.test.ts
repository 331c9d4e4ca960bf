/**
 * Uploads and downloads through the HTTP API with files in PostgreSQL
 * (TEST_DATABASE_URL; skipped without it, saying so): two apps share one
 * database and one file schema, as two nodes would. Status, headers, bodies
 * and the file tables are asserted.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import type { UserConfig } from '../../src/config/types.js';
import { validateConfig } from '../../src/config/validate.js';
import { PostgresFileStorage } from '../../src/files/postgres/postgres-storage.js';
import { createApp } from '../../src/http/app.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { json, PUBLIC_RULES } from '../harness.js';
import { assertProblem } from './helpers.js';
import { multipart } from './multipart.js';
import { PNG } from './upload-helpers.js';

const url = process.env.TEST_DATABASE_URL;

const CONFIG: UserConfig = {
  collections: {
    photos: {
      fields: { title: { type: 'text' }, image: { type: 'file', maxSize: 2 * 1024 * 1024 } },
      rules: PUBLIC_RULES,
    },
  },
};

/** A PNG of `size` bytes, random after its header (so every chunk differs). */
function png(size: number): Buffer {
  return Buffer.concat([PNG, randomBytes(size - PNG.length)]);
}

const sha1 = (bytes: Buffer) => createHash('sha1').update(bytes).digest('base64url');

if (!url) {
  describe('HTTP files in PostgreSQL', () => {
    it('is skipped: set TEST_DATABASE_URL=postgres://… to run it against PostgreSQL', (t) => {
      t.skip('TEST_DATABASE_URL is not set');
    });
  });
} else {
  describe('HTTP files in PostgreSQL, two nodes', () => {
    const schema = `files_http_${process.pid}_${randomBytes(4).toString('hex')}`;
    const dir = mkdtempSync(join(tmpdir(), 'methodical-pgfiles-'));
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    const nodes: { app: FastifyInstance; files: PostgresFileStorage; store: SqliteStore }[] = [];
    let t: PostgresFileStorage['tables'];
    const rows = async (sql: string, values: unknown[] = []) => (await pool.query(sql, values)).rows;

    before(async () => {
      const config = validateConfig(CONFIG, 'test.config.json', dir);
      for (let i = 0; i < 2; i++) {
        // Both nodes over one SQLite file here: what is shared under test is the file storage.
        const store = new SqliteStore({ path: join(dir, 'data.db'), collections: config.collections });
        if (i === 0) await store.migrate(await store.planMigration());
        const files = new PostgresFileStorage({ url, schema });
        const app = createApp({ config, store, files });
        await app.ready();
        nodes.push({ app, files, store });
      }
      t = nodes[0].files.tables;
    });
    after(async () => {
      for (const node of nodes) {
        await node.app.close();
        await node.store.close();
        await node.files.close();
      }
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
      rmSync(dir, { recursive: true, force: true });
    });

    const upload = (node: number, path: string, bytes: Buffer, method = 'POST') => {
      const body = multipart([
        { name: 'title', value: 'A photo' },
        { name: 'image', filename: 'photo.png', data: bytes, type: 'image/png' },
      ]);
      return nodes[node].app.inject({ method, url: path, ...body });
    };
    const download = (node: number, id: string, name: string, headers: Record<string, string> = {}) =>
      nodes[node].app.inject({ method: 'GET', url: `/api/files/photos/${id}/image/${name}`, headers });

    const bytes = png(700_000);
    let id = '';
    let name = '';

    it('an upload through node 1 is stored in chunks, committed, nothing left staged', async () => {
      const res = await upload(0, '/api/photos', bytes);
      assert.equal(res.statusCode, 201, res.body);
      id = String(json(res).id);
      name = String(json(res).image);
      assert.match(name, /^photo_[a-z0-9]{10}\.png$/);
      const [file] = await rows(
        `SELECT f.key, f.type, f.original_name, b.size, b.sha1,
                (SELECT count(*) FROM ${t.chunks} c WHERE c.blob_id = b.id)::int AS chunks
         FROM ${t.files} f JOIN ${t.blobs} b ON b.id = f.blob_id`,
      );
      assert.deepEqual(file, {
        key: `photos/${id}/${name}`,
        type: 'image/png',
        original_name: 'photo.png',
        size: String(bytes.length),
        sha1: sha1(bytes),
        chunks: 3,
      });
      assert.deepEqual(await rows(`SELECT token FROM ${t.staged}`), []);
    });

    const scenarios: {
      name: string;
      headers?: () => Record<string, string>;
      status: number;
      body?: () => Buffer;
      extra?: (h: Record<string, unknown>) => void;
    }[] = [
      { name: 'the whole file', status: 200, body: () => bytes },
      {
        name: 'a range across a chunk boundary',
        headers: () => ({ range: 'bytes=262000-262299' }),
        status: 206,
        body: () => bytes.subarray(262_000, 262_300),
        extra: (h) => assert.equal(h['content-range'], `bytes 262000-262299/${bytes.length}`),
      },
      {
        name: 'the last bytes',
        headers: () => ({ range: 'bytes=-5' }),
        status: 206,
        body: () => bytes.subarray(bytes.length - 5),
      },
      {
        name: 'If-None-Match with its ETag',
        headers: () => ({ 'if-none-match': `"${sha1(bytes)}"` }),
        status: 304,
      },
      { name: 'a range outside it', headers: () => ({ range: 'bytes=900000-' }), status: 416 },
    ];
    for (const node of [0, 1]) {
      for (const s of scenarios) {
        it(`node ${node + 1}: ${s.name} → ${s.status}`, async () => {
          const res = await download(node, id, name, s.headers?.() ?? {});
          if (s.status === 416) {
            assertProblem(res, 416, { detail: /700000 bytes/ });
            assert.equal(res.headers['content-range'], `bytes */${bytes.length}`);
            return;
          }
          assert.equal(res.statusCode, s.status, res.body.slice(0, 200));
          // Strong, and the same from every node: the SHA-1 taken while staging.
          assert.equal(res.headers.etag, `"${sha1(bytes)}"`);
          if (s.body) {
            assert.ok(res.rawPayload.equals(s.body()), 'the bytes');
            assert.equal(res.headers['content-length'], String(s.body().length));
            assert.equal(res.headers['content-type'], 'image/png');
          }
          s.extra?.(res.headers);
        });
      }
    }

    it('both nodes give the same validators', async () => {
      const [a, b] = await Promise.all([download(0, id, name), download(1, id, name)]);
      assert.equal(a.headers.etag, b.headers.etag);
      assert.equal(a.headers['last-modified'], b.headers['last-modified']);
    });

    it('a file over maxSize → 413 and nothing is left in the tables', async () => {
      const before = await rows(`SELECT count(*)::int AS n FROM ${t.chunks}`);
      const res = await upload(1, '/api/photos', png(2 * 1024 * 1024 + 1));
      assertProblem(res, 413, { detail: /2097152 bytes/ });
      assert.deepEqual(await rows(`SELECT token FROM ${t.staged}`), []);
      assert.deepEqual(await rows(`SELECT count(*)::int AS n FROM ${t.chunks}`), before);
    });

    it('replacing the file on node 2 serves the new one everywhere and drops the old blob', async () => {
      const next = png(1000);
      const res = await upload(1, `/api/photos/${id}`, next, 'PUT');
      assert.equal(res.statusCode, 200, res.body);
      const fresh = String(json(res).image);
      assert.notEqual(fresh, name);
      assert.equal((await download(0, id, name)).statusCode, 404);
      const got = await download(0, id, fresh);
      assert.equal(got.statusCode, 200);
      assert.ok(got.rawPayload.equals(next));
      assert.deepEqual(
        (await rows(`SELECT key FROM ${t.files}`)).map((r) => r.key),
        [`photos/${id}/${fresh}`],
      );
      assert.equal(
        (await rows(`SELECT blob_id FROM ${t.dropped}`)).length,
        1,
        'the old blob, kept a grace period',
      );
    });

    it('deleting the record removes its file', async () => {
      const res = await nodes[0].app.inject({ method: 'DELETE', url: `/api/photos/${id}` });
      assert.equal(res.statusCode, 204);
      assert.deepEqual(await rows(`SELECT key FROM ${t.files}`), []);
      assert.deepEqual(await rows(`SELECT token FROM ${t.staged}`), []);
    });

    it('/healthz reports the file storage writable', async () => {
      const res = await nodes[1].app.inject({ method: 'GET', url: '/healthz' });
      assert.equal(res.statusCode, 200, res.body);
    });
  });
}
