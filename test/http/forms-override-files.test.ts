/**
 * Multipart forms standing for PUT, PATCH or DELETE (PRODUCT.md, Details:
 * Forms; Forms and files): their files are staged as for a PUT, committed
 * with the write or dropped with it, and a replaced or deleted record's old
 * files leave the disk. Nothing is ever left in staging.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import type { UserConfig } from '../../src/config/types.js';
import { json, PUBLIC_RULES, type TestApp } from '../harness.js';
import { authApp, bearer, registerAndLogin, type User } from './auth-helpers.js';
import { assertProblem } from './helpers.js';
import type { Part } from './multipart.js';
import {
  allBlobs,
  assertNoStaging,
  assertStagingEmptied,
  BROWSER_ACCEPT,
  blobsOf,
  download,
  PNG,
  sendMultipart,
} from './upload-helpers.js';

const CONFIG: UserConfig = {
  collections: {
    albums: {
      fields: { title: { type: 'text', required: true }, cover: { type: 'file', accept: ['image/*'] } },
      rules: PUBLIC_RULES,
    },
    private: {
      fields: { title: { type: 'text' }, cover: { type: 'file' } },
      rules: { list: 'auth', view: 'auth', create: 'auth', update: 'owner', delete: 'owner' },
    },
  },
};

const png = (n: number) => Buffer.concat([PNG, Buffer.from(`#${n}`)]);
const text = (name: string, value: string): Part => ({ name, value });
const cover = (data: Buffer, filename = 'cover.png'): Part => ({
  name: 'cover',
  filename,
  data,
  type: 'image/png',
});
/** A file input left empty: the part browsers send for it. */
const emptyInput: Part = { name: 'cover', filename: '', data: Buffer.alloc(0) };

let t: TestApp;
let owner: User;
let other: User;
/** Calls to the storage's stage(): a refused caller or a DELETE makes none. */
let stagings = 0;
before(async () => {
  t = await authApp(CONFIG);
  owner = await registerAndLogin(t, 'owner@example.com');
  other = await registerAndLogin(t, 'other@example.com');
  const stage = t.files.stage.bind(t.files);
  t.files.stage = (source, maxSize) => {
    stagings++;
    return stage(source, maxSize);
  };
});
after(() => t.close());
beforeEach(() => assertStagingEmptied(t));

/** An album with a cover; returns its id, URL, ETag and the cover's stored name. */
async function album(collection = 'albums', user: User | null = null) {
  const res = await sendMultipart(t, `/api/${collection}`, [text('title', 'Album'), cover(png(0))], {
    headers: bearer(user),
  });
  assert.equal(res.statusCode, 201, res.body);
  const body = json(res);
  return {
    id: body.id as string,
    url: `/api/${collection}/${body.id}`,
    etag: String(res.headers.etag),
    cover: body.cover as string,
  };
}

function override(
  url: string,
  parts: Part[],
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return sendMultipart(t, url, parts, { headers });
}

describe('multipart _method=PUT and PATCH: the new file replaces the old one on disk', () => {
  for (const method of ['PUT', 'PATCH'] as const) {
    test(`${method} with a new cover and the ETag: 303; the record names the new file, the old one is gone`, async () => {
      const a = await album();
      const res = await override(
        a.url,
        [text('_method', method), text('_etag', a.etag), text('title', 'Renamed'), cover(png(1), 'new.png')],
        { accept: BROWSER_ACCEPT },
      );
      assert.equal(res.statusCode, 303, res.body);
      assert.equal(res.headers.location, a.url);
      const record = await t.store.get('albums', a.id);
      const name = record?.cover as string;
      assert.match(name, /^new_[a-z0-9]{10}\.png$/);
      assert.equal(record?.title, 'Renamed');
      assert.deepEqual(blobsOf(t, 'albums', a.id), [name], 'only the new file is kept');
      assert.ok((await download(t, 'albums', a.id, 'cover', name)).rawPayload.equals(png(1)));
      assertProblem(await download(t, 'albums', a.id, 'cover', a.cover), 404);
      assertNoStaging(t);
    });
  }

  test('PATCH without a new file (an empty file input) keeps the cover and its file', async () => {
    const a = await album();
    const res = await override(a.url, [
      text('_method', 'PATCH'),
      text('title', 'Only the title'),
      emptyInput,
    ]);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual([json(res).title, json(res).cover], ['Only the title', a.cover]);
    assert.deepEqual(blobsOf(t, 'albums', a.id), [a.cover]);
  });

  test('PUT without a file clears the cover, as a PUT does, and its file leaves the disk', async () => {
    const a = await album();
    const res = await override(a.url, [text('_method', 'PUT'), text('title', 'Bare'), emptyInput]);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(json(res).cover, null);
    assert.deepEqual(blobsOf(t, 'albums', a.id), []);
  });

  test('_method after the file part: still that method, the file kept', async () => {
    const a = await album();
    const res = await override(a.url, [cover(png(2), 'late.png'), text('_method', 'PATCH')]);
    assert.equal(res.statusCode, 200, res.body);
    assert.match(json(res).cover as string, /^late_/);
    assert.deepEqual(blobsOf(t, 'albums', a.id), [json(res).cover]);
  });

  test('a file of the wrong type: 422 with file_type; nothing changes, nothing left behind', async () => {
    const a = await album();
    const res = await override(a.url, [text('_method', 'PATCH'), cover(Buffer.from('plain text'), 'x.png')]);
    const problem = assertProblem(res, 422);
    assert.deepEqual(problem.errors, [
      { field: 'cover', code: 'file_type', message: 'must be image/*; the uploaded file is text/plain' },
    ]);
    assert.deepEqual(blobsOf(t, 'albums', a.id), [a.cover]);
    assertNoStaging(t);
  });
});

describe('multipart refusals leave the files as they were', () => {
  for (const method of ['PUT', 'PATCH', 'DELETE'] as const) {
    test(`${method} with a stale _etag and a file: 412; the record and its file unchanged, nothing staged`, async () => {
      const a = await album();
      const before = await t.store.get('albums', a.id);
      const blobs = allBlobs(t);
      const res = await override(a.url, [text('_method', method), text('_etag', '"stale"'), cover(png(3))]);
      assertProblem(res, 412);
      assert.deepEqual(await t.store.get('albums', a.id), before);
      assert.deepEqual(allBlobs(t), blobs);
      await assertStagingEmptied(t);
    });
  }

  const bad = [
    { name: 'no _method', parts: [text('title', 'x')], status: 405 },
    { name: '_method=GET', parts: [text('_method', 'GET')], status: 400 },
  ];
  for (const row of bad) {
    test(`${row.name} with a file: ${row.status}, nothing stored`, async () => {
      const a = await album();
      const blobs = allBlobs(t);
      const res = await override(a.url, [...row.parts, cover(png(4))]);
      assertProblem(res, row.status);
      assert.deepEqual(allBlobs(t), blobs);
      await assertStagingEmptied(t);
    });
  }

  test('a caller the rules refuse is refused before the file is stored (401, 403)', async () => {
    const a = await album('private', owner);
    const blobs = allBlobs(t);
    const before = stagings;
    for (const [user, status] of [
      [null, 401],
      [other, 403],
    ] as const) {
      for (const method of ['PUT', 'PATCH']) {
        const res = await override(a.url, [text('_method', method), cover(png(5))], bearer(user));
        assertProblem(res, status);
      }
    }
    assertProblem(
      await override('/api/private/missing', [text('_method', 'PATCH'), cover(png(6))], bearer(owner)),
      404,
    );
    assertProblem(await override(a.url, [text('_method', 'PUSH'), cover(png(6))], bearer(owner)), 400);
    assert.equal(stagings, before, 'no file was staged');
    assertNoStaging(t);
    assert.deepEqual(allBlobs(t), blobs);
  });
});

describe('multipart _method=DELETE', () => {
  test('the record and its files are gone; files in the form are never kept', async () => {
    const a = await album();
    const before = stagings;
    const res = await override(a.url, [text('_method', 'DELETE'), text('_etag', a.etag), cover(png(7))], {
      accept: BROWSER_ACCEPT,
    });
    assert.equal(stagings, before, 'a DELETE stages no file');
    assert.equal(res.statusCode, 204, res.body);
    assert.equal(await t.store.get('albums', a.id), undefined);
    assert.deepEqual(blobsOf(t, 'albums', a.id), []);
    assertNoStaging(t);
  });
});

describe('an overridden multipart PATCH with _idempotency_key', () => {
  test('the retry replays: one new file, the first upload kept, the retry’s copy dropped', async () => {
    const a = await album();
    const parts = [
      text('_method', 'PATCH'),
      text('_idempotency_key', 'cover-once'),
      cover(png(8), 'once.png'),
    ];
    const first = await override(a.url, parts);
    assert.equal(first.statusCode, 200, first.body);
    const again = await override(a.url, parts);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(again.body, first.body);
    assert.deepEqual(blobsOf(t, 'albums', a.id), [json(first).cover]);
    await assertStagingEmptied(t);
  });
});
