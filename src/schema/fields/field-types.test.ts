import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FieldDef, FieldType } from '../types.js';
import { FIELD_TYPES } from '../types.js';
import { fieldType } from './index.js';

type Row = [FieldDef, unknown, { value: unknown } | { code: string; message?: string }];

const text: FieldDef = { type: 'text', min: 2, max: 5, pattern: '[a-z]+' };
const isbn: FieldDef = { type: 'text', pattern: '[0-9-]{3}' };
const int: FieldDef = { type: 'integer', min: -5, max: 10 };
const num: FieldDef = { type: 'number', min: 0.5, max: 2 };
const genre: FieldDef = { type: 'select', values: ['fiction', 'science'] };

const CHECKS: Row[] = [
  [text, 'abc', { value: 'abc' }],
  [text, 'a', { code: 'min', message: 'must be at least 2 characters' }],
  [text, 'abcdef', { code: 'max', message: 'must be at most 5 characters' }],
  [text, 'ABC', { code: 'pattern', message: 'must match the pattern [a-z]+' }],
  [text, 12, { code: 'type', message: 'must be a string, not a number' }],
  [{ type: 'text', max: 3 }, '😀😀😀', { value: '😀😀😀' }],
  [{ type: 'text' }, 'a\u0000b', { code: 'format', message: 'must not contain the character U+0000 (NUL)' }],
  [{ type: 'text' }, 'a\\0b', { value: 'a\\0b' }],
  [{ type: 'text', max: 1 }, 'ab', { code: 'max', message: 'must be at most 1 character' }],
  [isbn, '12-', { value: '12-' }],
  [isbn, '12-4', { code: 'pattern' }],
  [isbn, 'x12-', { code: 'pattern' }],
  [int, 10, { value: 10 }],
  [int, -0, { value: 0 }],
  [int, 11, { code: 'max', message: 'must be at most 10' }],
  [int, -6, { code: 'min', message: 'must be at least -5' }],
  [int, 1.5, { code: 'type', message: 'must be a whole number' }],
  [int, '3', { code: 'type', message: 'must be an integer, not a string' }],
  [{ type: 'integer' }, 2 ** 53, { code: 'type' }],
  [num, 1.25, { value: 1.25 }],
  [num, 0.25, { code: 'min', message: 'must be at least 0.5' }],
  [num, 3, { code: 'max' }],
  [num, Number.NaN, { code: 'type', message: 'must be a finite number' }],
  [num, true, { code: 'type', message: 'must be a number, not a boolean' }],
  [{ type: 'boolean' }, false, { value: false }],
  [{ type: 'boolean' }, 'true', { code: 'type', message: 'must be true or false, not a string' }],
  [{ type: 'boolean' }, 0, { code: 'type' }],
  [{ type: 'date' }, '2024-02-29', { value: '2024-02-29' }],
  [{ type: 'date' }, '2024-05-01T12:30:00Z', { value: '2024-05-01T12:30:00.000Z' }],
  [{ type: 'date' }, '2024-05-01T12:30:00.123456+02:00', { value: '2024-05-01T10:30:00.123Z' }],
  [{ type: 'date' }, '2024-05-01T12:30', { value: '2024-05-01T12:30:00.000Z' }],
  [{ type: 'date' }, '2024-05-01 00:30-01:30', { value: '2024-05-01T02:00:00.000Z' }],
  [{ type: 'date' }, '0050-01-01T00:00:00Z', { value: '0050-01-01T00:00:00.000Z' }],
  [{ type: 'date' }, '2023-02-29', { code: 'format' }],
  [{ type: 'date' }, '2023-02-30T10:00:00Z', { code: 'format' }],
  [{ type: 'date' }, '2024-13-01', { code: 'format' }],
  [{ type: 'date' }, '2024-01-01T24:00:00Z', { code: 'format' }],
  [{ type: 'date' }, '2024-01-01T10:00:00+25:00', { code: 'format' }],
  [{ type: 'date' }, '0000-01-01T00:00:00+01:00', { code: 'format' }],
  [{ type: 'date' }, 'May 1, 2024', { code: 'format' }],
  [{ type: 'date' }, 20240501, { code: 'type' }],
  [{ type: 'email' }, 'Ann.Lee+x@Example.COM', { value: 'Ann.Lee+x@example.com' }],
  [{ type: 'email' }, 'ann@mail.example.org', { value: 'ann@mail.example.org' }],
  [
    { type: 'email' },
    'ann@localhost',
    { code: 'format', message: 'must be an email address like name@example.com' },
  ],
  [{ type: 'email' }, 'ann lee@example.com', { code: 'format' }],
  [{ type: 'email' }, '@example.com', { code: 'format' }],
  [{ type: 'email' }, 'ann..lee@example.com', { code: 'format' }],
  [{ type: 'email' }, 'ann@-example.com', { code: 'format' }],
  [{ type: 'email' }, 'ann@10.0.0.1', { code: 'format' }],
  [{ type: 'email' }, ['ann@example.com'], { code: 'type' }],
  [{ type: 'url' }, 'https://example.com/a?b=c#d', { value: 'https://example.com/a?b=c#d' }],
  [{ type: 'url' }, 'http://localhost:3000', { value: 'http://localhost:3000' }],
  [
    { type: 'url' },
    'ftp://example.com',
    { code: 'format', message: 'must be an absolute http or https URL' },
  ],
  [{ type: 'url' }, '/relative/path', { code: 'format' }],
  [{ type: 'url' }, 'javascript:alert(1)', { code: 'format' }],
  [{ type: 'url' }, ' https://example.com', { code: 'format' }],
  [{ type: 'url' }, 'https://exa mple.com', { code: 'format' }],
  [genre, 'science', { value: 'science' }],
  [genre, 'Science', { code: 'values', message: 'must be one of: fiction, science' }],
  [genre, 1, { code: 'type' }],
  [{ type: 'json' }, { a: [1, 'x', null, { b: true }] }, { value: { a: [1, 'x', null, { b: true }] } }],
  [{ type: 'json' }, 'just text', { value: 'just text' }],
  [{ type: 'json' }, 42, { value: 42 }],
  [{ type: 'json' }, new Date(0), { code: 'type' }],
  [{ type: 'json' }, { n: Number.POSITIVE_INFINITY }, { code: 'type' }],
  [{ type: 'relation', collection: 'users' }, 'abc_123-XYZ', { value: 'abc_123-XYZ' }],
  [{ type: 'relation', collection: 'users' }, 'a/b', { code: 'format' }],
  [{ type: 'relation', collection: 'users' }, 'x'.repeat(65), { code: 'format' }],
  [{ type: 'relation', collection: 'users' }, 7, { code: 'type' }],
  [{ type: 'file' }, 'cover_k3j9x0q2ab.png', { value: 'cover_k3j9x0q2ab.png' }],
  [{ type: 'file' }, '../etc/passwd', { code: 'format', message: 'must be the name of a stored file' }],
  [{ type: 'file' }, 'a\\b.png', { code: 'format' }],
  [{ type: 'file' }, '.hidden', { code: 'format' }],
  [{ type: 'file' }, 'a\u0000.png', { code: 'format' }],
  [{ type: 'file' }, {}, { code: 'type' }],
];

describe('field type check', () => {
  for (const [def, input, expected] of CHECKS) {
    const label = `${def.type} ${JSON.stringify(input) ?? String(input)} → ${JSON.stringify(expected)}`;
    test(label, () => {
      const result = fieldType(def.type).check(input, def);
      if ('value' in expected) {
        assert.deepEqual(result, { ok: true, value: expected.value });
      } else {
        assert.equal(result.ok, false);
        if (result.ok) return;
        assert.equal(result.code, expected.code);
        if (expected.message !== undefined) assert.equal(result.message, expected.message);
      }
    });
  }
});

const FORMS: [FieldDef, string, unknown][] = [
  [{ type: 'text' }, ' x ', ' x '],
  [{ type: 'integer' }, '12', 12],
  [{ type: 'integer' }, '-3', -3],
  [{ type: 'integer' }, '12abc', '12abc'],
  [{ type: 'integer' }, '1e3', '1e3'],
  [{ type: 'integer' }, '1.5', '1.5'],
  [{ type: 'number' }, '1e3', 1000],
  [{ type: 'number' }, '-0.25', -0.25],
  [{ type: 'number' }, '.5', 0.5],
  [{ type: 'number' }, '1e999', '1e999'],
  [{ type: 'number' }, 'Infinity', 'Infinity'],
  [{ type: 'number' }, '0x10', '0x10'],
  [{ type: 'number' }, '12abc', '12abc'],
  [{ type: 'boolean' }, 'on', true],
  [{ type: 'boolean' }, 'true', true],
  [{ type: 'boolean' }, '1', true],
  [{ type: 'boolean' }, 'off', false],
  [{ type: 'boolean' }, 'false', false],
  [{ type: 'boolean' }, '0', false],
  [{ type: 'boolean' }, 'yes', 'yes'],
  [{ type: 'boolean' }, 'constructor', 'constructor'],
  [{ type: 'date' }, '2024-05-01', '2024-05-01'],
  [{ type: 'email' }, 'a@example.com', 'a@example.com'],
  [{ type: 'url' }, 'https://example.com', 'https://example.com'],
  [{ type: 'select', values: ['a'] }, 'a', 'a'],
  [{ type: 'json' }, '{"a":[1,2]}', { a: [1, 2] }],
  [{ type: 'json' }, '  [1, "x"]', [1, 'x']],
  [{ type: 'json' }, '42', '42'],
  [{ type: 'json' }, 'hello', 'hello'],
  [{ type: 'relation', collection: 'users' }, 'abc', 'abc'],
  [{ type: 'file' }, 'a_1.png', 'a_1.png'],
];

describe('field type fromForm', () => {
  for (const [def, input, expected] of FORMS) {
    test(`${def.type} ${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(fieldType(def.type).fromForm(input, def), expected);
    });
  }

  test('unconvertible form text is reported by check as a type issue', () => {
    const impl = fieldType('integer');
    assert.deepEqual(impl.check(impl.fromForm('12abc', { type: 'integer' }), { type: 'integer' }), {
      ok: false,
      code: 'type',
      message: 'must be an integer, not a string',
    });
  });

  test('json nests at most 63 levels, so its record (one more) always fits back into a JSON body', () => {
    const impl = fieldType('json');
    const nested = (levels: number) => {
      let value: unknown = 1;
      for (let i = 0; i < levels; i++) value = i % 2 === 0 ? [value] : { a: value };
      return value;
    };
    assert.equal(impl.check(nested(63), { type: 'json' }).ok, true);
    const over = impl.check(nested(64), { type: 'json' });
    assert.equal(over.ok, false);
    assert.match(!over.ok ? over.message : '', /nested at most 63 levels deep/);
    // Text from a form is not bounded by the body parser's depth: the field bounds it.
    const text = `${'['.repeat(64)}${']'.repeat(64)}`;
    assert.equal(impl.check(impl.fromForm(text, { type: 'json' }), { type: 'json' }).ok, false);
  });

  test('json text that starts like an object but does not parse is a format issue', () => {
    const impl = fieldType('json');
    const result = impl.check(impl.fromForm('{"a":', { type: 'json' }), { type: 'json' });
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.code, 'format');
  });
});

describe('field type registry', () => {
  test('every type has an implementation with a storage kind and a schema', () => {
    const storage: Record<FieldType, string> = {
      text: 'text',
      integer: 'integer',
      number: 'real',
      boolean: 'boolean',
      date: 'text',
      email: 'text',
      url: 'text',
      select: 'text',
      json: 'json',
      relation: 'text',
      file: 'text',
    };
    for (const type of FIELD_TYPES) {
      const impl = fieldType(type);
      assert.equal(impl.type, type);
      assert.equal(impl.storage, storage[type]);
      assert.equal(typeof impl.jsonSchema({ type, values: ['a'] }), 'object');
    }
  });

  test('json schemas carry the constraints', () => {
    assert.deepEqual(fieldType('text').jsonSchema(text), {
      type: 'string',
      minLength: 2,
      maxLength: 5,
      pattern: '^(?:[a-z]+)$',
    });
    assert.deepEqual(fieldType('integer').jsonSchema(int), { type: 'integer', minimum: -5, maximum: 10 });
    assert.deepEqual(fieldType('select').jsonSchema(genre), { type: 'string', enum: ['fiction', 'science'] });
  });
});
