/**
 * GET by id reads through the store's record cache (src/store/record-cache.ts):
 * whatever changes a record — PUT, PATCH, DELETE, an upload, a relation's
 * onDelete, an import, another store on the same file — the next GET answers
 * the new version, with the ETag the write answered; a write that was rolled
 * back leaves the kept version in place.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { UserConfig } from '../../src/config/types.js';
import { compileSchema } from '../../src/schema/compile-schema.js';
import { importData } from '../../src/service/import-data.js';
import { importPlan } from '../../src/service/import-plan.js';
import { json, ON_POSTGRES, PUBLIC_RULES, type TestApp, testApp } from '../harness.js';
import { create } from './helpers.js';
import { PNG, sendMultipart } from './upload-helpers.js';

const CONFIG: UserConfig = {
  collections: {
    shelves: { fields: { name: { type: 'text', required: true } }, rules: PUBLIC_RULES },
    books: {
      fields: {
        title: { type: 'text', required: true },
        year: { type: 'integer' },
        shelf: { type: 'relation', collection: 'shelves', onDelete: 'setNull' },
        cover: { type: 'file' },
      },
      rules: PUBLIC_RULES,
    },
    reviews: {
      fields: {
        text: { type: 'text' },
        book: { type: 'relation', collection: 'books', onDelete: 'cascade' },
      },
      rules: PUBLIC_RULES,
    },
  },
};

let t: TestApp;
before(async () => {
  t = await testApp(CONFIG);
});
after(() => t.close());

/** GET a book: 200, its body, and its ETag, which is the one of its body's bytes as kept. */
async function read(app: TestApp, id: string) {
  const res = await app.request({ method: 'GET', url: `/api/books/${id}` });
  assert.equal(res.statusCode, 200, res.body);
  return { etag: String(res.headers.etag), body: json(res), lastModified: res.headers['last-modified'] };
}

/** The version the cache keeps of a book (undefined when it keeps none). */
function kept(app: TestApp, id: string) {
  return app.store.recordCache?.()?.get('books', id, '');
}

/** A book read once, so the cache keeps it. */
async function cachedBook(title: string) {
  const made = await create(t, 'books', { title, year: 1965 });
  const first = await read(t, made.id);
  assert.equal(first.etag, made.etag, 'the GET answers the ETag the POST did');
  if (!ON_POSTGRES) assert.equal(kept(t, made.id)?.etag, made.etag, 'kept after the read');
  const again = await read(t, made.id);
  assert.deepEqual(again, first, 'a second read answers the same');
  return made;
}

/** After a write answered `etag`, a GET answers it with `fields`, and the cache keeps that version. */
async function seesNew(id: string, etag: string, fields: Record<string, unknown>) {
  const now = await read(t, id);
  assert.equal(now.etag, etag, 'the GET answers the ETag the write did');
  for (const [k, v] of Object.entries(fields)) assert.deepEqual(now.body[k], v, k);
  if (!ON_POSTGRES) assert.equal(kept(t, id)?.etag, etag);
  const stored = await t.store.get('books', id);
  for (const [k, v] of Object.entries(fields)) assert.deepEqual(stored?.[k], v, `stored ${k}`);
}

describe('GET by id after a write answers the new version', () => {
  test('PUT', async () => {
    const book = await cachedBook('Dune');
    const res = await t.request({
      method: 'PUT',
      url: `/api/books/${book.id}`,
      payload: { title: 'Dune Messiah', year: 1969 },
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.notEqual(res.headers.etag, book.etag);
    await seesNew(book.id, String(res.headers.etag), { title: 'Dune Messiah', year: 1969 });
  });

  test('PATCH', async () => {
    const book = await cachedBook('Emma');
    const res = await t.request({ method: 'PATCH', url: `/api/books/${book.id}`, payload: { year: 1815 } });
    assert.equal(res.statusCode, 200, res.body);
    await seesNew(book.id, String(res.headers.etag), { title: 'Emma', year: 1815 });
  });

  test('If-None-Match with the old ETag after a PATCH is a 200 with the new one, with the new one a 304', async () => {
    const book = await cachedBook('Ivanhoe');
    const res = await t.request({ method: 'PATCH', url: `/api/books/${book.id}`, payload: { year: 1819 } });
    assert.equal(res.statusCode, 200, res.body);
    const old = await t.request({
      method: 'GET',
      url: `/api/books/${book.id}`,
      headers: { 'if-none-match': book.etag },
    });
    assert.equal(old.statusCode, 200);
    assert.equal(old.headers.etag, res.headers.etag);
    assert.equal(json(old).year, 1819);
    const same = await t.request({
      method: 'GET',
      url: `/api/books/${book.id}`,
      headers: { 'if-none-match': String(res.headers.etag) },
    });
    assert.equal(same.statusCode, 304);
    assert.equal(same.body, '');
    assert.equal(same.headers.etag, res.headers.etag);
    assert.equal(same.headers['cache-control'], 'no-cache');
    assert.equal(same.headers.vary, 'Accept, Authorization, Cookie');
  });

  test('DELETE', async () => {
    const book = await cachedBook('Gone');
    const res = await t.request({ method: 'DELETE', url: `/api/books/${book.id}` });
    assert.equal(res.statusCode, 204, res.body);
    const after = await t.request({ method: 'GET', url: `/api/books/${book.id}` });
    assert.equal(after.statusCode, 404);
    assert.equal(kept(t, book.id), undefined);
    assert.equal(await t.store.get('books', book.id), undefined);
  });

  test('an upload (a multipart PUT with a file)', async () => {
    const book = await cachedBook('Pictured');
    const res = await sendMultipart(
      t,
      `/api/books/${book.id}`,
      [
        { name: 'title', value: 'Pictured' },
        { name: 'cover', filename: 'cover.png', data: PNG, type: 'image/png' },
      ],
      { method: 'PUT', headers: { accept: 'application/json' } },
    );
    assert.equal(res.statusCode, 200, res.body);
    const cover = json(res).cover;
    assert.equal(typeof cover, 'string');
    await seesNew(book.id, String(res.headers.etag), { cover });
  });

  test("a relation's onDelete (setNull) changes the record that named the deleted one", async () => {
    const shelf = await create(t, 'shelves', { name: 'Top' });
    const made = await create(t, 'books', { title: 'Shelved', shelf: shelf.id });
    const before = await read(t, made.id);
    assert.equal(before.body.shelf, shelf.id);
    const res = await t.request({ method: 'DELETE', url: `/api/shelves/${shelf.id}` });
    assert.equal(res.statusCode, 204, res.body);
    const now = await read(t, made.id);
    assert.equal(now.body.shelf, null);
    assert.notEqual(now.etag, before.etag);
    assert.equal((await t.store.get('books', made.id))?.shelf, null);
  });

  test("a relation's onDelete (cascade) deletes the record that named the deleted one", async () => {
    const book = await cachedBook('Reviewed');
    const review = await create(t, 'reviews', { text: 'Fine', book: book.id });
    const url = `/api/reviews/${review.id}`;
    const before = await t.request({ method: 'GET', url });
    assert.equal(before.statusCode, 200);
    assert.equal(before.headers.etag, review.etag);
    if (!ON_POSTGRES) assert.equal(t.store.recordCache?.()?.get('reviews', review.id, '')?.etag, review.etag);
    const res = await t.request({ method: 'DELETE', url: `/api/books/${book.id}` });
    assert.equal(res.statusCode, 204, res.body);
    const after = await t.request({ method: 'GET', url });
    assert.equal(after.statusCode, 404);
    assert.equal(t.store.recordCache?.()?.get('reviews', review.id, ''), undefined);
    assert.equal(await t.store.get('reviews', review.id), undefined);
  });

  test('an import that replaces the record', async () => {
    const book = await cachedBook('Before import');
    const schema = compileSchema(t.config);
    const plan = importPlan({ books: [{ id: book.id, title: 'Imported', year: 2001 }] }, schema, false);
    await importData(t.store, schema, plan, () => {});
    const now = await read(t, book.id);
    assert.equal(now.body.title, 'Imported');
    assert.equal(now.body.year, 2001);
    assert.notEqual(now.etag, book.etag);
  });

  test('a batch that fails is rolled back: the kept version stays, and is still what a GET answers', async () => {
    const book = await cachedBook('Steady');
    const res = await t.request({
      method: 'POST',
      url: '/api/batch',
      payload: {
        requests: [
          { method: 'PATCH', url: `/api/books/${book.id}`, body: { title: 'Changed' } },
          { method: 'PATCH', url: '/api/books/no-such-book', body: { title: 'Nope' } },
        ],
      },
    });
    assert.equal(res.statusCode, 404, res.body);
    if (!ON_POSTGRES) assert.equal(kept(t, book.id)?.etag, book.etag, 'the rollback left it in place');
    const now = await read(t, book.id);
    assert.equal(now.etag, book.etag);
    assert.equal(now.body.title, 'Steady');
    assert.equal((await t.store.get('books', book.id))?.title, 'Steady');
  });
});

describe('two apps on one database: a write through one is seen through the other', () => {
  let b: TestApp;
  before(async () => {
    b = await testApp(CONFIG, ON_POSTGRES ? {} : { dir: t.dir });
  });
  after(async () => {
    if (ON_POSTGRES) return b.close();
    // b.close() would empty the folder t still uses: t.close() does that once both are done.
    await b.app.close();
    await b.store.close();
  });

  test('a PATCH through the other app', { skip: ON_POSTGRES && 'two schemas on PostgreSQL' }, async () => {
    const book = await cachedBook('Shared');
    const res = await b.request({ method: 'PATCH', url: `/api/books/${book.id}`, payload: { year: 1999 } });
    assert.equal(res.statusCode, 200, res.body);
    await seesNew(book.id, String(res.headers.etag), { year: 1999 });
    // And back: a write through this one is seen through the other, which has kept the record too.
    assert.equal((await read(b, book.id)).etag, res.headers.etag);
    const back = await t.request({ method: 'PATCH', url: `/api/books/${book.id}`, payload: { year: 2000 } });
    assert.equal(back.statusCode, 200, back.body);
    const there = await read(b, book.id);
    assert.equal(there.etag, back.headers.etag);
    assert.equal(there.body.year, 2000);
  });
});
