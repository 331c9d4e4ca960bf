/**
 * HTTP.md, Forms (HTML): Post/Redirect/Get with `_redirect` (same-origin
 * paths only), PUT with a form, JSON for clients that do not prefer HTML,
 * and the hidden `_idempotency_key` field (PRODUCT.md, Idempotency).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import type { UserConfig } from '../../src/config/types.js';
import { json, PUBLIC_RULES, type TestApp, testApp } from '../harness.js';
import { assertProblem, mediaType, stored } from './helpers.js';
import { fields, multipart, urlencoded } from './multipart.js';
import { BROWSER_ACCEPT } from './upload-helpers.js';

const CONFIG: UserConfig = {
  collections: {
    notes: {
      fields: { title: { type: 'text', required: true }, done: { type: 'boolean' } },
      rules: PUBLIC_RULES,
    },
  },
  routes: { 'POST /add-note': 'POST /api/notes' },
};

type Form = Record<string, string | string[]>;

function send(
  t: TestApp,
  form: Form,
  options: { method?: 'POST' | 'PUT'; url?: string; accept?: string; multipart?: boolean; key?: string } = {},
): Promise<LightMyRequestResponse> {
  const body = options.multipart ? multipart(fields(form)) : urlencoded(form);
  const headers: Record<string, string> = { ...body.headers };
  if (options.accept !== undefined) headers.accept = options.accept;
  if (options.key !== undefined) headers['idempotency-key'] = options.key;
  return t.request({
    method: options.method ?? 'POST',
    url: options.url ?? '/api/notes',
    payload: body.payload,
    headers,
  });
}

/** The only record whose title is `title`. */
async function onlyRecord(t: TestApp, title: string) {
  const matches = (await stored(t, 'notes')).filter((r) => r.title === title);
  assert.equal(matches.length, 1, `exactly one record titled ${title}`);
  return matches[0];
}

/** A 303 See Other with an empty body that a browser can follow on this site only. */
function assertSeeOther(res: LightMyRequestResponse, location: string): void {
  assert.equal(res.statusCode, 303, res.body);
  assert.equal(res.headers.location, location);
  assert.ok(location.startsWith('/') && !location.startsWith('//'), 'a same-origin path');
  assert.doesNotMatch(location, /[\\\s]/);
  assert.equal(res.body, '');
}

const ACCEPTED_REDIRECTS = [
  { value: '/thanks.html', location: '/thanks.html' },
  { value: '/thanks?from=form&n=1', location: '/thanks?from=form&n=1' },
  { value: '/notes/?sort=-created#new', location: '/notes/?sort=-created#new' },
];

const REJECTED_REDIRECTS = [
  '//evil.com',
  '///evil.com',
  'https://evil.com/x',
  'http:/evil.com',
  '/\\evil.com',
  '\\\\evil.com',
  'javascript:alert(1)',
  'evil.com/path',
  '/ok\nSet-Cookie: a=1',
  '/ok\r\nLocation: https://evil.com',
  '/\t/evil.com',
  '/.//evil.com',
  '/a/..//evil.com',
  '/%2e%2e//evil.com',
  '',
];

describe('Post/Redirect/Get', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp(CONFIG);
  });
  after(() => t.close());

  for (const encoding of ['urlencoded', 'multipart'] as const) {
    const mp = encoding === 'multipart';

    for (const row of ACCEPTED_REDIRECTS) {
      test(`${encoding}: _redirect ${JSON.stringify(row.value)} → 303 there, query kept`, async () => {
        const title = `${encoding} to ${row.value}`;
        const res = await send(t, { title, _redirect: row.value }, { accept: BROWSER_ACCEPT, multipart: mp });
        assertSeeOther(res, row.location);
        assert.equal(res.headers['cache-control'], 'no-store');
        await onlyRecord(t, title);
      });
    }

    for (const value of REJECTED_REDIRECTS) {
      test(`${encoding}: _redirect ${JSON.stringify(value)} is ignored: 303 to the record`, async () => {
        const title = `${encoding} rejected ${JSON.stringify(value)}`;
        const res = await send(t, { title, _redirect: value }, { accept: BROWSER_ACCEPT, multipart: mp });
        const record = await onlyRecord(t, title);
        assertSeeOther(res, `/api/notes/${record.id}`);
        assert.match(String(res.headers.etag), /^"/);
      });
    }

    test(`${encoding}: without an HTML Accept the same form gets 201 and the record as JSON`, async () => {
      for (const accept of [undefined, 'application/json', '*/*', 'text/html;q=0.5, application/json']) {
        const title = `${encoding} json ${accept}`;
        const res = await send(t, { title, done: 'on', _redirect: '/thanks' }, { accept, multipart: mp });
        assert.equal(res.statusCode, 201, res.body);
        assert.equal(mediaType(res), 'application/json');
        const body = json(res);
        assert.equal(res.headers.location, `/api/notes/${body.id}`);
        assert.deepEqual([body.title, body.done], [title, true]);
        assert.equal((await onlyRecord(t, title)).id, body.id);
      }
    });

    test(`${encoding}: PUT with a form creates (303) and replaces (303), never keeping old values`, async () => {
      const id = `put-${encoding}`;
      const url = `/api/notes/${id}`;
      const created = await send(
        t,
        { title: 'first', done: 'on' },
        { method: 'PUT', url, accept: BROWSER_ACCEPT, multipart: mp },
      );
      assertSeeOther(created, url);
      assert.deepEqual(
        [(await t.store.get('notes', id))?.title, (await t.store.get('notes', id))?.done],
        ['first', true],
      );
      const replaced = await send(
        t,
        { title: 'second', _redirect: '/notes?saved=1' },
        { method: 'PUT', url, accept: BROWSER_ACCEPT, multipart: mp },
      );
      assertSeeOther(replaced, '/notes?saved=1');
      const record = await t.store.get('notes', id);
      assert.deepEqual([record?.title, record?.done], ['second', false], 'an unchecked box is false');
      const asJson = await send(t, { title: 'third' }, { method: 'PUT', url, multipart: mp });
      assert.equal(asJson.statusCode, 200);
      assert.equal(json(asJson).title, 'third');
    });
  }

  test('a route alias takes the form and answers the same 303', async () => {
    const res = await send(
      t,
      { title: 'aliased', _redirect: '/done' },
      { url: '/add-note', accept: BROWSER_ACCEPT },
    );
    assertSeeOther(res, '/done');
    await onlyRecord(t, 'aliased');
  });

  test('an HTML-preferring client gets its errors as a page with the same status', async () => {
    const res = await send(t, { title: 'x', done: 'maybe' }, { accept: BROWSER_ACCEPT });
    assert.equal(res.statusCode, 422);
    assert.equal(mediaType(res), 'text/html');
    assert.match(res.body, /<strong>done<\/strong>/);
    assert.equal(res.headers.location, undefined);
  });
});

describe('_idempotency_key form field', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp(CONFIG);
  });
  after(() => t.close());

  test('a resubmitted form makes one record; the second gets the same 303, replayed', async () => {
    const form = { title: 'sequential', _idempotency_key: 'form-seq', _redirect: '/thanks' };
    const first = await send(t, form, { accept: BROWSER_ACCEPT });
    assertSeeOther(first, '/thanks');
    assert.equal(first.headers['idempotent-replayed'], undefined);
    const second = await send(t, form, { accept: BROWSER_ACCEPT });
    assertSeeOther(second, '/thanks');
    assert.equal(second.headers['idempotent-replayed'], 'true');
    assert.equal(second.headers.etag, first.headers.etag);
    await onlyRecord(t, 'sequential');
  });

  for (const encoding of ['urlencoded', 'multipart'] as const) {
    test(`${encoding}: a double click (parallel submits) makes exactly one record`, async () => {
      const title = `parallel ${encoding}`;
      const form = { title, _idempotency_key: `form-par-${encoding}` };
      const answers = await Promise.all(
        Array.from({ length: 4 }, () =>
          send(t, form, { accept: BROWSER_ACCEPT, multipart: encoding === 'multipart' }),
        ),
      );
      const record = await onlyRecord(t, title);
      for (const res of answers) assertSeeOther(res, `/api/notes/${record.id}`);
      assert.equal(
        answers.filter((r) => r.headers['idempotent-replayed'] === 'true').length,
        answers.length - 1,
      );
    });
  }

  test('the same key with a different body is a 422, and nothing more is stored', async () => {
    const first = await send(t, { title: 'one', _idempotency_key: 'form-diff' }, { accept: BROWSER_ACCEPT });
    assert.equal(first.statusCode, 303);
    const other = await send(
      t,
      { title: 'two', _idempotency_key: 'form-diff' },
      { accept: 'application/json' },
    );
    assertProblem(other, 422, { type: 'https://methodical.dev/problems/idempotency-key-reused' });
    const asPage = await send(t, { title: 'two', _idempotency_key: 'form-diff' }, { accept: BROWSER_ACCEPT });
    assert.equal(asPage.statusCode, 422);
    assert.equal(mediaType(asPage), 'text/html');
    assert.equal((await stored(t, 'notes')).filter((r) => r.title === 'two').length, 0);
  });

  test('a refused form (422) does not use up its key: the corrected form goes through', async () => {
    const bad = await send(t, { title: '', _idempotency_key: 'form-fix' }, { accept: BROWSER_ACCEPT });
    assert.equal(bad.statusCode, 422);
    const good = await send(t, { title: 'fixed', _idempotency_key: 'form-fix' }, { accept: BROWSER_ACCEPT });
    assert.equal(good.statusCode, 303);
    assert.equal(good.headers['idempotent-replayed'], undefined);
    await onlyRecord(t, 'fixed');
  });

  test('a JSON client sending the field gets 201 and then a byte-for-byte replay', async () => {
    const form = { title: 'json form', _idempotency_key: 'form-json' };
    const first = await send(t, form);
    const second = await send(t, form);
    assert.deepEqual([first.statusCode, second.statusCode], [201, 201]);
    assert.equal(second.headers['idempotent-replayed'], 'true');
    assert.equal(second.body, first.body);
    await onlyRecord(t, 'json form');
  });

  test('a key in both the header and the field: the header wins', async () => {
    const first = await send(t, { title: 'both', _idempotency_key: 'field-a' }, { key: 'header-a' });
    assert.equal(first.statusCode, 201);
    // Same header, another field value: still the header's key, so a replay.
    const sameHeader = await send(t, { title: 'both', _idempotency_key: 'field-b' }, { key: 'header-a' });
    assert.equal(sameHeader.headers['idempotent-replayed'], 'true');
    assert.equal(sameHeader.body, first.body);
    // The field's key was never claimed: used alone it makes a new record.
    const fieldOnly = await send(t, { title: 'both', _idempotency_key: 'field-a' });
    assert.equal(fieldOnly.statusCode, 201);
    assert.equal(fieldOnly.headers['idempotent-replayed'], undefined);
    assert.equal((await stored(t, 'notes')).filter((r) => r.title === 'both').length, 2);
  });

  test('a malformed key in the field is a 400 like a malformed header', async () => {
    const res = await send(t, { title: 'long key', _idempotency_key: 'k'.repeat(256) });
    assertProblem(res, 400, { type: 'https://methodical.dev/problems/invalid-idempotency-key' });
    assert.equal((await stored(t, 'notes')).filter((r) => r.title === 'long key').length, 0);
  });
});

describe('JSON sent with a form media type (curl -d without a Content-Type)', () => {
  test('is a 415 that says what to send, and stores nothing', async () => {
    const t = await testApp({
      collections: { notes: { fields: { title: { type: 'text' } }, rules: PUBLIC_RULES } },
    });
    try {
      const res = await t.request({
        method: 'POST',
        url: '/api/notes',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: '{"title":"x"}',
      });
      assert.equal(res.statusCode, 415);
      assert.equal(res.headers['content-type'], 'application/problem+json');
      assert.match(JSON.parse(res.body).detail, /Content-Type: application\/json/);
      const list = await t.store.list('notes', { filter: null, sort: [], limit: 5, offset: 0, count: true });
      assert.equal(list.total, 0);
    } finally {
      await t.close();
    }
  });
});
