/**
 * Where uploaded files go: `--files DIR` for a folder (a shared disk), else
 * PostgreSQL when the database is, else files/ in the data folder.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { after, afterEach, beforeEach, describe, test } from 'node:test';
import pg from 'pg';
import { type FilesFlags, openFiles } from '../../src/cli/open-store.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { LocalFileStorage } from '../../src/files/local/local-storage.js';
import { PostgresFileStorage } from '../../src/files/postgres/postgres-storage.js';
import type { FileStorage } from '../../src/files/storage.js';
import {
  assertUsageFailure,
  killServers,
  PUBLIC_RULES,
  run,
  SLOW,
  serve,
  tempDir,
  writeJsonConfig,
} from './helpers.js';

after(killServers);

describe('openFiles', () => {
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env.DATABASE_URL;
    delete process.env.DATABASE_URL;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
  });

  const PG = 'postgres://app@db.example:5432/shop';
  const cases: { name: string; flags: FilesFlags; env?: string; expected: 'postgres' | string }[] = [
    { name: 'SQLite: files/ in the data folder', flags: { data: 'srv/data' }, expected: 'srv/data/files' },
    { name: 'SQLite without --data: ./data/files', flags: {}, expected: 'data/files' },
    {
      name: 'SQLite with --files: that folder',
      flags: { data: 'srv/data', files: '/mnt/up' },
      expected: '/mnt/up',
    },
    { name: 'PostgreSQL by --database: in the database', flags: { database: PG }, expected: 'postgres' },
    { name: 'postgresql:// too', flags: { database: 'postgresql://h/d' }, expected: 'postgres' },
    { name: 'PostgreSQL by DATABASE_URL', flags: { data: 'd' }, env: PG, expected: 'postgres' },
    {
      name: 'PostgreSQL with --files: the shared disk',
      flags: { database: PG, files: 'shared' },
      expected: 'shared',
    },
    { name: 'DATABASE_URL with --files', flags: { files: 'shared/x' }, env: PG, expected: 'shared/x' },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      if (c.env) process.env.DATABASE_URL = c.env;
      const files: FileStorage = openFiles(c.flags);
      try {
        if (c.expected === 'postgres') {
          assert.ok(files instanceof PostgresFileStorage, files.constructor.name);
        } else {
          assert.ok(files instanceof LocalFileStorage, files.constructor.name);
          assert.equal(files.root, resolve(c.expected));
        }
      } finally {
        // Opening connects to nothing: the pool is only used on the first call.
        await (files as FileStorage).close?.();
      }
    });
  }

  test('with a real PostgreSQL, files go to the tables of the schema the URL selects', async (t) => {
    const base = process.env.TEST_DATABASE_URL;
    if (!base) return t.skip('TEST_DATABASE_URL is not set: set it to postgres://… to run this');
    const schema = `files_cli_${process.pid}`;
    const admin = new pg.Pool({ connectionString: base, max: 1 });
    await admin.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    const url = new URL(base);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const files = openFiles({ database: url.toString() });
    try {
      assert.ok(files instanceof PostgresFileStorage);
      const staged = await files.stage(Readable.from([Buffer.from('in the database')]), 100);
      await files.commit(staged.token, 'photos/p1/a.txt', { type: 'text/plain', originalName: 'a.txt' });
      const rows = await admin.query(`SELECT key FROM "${schema}".methodical_files`);
      assert.deepEqual(rows.rows, [{ key: 'photos/p1/a.txt' }]);
    } finally {
      await files.close?.();
      await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
      await admin.end();
    }
  });

  test('--files with an empty value is a usage error', () => {
    assert.throws(
      () => openFiles({ files: '' }),
      (error) => {
        assert.ok(error instanceof UsageError);
        assert.match(error.message, /--files must name a folder/);
        return true;
      },
    );
  });
});

describe('serve --files', () => {
  test('without a folder: exit 2, one line', SLOW, async () => {
    const result = await run(['serve', '--files']);
    assert.match(assertUsageFailure(result), /methodical serve: .*--files/);
  });

  test('on SQLite keeps uploads in that folder, not in the data folder', SLOW, async () => {
    const { dir, remove } = tempDir();
    try {
      const config = writeJsonConfig(dir, {
        collections: { photos: { fields: { image: { type: 'file' } }, rules: PUBLIC_RULES } },
      });
      const data = join(dir, 'data');
      const shared = join(dir, 'shared');
      const server = await serve(['--config', config, '--data', data, '--files', shared, '--port', '0']);
      await server.stderrIncludes(`  files     ${shared}`);
      assert.match(server.stderr(), /\(SQLite database methodical\.db\)\n/);
      const form = new FormData();
      form.append('image', new Blob(['hello, shared disk'], { type: 'text/plain' }), 'a.txt');
      const created = await fetch(`${server.url}/api/photos`, {
        method: 'POST',
        body: form,
        headers: { accept: 'application/json' },
      });
      assert.equal(created.status, 201, await created.clone().text());
      const record = (await created.json()) as { id: string; image: string };
      const stored = join(shared, 'photos', record.id, record.image);
      assert.equal(readFileSync(stored, 'utf8'), 'hello, shared disk');
      assert.equal(existsSync(join(data, 'files')), false);
      const download = await fetch(`${server.url}/api/files/photos/${record.id}/image/${record.image}`);
      assert.equal(download.status, 200);
      assert.equal(await download.text(), 'hello, shared disk');
      assert.deepEqual(readdirSync(join(shared, '.staging')), []);
      await server.stop();
    } finally {
      remove();
    }
  });
});
