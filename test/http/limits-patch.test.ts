/**
 * A JSON Patch is bounded: more operations than limits.patchOperations is a
 * 413 before any runs; a document that would grow past limits.json or past
 * 64 levels, or a patch that would copy, remove, replace and test more than
 * 4 × limits.json of JSON, is a 422 naming the operation. Each problem names
 * its bound, and the stored record is left exactly as it was.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { UserConfig } from '../../src/config/types.js';
import { json, PUBLIC_RULES, type TestApp, testApp } from '../harness.js';
import { assertProblem, create } from './helpers.js';

const JSON_PATCH = 'application/json-patch+json';
const LIMIT_EXCEEDED = 'https://methodical.dev/problems/limit-exceeded';

const NOTES = {
  fields: { title: { type: 'text', required: true }, body: { type: 'text' }, data: { type: 'json' } },
  rules: PUBLIC_RULES,
} as const;

/** A small server, so bounds are reached with small requests; and one with the defaults. */
const SMALL: UserConfig = { limits: { json: 16 * 1024, patchOperations: 5 }, collections: { notes: NOTES } };
const DEFAULTS: UserConfig = { collections: { notes: NOTES } };

let small: TestApp;
let defaults: TestApp;
before(async () => {
  small = await testApp(SMALL);
  defaults = await testApp(DEFAULTS);
});
after(async () => {
  await small.close();
  await defaults.close();
});

function patch(t: TestApp, id: string, operations: unknown) {
  return t.request({
    method: 'PATCH',
    url: `/api/notes/${id}`,
    headers: { 'content-type': JSON_PATCH },
    payload: JSON.stringify(operations),
  });
}

/** Asserts that the record is stored as it was, with the same ETag. */
async function assertUnchanged(t: TestApp, id: string, body: Record<string, unknown>, etag: string) {
  assert.deepEqual(await t.store.get('notes', id), body, 'the stored record is unchanged');
  const get = await t.request({ method: 'GET', url: `/api/notes/${id}` });
  assert.equal(get.headers.etag, etag);
}

/** `levels` objects nested in one another under the key `a`. */
function nested(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

const copyBomb = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ op: 'copy', from: '', path: `/k${i}` }));

describe('JSON Patch bounds over HTTP', () => {
  test('exactly limits.patchOperations operations: 200', async () => {
    const { id } = await create(small, 'notes', { title: 'n' });
    const ops = Array.from({ length: 5 }, (_, i) => ({ op: 'replace', path: '/title', value: `t${i}` }));
    const res = await patch(small, id, ops);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(json(res).title, 't4');
  });

  test('one operation more: 413 naming limits.patchOperations, nothing runs', async () => {
    const { id, body, etag } = await create(small, 'notes', { title: 'n' });
    const ops = Array.from({ length: 6 }, (_, i) => ({ op: 'replace', path: '/title', value: `t${i}` }));
    const problem = assertProblem(await patch(small, id, ops), 413, {
      type: 'about:blank',
      title: 'Content Too Large',
      detail: /6 operations, more than the 5 operations a JSON Patch may hold \(limits\.patchOperations\)/,
    });
    assert.equal(problem.limit, 'limits.patchOperations');
    await assertUnchanged(small, id, body, etag);
  });

  for (const n of [25, 60]) {
    test(`the copy bomb (${n} chained copies of the whole record): 422 at the copy that passes limits.json`, async () => {
      const { id, body, etag } = await create(defaults, 'notes', { title: 'bomb' });
      let bytes = Buffer.byteLength(JSON.stringify(body));
      let crossing = -1;
      for (let i = 0; i < n && crossing === -1; i++) {
        bytes = 2 * bytes + Buffer.byteLength(JSON.stringify(`k${i}`)) + 2;
        if (bytes > 1024 * 1024) crossing = i;
      }
      const problem = assertProblem(await patch(defaults, id, copyBomb(n)), 422, {
        type: LIMIT_EXCEEDED,
        detail: new RegExp(`Operation ${crossing} .*1048576 bytes .*\\(limits\\.json\\)`),
      });
      assert.equal(problem.limit, 'limits.json');
      assert.equal(problem.operation, crossing);
      await assertUnchanged(defaults, id, body, etag);
    });
  }

  test('adds that nest the record 64 levels deep: 200; one level more: 422 naming the depth', async () => {
    // The body itself may nest only 64 levels, so the depth is reached by adding into an added value.
    const inner = `/data${'/a'.repeat(59)}`;
    const { id } = await create(small, 'notes', { title: 'deep' });
    const fits = await patch(small, id, [
      { op: 'add', path: '/data', value: nested(60) },
      { op: 'add', path: `${inner}/b`, value: nested(3) },
    ]);
    assert.equal(fits.statusCode, 200, fits.body);

    const other = await create(small, 'notes', { title: 'deeper' });
    const res = await patch(small, other.id, [
      { op: 'add', path: '/data', value: nested(60) },
      { op: 'add', path: `${inner}/b`, value: nested(4) },
    ]);
    const problem = assertProblem(res, 422, { type: LIMIT_EXCEEDED, detail: /Operation 1 .*64 levels deep/ });
    assert.equal(problem.limit, 'maxJsonDepth');
    assert.equal(problem.operation, 1);
    await assertUnchanged(small, other.id, other.body, other.etag);
  });

  test('a patch that walks more than 4 × limits.json: 422, though the record stays small enough', async () => {
    const { id, body, etag } = await create(defaults, 'notes', { title: 'work', body: 'w'.repeat(300_000) });
    const ops = Array.from({ length: 100 }, (_, i) =>
      i % 2 === 0 ? { op: 'copy', from: '/body', path: '/data' } : { op: 'remove', path: '/data' },
    );
    const problem = assertProblem(await patch(defaults, id, ops), 422, {
      type: LIMIT_EXCEEDED,
      detail: /4194304 bytes of JSON \(4 × limits\.json\).*split them into smaller requests/,
    });
    assert.equal(problem.limit, 'limits.json');
    // About 300 KB per operation: the budget runs out after a dozen or so, well before the hundredth.
    assert.ok(Number(problem.operation) > 5 && Number(problem.operation) < 20, String(problem.operation));
    await assertUnchanged(defaults, id, body, etag);
  });

  test('a patch within every bound still applies on the large server', async () => {
    const { id } = await create(defaults, 'notes', { title: 'ok', body: 'b'.repeat(300_000) });
    const res = await patch(defaults, id, [
      { op: 'test', path: '/body', value: 'b'.repeat(300_000) },
      { op: 'copy', from: '/body', path: '/data' },
      { op: 'replace', path: '/title', value: 'copied' },
    ]);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(json(res).data, 'b'.repeat(300_000));
  });

  test('a refused patch is not kept for its Idempotency-Key: the corrected retry with that key goes through', async () => {
    const { id } = await create(small, 'notes', { title: 'n' });
    const headers = { 'content-type': JSON_PATCH, 'idempotency-key': '"patch-limit-1"' };
    const tooMany = Array.from({ length: 6 }, () => ({ op: 'replace', path: '/title', value: 'x' }));
    const refused = await small.request({
      method: 'PATCH',
      url: `/api/notes/${id}`,
      headers,
      payload: JSON.stringify(tooMany),
    });
    assertProblem(refused, 413);
    const retry = await small.request({
      method: 'PATCH',
      url: `/api/notes/${id}`,
      headers,
      payload: JSON.stringify(tooMany.slice(0, 5)),
    });
    assert.equal(retry.statusCode, 200, retry.body);
  });
});
