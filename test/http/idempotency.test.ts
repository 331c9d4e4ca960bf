/**
 * HTTP.md, Idempotency keys; PRODUCT.md Details: Idempotency keys. Replay
 * byte for byte, fingerprint mismatch, caller scope, which outcomes are kept,
 * key syntax, requireIdempotencyKey and expiry.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BOOKS_CONFIG, json, type TestApp, testApp } from '../harness.js';
import { registerAndLogin } from './auth-helpers.js';
import { assertProblem, create, DUNE, stored } from './helpers.js';

function post(t: TestApp, key: string, payload: object, extra: Record<string, string> = {}) {
  return t.request({
    method: 'POST',
    url: '/api/books',
    headers: { 'idempotency-key': key, ...extra },
    payload,
  });
}

describe('replay', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp(BOOKS_CONFIG);
  });
  after(() => t.close());

  test('a retry replays the first response byte for byte with Idempotent-Replayed: true', async () => {
    const first = await post(t, 'replay-1', DUNE);
    assert.equal(first.statusCode, 201);
    assert.equal(first.headers['idempotent-replayed'], undefined);
    const retry = await post(t, 'replay-1', DUNE);
    assert.equal(retry.statusCode, 201);
    assert.equal(retry.headers['idempotent-replayed'], 'true');
    assert.equal(retry.rawPayload.compare(first.rawPayload), 0, 'same bytes');
    for (const h of ['location', 'content-location', 'etag', 'content-type', 'last-modified']) {
      assert.equal(retry.headers[h], first.headers[h], h);
    }
    assert.equal((await stored(t, 'books')).length, 1);
  });

  const keyForms = [
    { name: 'quoted then bare', first: '"same-key"', second: 'same-key' },
    { name: 'bare then quoted', first: 'other-key', second: '"other-key"' },
    { name: 'an escaped quoted key and itself', first: '"a\\\\b"', second: '"a\\\\b"' },
  ];
  for (const row of keyForms) {
    test(`${row.name} are the same key`, async () => {
      const before = (await stored(t, 'books')).length;
      const a = await post(t, row.first, { ...DUNE, title: row.name });
      const b = await post(t, row.second, { ...DUNE, title: row.name });
      assert.equal(a.statusCode, 201);
      assert.equal(b.headers['idempotent-replayed'], 'true');
      assert.equal(b.body, a.body);
      assert.equal((await stored(t, 'books')).length, before + 1);
    });
  }

  test('member order in the body does not matter; a different body is a 422', async () => {
    const a = await post(t, 'order', { title: 'T', author: 'A' });
    const b = await post(t, 'order', { author: 'A', title: 'T' });
    assert.equal(b.headers['idempotent-replayed'], 'true');
    assert.equal(b.body, a.body);
    const before = await stored(t, 'books');
    const c = await post(t, 'order', { title: 'T', author: 'B' });
    assertProblem(c, 422, {
      type: 'https://methodical.dev/problems/idempotency-key-reused',
      detail: /different request/,
    });
    assert.deepEqual(await stored(t, 'books'), before);
  });

  test('keys are scoped to the path: the same key on another collection runs', async () => {
    const a = await post(t, 'scoped-path', DUNE);
    const b = await t.request({
      method: 'POST',
      url: '/api/guarded',
      headers: { 'idempotency-key': 'scoped-path' },
      payload: { name: 'n' },
    });
    assert.equal(a.statusCode, 201);
    assert.equal(b.statusCode, 201);
    assert.equal(b.headers['idempotent-replayed'], undefined);
    assert.equal((await t.store.get('guarded', json(b).id as string))?.name, 'n');
  });

  test('signed-in callers are scoped by user, whatever their address', async () => {
    const alice = await registerAndLogin(t, 'alice@example.com');
    const bob = await registerAndLogin(t, 'bob@example.com');
    const before = (await stored(t, 'books')).length;
    const ask = (token: string, remoteAddress: string) =>
      t.request({
        method: 'POST',
        url: '/api/books',
        remoteAddress,
        headers: { authorization: `Bearer ${token}`, 'idempotency-key': 'per-user' },
        payload: DUNE,
      });
    const a = await ask(alice.token, '10.1.1.1');
    const b = await ask(bob.token, '10.1.1.1');
    const a2 = await ask(alice.token, '10.9.9.9');
    assert.equal(a.statusCode, 201, a.body);
    assert.equal(b.statusCode, 201);
    assert.equal(b.headers['idempotent-replayed'], undefined, 'bob never sees alice’s answer');
    assert.notEqual(json(b).id, json(a).id);
    assert.equal(a2.headers['idempotent-replayed'], 'true', 'alice’s retry from elsewhere replays');
    assert.equal(a2.body, a.body);
    assert.equal((await stored(t, 'books')).length, before + 2);
  });

  test('anonymous callers are scoped by client address: one never sees another’s response', async () => {
    const before = (await stored(t, 'books')).length;
    const ask = (remoteAddress: string) =>
      t.request({
        method: 'POST',
        url: '/api/books',
        remoteAddress,
        headers: { 'idempotency-key': 'shared' },
        payload: DUNE,
      });
    const a = await ask('10.0.0.1');
    const b = await ask('10.0.0.2');
    const a2 = await ask('10.0.0.1');
    assert.equal(a.statusCode, 201);
    assert.equal(b.statusCode, 201);
    assert.equal(b.headers['idempotent-replayed'], undefined);
    assert.notEqual(json(b).id, json(a).id);
    assert.equal(a2.headers['idempotent-replayed'], 'true');
    assert.equal(a2.body, a.body);
    assert.equal((await stored(t, 'books')).length, before + 2);
  });

  test('PATCH with a key: the retry replays and does not apply again', async () => {
    const { id } = await create(t, 'books', { ...DUNE, tags: ['a'] });
    const patch = (key: string, payload: object) =>
      t.request({ method: 'PATCH', url: `/api/books/${id}`, headers: { 'idempotency-key': key }, payload });
    const first = await patch('p1', { year: 1970 });
    assert.equal(first.statusCode, 200);
    await patch('p2', { year: 1980 });
    const retry = await patch('p1', { year: 1970 });
    assert.equal(retry.statusCode, 200);
    assert.equal(retry.headers['idempotent-replayed'], 'true');
    assert.equal(retry.body, first.body);
    assert.equal((await t.store.get('books', id))?.year, 1980, 'the replay changed nothing');
  });
});

describe('which outcomes are kept', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp(BOOKS_CONFIG);
  });
  after(() => t.close());

  test('422 is not kept: a corrected retry with the same key goes through', async () => {
    const bad = await post(t, 'fix-me', { title: 'No author' });
    assertProblem(bad, 422);
    const again = await post(t, 'fix-me', { title: 'No author' });
    assertProblem(again, 422);
    assert.equal(again.headers['idempotent-replayed'], undefined);
    const fixed = await post(t, 'fix-me', { title: 'No author', author: 'Found' });
    assert.equal(fixed.statusCode, 201);
    assert.equal(fixed.headers['idempotent-replayed'], undefined);
    assert.equal((await t.store.get('books', json(fixed).id as string))?.author, 'Found');
  });

  test('404 is not kept: once the record exists the same PATCH runs', async () => {
    const patch = () =>
      t.request({
        method: 'PATCH',
        url: '/api/books/later',
        headers: { 'idempotency-key': 'k404' },
        payload: { year: 2 },
      });
    assertProblem(await patch(), 404);
    await t.request({ method: 'PUT', url: '/api/books/later', payload: DUNE });
    const res = await patch();
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['idempotent-replayed'], undefined);
    assert.equal((await t.store.get('books', 'later'))?.year, 2);
  });

  test('428 is not kept: the retry with If-Match goes through', async () => {
    await t.request({ method: 'PUT', url: '/api/guarded/g428', payload: { name: 'before' } });
    const patch = (headers: Record<string, string>) =>
      t.request({
        method: 'PATCH',
        url: '/api/guarded/g428',
        headers: { 'idempotency-key': 'k428', ...headers },
        payload: { name: 'after' },
      });
    assertProblem(await patch({}), 428);
    const etag = String((await t.request({ method: 'GET', url: '/api/guarded/g428' })).headers.etag);
    const res = await patch({ 'if-match': etag });
    assert.equal(res.statusCode, 200);
    assert.equal((await t.store.get('guarded', 'g428'))?.name, 'after');
  });

  test('409 from the write is kept: the retry replays it even after the conflict is gone', async () => {
    const holder = await create(t, 'books', { ...DUNE, isbn: '0-000-00000-0' });
    const first = await post(t, 'k409', { ...DUNE, isbn: '0-000-00000-0' });
    assertProblem(first, 409, { type: 'https://methodical.dev/problems/unique-violation' });
    await t.request({ method: 'DELETE', url: `/api/books/${holder.id}` });
    const retry = await post(t, 'k409', { ...DUNE, isbn: '0-000-00000-0' });
    assert.equal(retry.statusCode, 409);
    assert.equal(retry.headers['idempotent-replayed'], 'true');
    assert.equal(retry.body, first.body);
    assert.equal(
      (await stored(t, 'books')).some((r) => r.isbn === '0-000-00000-0'),
      false,
    );
  });

  test('412 from the write is kept: the retry replays it', async () => {
    const { id, body } = await create(t, 'books', DUNE);
    const patch = (ifMatch: string) =>
      t.request({
        method: 'PATCH',
        url: `/api/books/${id}`,
        headers: { 'idempotency-key': 'k412', 'if-match': ifMatch },
        payload: { title: 'Lost update' },
      });
    const first = await patch('"stale"');
    assertProblem(first, 412);
    const retry = await patch(
      String((await t.request({ method: 'GET', url: `/api/books/${id}` })).headers.etag),
    );
    assert.equal(retry.statusCode, 412);
    assert.equal(retry.headers['idempotent-replayed'], 'true');
    assert.equal(retry.body, first.body);
    assert.deepEqual(await t.store.get('books', id), body);
  });
});

describe('key syntax', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp(BOOKS_CONFIG);
  });
  after(() => t.close());

  const invalid: { name: string; key: string }[] = [
    { name: 'empty', key: '' },
    { name: 'an empty quoted string', key: '""' },
    { name: '256 characters', key: 'k'.repeat(256) },
    { name: '256 characters quoted', key: `"${'k'.repeat(256)}"` },
    { name: 'a control character (tab) inside quotes', key: '"a\tb"' },
    { name: 'a space in a bare key', key: 'a b' },
    { name: 'a comma in a bare key', key: 'a,b' },
    { name: 'an unclosed quote', key: '"abc' },
    { name: 'a bad escape', key: '"a\\nb"' },
  ];
  for (const row of invalid) {
    test(`${row.name}: 400 naming the header, nothing written`, async () => {
      const res = await post(t, row.key, DUNE);
      assertProblem(res, 400, {
        type: 'https://methodical.dev/problems/invalid-idempotency-key',
        detail: /Idempotency-Key/,
      });
      assert.equal((await stored(t, 'books')).length, 0);
    });
  }

  for (const [name, key] of [
    ['1 character', 'k'],
    ['255 characters', 'k'.repeat(255)],
    ['255 characters quoted', `"${'q'.repeat(255)}"`],
    ['a quoted key with spaces', '"a key with spaces"'],
  ]) {
    test(`${name}: accepted`, async () => {
      const before = (await stored(t, 'books')).length;
      const res = await post(t, key, { ...DUNE, title: name });
      assert.equal(res.statusCode, 201);
      assert.equal((await post(t, key, { ...DUNE, title: name })).headers['idempotent-replayed'], 'true');
      assert.equal((await stored(t, 'books')).length, before + 1);
    });
  }

  test('requireIdempotencyKey: a POST without a key is a 400 that says so', async () => {
    const res = await t.request({ method: 'POST', url: '/api/guarded', payload: { name: 'x' } });
    assertProblem(res, 400, {
      type: 'https://methodical.dev/problems/idempotency-key-required',
      detail: /Idempotency-Key/,
    });
    assert.equal((await stored(t, 'guarded')).length, 0);
    const ok = await t.request({
      method: 'POST',
      url: '/api/guarded',
      headers: { 'idempotency-key': 'g' },
      payload: { name: 'x' },
    });
    assert.equal(ok.statusCode, 201);
    assert.equal((await stored(t, 'guarded')).length, 1);
  });
});
