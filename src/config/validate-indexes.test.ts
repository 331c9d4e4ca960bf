import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, ConfigErrors } from './config-error.js';
import { validateConfig } from './validate.js';

const FIELDS = {
  title: { type: 'text' },
  genre: { type: 'text' },
  year: { type: 'integer' },
  isbn: { type: 'text' },
};
const withIndexes = (indexes: unknown, extra: Record<string, unknown> = {}) => ({
  collections: { books: { fields: FIELDS, indexes, ...extra } },
});
const books = (config: unknown) =>
  validateConfig(config, 'methodical.config.json', process.cwd()).collections.books;

describe('indexes: accepted shapes', () => {
  const table: [string, unknown, unknown][] = [
    [
      'a list of keys, - for descending',
      [['genre', '-year']],
      [
        {
          fields: [
            { field: 'genre', desc: false },
            { field: 'year', desc: true },
          ],
          unique: false,
        },
      ],
    ],
    ['system fields', [['-created']], [{ fields: [{ field: 'created', desc: true }], unique: false }]],
    [
      'an object, unique',
      [{ fields: ['isbn'], unique: true }],
      [{ fields: [{ field: 'isbn', desc: false }], unique: true }],
    ],
    [
      'an object, unique by default false',
      [{ fields: ['title'] }],
      [{ fields: [{ field: 'title', desc: false }], unique: false }],
    ],
    [
      'the same fields in another order or direction are other indexes',
      [
        ['genre', 'year'],
        ['year', 'genre'],
        ['genre', '-year'],
      ],
      [
        {
          fields: [
            { field: 'genre', desc: false },
            { field: 'year', desc: false },
          ],
          unique: false,
        },
        {
          fields: [
            { field: 'year', desc: false },
            { field: 'genre', desc: false },
          ],
          unique: false,
        },
        {
          fields: [
            { field: 'genre', desc: false },
            { field: 'year', desc: true },
          ],
          unique: false,
        },
      ],
    ],
  ];
  for (const [name, indexes, expected] of table) {
    test(name, () => {
      assert.deepEqual(books(withIndexes(indexes)).indexes, expected);
    });
  }

  test('none declared: no indexes member', () => {
    assert.equal(books({ collections: { books: { fields: FIELDS } } }).indexes, undefined);
  });

  test('the owner field an owner rule adds can be indexed', () => {
    const def = books(withIndexes([['owner', '-created']], { rules: { list: 'owner' } }));
    assert.deepEqual(def.indexes?.[0].fields, [
      { field: 'owner', desc: false },
      { field: 'created', desc: true },
    ]);
  });
});

describe('indexes: problems', () => {
  /** [what, indexes, path, a piece of the problem] */
  const table: [string, unknown, string, string][] = [
    ['not an array', { genre: true }, 'collections.books.indexes', 'expected an array of indexes'],
    ['an entry of the wrong type', ['genre'], 'collections.books.indexes[0]', 'expected a list of fields'],
    ['an empty index', [[]], 'collections.books.indexes[0]', 'an index needs at least one field'],
    ['an empty object', [{}], 'collections.books.indexes[0].fields', 'an index needs "fields"'],
    [
      'empty fields in an object',
      [{ fields: [] }],
      'collections.books.indexes[0].fields',
      'at least one field',
    ],
    ['an unknown field', [['genre', 'yaer']], 'collections.books.indexes[0][1]', 'unknown field "yaer"'],
    ['an unknown descending field', [['-yaer']], 'collections.books.indexes[0][0]', 'unknown field "yaer"'],
    [
      'a field twice',
      [['year', '-year']],
      'collections.books.indexes[0][1]',
      '"year" is in this index twice',
    ],
    [
      'the same index twice',
      [['genre'], ['year'], { fields: ['genre'], unique: true }],
      'collections.books.indexes[2]',
      'the same index as collections.books.indexes[0] (genre)',
    ],
    ['a non-string key', [['genre', 3]], 'collections.books.indexes[0][1]', 'expected a string'],
    ['an empty key', [['']], 'collections.books.indexes[0][0]', 'expected a non-empty string'],
    [
      'an unknown key in an object',
      [{ fields: ['isbn'], uniq: true }],
      'collections.books.indexes[0].uniq',
      'allowed keys are fields or unique',
    ],
    [
      'unique not a boolean',
      [{ fields: ['isbn'], unique: 'yes' }],
      'collections.books.indexes[0].unique',
      'true or false',
    ],
  ];
  for (const [what, indexes, path, problem] of table) {
    test(what, () => {
      assert.throws(
        () => books(withIndexes(indexes)),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError, String(err));
          assert.equal(err.path, path, err.message);
          assert.ok(err.problem.includes(problem), `problem was: ${err.problem}`);
          return true;
        },
      );
    });
  }

  test("every index problem is listed with the config's others", () => {
    const config = {
      collections: {
        books: {
          fields: { ...FIELDS, pages: { type: 'integer', min: 'one' } },
          indexes: [['genre']],
        },
        notes: {
          fields: { body: { type: 'text' } },
          indexes: [['bdy'], [], ['body', 'body'], ['body'], ['body']],
        },
      },
      durability: 'sometimes',
    };
    assert.throws(
      () => validateConfig(config, 'methodical.config.json', process.cwd()),
      (err: unknown) => {
        assert.ok(err instanceof ConfigErrors, String(err));
        assert.deepEqual(
          err.problems.map((p) => p.path),
          [
            'collections.books.fields.pages.min',
            'collections.notes.indexes[0][0]',
            'collections.notes.indexes[1]',
            'collections.notes.indexes[2][1]',
            'collections.notes.indexes[4]',
            'durability',
          ],
        );
        return true;
      },
    );
  });
});
