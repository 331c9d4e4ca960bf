/**
 * json-server's POSTs under jsonServer: true: a body `id` names the new
 * record (409 when taken, 400 when it cannot be an id, the counter raised
 * past it), and a POST to a single collection that has its record replaces
 * it (If-Match honoured). /api keeps ignoring the body id and its 409.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { json, type TestApp, testApp } from '../harness.js';
import { assertProblem, stored } from './helpers.js';
import { COMPAT_CONFIG, DB, seed } from './json-server-fixture.js';

let t: TestApp;
before(async () => {
  t = await testApp(COMPAT_CONFIG);
  await seed(t);
});
after(() => t.close());

describe('POST with an id in the body', () => {
  test('creates the record under that id; the next server id comes after it', async () => {
    const res = await t.request({ method: 'POST', url: '/posts', payload: { id: 40, title: 'Chosen' } });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.headers.location, '/posts/40');
    assert.deepEqual(json(res), { id: 40, title: 'Chosen' });
    const row = (await stored(t, 'posts')).find((r) => r.id === '40');
    assert.equal(row?.title, 'Chosen');
    const next = await t.request({ method: 'POST', url: '/posts', payload: { title: 'Next' } });
    assert.equal(next.statusCode, 201, next.body);
    assert.equal(json(next).id, 41);
    const text = await t.request({ method: 'POST', url: '/comments', payload: { id: 'c-1', body: 'named' } });
    assert.equal(text.statusCode, 201, text.body);
    assert.equal(text.headers.location, '/comments/c-1');
    for (const id of ['40', '41', '42'])
      assert.equal(
        (await t.request({ method: 'DELETE', url: `/posts/${id}` })).statusCode,
        id === '42' ? 404 : 200,
      );
    assert.equal((await t.request({ method: 'DELETE', url: '/comments/c-1' })).statusCode, 200);
  });

  test('an id taken already is a 409 problem; the record is unchanged', async () => {
    assertProblem(
      await t.request({ method: 'POST', url: '/posts', payload: { id: 1, title: 'Again' } }),
      409,
      {
        detail: /"1" already exists in posts/,
      },
    );
    assertProblem(
      await t.request({ method: 'POST', url: '/posts', payload: { id: '2', title: 'Again' } }),
      409,
    );
    const rows = await stored(t, 'posts');
    assert.equal(rows.length, DB.posts.length);
    assert.equal(rows.find((r) => r.id === '1')?.title, DB.posts[0].title);
  });

  test('an id that cannot be one is a 400 problem, as PUT says; nothing is written', async () => {
    for (const id of [-1, 1.5, 'a b', '', 'x'.repeat(65), true, null, { n: 1 }]) {
      const res = await t.request({ method: 'POST', url: '/posts', payload: { id, title: 'Bad' } });
      assertProblem(res, 400, { detail: /is not a valid id/ });
    }
    assertProblem(await t.request({ method: 'PUT', url: '/posts/a%20b', payload: { title: 'Bad' } }), 400, {
      detail: /is not a valid id/,
    });
    assert.equal((await stored(t, 'posts')).length, DB.posts.length);
  });

  test('POST /posts/1/comments with an id: that id, the relation set', async () => {
    const res = await t.request({ method: 'POST', url: '/posts/1/comments', payload: { id: 77, body: 'n' } });
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(json(res), { id: 77, body: 'n', postId: 1 });
    assert.equal((await t.request({ method: 'DELETE', url: '/comments/77' })).statusCode, 200);
  });

  test('/api keeps its behaviour: the body id is not the record id', async () => {
    const res = await t.request({ method: 'POST', url: '/api/posts', payload: { id: 1, title: 'Api' } });
    assert.equal(res.statusCode, 201, res.body);
    const id = json(res).id as string;
    assert.notEqual(id, '1');
    assert.equal((await stored(t, 'posts')).find((r) => r.id === '1')?.title, DB.posts[0].title);
    assert.equal((await t.request({ method: 'DELETE', url: `/api/posts/${id}` })).statusCode, 204);
  });
});

describe('POST to a single collection that has its record', () => {
  test('replaces it, as PUT does: 200, the new record, stored; still one record', async () => {
    const res = await t.request({ method: 'POST', url: '/profile', payload: { name: 'replaced' } });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(json(res), { name: 'replaced' });
    assert.match(String(res.headers.etag), /^"/);
    const rows = await stored(t, 'profile');
    assert.equal(rows.length, 1);
    assert.equal(rows[0].name, 'replaced');
    const get = await t.request({ url: '/profile' });
    assert.deepEqual(json(get), { name: 'replaced' });
    assert.equal(get.headers.etag, res.headers.etag);
  });

  test('If-Match is honoured: a stale one is a 412 and nothing changes; the current one replaces', async () => {
    const current = String((await t.request({ url: '/profile' })).headers.etag);
    const stale = await t.request({
      method: 'POST',
      url: '/profile',
      headers: { 'if-match': '"stale"' },
      payload: { name: 'stale' },
    });
    assertProblem(stale, 412);
    assert.equal((await stored(t, 'profile'))[0].name, 'replaced');
    const ok = await t.request({
      method: 'POST',
      url: '/profile',
      headers: { 'if-match': current },
      payload: { name: DB.profile.name },
    });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(json(ok), DB.profile);
    assert.equal((await stored(t, 'profile'))[0].name, DB.profile.name);
  });

  test('an invalid body is a 422 and the record is kept', async () => {
    assertProblem(await t.request({ method: 'POST', url: '/profile', payload: { colour: 'red' } }), 422);
    assert.equal((await stored(t, 'profile'))[0].name, DB.profile.name);
  });

  test('/api keeps its 409 for a second record', async () => {
    assertProblem(await t.request({ method: 'POST', url: '/api/profile', payload: { name: 'x' } }), 409);
    assert.equal((await stored(t, 'profile')).length, 1);
  });
});
