/**
 * The `owner` relation (PRODUCT.md, Config and Details: Users, rules,
 * sessions): set to the caller on create, never forged by a non-admin (a
 * body owner is ignored on POST, PUT and PATCH), changeable by admins.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { HTTPMethods } from 'fastify';
import { json, type TestApp } from '../harness.js';
import { authApp, bearer, leakScan, seed } from './auth-helpers.js';
import { stored } from './helpers.js';
import {
  assertRefused,
  type CallerName,
  type Cast,
  callerOf,
  castOf,
  collectionOf,
  RULES_CONFIG,
} from './rules-helpers.js';

let t: TestApp;
let cast: Cast;

before(async () => {
  t = await authApp(RULES_CONFIG);
  cast = await castOf(t);
});
after(() => t.close());

let puts = 0;

describe('on create', () => {
  const rows: {
    collection: string;
    caller: CallerName;
    sends: 'owner' | 'other' | 'nothing';
    gets: CallerName;
  }[] = [
    { collection: collectionOf('owner'), caller: 'other', sends: 'owner', gets: 'other' },
    { collection: collectionOf('owner'), caller: 'other', sends: 'nothing', gets: 'other' },
    { collection: collectionOf('expression'), caller: 'other', sends: 'owner', gets: 'other' },
    { collection: collectionOf('auth'), caller: 'owner', sends: 'other', gets: 'owner' },
    { collection: collectionOf('owner'), caller: 'admin', sends: 'owner', gets: 'owner' },
    { collection: collectionOf('owner'), caller: 'admin', sends: 'nothing', gets: 'admin' },
  ];
  for (const row of rows) {
    for (const method of ['POST', 'PUT'] as const) {
      test(`${method} to ${row.collection} by ${row.caller} naming ${row.sends}: owner is ${row.gets}`, async () => {
        const payload: Record<string, unknown> = { title: 'new', published: false };
        if (row.sends !== 'nothing') payload.owner = cast[row.sends].id;
        const url = method === 'POST' ? `/api/${row.collection}` : `/api/${row.collection}/put${++puts}`;
        const res = await t.request({ method, url, payload, headers: bearer(callerOf(cast, row.caller)) });
        assert.equal(res.statusCode, 201, res.body);
        const body = json(res);
        assert.equal(body.owner, cast[row.gets as 'owner' | 'other' | 'admin'].id);
        assert.deepEqual(await t.store.get(row.collection, body.id as string), body);
      });
    }
  }

  test('an anonymous caller cannot name an owner either', {}, async () => {
    const res = await t.request({
      method: 'POST',
      url: `/api/${collectionOf('public')}`,
      payload: { title: 'planted', owner: cast.owner.id },
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(json(res).owner, null);
  });

  test('a create rule the new record does not satisfy: 403, nothing stored', async () => {
    const before = await stored(t, 'bulletin');
    const res = await t.request({
      method: 'POST',
      url: '/api/bulletin',
      payload: { title: 'draft', published: false },
      headers: bearer(cast.other),
    });
    assertRefused(res, 403);
    assert.deepEqual(await stored(t, 'bulletin'), before);
  });
});

describe('on update', () => {
  const rows: {
    method: HTTPMethods;
    caller: CallerName;
    payload: (other: string) => unknown;
    type?: string;
    moves: boolean;
  }[] = [
    { method: 'PATCH', caller: 'owner', payload: (other) => ({ owner: other }), moves: false },
    {
      method: 'PATCH',
      caller: 'owner',
      payload: (other) => ({ owner: other, title: 'renamed' }),
      moves: false,
    },
    { method: 'PATCH', caller: 'owner', payload: () => ({ owner: null }), moves: false },
    {
      method: 'PATCH',
      caller: 'owner',
      payload: (other) => [{ op: 'replace', path: '/owner', value: other }],
      type: 'application/json-patch+json',
      moves: false,
    },
    {
      method: 'PUT',
      caller: 'owner',
      payload: (other) => ({ title: 'renamed', owner: other }),
      moves: false,
    },
    { method: 'PUT', caller: 'owner', payload: () => ({ title: 'renamed' }), moves: false },
    { method: 'PATCH', caller: 'admin', payload: (other) => ({ owner: other }), moves: true },
    { method: 'PUT', caller: 'admin', payload: (other) => ({ title: 'renamed', owner: other }), moves: true },
  ];
  for (const row of rows) {
    const body = JSON.stringify(row.payload('OTHER'));
    test(`${row.method} ${body} by ${row.caller}: the owner ${row.moves ? 'moves' : 'stays'}`, async () => {
      const name = collectionOf('owner');
      const record = await seed(t, name, { title: 'kept', owner: cast.owner.id });
      const res = await t.request({
        method: row.method,
        url: `/api/${name}/${record.id}`,
        payload: JSON.stringify(row.payload(cast.other.id)),
        headers: { 'content-type': row.type ?? 'application/json', ...bearer(callerOf(cast, row.caller)) },
      });
      assert.equal(res.statusCode, 200, res.body);
      const after = await t.store.get(name, record.id);
      assert.deepEqual(json(res), after);
      assert.equal(after?.owner, row.moves ? cast.other.id : cast.owner.id);
      if (!row.moves && !body.includes('title')) {
        assert.deepEqual(after, record, 'an ignored owner change is a no-op: updated stays');
      }
    });
  }

  test('after an admin moved it, the old owner no longer sees it and the new one does', async () => {
    const name = collectionOf('owner');
    const record = await seed(t, name, { title: 'handed over', owner: cast.owner.id });
    const res = await t.request({
      method: 'PATCH',
      url: `/api/${name}/${record.id}`,
      payload: { owner: cast.other.id },
      headers: bearer(cast.admin),
    });
    assert.equal(res.statusCode, 200, res.body);
    assertRefused(
      await t.request({ method: 'GET', url: `/api/${name}/${record.id}`, headers: bearer(cast.owner) }),
      404,
    );
    const seen = await t.request({
      method: 'GET',
      url: `/api/${name}/${record.id}`,
      headers: bearer(cast.other),
    });
    assert.equal(seen.statusCode, 200);
  });
});

leakScan();
