/**
 * Declared indexes over HTTP: a unique one on two fields refuses a second
 * record with both values (409 naming its first field) and lets either one
 * repeat alone; a plain one changes no answer, only what a sort costs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { UserConfig } from '../../src/config/types.js';
import { json, PUBLIC_RULES, type TestApp, testApp } from '../harness.js';
import { assertProblem, create } from './helpers.js';

const CONFIG: UserConfig = {
  collections: {
    editions: {
      fields: {
        title: { type: 'text', required: true },
        publisher: { type: 'text', required: true },
        year: { type: 'integer' },
      },
      rules: PUBLIC_RULES,
      indexes: [{ fields: ['publisher', 'title'], unique: true }, ['-year']],
    },
  },
};

let t: TestApp;
before(async () => {
  t = await testApp(CONFIG);
});
after(() => t.close());

const titles = async () => {
  const res = await t.request({ method: 'GET', url: '/api/editions?sort=publisher,title' });
  return (json(res).items as { publisher: string; title: string }[]).map((e) => `${e.publisher}/${e.title}`);
};

describe('a unique index on two fields', () => {
  test('either field may repeat alone; both together are a 409 naming the first field', async () => {
    await create(t, 'editions', { title: 'Dune', publisher: 'Chilton', year: 1965 });
    await create(t, 'editions', { title: 'Dune', publisher: 'Ace', year: 1987 });
    await create(t, 'editions', { title: 'Emma', publisher: 'Ace' });
    const res = await t.request({
      method: 'POST',
      url: '/api/editions',
      payload: { title: 'Dune', publisher: 'Ace', year: 2005 },
    });
    assertProblem(res, 409, { type: 'https://methodical.dev/problems/unique-violation' });
    assert.deepEqual(json(res).errors, [
      { field: 'publisher', code: 'unique', message: 'must be unique: another record has this value' },
    ]);
    assert.deepEqual(await titles(), ['Ace/Dune', 'Ace/Emma', 'Chilton/Dune'], 'nothing was written');
  });

  test('a PATCH onto another record’s pair is a 409 too, and changes nothing', async () => {
    const emma = await t.request({ method: 'GET', url: '/api/editions?title=Emma' });
    const id = (json(emma).items as { id: string }[])[0].id;
    const res = await t.request({
      method: 'PATCH',
      url: `/api/editions/${id}`,
      payload: { title: 'Dune' },
    });
    assertProblem(res, 409, { type: 'https://methodical.dev/problems/unique-violation' });
    assert.deepEqual(await titles(), ['Ace/Dune', 'Ace/Emma', 'Chilton/Dune']);
  });
});

describe('a plain index', () => {
  test('a sort it serves gives the same order, NULLs last descending', async () => {
    const res = await t.request({ method: 'GET', url: '/api/editions?sort=-year' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(
      (json(res).items as { year: number | null }[]).map((e) => e.year),
      [1987, 1965, null],
    );
  });
});
