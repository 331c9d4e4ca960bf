/**
 * A crash between a record's commit and moving its upload into place: the
 * journal written with the record says which staged blob belongs where, and
 * start-up recovery finishes the move (and forgets moves already done).
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { fileKey, recoverPendingFiles } from '../../src/service/uploads.js';
import { PUBLIC_RULES, type TestApp, testApp } from '../harness.js';
import { PNG } from './upload-helpers.js';

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
