/**
 * The rules matrix for writes: every rule kind × create, update (PATCH and
 * PUT) and delete × every caller, with the stored state checked after each
 * attempt: a refusal changes nothing (PRODUCT.md, Details: Users, rules,
 * sessions).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { HTTPMethods } from 'fastify';
import { json, type TestApp } from '../harness.js';
import { authApp, bearer, leakScan, seed } from './auth-helpers.js';
import { stored } from './helpers.js';
import {
  assertRefused,
  CALLERS,
  type Cast,
  callerOf,
  castOf,
  collectionOf,
  EXPECTED,
  KINDS,
  RULES_CONFIG,
} from './rules-helpers.js';

let t: TestApp;
let cast: Cast;

before(async () => {
  t = await authApp(RULES_CONFIG);
  cast = await castOf(t);
});
after(() => t.close());

/** A fresh unpublished record of the owner, so each row starts from the same state. */
function target(name: string) {
  return seed(t, name, { title: 'original', published: false, owner: cast.owner.id });
}

describe('create', () => {
  for (const kind of KINDS) {
    CALLERS.forEach((callerName, i) => {
      const status = EXPECTED[kind].create[i];
      test(`${kind} rule, ${callerName}: ${status}`, async () => {
        const name = collectionOf(kind);
        const caller = callerOf(cast, callerName);
        const before = await stored(t, name);
        const res = await t.request({
          method: 'POST',
          url: `/api/${name}`,
          payload: { title: `by ${callerName}`, published: false },
          headers: bearer(caller),
        });
        if (status !== 201) {
          assertRefused(res, status);
          assert.deepEqual(await stored(t, name), before, 'nothing was written');
          return;
        }
        assert.equal(res.statusCode, 201, res.body);
        const body = json(res);
        assert.equal(res.headers.location, `/api/${name}/${body.id}`);
        assert.equal(body.owner, caller?.id ?? null, 'owner is the caller');
        assert.deepEqual(await t.store.get(name, body.id as string), body);
        assert.equal((await stored(t, name)).length, before.length + 1);
      });
    });
  }
});

const UPDATES: { method: HTTPMethods; payload: Record<string, unknown> }[] = [
  { method: 'PATCH', payload: { title: 'changed' } },
  // The owner is named so that an administrator's PUT keeps it too.
  { method: 'PUT', payload: { title: 'changed', published: false } },
];

for (const { method, payload } of UPDATES) {
  describe(`update with ${method}`, () => {
    for (const kind of KINDS) {
      CALLERS.forEach((callerName, i) => {
        const status = EXPECTED[kind].update[i];
        test(`${kind} rule, the owner's record, ${callerName}: ${status}`, async () => {
          const name = collectionOf(kind);
          const caller = callerOf(cast, callerName);
          const record = await target(name);
          const body = method === 'PUT' && caller?.admin ? { ...payload, owner: cast.owner.id } : payload;
          const res = await t.request({
            method,
            url: `/api/${name}/${record.id}`,
            payload: body,
            headers: bearer(caller),
          });
          if (status !== 200) {
            assertRefused(res, status);
            assert.deepEqual(await t.store.get(name, record.id), record, 'nothing changed');
            return;
          }
          assert.equal(res.statusCode, 200, res.body);
          const after = await t.store.get(name, record.id);
          assert.deepEqual(json(res), after);
          assert.equal(after?.title, 'changed');
          assert.equal(after?.owner, cast.owner.id, 'the owner is kept');
        });
      });
    }
  });
}

describe('delete', () => {
  for (const kind of KINDS) {
    CALLERS.forEach((callerName, i) => {
      const status = EXPECTED[kind].delete[i];
      test(`${kind} rule, the owner's record, ${callerName}: ${status}`, async () => {
        const name = collectionOf(kind);
        const caller = callerOf(cast, callerName);
        const record = await target(name);
        const res = await t.request({
          method: 'DELETE',
          url: `/api/${name}/${record.id}`,
          headers: bearer(caller),
        });
        if (status !== 204) {
          assertRefused(res, status);
          assert.deepEqual(await t.store.get(name, record.id), record, 'nothing was deleted');
          return;
        }
        assert.equal(res.statusCode, 204, res.body);
        assert.equal(res.body, '');
        assert.equal(await t.store.get(name, record.id), undefined);
      });
    });
  }
});

describe('expression rule on a published record: the rule decides per record', () => {
  const rows = [
    { method: 'PATCH', caller: 'anonymous', status: 401 },
    { method: 'PATCH', caller: 'other', status: 200 },
    { method: 'DELETE', caller: 'anonymous', status: 401 },
    { method: 'DELETE', caller: 'other', status: 204 },
  ] as const;
  for (const row of rows) {
    test(`${row.method} by ${row.caller}: ${row.status}`, async () => {
      const name = collectionOf('expression');
      const record = await seed(t, name, { title: 'open', published: true, owner: cast.owner.id });
      const res = await t.request({
        method: row.method,
        url: `/api/${name}/${record.id}`,
        payload: row.method === 'PATCH' ? { title: 'edited' } : undefined,
        headers: bearer(callerOf(cast, row.caller)),
      });
      if (row.status >= 400) {
        assertRefused(res, row.status);
        assert.deepEqual(await t.store.get(name, record.id), record);
      } else if (row.method === 'PATCH') {
        assert.equal(res.statusCode, 200, res.body);
        assert.deepEqual(await t.store.get(name, record.id), { ...json(res), owner: cast.owner.id });
      } else {
        assert.equal(res.statusCode, 204);
        assert.equal(await t.store.get(name, record.id), undefined);
      }
    });
  }
});

describe('viewable but not changeable: 403, not 404', () => {
  const rows = [
    { collection: 'shelf', published: false, caller: 'other', status: 403 },
    { collection: 'shelf', published: false, caller: 'anonymous', status: 401 },
    { collection: 'journal', published: true, caller: 'other', status: 403 },
    { collection: 'journal', published: false, caller: 'other', status: 404 },
    { collection: 'journal', published: true, caller: 'anonymous', status: 401 },
  ] as const;
  for (const row of rows) {
    for (const method of ['PATCH', 'PUT', 'DELETE'] as const) {
      const what = row.published ? 'published' : 'unpublished';
      test(`${row.collection}: ${method} of the owner's ${what} record by ${row.caller}: ${row.status}`, async () => {
        const values =
          row.collection === 'shelf' ? { title: 'mine' } : { title: 'mine', published: row.published };
        const record = await seed(t, row.collection, { ...values, owner: cast.owner.id });
        const res = await t.request({
          method,
          url: `/api/${row.collection}/${record.id}`,
          payload: method === 'DELETE' ? undefined : { title: 'taken over' },
          headers: bearer(callerOf(cast, row.caller)),
        });
        assertRefused(res, row.status);
        assert.deepEqual(await t.store.get(row.collection, record.id), record, 'nothing changed');
      });
    }
  }

  test('the owner may change it', async () => {
    const record = await seed(t, 'journal', { title: 'mine', published: true, owner: cast.owner.id });
    const res = await t.request({
      method: 'PATCH',
      url: `/api/journal/${record.id}`,
      payload: { title: 'still mine' },
      headers: bearer(cast.owner),
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal((await t.store.get('journal', record.id))?.title, 'still mine');
  });
});

describe('rules that do not depend on the record answer the same for a missing record', () => {
  const rows = [
    { kind: 'admin', caller: 'anonymous', status: 401 },
    { kind: 'admin', caller: 'owner', status: 403 },
    { kind: 'auth', caller: 'anonymous', status: 401 },
    { kind: 'nobody', caller: 'owner', status: 403 },
  ] as const;
  for (const row of rows) {
    for (const method of ['PATCH', 'DELETE'] as const) {
      test(`${row.kind} rule, ${method} of a missing id by ${row.caller}: ${row.status}`, {}, async () => {
        const name = collectionOf(row.kind);
        const res = await t.request({
          method,
          url: `/api/${name}/rmissing000`,
          payload: method === 'PATCH' ? { title: 'x' } : undefined,
          headers: bearer(callerOf(cast, row.caller)),
        });
        assertRefused(res, row.status);
        assert.equal(await t.store.get(name, 'rmissing000'), undefined);
      });
    }
  }
});

leakScan();
