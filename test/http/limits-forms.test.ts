/**
 * Form bodies are bounded like multipart ones: an urlencoded form with more
 * than limits.parts fields is a 413 naming limits.parts; a multipart form
 * whose text fields together outgrow limits.json is a 413 as soon as they
 * do, since no record could hold them. Nothing is stored.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { UserConfig } from '../../src/config/types.js';
import { PUBLIC_RULES, type TestApp, testApp } from '../harness.js';
import { assertProblem, stored } from './helpers.js';
import { fields, multipart } from './multipart.js';
import { assertNoStaging } from './upload-helpers.js';

const CONFIG: UserConfig = {
  limits: { parts: 4, json: 4096, fieldSize: 4096 },
  collections: {
    forms: {
      fields: {
        title: { type: 'text' },
        note: { type: 'text' },
        tags: { type: 'select', values: ['a', 'b', 'c', 'd', 'e'], multiple: true },
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

function postForm(body: string) {
  return t.request({
    method: 'POST',
    url: '/api/forms',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    payload: body,
  });
}

describe('urlencoded forms: at most limits.parts fields', () => {
  const rows: { name: string; body: string; status: number }[] = [
    { name: 'exactly limits.parts fields', body: 'title=t&note=n&tags=a&tags=b', status: 201 },
    { name: 'empty pieces between & are no fields', body: '&&title=t&&note=n&tags=a&tags=b&&', status: 201 },
    { name: 'one field more', body: 'title=t&note=n&tags=a&tags=b&tags=c', status: 413 },
    { name: 'reserved fields count too', body: 'title=t&note=n&tags=a&tags=b&_redirect=/x', status: 413 },
    { name: 'a thousand one-letter fields', body: 'a&'.repeat(1000), status: 413 },
  ];
  for (const row of rows) {
    test(`${row.name}: ${row.status}`, async () => {
      const before = (await stored(t, 'forms')).length;
      const res = await postForm(row.body);
      if (row.status === 201) {
        assert.equal(res.statusCode, 201, res.body);
        assert.equal((await stored(t, 'forms')).length, before + 1);
        return;
      }
      const problem = assertProblem(res, 413, {
        title: 'Content Too Large',
        detail: /more than the 4 fields a form may hold \(limits\.parts\)/,
      });
      assert.equal(problem.limit, 'limits.parts');
      assert.equal((await stored(t, 'forms')).length, before, 'nothing stored');
    });
  }
});

describe('multipart forms: text fields together within limits.json', () => {
  test('text fields that each fit fieldSize but together pass limits.json: 413, nothing stored', async () => {
    const before = (await stored(t, 'forms')).length;
    const body = multipart(fields({ title: 'x'.repeat(3000), note: 'y'.repeat(3000) }));
    const res = await t.request({
      method: 'POST',
      url: '/api/forms',
      payload: body.payload,
      headers: body.headers,
    });
    const problem = assertProblem(res, 413, {
      detail: /text fields together are larger than the 4096 bytes a record may hold \(limits\.json\)/,
    });
    assert.equal(problem.limit, 'limits.json');
    assert.equal(res.headers.connection, 'close');
    assert.equal((await stored(t, 'forms')).length, before);
    assertNoStaging(t);
  });

  test('the multipart parts bound names limits.parts too', async () => {
    const body = multipart(fields({ title: 't', note: 'n', tags: ['a', 'b', 'c'] }));
    const res = await t.request({
      method: 'POST',
      url: '/api/forms',
      payload: body.payload,
      headers: body.headers,
    });
    const problem = assertProblem(res, 413, { detail: /\(limits\.parts\)/ });
    assert.equal(problem.limit, 'limits.parts');
  });
});
