/**
 * PRODUCT.md, Idempotency (a double-clicked submit makes one record) for
 * upload forms: a retried or double-clicked upload keeps one file, and the
 * copies the replayed requests staged do not stay behind.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { json, PUBLIC_RULES, type TestApp, testApp } from '../harness.js';
import { assertProblem } from './helpers.js';
import type { Part } from './multipart.js';
import { allBlobs, assertStagingEmptied, blobsOf, PNG, sendMultipart } from './upload-helpers.js';

const png = (n: number) => Buffer.concat([PNG, Buffer.from(`#${n}`)]);
const file = (name: string, filename: string, data: Buffer): Part => ({
  name,
  filename,
  data,
  type: 'image/png',
});
const text = (name: string, value: string): Part => ({ name, value });

describe('uploads replayed by an idempotency key', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp({
      collections: {
        albums: {
          fields: { title: { type: 'text', required: true }, cover: { type: 'file', accept: ['image/*'] } },
          rules: PUBLIC_RULES,
        },
      },
    });
  });
  after(() => t.close());

  test('a retried upload with the same Idempotency-Key replays and keeps one file', async () => {
    const parts = [text('title', 'Retried'), file('cover', 'retry.png', png(7))];
    const headers = { 'idempotency-key': 'upload-once' };
    const first = await sendMultipart(t, '/api/albums', parts, { headers });
    const second = await sendMultipart(t, '/api/albums', parts, { headers });
    assert.deepEqual([first.statusCode, second.statusCode], [201, 201]);
    assert.equal(second.headers['idempotent-replayed'], 'true');
    assert.equal(second.body, first.body);
    const id = String(json(first).id);
    assert.deepEqual(blobsOf(t, 'albums', id), [json(first).cover]);
    assert.equal(allBlobs(t).filter((p) => p.includes('/retry_')).length, 1);
    const otherBytes = await sendMultipart(
      t,
      '/api/albums',
      [text('title', 'Retried'), file('cover', 'retry.png', png(8))],
      { headers },
    );
    assertProblem(otherBytes, 422, { type: 'https://methodical.dev/problems/idempotency-key-reused' });
    assert.equal(allBlobs(t).filter((p) => p.includes('/retry_')).length, 1);
    await assertStagingEmptied(t);
  });

  test('a double-clicked upload form (parallel, one hidden key) makes one record and one file', async () => {
    const parts = [
      text('title', 'Clicked twice'),
      file('cover', 'twice.png', png(5)),
      text('_idempotency_key', 'upload-twice'),
    ];
    const answers = await Promise.all(
      [1, 2, 3].map(() => sendMultipart(t, '/api/albums', parts, { headers: { accept: 'text/html' } })),
    );
    const locations = new Set(answers.map((r) => r.headers.location));
    assert.deepEqual(
      answers.map((r) => r.statusCode),
      [303, 303, 303],
    );
    assert.equal(locations.size, 1);
    const id = String([...locations][0])
      .split('/')
      .pop() as string;
    assert.equal(blobsOf(t, 'albums', id).length, 1);
    assert.equal(allBlobs(t).filter((p) => p.includes('/twice_')).length, 1);
    await assertStagingEmptied(t);
  });
});
