/**
 * PRODUCT.md, Config: a relation field's `onDelete`. `restrict` (the
 * default) makes the DELETE a 409 naming the collections that still point
 * to the record, and changes nothing; `cascade` deletes those records too,
 * in the same transaction, with their files, recursively and through
 * cycles; `setNull` clears the relation (removes the id from a `multiple`
 * one). A write that sets a relation to a missing record is a 422. Batch
 * deletes and hook deletes take the same path, and so do users (`owner`).
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { UserConfig } from '../../src/config/types.js';
import type { HookContext } from '../../src/service/hooks.js';
import { json, PUBLIC_RULES, type TestApp, testApp } from '../harness.js';
import { bearer, registerAndLogin } from './auth-helpers.js';
import { assertProblem, create } from './helpers.js';
import { assertNoDanglingRelations } from './relation-check.js';
import { allBlobs, blobsOf, PNG, sendMultipart } from './upload-helpers.js';

const STILL_REFERENCED = 'https://methodical.dev/problems/still-referenced';

const CONFIG: UserConfig = {
  collections: {
    authors: { fields: { name: { type: 'text' } }, rules: PUBLIC_RULES },
    books: {
      fields: {
        title: { type: 'text' },
        author: { type: 'relation', collection: 'authors' },
        tags: { type: 'relation', collection: 'tags', multiple: true, onDelete: 'setNull' },
        cover: { type: 'file' },
      },
      rules: PUBLIC_RULES,
    },
    reviews: {
      fields: {
        book: { type: 'relation', collection: 'books', required: true, onDelete: 'cascade' },
        text: { type: 'text' },
        photos: { type: 'file', multiple: true },
      },
      rules: PUBLIC_RULES,
      // A cascade still reaches a collection whose changes need If-Match.
      requireIfMatch: true,
    },
    comments: {
      fields: {
        review: { type: 'relation', collection: 'reviews', onDelete: 'cascade' },
        parent: { type: 'relation', collection: 'comments', onDelete: 'cascade' },
        text: { type: 'text' },
      },
      rules: PUBLIC_RULES,
    },
    loans: {
      fields: { item: { type: 'relation', collection: 'books', onDelete: 'restrict' } },
      rules: PUBLIC_RULES,
    },
    tags: { fields: { name: { type: 'text' } }, rules: PUBLIC_RULES },
    shelves: {
      fields: {
        favourite: { type: 'relation', collection: 'books', onDelete: 'setNull' },
        books: { type: 'relation', collection: 'books', multiple: true, onDelete: 'setNull' },
      },
      rules: PUBLIC_RULES,
      requireIfMatch: true,
    },
    left: {
      fields: { right: { type: 'relation', collection: 'right', onDelete: 'cascade' } },
      rules: PUBLIC_RULES,
    },
    right: {
      fields: { left: { type: 'relation', collection: 'left', onDelete: 'cascade' } },
      rules: PUBLIC_RULES,
    },
    purges: {
      fields: { book: { type: 'text' } },
      rules: PUBLIC_RULES,
    },
  },
  hooks: {
    // Deleting through ctx.tx takes the same path as a DELETE: the book's reviews go with it.
    purges: {
      beforeCreate: async (ctx: HookContext) => {
        await ctx.tx.delete('books', String(ctx.record?.book));
      },
    },
  },
};

const del = (t: TestApp, collection: string, id: string) =>
  t.request({ method: 'DELETE', url: `/api/${collection}/${id}` });

const exists = async (t: TestApp, collection: string, id: string) =>
  (await t.store.get(collection, id)) !== undefined;

describe('onDelete', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp(CONFIG);
  });
  afterEach(() => assertNoDanglingRelations(t));
  after(() => t.close());

  test('restrict (the default): 409 naming the collection, and nothing is deleted', async () => {
    const author = await create(t, 'authors', { name: 'Herbert' });
    const dune = await create(t, 'books', { title: 'Dune', author: author.id });
    await create(t, 'books', { title: 'Children of Dune', author: author.id });
    const res = await del(t, 'authors', author.id);
    const body = assertProblem(res, 409, {
      type: STILL_REFERENCED,
      detail: /authors "[^"]+" cannot be deleted: 2 records of books \(author\) still point to it/,
    });
    assert.deepEqual(body.referencedBy, [{ collection: 'books', field: 'author', count: 2 }]);
    assert.ok(await exists(t, 'authors', author.id));
    assert.equal((await t.store.get('books', dune.id))?.author, author.id);
  });

  test('a restrict further down refuses the whole delete: the cascades before it are undone', async () => {
    const book = await create(t, 'books', { title: 'Lent' });
    const review = await create(t, 'reviews', { book: book.id, text: 'good' });
    await create(t, 'loans', { item: book.id });
    const shelf = await create(t, 'shelves', { favourite: book.id });
    const res = await del(t, 'books', book.id);
    const body = assertProblem(res, 409, { detail: /1 record of loans \(item\) still point to it/ });
    assert.deepEqual(body.referencedBy, [{ collection: 'loans', field: 'item', count: 1 }]);
    assert.ok(await exists(t, 'books', book.id));
    assert.ok(await exists(t, 'reviews', review.id), 'the cascade was rolled back');
    assert.equal((await t.store.get('shelves', shelf.id))?.favourite, book.id, 'the setNull was rolled back');
  });

  test('several collections pointing to it are all named', async () => {
    const book = await create(t, 'books', { title: 'Held' });
    const author = await create(t, 'authors', { name: 'Held' });
    await t.request({ method: 'PATCH', url: `/api/books/${book.id}`, payload: { author: author.id } });
    await create(t, 'loans', { item: book.id });
    const other = await create(t, 'books', { title: 'Other' });
    await create(t, 'loans', { item: other.id });
    // The author is held by a book, which a loan holds in turn: the author's own delete names books.
    assertProblem(await del(t, 'authors', author.id), 409, { detail: /books \(author\)/ });
  });

  test('cascade: reviews, their comments and replies go too, with their files', async () => {
    const book = await create(t, 'books', { title: 'Gone' });
    const kept = await create(t, 'books', { title: 'Kept' });
    const upload = (bookId: string) =>
      sendMultipart(t, '/api/reviews', [
        { name: 'book', value: bookId },
        { name: 'photos', filename: 'a.png', data: PNG, type: 'image/png' },
        { name: 'photos', filename: 'b.png', data: PNG, type: 'image/png' },
      ]);
    const r1 = json(await upload(book.id)).id as string;
    const r2 = json(await upload(book.id)).id as string;
    const rKept = json(await upload(kept.id)).id as string;
    const c1 = await create(t, 'comments', { review: r1, text: 'first' });
    const reply = await create(t, 'comments', { parent: c1.id, text: 'a reply, on no review itself' });
    const replyToReply = await create(t, 'comments', { parent: reply.id, text: 'deeper' });
    const cKept = await create(t, 'comments', { review: rKept, text: 'stays' });
    assert.equal(blobsOf(t, 'reviews', r1).length, 2);

    const res = await del(t, 'books', book.id);
    assert.equal(res.statusCode, 204, res.body);
    for (const [collection, id] of [
      ['books', book.id],
      ['reviews', r1],
      ['reviews', r2],
      ['comments', c1.id],
      ['comments', reply.id],
      ['comments', replyToReply.id],
    ]) {
      assert.equal(await exists(t, collection, id), false, `${collection}/${id} deleted`);
    }
    for (const [collection, id] of [
      ['books', kept.id],
      ['reviews', rKept],
      ['comments', cKept.id],
    ]) {
      assert.ok(await exists(t, collection, id), `${collection}/${id} kept`);
    }
    assert.deepEqual(blobsOf(t, 'reviews', r1), [], 'the cascaded review’s files are removed');
    assert.deepEqual(blobsOf(t, 'reviews', r2), []);
    assert.equal(blobsOf(t, 'reviews', rKept).length, 2, 'other files stay');
    assert.ok(allBlobs(t).every((p) => !p.includes(r1) && !p.includes(r2)));
  });

  test('cascade through a cycle ends: left ↔ right both deleted', async () => {
    const l = await create(t, 'left', {});
    const r = await create(t, 'right', { left: l.id });
    const patched = await t.request({ method: 'PATCH', url: `/api/left/${l.id}`, payload: { right: r.id } });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal((await del(t, 'left', l.id)).statusCode, 204);
    assert.equal(await exists(t, 'left', l.id), false);
    assert.equal(await exists(t, 'right', r.id), false);
  });

  test('setNull: a single relation becomes null, a multiple one loses just that id', async () => {
    const a = await create(t, 'tags', { name: 'a' });
    const b = await create(t, 'tags', { name: 'b' });
    const book = await create(t, 'books', { title: 'Tagged', tags: [a.id, b.id] });
    const target = await create(t, 'books', { title: 'Shelved' });
    const other = await create(t, 'books', { title: 'Other shelved' });
    const shelf = await create(t, 'shelves', { favourite: target.id, books: [target.id, other.id] });
    const before = await t.store.get('shelves', shelf.id);

    assert.equal((await del(t, 'tags', a.id)).statusCode, 204);
    assert.deepEqual((await t.store.get('books', book.id))?.tags, [b.id]);

    assert.equal((await del(t, 'books', target.id)).statusCode, 204);
    const after = await t.store.get('shelves', shelf.id);
    assert.equal(after?.favourite, null);
    assert.deepEqual(after?.books, [other.id]);
    assert.notEqual(after?.updated, undefined);
    assert.ok(String(after?.updated) >= String(before?.updated), 'a cleared record counts as updated');
    const got = await t.request({ method: 'GET', url: `/api/shelves/${shelf.id}` });
    assert.equal(json(got).favourite, null);
  });

  test('a batch delete takes the same path: 409 for restrict, cascade inside the batch', async () => {
    const author = await create(t, 'authors', { name: 'Batched' });
    await create(t, 'books', { title: 'By batched', author: author.id });
    const book = await create(t, 'books', { title: 'Batch cascade' });
    const review = await create(t, 'reviews', { book: book.id });
    const refused = await t.request({
      method: 'POST',
      url: '/api/batch',
      payload: { requests: [{ method: 'DELETE', url: `/api/authors/${author.id}` }] },
    });
    assertProblem(refused, 409, { detail: /books \(author\)/ });
    assert.ok(await exists(t, 'authors', author.id));
    const done = await t.request({
      method: 'POST',
      url: '/api/batch',
      payload: { requests: [{ method: 'DELETE', url: `/api/books/${book.id}` }] },
    });
    assert.equal(done.statusCode, 200, done.body);
    assert.equal(await exists(t, 'reviews', review.id), false);
  });

  test('a hook deleting through ctx.tx takes the same path: the cascade runs, a restrict refuses', async () => {
    const book = await create(t, 'books', { title: 'Purged' });
    const review = await create(t, 'reviews', { book: book.id });
    const res = await t.request({ method: 'POST', url: '/api/purges', payload: { book: book.id } });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(await exists(t, 'books', book.id), false);
    assert.equal(await exists(t, 'reviews', review.id), false);

    const lent = await create(t, 'books', { title: 'Lent, not purged' });
    await create(t, 'loans', { item: lent.id });
    assertProblem(await t.request({ method: 'POST', url: '/api/purges', payload: { book: lent.id } }), 409, {
      detail: /loans \(item\)/,
    });
    assert.ok(await exists(t, 'books', lent.id));
  });

  const MISSING: [
    string,
    () => Promise<{ method: 'POST' | 'PUT' | 'PATCH'; url: string; payload: object }>,
  ][] = [
    [
      'POST a single relation',
      async () => ({ method: 'POST', url: '/api/reviews', payload: { book: 'nope' } }),
    ],
    [
      'PUT a single relation',
      async () => ({ method: 'PUT', url: '/api/loans/loan-put', payload: { item: 'nope' } }),
    ],
    [
      'PATCH a single relation',
      async () => {
        const loan = await create(t, 'loans', {});
        return { method: 'PATCH', url: `/api/loans/${loan.id}`, payload: { item: 'nope' } };
      },
    ],
    [
      'POST a multiple relation with one missing id',
      async () => {
        const tag = await create(t, 'tags', { name: 'real' });
        return { method: 'POST', url: '/api/books', payload: { tags: [tag.id, 'nope'] } };
      },
    ],
    [
      'PATCH a multiple relation that keeps one id and adds a missing one',
      async () => {
        const tag = await create(t, 'tags', { name: 'kept' });
        const book = await create(t, 'books', { title: 'Tagged', tags: [tag.id] });
        return { method: 'PATCH', url: `/api/books/${book.id}`, payload: { tags: [tag.id, 'nope'] } };
      },
    ],
    [
      'POST a relation whose record was just deleted',
      async () => {
        const gone = await create(t, 'books', { title: 'Gone already' });
        assert.equal((await del(t, 'books', gone.id)).statusCode, 204);
        return { method: 'POST', url: '/api/loans', payload: { item: gone.id } };
      },
    ],
  ];
  for (const [what, make] of MISSING) {
    test(`a relation to a missing record is a 422: ${what}`, async () => {
      const request = await make();
      const before = JSON.stringify(
        await Promise.all(['books', 'loans', 'reviews'].map((c) => listAll(t, c))),
      );
      const body = assertProblem(await t.request(request), 422, { detail: /Invalid value for/ });
      const errors = body.errors as { field: string; code: string; message: string }[];
      assert.equal(errors.length, 1, JSON.stringify(errors));
      assert.equal(errors[0].code, 'relation');
      assert.match(errors[0].message, /refers to "[^"]+", which is not a record of/);
      const after = JSON.stringify(
        await Promise.all(['books', 'loans', 'reviews'].map((c) => listAll(t, c))),
      );
      assert.equal(after, before, 'nothing stored');
    });
  }
});

async function listAll(t: TestApp, collection: string) {
  return (
    await t.store.list(collection, {
      filter: null,
      sort: [{ field: 'id', desc: false }],
      limit: 1000,
      offset: 0,
      count: false,
    })
  ).items;
}

describe('onDelete of the owner relation to users', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp({
      collections: {
        notes: {
          fields: { text: { type: 'text' } },
          rules: { list: 'public', view: 'public', create: 'auth', update: 'owner', delete: 'owner' },
        },
        drafts: {
          fields: {
            text: { type: 'text' },
            owner: { type: 'relation', collection: 'users', onDelete: 'cascade' },
          },
          rules: { list: 'owner', view: 'owner', create: 'auth', update: 'owner', delete: 'owner' },
        },
      },
    });
  });
  after(() => t.close());

  test('deleting a user who owns records is a 409 naming the collection (restrict by default)', async () => {
    const admin = await registerAndLogin(t, 'admin@example.com', true);
    const ann = await registerAndLogin(t, 'ann@example.com');
    const note = await t.request({
      method: 'POST',
      url: '/api/notes',
      headers: bearer(ann),
      payload: { text: 'mine' },
    });
    assert.equal(note.statusCode, 201, note.body);
    const res = await t.request({ method: 'DELETE', url: `/api/users/${ann.id}`, headers: bearer(admin) });
    const body = assertProblem(res, 409, { type: STILL_REFERENCED, detail: /1 record of notes \(owner\)/ });
    assert.deepEqual(body.referencedBy, [{ collection: 'notes', field: 'owner', count: 1 }]);
    assert.ok(await exists(t, 'users', ann.id));
    const me = await t.request({ method: 'GET', url: '/api/auth/me', headers: bearer(ann) });
    assert.equal(me.statusCode, 200, 'her session is kept');
  });

  test('once those are gone the user can be deleted; a cascade owner takes their drafts along', async () => {
    const admin = await registerAndLogin(t, 'admin2@example.com', true);
    const bob = await registerAndLogin(t, 'bob@example.com');
    const draft = await t.request({
      method: 'POST',
      url: '/api/drafts',
      headers: bearer(bob),
      payload: { text: 'd' },
    });
    assert.equal(draft.statusCode, 201, draft.body);
    const res = await t.request({ method: 'DELETE', url: `/api/users/${bob.id}`, headers: bearer(admin) });
    assert.equal(res.statusCode, 204, res.body);
    assert.equal(await exists(t, 'users', bob.id), false);
    assert.equal(await exists(t, 'drafts', json(draft).id as string), false);
  });
});
