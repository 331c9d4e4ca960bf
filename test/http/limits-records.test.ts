/**
 * A record must always fit back into a PUT: every write whose record would
 * be larger than limits.json as JSON (POST, PUT, merge PATCH, a hook's
 * changes, a batch's sub-request) is a 422 naming limits.json, and nothing
 * is written. A batch's sub-requests obey the bounds of a lone request.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { UserConfig } from '../../src/config/types.js';
import type { HookContext } from '../../src/service/hooks.js';
import { json, PUBLIC_RULES, type TestApp, testApp } from '../harness.js';
import { assertProblem, create, stored } from './helpers.js';

const LIMIT = 16 * 1024;
const LIMIT_EXCEEDED = 'https://methodical.dev/problems/limit-exceeded';
const TOO_LARGE = /more than the 16384 bytes a record may hold \(limits\.json\)/;

const CONFIG: UserConfig = {
  limits: { json: LIMIT, patchOperations: 5 },
  collections: {
    notes: {
      fields: { title: { type: 'text', required: true }, body: { type: 'text' }, data: { type: 'json' } },
      rules: PUBLIC_RULES,
    },
    padded: { fields: { title: { type: 'text' }, pad: { type: 'text' } }, rules: PUBLIC_RULES },
    // A default fills the record with more than the request sent.
    defaulted: {
      fields: { more: { type: 'text' }, pad: { type: 'text', default: 'd'.repeat(9000) } },
      rules: PUBLIC_RULES,
    },
  },
  hooks: {
    padded: {
      // A hook that grows the record past what any request could send.
      beforeCreate: (ctx: HookContext) => {
        (ctx.record as Record<string, unknown>).pad = 'p'.repeat(LIMIT);
      },
    },
  },
};

let t: TestApp;
before(async () => {
  t = await testApp(CONFIG);
});
after(() => t.close());

function put(id: string, body: unknown) {
  return t.request({ method: 'PUT', url: `/api/notes/${id}`, payload: body as object });
}

/** Asserts a 422 naming limits.json. */
function assertTooLarge(res: Awaited<ReturnType<typeof put>>) {
  const problem = assertProblem(res, 422, { type: LIMIT_EXCEEDED, detail: TOO_LARGE });
  assert.equal(problem.limit, 'limits.json');
  return problem;
}

describe('a record larger than limits.json is never written', () => {
  test('PUT: a record of exactly limits.json bytes is stored and fits back into a PUT; one byte more is a 422', async () => {
    // Ids of one length, so every record's JSON differs only by its body.
    const probe = await put('size0', { title: 't', body: '' });
    assert.equal(probe.statusCode, 201, probe.body);
    const room = LIMIT - Buffer.byteLength(probe.body);

    const exact = await put('size1', { title: 't', body: 'x'.repeat(room) });
    assert.equal(exact.statusCode, 201, exact.body);
    assert.equal(Buffer.byteLength(exact.body), LIMIT);
    const back = await put('size1', json(exact));
    assert.equal(back.statusCode, 200, back.body);

    const over = await put('size2', { title: 't', body: 'x'.repeat(room + 1) });
    const problem = assertTooLarge(over);
    assert.match(problem.detail as string, /16385 bytes as JSON/);
    assert.equal(await t.store.get('notes', 'size2'), undefined);
  });

  test('POST: a body within limits.json whose record is larger is a 422, nothing stored', async () => {
    const before = (await stored(t, 'notes')).length;
    // The body alone fits the body limit; id, created, updated and data make the record larger.
    const body = { title: 't', body: 'y'.repeat(LIMIT - 40) };
    assert.ok(Buffer.byteLength(JSON.stringify(body)) <= LIMIT);
    assertTooLarge(await t.request({ method: 'POST', url: '/api/notes', payload: body }));
    assert.equal((await stored(t, 'notes')).length, before);
  });

  test('merge PATCH that grows the record past limits.json: 422, nothing changes', async () => {
    const { id, body, etag } = await create(t, 'notes', { title: 'm', body: 'b'.repeat(8000) });
    const res = await t.request({
      method: 'PATCH',
      url: `/api/notes/${id}`,
      headers: { 'content-type': 'application/merge-patch+json' },
      payload: JSON.stringify({ data: { text: 'd'.repeat(9000) } }),
    });
    assertTooLarge(res);
    assert.deepEqual(await t.store.get('notes', id), body);
    assert.equal((await t.request({ method: 'GET', url: `/api/notes/${id}` })).headers.etag, etag);
  });

  test('a body larger than limits.json: 413 naming limits.json', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/api/notes',
      payload: { title: 't', body: 'x'.repeat(LIMIT) },
    });
    const problem = assertProblem(res, 413, { detail: /larger than the 16384 bytes .*\(limits\.json\)/ });
    assert.equal(problem.limit, 'limits.json');
  });

  test('a before-hook that grows the record past limits.json: 422, nothing stored', async () => {
    const res = await t.request({ method: 'POST', url: '/api/padded', payload: { title: 'p' } });
    assertTooLarge(res);
    assert.deepEqual(await stored(t, 'padded'), []);
  });
});

describe('a batch: each sub-request obeys the bounds of a lone request', () => {
  async function snapshot() {
    return (await stored(t, 'notes')).map((r) => JSON.stringify(r));
  }

  /** A batch of one JSON Patch of a note. */
  function batchJsonPatch(id: string, operations: unknown[]) {
    const headers = { 'content-type': 'application/json-patch+json' };
    return t.request({
      method: 'POST',
      url: '/api/batch',
      payload: { requests: [{ method: 'PATCH', url: `/api/notes/${id}`, headers, body: operations }] },
    });
  }

  test('a sub-request whose record would be too large: 422 naming its index, nothing of the batch written', async () => {
    const before = await snapshot();
    const res = await t.request({
      method: 'POST',
      url: '/api/batch',
      payload: {
        requests: [
          { method: 'PUT', url: '/api/notes/batch-ok', body: { title: 'fine' } },
          { method: 'POST', url: '/api/defaulted', body: { more: 'z'.repeat(8000) } },
        ],
      },
    });
    const problem = assertTooLarge(res);
    assert.equal(problem.index, 1);
    assert.deepEqual(await snapshot(), before);
    assert.deepEqual(await stored(t, 'defaulted'), []);
  });

  test('a sub-request JSON Patch with too many operations: 413 naming limits.patchOperations and its index', async () => {
    const { id, body } = await create(t, 'notes', { title: 'b' });
    const res = await batchJsonPatch(
      id,
      Array.from({ length: 6 }, () => ({ op: 'replace', path: '/title', value: 'x' })),
    );
    const problem = assertProblem(res, 413, { detail: /Request 0 failed: .*\(limits\.patchOperations\)/ });
    assert.equal(problem.limit, 'limits.patchOperations');
    assert.equal(problem.index, 0);
    assert.deepEqual(await t.store.get('notes', id), body);
  });

  test('a sub-request copy bomb: 422 naming the operation and the index, nothing written', async () => {
    // About 3 KB doubled three times passes 16 KiB at the third copy.
    const { id, body } = await create(t, 'notes', { title: 'b', body: 'b'.repeat(3000) });
    const res = await batchJsonPatch(
      id,
      Array.from({ length: 5 }, (_, i) => ({ op: 'copy', from: '', path: `/k${i}` })),
    );
    const problem = assertProblem(res, 422, {
      type: LIMIT_EXCEEDED,
      detail: /Request 0 failed: Operation 2 /,
    });
    assert.equal(problem.index, 0);
    assert.equal(problem.operation, 2);
    assert.equal(problem.limit, 'limits.json');
    assert.deepEqual(await t.store.get('notes', id), body);
  });

  test('the sub-requests share one patch work budget: each patch alone fits, together they do not', async () => {
    // 4 × 16 KiB of work in all; each patch copies and removes a 5 KB field, about 25 KB of work.
    const notes = [];
    for (let i = 0; i < 3; i++)
      notes.push(await create(t, 'notes', { title: `w${i}`, body: 'w'.repeat(5000) }));
    const copy = { op: 'copy', from: '/body', path: '/data' };
    const remove = { op: 'remove', path: '/data' };
    const ops = [copy, remove, copy, remove, copy];
    const headers = { 'content-type': 'application/json-patch+json' };
    const alone = await batchJsonPatch(notes[0].id, ops);
    assert.equal(alone.statusCode, 200, alone.body);
    const before = await snapshot();
    const res = await t.request({
      method: 'POST',
      url: '/api/batch',
      payload: {
        requests: notes.map((n) => ({ method: 'PATCH', url: `/api/notes/${n.id}`, headers, body: ops })),
      },
    });
    const problem = assertProblem(res, 422, { type: LIMIT_EXCEEDED, detail: /a batch shares it/ });
    assert.equal(problem.index, 2, 'the budget ran out at the third patch, not at the first');
    assert.deepEqual(await snapshot(), before, 'nothing of the batch written');
  });
});
