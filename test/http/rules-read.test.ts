/**
 * The rules matrix for reads: every rule kind × list and view × every
 * caller (PRODUCT.md, Details: Users, rules, sessions). Record-dependent
 * rules filter lists in SQL (totals count only what the caller may see) and
 * hide records the caller may not view (404).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RecordData } from '../../src/schema/types.js';
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
  listable,
  RULES_CONFIG,
} from './rules-helpers.js';

let t: TestApp;
let cast: Cast;
/** Per collection: the owner's unpublished record and the owner's published one. */
const targets = new Map<string, { hidden: RecordData; published: RecordData }>();

before(async () => {
  t = await authApp(RULES_CONFIG);
  cast = await castOf(t);
  for (const name of [...KINDS.map(collectionOf), 'journal', 'bulletin']) {
    const hidden = await seed(t, name, { title: 'owner, hidden', published: false, owner: cast.owner.id });
    const published = await seed(t, name, {
      title: 'owner, published',
      published: true,
      owner: cast.owner.id,
    });
    await seed(t, name, { title: 'other, hidden', published: false, owner: cast.other.id });
    await seed(t, name, { title: 'other, published', published: true, owner: cast.other.id });
    await seed(t, name, { title: 'admin, hidden', published: false, owner: cast.admin.id });
    await seed(t, name, { title: 'nobody, hidden', published: false });
    targets.set(name, { hidden, published });
  }
});
after(() => t.close());

describe('list', () => {
  for (const kind of KINDS) {
    CALLERS.forEach((callerName, i) => {
      const status = EXPECTED[kind].list[i];
      test(`${kind} rule, ${callerName}: ${status}`, async () => {
        const name = collectionOf(kind);
        const caller = callerOf(cast, callerName);
        const res = await t.request({
          method: 'GET',
          url: `/api/${name}?perPage=500`,
          headers: bearer(caller),
        });
        if (status !== 200) return assertRefused(res, status);
        assert.equal(res.statusCode, 200, res.body);
        const expected = (await stored(t, name)).filter((r) => listable(kind, caller, r));
        const body = json(res);
        assert.equal(body.totalItems, expected.length);
        assert.deepEqual(
          (body.items as RecordData[]).map((r) => r.id).sort(),
          expected.map((r) => r.id).sort(),
        );
        assert.equal(res.headers['cache-control'], caller ? 'private, no-cache' : 'no-cache');
      });
    });
  }

  test('a filtered rule pages in SQL: totals and pages count only visible records', async () => {
    const res = await t.request({
      method: 'GET',
      url: `/api/${collectionOf('expression')}?perPage=1&page=2&sort=title`,
      headers: bearer(cast.other),
    });
    assert.equal(res.statusCode, 200, res.body);
    const body = json(res);
    // other's two records and owner's published one.
    assert.deepEqual(
      { totalItems: body.totalItems, totalPages: body.totalPages, page: body.page },
      { totalItems: 3, totalPages: 3, page: 2 },
    );
    // By title: other's hidden, other's published, owner's published.
    assert.deepEqual(
      (body.items as RecordData[]).map((r) => r.title),
      ['other, published'],
    );
    const last = /<([^>]+)>; rel="last"/.exec(String(res.headers.link))?.[1];
    assert.equal(new URL(String(last), 'http://x').searchParams.get('page'), '3');
  });

  test("the caller's filter is AND-ed with the rule", async () => {
    const res = await t.request({
      method: 'GET',
      url: `/api/${collectionOf('owner')}?filter=${encodeURIComponent('published = false')}`,
      headers: bearer(cast.other),
    });
    assert.equal(res.statusCode, 200, res.body);
    const body = json(res);
    assert.equal(body.totalItems, 1);
    assert.deepEqual(
      (body.items as RecordData[]).map((r) => [r.title, r.owner]),
      [['other, hidden', cast.other.id]],
    );
  });

  test('a filter naming another owner cannot widen the rule', async () => {
    const res = await t.request({
      method: 'GET',
      url: `/api/${collectionOf('owner')}?owner=${cast.owner.id}`,
      headers: bearer(cast.other),
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(json(res), { items: [], page: 1, perPage: 20, totalItems: 0, totalPages: 0 });
  });
});

describe('view', () => {
  for (const kind of KINDS) {
    CALLERS.forEach((callerName, i) => {
      const status = EXPECTED[kind].view[i];
      test(`${kind} rule, the owner's hidden record, ${callerName}: ${status}`, async () => {
        const name = collectionOf(kind);
        const caller = callerOf(cast, callerName);
        const { hidden } = targets.get(name)!;
        const res = await t.request({
          method: 'GET',
          url: `/api/${name}/${hidden.id}`,
          headers: bearer(caller),
        });
        if (status !== 200) return assertRefused(res, status);
        assert.equal(res.statusCode, 200, res.body);
        assert.deepEqual(json(res), hidden);
        assert.equal(res.headers['cache-control'], caller ? 'private, no-cache' : 'no-cache');
      });
    });
  }

  const published = [
    { caller: 'anonymous', status: 401 },
    { caller: 'owner', status: 200 },
    { caller: 'other', status: 200 },
    { caller: 'admin', status: 200 },
  ] as const;
  for (const row of published) {
    test(`expression rule, the owner's published record, ${row.caller}: ${row.status}`, async () => {
      const name = collectionOf('expression');
      const { published: record } = targets.get(name)!;
      const res = await t.request({
        method: 'GET',
        url: `/api/${name}/${record.id}`,
        headers: bearer(callerOf(cast, row.caller)),
      });
      if (row.status !== 200) return assertRefused(res, row.status);
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(json(res), record);
    });
  }

  test('not viewable looks exactly like missing: same status and detail shape', async () => {
    const name = collectionOf('owner');
    const { hidden } = targets.get(name)!;
    const hiddenRes = await t.request({
      method: 'GET',
      url: `/api/${name}/${hidden.id}`,
      headers: bearer(cast.other),
    });
    const missing = await t.request({
      method: 'GET',
      url: `/api/${name}/rmissing0000`,
      headers: bearer(cast.other),
    });
    assertRefused(hiddenRes, 404);
    assertRefused(missing, 404);
    assert.equal(json(hiddenRes).detail, String(json(missing).detail).replace('rmissing0000', hidden.id));
  });
});

describe('an expression without @auth', () => {
  test('anonymous callers are filtered, not refused', async () => {
    const res = await t.request({ method: 'GET', url: '/api/bulletin' });
    assert.equal(res.statusCode, 200, res.body);
    const expected = (await stored(t, 'bulletin')).filter((r) => r.published === true);
    assert.equal(json(res).totalItems, expected.length);
    assert.ok((json(res).items as RecordData[]).every((r) => r.published === true));
  });

  test('an anonymous view of a record outside the filter: 404', async () => {
    const { hidden, published } = targets.get('bulletin')!;
    assertRefused(await t.request({ method: 'GET', url: `/api/bulletin/${hidden.id}` }), 404);
    const res = await t.request({ method: 'GET', url: `/api/bulletin/${published.id}` });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(json(res), published);
  });
});

describe('expand=owner follows the users rules', () => {
  const rows = [
    { caller: 'owner', sees: true },
    { caller: 'other', sees: false },
    { caller: 'admin', sees: true },
  ] as const;
  for (const row of rows) {
    test(`${row.caller} ${row.sees ? 'sees' : 'does not see'} the owner's user record`, async () => {
      const { published } = targets.get('journal')!;
      const res = await t.request({
        method: 'GET',
        url: `/api/journal/${published.id}?expand=owner`,
        headers: bearer(callerOf(cast, row.caller)),
      });
      assert.equal(res.statusCode, 200, res.body);
      const owner = (json(res).expand as Record<string, Record<string, unknown> | null>).owner;
      if (row.sees) assert.equal(owner?.id, cast.owner.id);
      else assert.equal(owner, null);
    });
  }
});

leakScan();
