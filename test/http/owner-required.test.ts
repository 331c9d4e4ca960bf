/**
 * A required `owner`: the server sets it after the body was validated, and
 * what it sets is validated too, so an anonymous create of a record that
 * must have an owner is refused rather than stored without one.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { json, PUBLIC_RULES, type TestApp, testApp } from '../harness.js';
import { stored } from './helpers.js';

let t: TestApp;
before(async () => {
  t = await testApp({
    collections: {
      claims: {
        fields: {
          title: { type: 'text' },
          owner: { type: 'relation', collection: 'users', required: true },
        },
        rules: PUBLIC_RULES,
      },
    },
  });
});
after(() => t.close());

test('an anonymous POST naming an owner: 422 (the owner it gets is none), nothing stored', async () => {
  const res = await t.request({
    method: 'POST',
    url: '/api/claims',
    payload: { title: 'planted', owner: 'someoneelse1234' },
  });
  assert.equal(res.statusCode, 422, res.body);
  const problem = json(res) as { errors?: { field: string; code: string }[] };
  assert.deepEqual(
    problem.errors?.map((e) => [e.field, e.code]),
    [['owner', 'required']],
  );
  assert.deepEqual(await stored(t, 'claims'), []);
});
