/**
 * An upload is refused before a byte of it is stored: the caller and the
 * collection's rules are checked before the multipart body is read, and a
 * boundary no conforming sender would use is a 400, never a 500.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FileStorage } from '../../src/files/storage.js';
import { json, type TestApp } from '../harness.js';
import { authApp, bearer, registerAndLogin, type User } from './auth-helpers.js';
import { assertProblem, stored } from './helpers.js';
import { multipart, type Part } from './multipart.js';
import { assertNoStaging, pngOfSize } from './upload-helpers.js';

const PHOTO: Part[] = [
  { name: 'caption', value: 'a photo' },
  { name: 'image', filename: 'p.png', data: pngOfSize(512 * 1024), type: 'image/png' },
];

let t: TestApp;
let alice: User;
let bob: User;
let admin: User;
/** Calls to the storage's stage(): none may happen for a refused caller. */
let stagings = 0;

before(async () => {
  t = await authApp({
    collections: {
      members: {
        fields: { caption: { type: 'text' }, image: { type: 'file', accept: ['image/png'] } },
        rules: { list: 'public', view: 'public', create: 'auth', update: 'owner', delete: 'owner' },
      },
      private: {
        fields: { caption: { type: 'text' }, image: { type: 'file' } },
        rules: { list: 'owner', view: 'owner', create: 'auth', update: 'owner', delete: 'owner' },
      },
      staff: {
        fields: { caption: { type: 'text' }, image: { type: 'file' } },
        rules: { list: 'public', view: 'public', create: 'admin', update: 'admin', delete: 'admin' },
      },
    },
  });
  alice = await registerAndLogin(t, 'alice@example.com');
  bob = await registerAndLogin(t, 'bob@example.com');
  admin = await registerAndLogin(t, 'admin@example.com', true);
  const files: FileStorage = t.files;
  const stage = files.stage.bind(files);
  files.stage = (source, maxSize) => {
    stagings++;
    return stage(source, maxSize);
  };
});
after(() => t.close());

/** A multipart write of PHOTO as `user`. */
function upload(method: 'POST' | 'PUT', url: string, user: User | null) {
  const { payload, headers } = multipart(PHOTO);
  return t.request({ method, url, payload, headers: { ...headers, ...bearer(user) } });
}

async function ownedBy(user: User, collection: string): Promise<string> {
  const { payload, headers } = multipart([{ name: 'caption', value: 'mine' }]);
  const res = await t.request({
    method: 'POST',
    url: `/api/${collection}`,
    payload,
    headers: { ...headers, ...bearer(user) },
  });
  assert.equal(res.statusCode, 201, res.body);
  return json(res).id as string;
}

describe('refused callers store nothing', () => {
  const cases: {
    name: string;
    run: () => ReturnType<typeof upload>;
    status: number;
    detail?: RegExp;
  }[] = [
    {
      name: 'anonymous POST to an auth collection: 401',
      run: () => upload('POST', '/api/members', null),
      status: 401,
    },
    {
      name: 'a member POST to an admin collection: 403',
      run: () => upload('POST', '/api/staff', alice),
      status: 403,
    },
    {
      name: 'anonymous PUT creating a record in an auth collection: 401',
      run: () => upload('PUT', '/api/members/new-one', null),
      status: 401,
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const before = stagings;
      const count = (await stored(t, 'members')).length;
      const res = await c.run();
      assertProblem(res, c.status, c.detail ? { detail: c.detail } : {});
      assert.equal(stagings, before, 'not one byte went to staging');
      assertNoStaging(t);
      assert.equal((await stored(t, 'members')).length, count, 'no record was written');
    });
  }

  test("PUT over another member's record: 403, and the record keeps its fields", async () => {
    const id = await ownedBy(alice, 'members');
    const before = stagings;
    const res = await upload('PUT', `/api/members/${id}`, bob);
    assertProblem(res, 403, { detail: /not update/ });
    assert.equal(stagings, before);
    assertNoStaging(t);
    const record = (await stored(t, 'members')).find((r) => r.id === id);
    assert.equal(record?.caption, 'mine');
    assert.equal(record?.image, null);
  });

  test('PUT over a record the caller may not even see: 404, as if it were not there', async () => {
    const id = await ownedBy(alice, 'private');
    const before = stagings;
    assertProblem(await upload('PUT', `/api/private/${id}`, bob), 404);
    assert.equal(stagings, before);
    assertNoStaging(t);
  });

  test('the callers the rules allow upload as before', async () => {
    const before = stagings;
    const created = await upload('POST', '/api/members', alice);
    assert.equal(created.statusCode, 201, created.body);
    const id = json(created).id as string;
    assert.match(String(json(created).image), /^p_[a-z0-9]+\.png$/);
    const replaced = await upload('PUT', `/api/members/${id}`, alice);
    assert.equal(replaced.statusCode, 200, replaced.body);
    const byAdmin = await upload('POST', '/api/staff', admin);
    assert.equal(byAdmin.statusCode, 201, byAdmin.body);
    assert.equal(stagings, before + 3);
    assertNoStaging(t);
  });
});

describe('multipart boundaries', () => {
  function withBoundary(boundary: string, url: string) {
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="caption"\r\n\r\nhi\r\n--${boundary}--\r\n`;
    return t.request({
      method: 'POST',
      url,
      payload: body,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, ...bearer(alice) },
    });
  }

  test('70 characters (the most RFC 2046 allows) is read', async () => {
    const res = await withBoundary('b'.repeat(70), '/api/members');
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(json(res).caption, 'hi');
  });

  for (const length of [71, 300, 5000]) {
    for (const url of ['/api/members', '/api/members/x1', '/api/auth/login', '/api/auth/register']) {
      test(`${length} characters to ${url}: 400 that names the limit`, async () => {
        const count = (await stored(t, 'members')).length;
        const res =
          url === '/api/members/x1'
            ? await t.request({
                method: 'PUT',
                url,
                payload: 'x',
                headers: {
                  'content-type': `multipart/form-data; boundary=${'b'.repeat(length)}`,
                  ...bearer(alice),
                },
              })
            : await withBoundary('b'.repeat(length), url);
        assertProblem(res, 400, {
          detail: new RegExp(`${length} characters long; RFC 2046 allows at most 70`),
        });
        assert.equal((await stored(t, 'members')).length, count);
      });
    }
  }

  test('a quoted boundary counts its characters, not its quotes', async () => {
    const boundary = 'q'.repeat(70);
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="caption"\r\n\r\nquoted\r\n--${boundary}--\r\n`;
    const res = await t.request({
      method: 'POST',
      url: '/api/members',
      payload: body,
      headers: { 'content-type': `multipart/form-data; boundary="${boundary}"`, ...bearer(alice) },
    });
    assert.equal(res.statusCode, 201, res.body);
  });

  test('no boundary at all: 400', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/api/members',
      payload: 'x',
      headers: { 'content-type': 'multipart/form-data', ...bearer(alice) },
    });
    assertProblem(res, 400, { detail: /no boundary/ });
  });
});
