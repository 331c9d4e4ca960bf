import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Problem } from '../util/problem.js';
import { encodeCursor, orderKeys, parseCursor } from './cursor.js';
import type { ListField } from './list-types.js';

const field = (storage: ListField['storage']): ListField => ({
  storage,
  multiple: false,
  fromString: (v) => v,
});
const FIELDS: Record<string, ListField> = {
  id: field('text'),
  created: field('text'),
  title: field('text'),
  year: field('integer'),
  price: field('real'),
  inPrint: field('boolean'),
  tags: field('json'),
};
const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('orderKeys', () => {
  const table: [string, { field: string; desc: boolean }[], string[]][] = [
    ['no sort: created, then id', [], ['created', 'id']],
    ['a sort gets id last', [{ field: 'year', desc: true }], ['-year', 'id']],
    [
      'a sort holding id keeps it where it is',
      [
        { field: 'id', desc: true },
        { field: 'year', desc: false },
      ],
      ['-id', 'year'],
    ],
  ];
  for (const [name, sort, keys] of table) {
    test(name, () => {
      assert.deepEqual(
        orderKeys(sort).map((k) => `${k.desc ? '-' : ''}${k.field}`),
        keys,
      );
    });
  }
});

describe('encodeCursor → parseCursor', () => {
  const record = { id: 'r1', created: '2024-01-01T00:00:00.000Z', title: 'Dune', year: null, price: 9.5 };
  const table: [string, { field: string; desc: boolean }[], Record<string, unknown>, unknown[]][] = [
    ['default order', [], record, ['2024-01-01T00:00:00.000Z', 'r1']],
    ['a null key', [{ field: 'year', desc: true }], record, [null, 'r1']],
    [
      'several keys',
      [
        { field: 'price', desc: false },
        { field: 'title', desc: true },
      ],
      record,
      [9.5, 'Dune', 'r1'],
    ],
    [
      'JSON as its text',
      [{ field: 'tags', desc: false }],
      { ...record, tags: { a: [1] } },
      ['{"a":[1]}', 'r1'],
    ],
    ['a boolean', [{ field: 'inPrint', desc: false }], { ...record, inPrint: false }, [false, 'r1']],
  ];
  for (const [name, sort, rec, values] of table) {
    test(name, () => {
      const cursor = encodeCursor(rec, sort, FIELDS);
      assert.match(cursor, /^[A-Za-z0-9_-]+$/);
      assert.deepEqual(parseCursor(cursor, sort, FIELDS), values);
    });
  }
});

describe('parseCursor refuses', () => {
  const year = [{ field: 'year', desc: false }];
  const table: [string, string, { field: string; desc: boolean }[], RegExp][] = [
    ['empty', '', [], /empty/],
    ['not base64url', 'a+b/', [], /base64url/],
    ['not JSON', Buffer.from('{').toString('base64url'), [], /does not decode/],
    ['not an array', enc('x'), [], /does not decode/],
    ['too few values', enc(['x']), [], /holds 1 value\(s\) where sort "created,id" needs 2/],
    ['too many values', enc([1, 'a', 'b']), year, /holds 3 value\(s\)/],
    ['text for an integer', enc(['1', 'a']), year, /value 1 does not fit "year"/],
    ['a fraction for an integer', enc([1.5, 'a']), year, /value 1 does not fit "year"/],
    ['a null id', enc([1, null]), year, /value 2 does not fit "id"/],
    ['a null created', enc([null, 'a']), [], /value 1 does not fit "created"/],
    ['too long', 'a'.repeat(16_385), [], /longer than/],
  ];
  for (const [name, raw, sort, detail] of table) {
    test(name, () => {
      assert.throws(
        () => parseCursor(raw, sort, FIELDS),
        (err: unknown) => err instanceof Problem && err.status === 400 && detail.test(err.message),
      );
    });
  }
});
