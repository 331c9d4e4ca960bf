/**
 * `ids: "increment"` and `single: true` through /api: a POST gets the next
 * number as its id (a string, as every id), a PUT with a larger number moves
 * the counter past it; a second record in a single collection is a 409
 * problem that says to change the one it holds.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { json, PUBLIC_RULES, type TestApp, testApp } from '../harness.js';
import { assertProblem, create, stored } from './helpers.js';

describe('increment ids and single collections over /api', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp({
      collections: {
        posts: { fields: { title: { type: 'text' } }, rules: PUBLIC_RULES, ids: 'increment' },
        profile: { fields: { name: { type: 'text' } }, rules: PUBLIC_RULES, single: true },
      },
    });
  });
  after(() => t.close());

  test('POST numbers posts 1, 2; a PUT under 10 moves the next POST to 11', async () => {
    const first = await create(t, 'posts', { title: 'a' });
    assert.equal(first.id, '1');
    const second = await t.request({ method: 'POST', url: '/api/posts', payload: { title: 'b' } });
    assert.equal(second.statusCode, 201);
    assert.equal(second.headers.location, '/api/posts/2');
    assert.equal(json(second).id, '2');
    const put = await t.request({ method: 'PUT', url: '/api/posts/10', payload: { title: 'ten' } });
    assert.equal(put.statusCode, 201, put.body);
    assert.equal((await create(t, 'posts', { title: 'c' })).id, '11');
    assert.deepEqual(
      (await stored(t, 'posts')).map((r) => [r.id, r.title]),
      [
        ['1', 'a'],
        ['2', 'b'],
        ['10', 'ten'],
        ['11', 'c'],
      ],
    );
  });

  test('a second profile is a 409 naming the one there and how to change it; PATCH works', async () => {
    const me = await create(t, 'profile', { name: 'typicode' });
    const again = await t.request({ method: 'POST', url: '/api/profile', payload: { name: 'other' } });
    const problem = assertProblem(again, 409);
    assert.equal(problem.type, 'https://methodical.dev/problems/single-record');
    assert.match(String(problem.detail), /profile holds one record at most/);
    assert.ok(String(problem.detail).includes(`PATCH /api/profile/${me.id}`), String(problem.detail));
    const byPut = await t.request({ method: 'PUT', url: '/api/profile/someone', payload: { name: 'x' } });
    assertProblem(byPut, 409);
    const patch = await t.request({
      method: 'PATCH',
      url: `/api/profile/${me.id}`,
      headers: { 'content-type': 'application/merge-patch+json' },
      payload: { name: 'renamed' },
    });
    assert.equal(patch.statusCode, 200, patch.body);
    assert.deepEqual(
      (await stored(t, 'profile')).map((r) => [r.id, r.name]),
      [[me.id, 'renamed']],
    );
  });
});
