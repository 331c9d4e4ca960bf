/**
 * The start-up notes for reads no index serves: a list rule that filters on
 * a field no index starts with, and relations holding several ids.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validateConfig } from '../../src/config/validate.js';
import { indexNotes } from '../../src/service/index-advice.js';

const FIELDS = {
  title: { type: 'text' },
  status: { type: 'text' },
  year: { type: 'integer' },
  isbn: { type: 'text', unique: true },
  author: { type: 'relation', collection: 'users' },
};
const RULES = { view: 'public', create: 'auth', update: 'owner', delete: 'owner' };

function notes(collection: Record<string, unknown>): string[] {
  const config = validateConfig(
    { collections: { books: { fields: FIELDS, ...collection } } },
    'methodical.config.json',
    process.cwd(),
  );
  return indexNotes(config.collections);
}

const UNSERVED = (names: string, declare: string) =>
  `books: the list rule filters on ${names}, which no index serves, so each list reads every row; ` +
  `declare "indexes": [${declare}] on books`;

describe('list rules', () => {
  const table: [string, string, string[]][] = [
    ['public: no filter', 'public', []],
    ['admin: no filter', 'admin', []],
    ['owner: the owner relation has its own index', 'owner', []],
    ['a single relation has its own index', 'author = @auth.id', []],
    ['a unique field has its own index', 'isbn > "0"', []],
    ['id and created have theirs', 'id != "x" && created > "2024"', []],
    ['an unindexed field', 'status = "published"', [UNSERVED('"status"', '["status"]')]],
    ['an unindexed field on the right', '"published" = status', [UNSERVED('"status"', '["status"]')]],
    ['AND: one served side narrows it enough', 'status = "published" && author = @auth.id', []],
    [
      'OR: every side must be served',
      'status = "published" || year > 2000 || author = @auth.id',
      [UNSERVED('"status", "year"', '["status"], ["year"]')],
    ],
    [
      'a condition on the caller alone reads nothing',
      'status = "x" || @auth.admin = true',
      [UNSERVED('"status"', '["status"]')],
    ],
    ['only the caller: nothing to index', '@auth.admin = true', []],
    ['~ reads every row whatever the index: no note that would not help', 'title ~ "dune"', []],
  ];
  for (const [name, list, expected] of table) {
    test(name, () => {
      assert.deepEqual(notes({ rules: { ...RULES, list } }), expected);
    });
  }

  test('a declared index that starts with the field serves it', () => {
    assert.deepEqual(
      notes({ rules: { ...RULES, list: 'status = "published"' }, indexes: [['status', '-year']] }),
      [],
    );
  });

  test('an index that holds the field later does not', () => {
    assert.deepEqual(
      notes({ rules: { ...RULES, list: 'status = "published"' }, indexes: [['year', 'status']] }),
      [UNSERVED('"status"', '["status"]')],
    );
  });

  test('view, update and delete rules go with a lookup by id: no note', () => {
    assert.deepEqual(
      notes({
        rules: {
          list: 'public',
          view: 'status = "x"',
          create: 'auth',
          update: 'year > 1',
          delete: 'status = "y"',
        },
      }),
      [],
    );
  });
});

describe('relations', () => {
  test('a relation holding several ids is named: deleting its target reads every row', () => {
    assert.deepEqual(
      notes({
        fields: { ...FIELDS, readers: { type: 'relation', collection: 'users', multiple: true } },
        rules: { ...RULES, list: 'public' },
      }),
      [
        'books.readers: a relation holding several ids has no index, so deleting a users record reads every books row to find the ones that point to it',
      ],
    );
  });
});
