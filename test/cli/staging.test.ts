/**
 * `serve` clears staged uploads left by a crash as it starts, whatever their
 * age, while the upload of a committed record still waiting to move into
 * place is moved, not swept.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { validateConfig } from '../../src/config/validate.js';
import { LocalFileStorage } from '../../src/files/local/local-storage.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { killServers, PUBLIC_RULES, request, SLOW, serve, tempDir, writeJsonConfig } from './helpers.js';

after(killServers);

const CONFIG = {
  collections: { photos: { fields: { image: { type: 'file' } }, rules: PUBLIC_RULES } },
};

test('start-up sweeps fresh leftovers and keeps a committed upload', SLOW, async () => {
  const { dir, remove } = tempDir();
  try {
    const file = writeJsonConfig(dir, CONFIG);
    const data = join(dir, 'data');
    const staging = join(data, 'files', '.staging');
    mkdirSync(staging, { recursive: true });
    // A crash halfway through two uploads, a moment ago.
    writeFileSync(join(staging, 'AAAAAAAAAAAAAAAAAAAAAA'), 'half an upload');
    writeFileSync(join(staging, 'BBBBBBBBBBBBBBBBBBBBBB.meta'), '{}');
    // And a committed record whose blob had not moved yet.
    const config = validateConfig(CONFIG, file, dir);
    const store = new SqliteStore({ path: join(data, 'methodical.db'), collections: config.collections });
    await store.migrate(await store.planMigration());
    const files = new LocalFileStorage(join(data, 'files'));
    const staged = await files.stage(Readable.from([Buffer.from('kept')]), 100);
    await store.transaction((tx) =>
      tx.putPendingFile({
        token: staged.token,
        key: 'photos/p1/a_abcdefghij.txt',
        meta: JSON.stringify({ type: 'text/plain', originalName: 'a.txt' }),
      }),
    );
    await store.close();

    const server = await serve(['--config', file, '--data', data, '--port', '0']);
    assert.deepEqual(readdirSync(staging), [], 'every leftover is gone, however fresh');
    assert.ok(existsSync(join(data, 'files', 'photos', 'p1', 'a_abcdefghij.txt')), 'the committed one moved');
    const health = await request(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    await server.stop();
  } finally {
    remove();
  }
});
