/**
 * PRODUCT.md, Forms and files: `multiple` file fields, and a record's files
 * following the record: replaced or cleared files leave the disk, a deleted
 * record takes its files along, a failed write leaves nothing behind, and a
 * JSON body can only keep names the record already has.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { UserConfig } from '../../src/config/types.js';
import { json, PUBLIC_RULES, type TestApp, testApp } from '../harness.js';
import { assertProblem } from './helpers.js';
import type { Part } from './multipart.js';
import {
  allBlobs,
  assertNoStaging,
  assertStagingEmptied,
  blobsOf,
  download,
  PNG,
  sendMultipart,
} from './upload-helpers.js';

const CONFIG: UserConfig = {
  collections: {
    albums: {
      fields: {
        title: { type: 'text', required: true },
        cover: { type: 'file', accept: ['image/*'] },
        gallery: { type: 'file', multiple: true, min: 2, max: 3 },
      },
      rules: PUBLIC_RULES,
    },
  },
};

const png = (n: number) => Buffer.concat([PNG, Buffer.from(`#${n}`)]);
const file = (name: string, filename: string, data: Buffer = PNG): Part => ({
  name,
  filename,
  data,
  type: 'image/png',
});
const text = (name: string, value: string): Part => ({ name, value });

async function createAlbum(t: TestApp, parts: Part[]) {
  const res = await sendMultipart(t, '/api/albums', [text('title', 'Album'), ...parts]);
  assert.equal(res.statusCode, 201, res.body);
  return json(res) as { id: string; cover: string | null; gallery: string[] | null; [k: string]: unknown };
}

describe('uploads: multiple files and the files of a record over its life', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp(CONFIG);
  });
  after(() => t.close());
  beforeEach(() => assertStagingEmptied(t));

  test('several parts with one name make an array, in order, each stored and served', async () => {
    const album = await createAlbum(t, [
      file('gallery', 'one.png', png(1)),
      file('gallery', 'two.png', png(2)),
      file('gallery', 'three.png', png(3)),
    ]);
    assert.equal(album.gallery?.length, 3);
    album.gallery?.forEach((name, i) => {
      assert.match(name, new RegExp(`^${['one', 'two', 'three'][i]}_[a-z0-9]{10}\\.png$`));
    });
    assert.deepEqual(blobsOf(t, 'albums', album.id).sort(), [...(album.gallery ?? [])].sort());
    for (const [i, name] of (album.gallery ?? []).entries()) {
      const res = await download(t, 'albums', album.id, 'gallery', name);
      assert.ok(res.rawPayload.equals(png(i + 1)));
    }
    const stored = await t.store.get('albums', album.id);
    assert.deepEqual(stored?.gallery, album.gallery);
  });

  const COUNTS = [
    { n: 1, code: 'min', message: /at least 2/ },
    { n: 4, code: 'max', message: /at most 3/ },
  ];
  for (const row of COUNTS) {
    test(`${row.n} file(s) for a field of 2 to 3 → 422 ${row.code}, nothing kept`, async () => {
      const before = allBlobs(t);
      const parts = Array.from({ length: row.n }, (_, i) => file('gallery', `g${i}.png`, png(i)));
      const res = await sendMultipart(t, '/api/albums', [text('title', 'Counted'), ...parts]);
      const problem = assertProblem(res, 422);
      const errors = problem.errors as { field: string; code: string; message: string }[];
      assert.deepEqual(
        errors.map((e) => [e.field, e.code]),
        [['gallery', row.code]],
      );
      assert.match(errors[0].message, row.message);
      assert.deepEqual(allBlobs(t), before);
      assertNoStaging(t);
    });
  }

  test('several files for a single file field → 422, nothing kept', async () => {
    const before = allBlobs(t);
    const res = await sendMultipart(t, '/api/albums', [
      text('title', 'Two covers'),
      file('cover', 'a.png'),
      file('cover', 'b.png'),
    ]);
    const problem = assertProblem(res, 422);
    assert.deepEqual(
      (problem.errors as { field: string }[]).map((e) => e.field),
      ['cover'],
    );
    assert.deepEqual(allBlobs(t), before);
  });

  test('PUT with a new file removes the old one from disk', async () => {
    const album = await createAlbum(t, [file('cover', 'old.png', png(1))]);
    const res = await sendMultipart(
      t,
      `/api/albums/${album.id}`,
      [text('title', 'Album'), file('cover', 'new.png', png(2))],
      { method: 'PUT' },
    );
    assert.equal(res.statusCode, 200, res.body);
    const cover = String(json(res).cover);
    assert.match(cover, /^new_[a-z0-9]{10}\.png$/);
    assert.deepEqual(blobsOf(t, 'albums', album.id), [cover], 'only the new file is left');
    assert.equal((await download(t, 'albums', album.id, 'cover', String(album.cover))).statusCode, 404);
    assert.ok((await download(t, 'albums', album.id, 'cover', cover)).rawPayload.equals(png(2)));
  });

  test('PUT without the file field clears it (fields left out take their defaults) and removes the file', async () => {
    const album = await createAlbum(t, [file('cover', 'gone.png')]);
    const res = await sendMultipart(t, `/api/albums/${album.id}`, [text('title', 'Renamed')], {
      method: 'PUT',
    });
    assert.equal(res.statusCode, 200);
    assert.equal(json(res).cover, null);
    assert.deepEqual(blobsOf(t, 'albums', album.id), []);
  });

  test('a PUT form can keep a file by naming it in a text part', async () => {
    const album = await createAlbum(t, [file('cover', 'kept.png')]);
    const res = await sendMultipart(
      t,
      `/api/albums/${album.id}`,
      [text('title', 'Renamed'), text('cover', String(album.cover))],
      { method: 'PUT' },
    );
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(json(res).cover, album.cover);
    assert.deepEqual(blobsOf(t, 'albums', album.id), [album.cover]);
  });

  test('PATCH setting the field to null removes the file; keeping it leaves the file alone', async () => {
    const album = await createAlbum(t, [
      file('cover', 'patched.png'),
      file('gallery', 'a.png', png(1)),
      file('gallery', 'b.png', png(2)),
      file('gallery', 'c.png', png(3)),
    ]);
    const keep = await t.request({
      method: 'PATCH',
      url: `/api/albums/${album.id}`,
      payload: { title: 'Patched' },
    });
    assert.equal(keep.statusCode, 200);
    assert.equal(blobsOf(t, 'albums', album.id).length, 4);
    const gallery = album.gallery ?? [];
    const cleared = await t.request({
      method: 'PATCH',
      url: `/api/albums/${album.id}`,
      payload: { cover: null, gallery: gallery.slice(0, 2) },
    });
    assert.equal(cleared.statusCode, 200, cleared.body);
    assert.deepEqual(blobsOf(t, 'albums', album.id).sort(), gallery.slice(0, 2).sort());
    assert.equal((await download(t, 'albums', album.id, 'cover', String(album.cover))).statusCode, 404);
  });

  test('DELETE removes the record and every one of its files', async () => {
    const album = await createAlbum(t, [
      file('cover', 'c.png'),
      file('gallery', 'a.png', png(1)),
      file('gallery', 'b.png', png(2)),
    ]);
    assert.equal(blobsOf(t, 'albums', album.id).length, 3);
    const res = await t.request({ method: 'DELETE', url: `/api/albums/${album.id}` });
    assert.equal(res.statusCode, 204);
    assert.deepEqual(blobsOf(t, 'albums', album.id), []);
    assert.ok(!allBlobs(t).some((p) => p.startsWith(`albums/${album.id}/`)));
  });

  const JSON_WRITES = [
    {
      name: 'PUT naming a file the record does not have',
      method: 'PUT' as const,
      body: { title: 'x', cover: 'other_0123456789.png' },
    },
    {
      name: 'PATCH naming a file the record does not have',
      method: 'PATCH' as const,
      body: { cover: 'other_0123456789.png' },
    },
    {
      name: 'PATCH adding a foreign name to a list',
      method: 'PATCH' as const,
      body: { gallery: ['x_0123456789.png', 'y_0123456789.png'] },
    },
  ];
  for (const row of JSON_WRITES) {
    test(`JSON ${row.name} → 422, nothing changes`, async () => {
      const album = await createAlbum(t, [file('cover', 'mine.png')]);
      const res = await t.request({ method: row.method, url: `/api/albums/${album.id}`, payload: row.body });
      const problem = assertProblem(res, 422);
      const errors = problem.errors as { field: string; code: string }[];
      assert.ok(
        errors.every((e) => e.code === 'file_unknown'),
        JSON.stringify(errors),
      );
      const stored = await t.store.get('albums', album.id);
      assert.equal(stored?.cover, album.cover);
      assert.deepEqual(blobsOf(t, 'albums', album.id), [album.cover]);
    });
  }

  test('a JSON POST cannot claim a file name at all', async () => {
    const other = await createAlbum(t, [file('cover', 'theirs.png')]);
    const res = await t.request({
      method: 'POST',
      url: '/api/albums',
      payload: { title: 'Thief', cover: other.cover },
    });
    assertProblem(res, 422);
  });

  test('a JSON PUT keeping the current name keeps the file', async () => {
    const album = await createAlbum(t, [file('cover', 'same.png')]);
    const res = await t.request({
      method: 'PUT',
      url: `/api/albums/${album.id}`,
      payload: { title: 'Again', cover: album.cover },
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(blobsOf(t, 'albums', album.id), [album.cover]);
  });

  test('a replacement that fails keeps the old file and stores none of the new', async () => {
    const album = await createAlbum(t, [file('cover', 'safe.png')]);
    const invalid = await sendMultipart(
      t,
      `/api/albums/${album.id}`,
      [text('title', ''), file('cover', 'new.png', png(9))],
      { method: 'PUT' },
    );
    assertProblem(invalid, 422);
    const stale = await sendMultipart(
      t,
      `/api/albums/${album.id}`,
      [text('title', 'T'), file('cover', 'new.png', png(9))],
      {
        method: 'PUT',
        headers: { 'if-match': '"stale"' },
      },
    );
    assertProblem(stale, 412);
    assert.deepEqual(blobsOf(t, 'albums', album.id), [album.cover]);
    assert.equal((await t.store.get('albums', album.id))?.cover, album.cover);
    assertNoStaging(t);
  });
});
