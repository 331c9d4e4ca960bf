/** Records in json-server's form: numbers where json-server has them, nothing it never had. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validateConfig } from '../../src/config/validate.js';
import { compileSchema } from '../../src/schema/compile-schema.js';
import type { RecordData } from '../../src/schema/types.js';
import { jsonServerId, jsonServerRecord } from '../../src/service/json-server-record.js';

const config = validateConfig(
  {
    collections: {
      posts: { ids: 'increment', fields: { title: { type: 'text' }, tags: { type: 'json' } } },
      books: { fields: { title: { type: 'text' } } },
      comments: {
        ids: 'increment',
        fields: {
          postId: { type: 'relation', collection: 'posts' },
          bookId: { type: 'relation', collection: 'books' },
          also: { type: 'relation', collection: 'posts', multiple: true },
        },
      },
      profile: { single: true, fields: { name: { type: 'text' } } },
    },
  },
  'c.json',
  '/app',
);
const schema = compileSchema(config);
const stamps = { created: '2024-01-01T00:00:00.000Z', updated: '2024-01-01T00:00:00.000Z' };
const shape = (name: string, record: Record<string, unknown>) =>
  jsonServerRecord(config.collections[name], { ...stamps, ...record } as RecordData, schema);

describe('jsonServerRecord', () => {
  test('increment ids as numbers, only in their canonical form', () => {
    assert.equal(jsonServerId('12', true), 12);
    assert.equal(jsonServerId('0', true), 0);
    assert.equal(jsonServerId('012', true), '012');
    assert.equal(jsonServerId('1234567890123456', true), '1234567890123456');
    assert.equal(jsonServerId('12', false), '12');
  });

  test('no timestamps, no nulls, json values as they are', () => {
    assert.deepEqual(shape('posts', { id: '3', title: null, tags: { a: [1] } }), { id: 3, tags: { a: [1] } });
    assert.deepEqual(shape('books', { id: '7', title: 'Dune' }), { id: '7', title: 'Dune' });
  });

  test('relation values are numbers when the collection they point into counts its ids', () => {
    assert.deepEqual(shape('comments', { id: '1', postId: '2', bookId: '7', also: ['1', 'x'] }), {
      id: 1,
      postId: 2,
      bookId: '7',
      also: [1, 'x'],
    });
  });

  test('a single record drops the id import gave it, and keeps any other', () => {
    assert.deepEqual(shape('profile', { id: 'profile', name: 'typicode' }), { name: 'typicode' });
    assert.deepEqual(shape('profile', { id: 'me', name: 'typicode' }), { id: 'me', name: 'typicode' });
  });
});
