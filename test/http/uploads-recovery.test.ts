/**
 * A crash between a record's commit and moving its upload into place: the
 * journal written with the record says which staged blob belongs where, and
 * start-up recovery finishes the move (and forgets moves already done).
 */
import assert from 'node:assert/strict';
import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { LocalFileStorage } from '../../src/files/local/local-storage.js';
import { fileKey, recoverPendingFiles, tidyStagedFiles } from '../../src/service/uploads.js';
import { PUBLIC_RULES, type TestApp, testApp } from '../harness.js';
import { PNG, staged } from './upload-helpers.js';

describe('pending uploads after a crash', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp({
      collections: { photos: { fields: { image: { type: 'file' } }, rules: PUBLIC_RULES } },
    });
  });
  after(() => t.close());

  test('a journalled upload whose blob was never moved is moved at start-up', async () => {
    const staged = await t.files.stage(Readable.from([PNG]), 1024);
    const key = fileKey('photos', 'r1', 'pixel_abcdefghij.png');
    await t.store.transaction((tx) =>
      tx.putPendingFile({
        token: staged.token,
        key,
        meta: JSON.stringify({ type: 'image/png', originalName: 'p.png' }),
      }),
    );
    assert.equal(await t.files.stat(key), undefined, 'not in place before recovery');
    assert.equal(await recoverPendingFiles(t.store, t.files), 1);
    const info = await t.files.stat(key);
    assert.equal(info?.size, PNG.length);
    assert.equal(info?.type, 'image/png');
    assert.deepEqual(await t.store.pendingFiles(), []);
  });

  test('a journal entry whose blob is already in place (or gone) is simply struck off', async () => {
    await t.store.transaction((tx) =>
      tx.putPendingFile({
        token: 'AAAAAAAAAAAAAAAAAAAAAA',
        key: fileKey('photos', 'r2', 'x_abcdefghij.png'),
        meta: '{}',
      }),
    );
    assert.equal(await recoverPendingFiles(t.store, t.files), 0);
    assert.deepEqual(await t.store.pendingFiles(), []);
  });

  test('a normal upload leaves no journal entry behind', async () => {
    const boundary = 'b0undary';
    const payload = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="p.png"\r\nContent-Type: image/png\r\n\r\n`,
      ),
      PNG,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const res = await t.request({
      method: 'POST',
      url: '/api/photos',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload,
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(await t.store.pendingFiles(), []);
  });
});

describe('tidying staging on a timer', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp({
      collections: { photos: { fields: { image: { type: 'file' } }, rules: PUBLIC_RULES } },
    });
  });
  after(() => t.close());

  test('takes leftovers idle for the given time, never a live upload or one of a committed record', async () => {
    const staging = join(t.dir, 'files', '.staging');
    const hour = 3600_000;
    // Blobs left by a request cut off long ago, as another process over this folder would leave them.
    const other = new LocalFileStorage(join(t.dir, 'files'));
    const idle = await other.stage(Readable.from([Buffer.from('idle')]), 100);
    const committed = await other.stage(Readable.from([PNG]), 1024);
    const past = new Date(Date.now() - 2 * hour);
    for (const token of [idle.token, committed.token]) utimesSync(join(staging, token), past, past);
    writeFileSync(join(staging, 'CCCCCCCCCCCCCCCCCCCCCC'), 'recent, not yet idle');
    // An upload of this process still on its way to a record, however old.
    const live = await t.files.stage(Readable.from([Buffer.from('live')]), 100);
    utimesSync(join(staging, live.token), past, past);
    // A committed record whose blob could not move yet (say the disk was full): journalled.
    const key = fileKey('photos', 'r9', 'p_abcdefghij.png');
    await t.store.transaction(async (tx) => {
      await tx.putPendingFile({
        token: committed.token,
        key,
        meta: JSON.stringify({ type: 'image/png', originalName: 'p.png' }),
      });
    });
    // The journalled one is moved; of the rest, only the idle leftover goes.
    assert.equal(await tidyStagedFiles(t.store, t.files, hour), 1);
    assert.deepEqual(staged(t).sort(), ['CCCCCCCCCCCCCCCCCCCCCC', live.token].sort());
    assert.equal((await t.files.stat(key))?.size, PNG.length);
    assert.deepEqual(await t.store.pendingFiles(), []);
    await t.files.discard(live.token);
  });
});
