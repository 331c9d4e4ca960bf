/**
 * HTTP.md, Forms (HTML): form bodies work like JSON bodies, values coerced
 * by field type. PRODUCT.md Details: Forms (checkbox words, a missing box is
 * false). Every row runs as urlencoded and as multipart text parts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { UserConfig } from '../../src/config/types.js';
import { json, PUBLIC_RULES, type TestApp, testApp } from '../harness.js';
import { assertProblem, mediaType, stored } from './helpers.js';
import { fields, multipart, urlencoded } from './multipart.js';
import { assertNoStaging, BROWSER_ACCEPT } from './upload-helpers.js';

const CONFIG: UserConfig = {
  collections: {
    people: { fields: { name: { type: 'text' } }, rules: PUBLIC_RULES },
    kinds: {
      fields: {
        title: { type: 'text', required: true },
        count: { type: 'integer' },
        price: { type: 'number' },
        active: { type: 'boolean' },
        day: { type: 'date' },
        contact: { type: 'email' },
        site: { type: 'url' },
        genre: { type: 'select', values: ['a', 'b', 'c'] },
        meta: { type: 'json' },
        author: { type: 'relation', collection: 'people' },
        genres: { type: 'select', values: ['a', 'b', 'c'], multiple: true },
        authors: { type: 'relation', collection: 'people', multiple: true },
      },
      rules: PUBLIC_RULES,
    },
  },
};

type Form = Record<string, string | string[]>;

const ENCODINGS = {
  urlencoded: (form: Form) => urlencoded(form),
  multipart: (form: Form) => multipart(fields(form)),
};

function post(
  t: TestApp,
  encoding: keyof typeof ENCODINGS,
  form: Form,
  headers: Record<string, string> = {},
) {
  const body = ENCODINGS[encoding](form);
  return t.request({
    method: 'POST',
    url: '/api/kinds',
    payload: body.payload,
    headers: { ...body.headers, ...headers },
  });
}

/** Form values in, record values out (title: 'T' is added to every row). */
const COERCIONS: { name: string; form: Form; expect: Record<string, unknown> }[] = [
  { name: 'text kept as typed', form: { title: '  Hello wörld ' }, expect: { title: '  Hello wörld ' } },
  { name: 'integer', form: { count: '42' }, expect: { count: 42 } },
  { name: 'negative integer', form: { count: '-7' }, expect: { count: -7 } },
  { name: 'number', form: { price: '3.5' }, expect: { price: 3.5 } },
  { name: 'number with a leading dot', form: { price: '.5' }, expect: { price: 0.5 } },
  { name: 'number in exponent form', form: { price: '1e3' }, expect: { price: 1000 } },
  { name: 'checkbox "on"', form: { active: 'on' }, expect: { active: true } },
  { name: 'checkbox "true"', form: { active: 'true' }, expect: { active: true } },
  { name: 'checkbox "1"', form: { active: '1' }, expect: { active: true } },
  { name: 'checkbox "off"', form: { active: 'off' }, expect: { active: false } },
  { name: 'checkbox "0"', form: { active: '0' }, expect: { active: false } },
  { name: 'an unchecked box (no value sent)', form: {}, expect: { active: false } },
  { name: 'date', form: { day: '2024-05-01' }, expect: { day: '2024-05-01' } },
  {
    name: 'datetime-local (read as UTC)',
    form: { day: '2024-05-01T12:30' },
    expect: { day: '2024-05-01T12:30:00.000Z' },
  },
  {
    name: 'email (domain lowercased)',
    form: { contact: 'Ann@Example.COM' },
    expect: { contact: 'Ann@example.com' },
  },
  { name: 'url', form: { site: 'https://example.com/a?b=1' }, expect: { site: 'https://example.com/a?b=1' } },
  { name: 'select', form: { genre: 'b' }, expect: { genre: 'b' } },
  { name: 'json object', form: { meta: '{"a":[1,2]}' }, expect: { meta: { a: [1, 2] } } },
  { name: 'json array', form: { meta: ' [1, "x"]' }, expect: { meta: [1, 'x'] } },
  { name: 'json plain text stays text', form: { meta: '42' }, expect: { meta: '42' } },
  { name: 'relation', form: { author: 'p1' }, expect: { author: 'p1' } },
  { name: 'multiple select, repeated names', form: { genres: ['a', 'c'] }, expect: { genres: ['a', 'c'] } },
  { name: 'multiple select, one value', form: { genres: 'b' }, expect: { genres: ['b'] } },
  { name: 'multiple relation', form: { authors: ['p2', 'p1'] }, expect: { authors: ['p2', 'p1'] } },
  {
    name: 'empty optional fields are null',
    form: { count: '', price: '', day: '', contact: '', site: '', genre: '', meta: '', author: '' },
    expect: { count: null, price: null, day: null, contact: null, site: null, genre: null, meta: null },
  },
  { name: 'optional fields left out are null', form: {}, expect: { count: null, genres: null, meta: null } },
  {
    name: '_-prefixed fields steer the request and are never stored',
    form: { _csrf: 'x', _redirect: '/x', _anything: 'y', __proto__x: 'z' },
    expect: {},
  },
];

/** Invalid values: every problem in one 422. */
const INVALID: Form = {
  title: '',
  count: '12abc',
  price: '1,5',
  active: 'maybe',
  day: '2023-02-30',
  contact: 'not-an-address',
  site: 'javascript:alert(1)',
  genre: 'z',
  meta: '{oops',
  author: 'not an id!',
  genres: ['a', 'q'],
};
const INVALID_CODES: Record<string, string> = {
  title: 'required',
  count: 'type',
  price: 'type',
  active: 'type',
  day: 'format',
  contact: 'format',
  site: 'format',
  genre: 'values',
  meta: 'format',
  author: 'format',
  genres: 'values',
};

describe('form coercion', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp(CONFIG);
    for (const id of ['p1', 'p2']) {
      const res = await t.request({ method: 'PUT', url: `/api/people/${id}`, payload: { name: id } });
      assert.equal(res.statusCode, 201);
    }
  });
  after(() => t.close());

  for (const encoding of ['urlencoded', 'multipart'] as const) {
    for (const row of COERCIONS) {
      test(`${encoding}: ${row.name}`, async () => {
        const res = await post(t, encoding, { title: 'T', ...row.form });
        assert.equal(res.statusCode, 201, res.body);
        const body = json(res);
        const record = await t.store.get('kinds', body.id as string);
        assert.ok(record);
        for (const [field, value] of Object.entries({ title: 'T', ...row.expect })) {
          assert.deepEqual(body[field], value, `response ${field}`);
          assert.deepEqual(record[field], value, `stored ${field}`);
        }
        for (const key of [...Object.keys(body), ...Object.keys(record)]) {
          assert.ok(!key.startsWith('_'), `no ${key} kept`);
        }
      });
    }

    test(`${encoding}: invalid values → one 422 problem listing every field`, async () => {
      const before = (await stored(t, 'kinds')).length;
      const res = await post(t, encoding, INVALID, { accept: 'application/json' });
      const problem = assertProblem(res, 422, { type: 'https://methodical.dev/problems/validation' });
      const errors = problem.errors as { field: string; code: string; message: string }[];
      assert.deepEqual(
        Object.fromEntries(errors.map((e) => [e.field, e.code])),
        INVALID_CODES,
        JSON.stringify(errors),
      );
      for (const e of errors) assert.ok(e.message.length > 0);
      assert.equal((await stored(t, 'kinds')).length, before, 'nothing stored');
      assertNoStaging(t);
    });

    test(`${encoding}: an HTML-preferring client gets a 422 page naming each problem, with a link back`, async () => {
      const before = (await stored(t, 'kinds')).length;
      const res = await post(t, encoding, INVALID, {
        accept: BROWSER_ACCEPT,
        host: 'shop.example',
        referer: 'http://shop.example/new-kind.html?draft=1',
      });
      assert.equal(res.statusCode, 422);
      assert.equal(mediaType(res), 'text/html');
      for (const [field, code] of Object.entries(INVALID_CODES)) {
        assert.match(res.body, new RegExp(`<li><strong>${field}</strong>: [^<]+</li>`), `${field} (${code})`);
      }
      assert.match(res.body, /<a href="\/new-kind\.html\?draft=1">/, 'links back to the form');
      assert.equal((await stored(t, 'kinds')).length, before);
    });

    test(`${encoding}: a field given twice where one value is expected is a 422`, async () => {
      const res = await post(t, encoding, { title: 'T', count: ['1', '2'] });
      const problem = assertProblem(res, 422);
      assert.deepEqual(
        (problem.errors as { field: string }[]).map((e) => e.field),
        ['count'],
      );
    });

    test(`${encoding}: unknown form fields are a 422, never dropped`, async () => {
      const before = (await stored(t, 'kinds')).length;
      const res = await post(t, encoding, { title: 'T', colour: 'red', 'count[]': '1' });
      const problem = assertProblem(res, 422);
      assert.deepEqual(
        (problem.errors as { field: string; code: string }[]).map((e) => [e.field, e.code]).sort(),
        [
          ['colour', 'unknown_field'],
          ['count[]', 'unknown_field'],
        ],
      );
      assert.equal((await stored(t, 'kinds')).length, before);
    });
  }

  test('a relation to a record that does not exist is a 422', async () => {
    const res = await post(t, 'urlencoded', { title: 'T', author: 'nobody' });
    const problem = assertProblem(res, 422);
    assert.equal((problem.errors as { field: string }[])[0].field, 'author');
  });

  test('the HTML 422 page escapes what the client sent', async () => {
    const res = await post(t, 'urlencoded', { title: 'T', '<img src=x>': '1' }, { accept: BROWSER_ACCEPT });
    assert.equal(res.statusCode, 422);
    assert.doesNotMatch(res.body, /<img/);
    assert.match(res.body, /&lt;img src=x&gt;/);
    assert.match(res.body, /<a href="\/">/, 'without a same-origin Referer the link goes home');
  });

  test('a JSON client with no Accept gets problem+json for a form too', async () => {
    const res = await post(t, 'urlencoded', { title: '' });
    assertProblem(res, 422);
  });
});
