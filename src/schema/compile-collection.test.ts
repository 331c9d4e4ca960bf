import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isProblem, type Problem } from '../util/problem.js';
import { compileCollection } from './compile-collection.js';
import type { CollectionDef, FieldDef } from './types.js';

function collection(fields: Record<string, FieldDef>): CollectionDef {
  return {
    name: 'books',
    fields,
    rules: { list: 'public', view: 'public', create: 'admin', update: 'admin', delete: 'admin' },
    requireIfMatch: false,
    requireIdempotencyKey: false,
    auth: false,
  };
}

const books = compileCollection(
  collection({
    title: { type: 'text', required: true, max: 10 },
    year: { type: 'integer', min: 0 },
    genre: { type: 'select', values: ['fiction', 'science'], default: 'fiction' },
    tags: { type: 'select', values: ['a', 'b', 'c'], multiple: true, max: 2 },
    authors: { type: 'relation', collection: 'users', multiple: true, required: true },
    read: { type: 'boolean', default: false },
    meta: { type: 'json', default: { stars: [] } },
    published: { type: 'date' },
  }),
);

/** Runs fn, expecting a validation problem; returns its issues as `field:code`. */
function issues(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(isProblem(err), 'expected a Problem');
    assert.equal((err as Problem).status, 422);
    return ((err as Problem).errors ?? []).map((e) => `${e.field}:${e.code}`);
  }
  assert.fail('expected a validation problem');
}

describe('compileCollection fromBody', () => {
  test('fills defaults and nulls, normalises values, keeps declared order', () => {
    const out = books.fromBody({ title: 'Dune', authors: ['u1'], published: '2024-05-01T12:00:00+02:00' });
    assert.deepEqual(out, {
      title: 'Dune',
      year: null,
      genre: 'fiction',
      tags: null,
      authors: ['u1'],
      read: false,
      meta: { stars: [] },
      published: '2024-05-01T10:00:00.000Z',
    });
    assert.deepEqual(Object.keys(out), books.fieldNames);
  });

  test('an explicit null is kept: defaults apply only to missing keys', () => {
    const out = books.fromBody({ title: 'Dune', authors: ['u1'], genre: null, read: null });
    assert.equal(out.genre, null);
    assert.equal(out.read, null);
  });

  test('default objects are copies, not the shared config value', () => {
    const a = books.fromBody({ title: 'A', authors: ['u1'] });
    (a.meta as { stars: number[] }).stars.push(5);
    assert.deepEqual(books.fromBody({ title: 'B', authors: ['u1'] }).meta, { stars: [] });
  });

  test('required means present, not null and not an empty text', () => {
    assert.deepEqual(
      issues(() => books.fromBody({})),
      ['title:required', 'authors:required'],
    );
    assert.deepEqual(
      issues(() => books.fromBody({ title: '', authors: [] })),
      ['title:required', 'authors:required'],
    );
    assert.deepEqual(
      issues(() => books.fromBody({ title: null, authors: null })),
      ['title:required', 'authors:required'],
    );
  });

  test('reports every issue at once', () => {
    const body = {
      title: 'x'.repeat(11),
      year: -1,
      genre: 'poetry',
      tags: ['a', 'z'],
      authors: ['ok', 'bad id'],
      read: 'yes',
    };
    assert.deepEqual(
      issues(() => books.fromBody(body)),
      ['title:max', 'year:min', 'genre:values', 'tags:values', 'authors:format', 'read:type'],
    );
  });

  test('multiple fields: arrays only, counted by min/max, each item checked', () => {
    assert.deepEqual(
      issues(() => books.fromBody({ title: 'T', authors: 'u1' })),
      ['authors:type'],
    );
    assert.deepEqual(
      issues(() => books.fromBody({ title: 'T', authors: ['u1'], tags: ['a', 'b', 'c'] })),
      ['tags:max'],
    );
    try {
      books.fromBody({ title: 'T', authors: ['u1', 'u 2'] });
    } catch (err) {
      assert.equal(
        (err as Problem).errors?.[0].message,
        'item 2 must be a record id: 1 to 64 letters, digits, "_" or "-"',
      );
    }
  });

  test('unknown keys are issues; id, created and updated are ignored', () => {
    const out = books.fromBody({ title: 'T', authors: ['u'], id: 'x', created: 'c', updated: 'u' });
    assert.equal(Object.hasOwn(out, 'id'), false);
    assert.deepEqual(
      issues(() => books.fromBody({ title: 'T', authors: ['u'], colour: 'red' })),
      ['colour:unknown_field'],
    );
  });

  test('__proto__ and constructor keys from JSON.parse are unknown fields and pollute nothing', () => {
    const body = JSON.parse(
      '{"title":"T","authors":["u"],"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}',
    );
    assert.deepEqual(
      issues(() => books.fromBody(body)),
      ['__proto__:unknown_field', 'constructor:unknown_field'],
    );
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(books.fromBody({ title: 'T', authors: ['u'] })), Object.prototype);
  });

  test('a field named constructor reads only the own key, never Object.prototype', () => {
    const fields = Object.fromEntries([
      ['constructor', { type: 'text' }],
      ['toString', { type: 'integer' }],
    ]) as Record<string, FieldDef>;
    const odd = compileCollection(collection(fields));
    assert.deepEqual(odd.fromBody({}), { constructor: null, toString: null });
    assert.deepEqual(odd.fromBody({ constructor: 'c', toString: 1 }), { constructor: 'c', toString: 1 });
  });
});

describe('compileCollection check', () => {
  test('validates a merged record without applying defaults; a missing key is null', () => {
    const out = books.check({ id: 'r1', created: 'c', updated: 'u', title: 'T', authors: ['u'] });
    assert.equal(out.genre, null);
    assert.equal(out.read, null);
    assert.equal(Object.hasOwn(out, 'id'), false);
    assert.deepEqual(
      issues(() => books.check({ title: null, authors: ['u'], extra: 1 })),
      ['title:required', 'extra:unknown_field'],
    );
  });
});

describe('compileCollection fromForm', () => {
  test('coerces per type, empty text to null, a missing checkbox to false, and skips _ keys', () => {
    const body = books.fromForm({
      title: ['Dune'],
      year: ['1965'],
      genre: [''],
      tags: ['a', 'b'],
      authors: ['u1'],
      meta: ['{"stars":[5]}'],
      _redirect: ['/books'],
      _idempotency_key: ['k1'],
    });
    assert.deepEqual(body, {
      title: 'Dune',
      year: 1965,
      genre: null,
      tags: ['a', 'b'],
      authors: ['u1'],
      meta: { stars: [5] },
      read: false,
    });
    assert.equal(books.fromBody(body).year, 1965);
  });

  test('checkbox values on/true/1 and off/false/0', () => {
    assert.equal(books.fromForm({ read: ['on'] }).read, true);
    assert.equal(books.fromForm({ read: ['0'] }).read, false);
  });

  test('a single value for a multiple field is a one-element array; empty values are dropped', () => {
    assert.deepEqual(books.fromForm({ authors: ['u1'] }).authors, ['u1']);
    assert.deepEqual(books.fromForm({ tags: [''] }).tags, []);
  });

  test('repeated names on a single field are an issue', () => {
    assert.deepEqual(
      issues(() => books.fromForm({ title: ['a', 'b'] })),
      ['title:type'],
    );
  });

  test('unconvertible text stays a string, so fromBody reports its type', () => {
    assert.deepEqual(
      issues(() => books.fromBody(books.fromForm({ title: 'T'.split(''), authors: ['u'], year: ['12abc'] }))),
      ['year:type'],
    );
  });

  test('unknown form names are passed on for fromBody to reject; __proto__ is skipped like any _ key', () => {
    const form = JSON.parse(
      '{"__proto__":["x"],"constructor":["c"],"title":["T"],"authors":["u"],"colour":["red","blue"],"id":["r1"]}',
    );
    const body = books.fromForm(form);
    assert.equal(Object.getPrototypeOf(body), Object.prototype);
    assert.equal(Object.hasOwn(body, '__proto__'), false);
    assert.deepEqual(body.colour, ['red', 'blue']);
    assert.equal(body.id, 'r1');
    assert.deepEqual(
      issues(() => books.fromBody(body)),
      ['constructor:unknown_field', 'colour:unknown_field'],
    );
  });
});

describe('compileCollection jsonSchema', () => {
  test('record: every field required, optional ones nullable, system fields included', () => {
    const schema = books.jsonSchema('record');
    assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
    assert.deepEqual(schema.required, ['id', 'created', 'updated', ...books.fieldNames]);
    const props = schema.properties as Record<string, Record<string, unknown>>;
    assert.deepEqual(props.title, { type: 'string', maxLength: 10 });
    assert.deepEqual(props.year, { type: ['integer', 'null'], minimum: 0 });
    assert.deepEqual(props.genre, {
      type: ['string', 'null'],
      enum: ['fiction', 'science', null],
      default: 'fiction',
    });
    assert.deepEqual(props.tags, {
      type: ['array', 'null'],
      items: { type: 'string', enum: ['a', 'b', 'c'] },
      maxItems: 2,
    });
    assert.equal(schema.additionalProperties, false);
  });

  test('input: only required fields without a default are required', () => {
    assert.deepEqual(books.jsonSchema('input').required, ['title', 'authors']);
  });
});
