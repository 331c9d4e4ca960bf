import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from './config-error.js';
import { validateConfig } from './validate.js';

const book = (fields: Record<string, unknown>) => ({ collections: { books: { fields } } });

/** [what, config, path, a piece of the problem] */
const CASES: [string, unknown, string, string][] = [
  ['reserved field name', book({ id: { type: 'text' } }), 'collections.books.fields.id', 'is reserved'],
  [
    'expand is reserved',
    book({ expand: { type: 'json' } }),
    'collections.books.fields.expand',
    'is reserved',
  ],
  [
    'missing type',
    book({ title: {} }),
    'collections.books.fields.title.type',
    'missing; expected one of text, integer',
  ],
  [
    'unknown type',
    book({ title: { type: 'strng' } }),
    'collections.books.fields.title.type',
    'found the string "strng"',
  ],
  [
    'unknown field key',
    book({ title: { type: 'text', mim: 1 } }),
    'collections.books.fields.title.mim',
    'unknown key "mim"; allowed keys for a text field are type, required, unique, default, hidden, min, max or pattern',
  ],
  [
    'hidden not a boolean',
    book({ title: { type: 'text', hidden: 'yes' } }),
    'collections.books.fields.title.hidden',
    'expected true or false, found the string "yes"',
  ],
  [
    'constraint not for the type',
    book({ done: { type: 'boolean', max: 1 } }),
    'collections.books.fields.done.max',
    'max is not allowed for a boolean field',
  ],
  [
    'wrong constraint type',
    book({ year: { type: 'integer', min: '0' } }),
    'collections.books.fields.year.min',
    'expected a number, found the string "0"',
  ],
  [
    'negative length',
    book({ title: { type: 'text', max: -1 } }),
    'collections.books.fields.title.max',
    'expected a whole number of at least 0, found the number -1',
  ],
  [
    'min above max',
    book({ year: { type: 'integer', min: 5, max: 1 } }),
    'collections.books.fields.year.max',
    'max (1) is less than min (5)',
  ],
  [
    'count without multiple',
    book({ tags: { type: 'select', values: ['a'], max: 2 } }),
    'collections.books.fields.tags.max',
    'set "multiple": true',
  ],
  [
    'bad regex',
    book({ isbn: { type: 'text', pattern: '([0-9]' } }),
    'collections.books.fields.isbn.pattern',
    'invalid regular expression',
  ],
  [
    'regex escaping its anchors',
    book({ isbn: { type: 'text', pattern: 'a)|(b' } }),
    'collections.books.fields.isbn.pattern',
    'invalid regular expression',
  ],
  [
    'select without values',
    book({ genre: { type: 'select' } }),
    'collections.books.fields.genre.values',
    'a select field needs a list of values',
  ],
  [
    'select with empty values',
    book({ genre: { type: 'select', values: [] } }),
    'collections.books.fields.genre.values',
    'at least one value',
  ],
  [
    'select value twice',
    book({ genre: { type: 'select', values: ['a', 'a'] } }),
    'collections.books.fields.genre.values[1]',
    'listed twice',
  ],
  [
    'relation without collection',
    book({ author: { type: 'relation' } }),
    'collections.books.fields.author.collection',
    'missing',
  ],
  [
    'relation to a missing collection',
    book({ author: { type: 'relation', collection: 'authors' } }),
    'collections.books.fields.author.collection',
    'relation to unknown collection "authors"; collections are users or books',
  ],
  [
    'onDelete on a field that is not a relation',
    book({ title: { type: 'text', onDelete: 'cascade' } }),
    'collections.books.fields.title.onDelete',
    'onDelete is not allowed for a text field',
  ],
  [
    'onDelete of an unknown kind',
    book({ shelf: { type: 'relation', collection: 'books', onDelete: 'nullify' } }),
    'collections.books.fields.shelf.onDelete',
    'expected "restrict", "cascade" or "setNull", found the string "nullify"',
  ],
  [
    'onDelete setNull on a required relation',
    book({ shelf: { type: 'relation', collection: 'books', required: true, onDelete: 'setNull' } }),
    'collections.books.fields.shelf.onDelete',
    '"setNull" would empty a required field',
  ],
  [
    'onDelete setNull on a multiple relation with a min',
    book({ shelf: { type: 'relation', collection: 'books', multiple: true, min: 1, onDelete: 'setNull' } }),
    'collections.books.fields.shelf.onDelete',
    'could leave fewer than min (1)',
  ],
  [
    'unique json',
    book({ meta: { type: 'json', unique: true } }),
    'collections.books.fields.meta.unique',
    'not allowed for a json field',
  ],
  [
    'bad accept',
    book({ cover: { type: 'file', accept: ['png'] } }),
    'collections.books.fields.cover.accept[0]',
    'a media type like "image/png"',
  ],
  [
    'bad maxSize',
    book({ cover: { type: 'file', maxSize: 0 } }),
    'collections.books.fields.cover.maxSize',
    'expected a positive whole number',
  ],
  [
    'invalid default',
    book({ code: { type: 'text', max: 2, default: 'abc' } }),
    'collections.books.fields.code.default',
    'the string "abc" is not valid for this field (must be at most 2 characters)',
  ],
  [
    'default of the wrong type',
    book({ year: { type: 'integer', default: '1' } }),
    'collections.books.fields.year.default',
    '(must be an integer, not a string)',
  ],
  [
    'default not a select value',
    book({ g: { type: 'select', values: ['a'], default: 'b' } }),
    'collections.books.fields.g.default',
    'must be one of: a',
  ],
  [
    'file default',
    book({ cover: { type: 'file', default: 'a.png' } }),
    'collections.books.fields.cover.default',
    'cannot have a default',
  ],
  [
    'users built-in redeclared',
    { collections: { users: { fields: { email: { type: 'text' } } } } },
    'collections.users.fields.email',
    'built-in field of users',
  ],
  [
    'users password',
    { collections: { users: { fields: { password: { type: 'text' } } } } },
    'collections.users.fields.password',
    'built-in field of users',
  ],
  [
    'owner of the wrong type',
    { collections: { books: { fields: { owner: { type: 'text' } }, rules: { update: 'owner' } } } },
    'collections.books.fields.owner',
    'must be a single relation to users',
  ],
];

describe('validateConfig field errors', () => {
  for (const [what, config, path, problem] of CASES) {
    test(what, () => {
      assert.throws(
        () => validateConfig(config, 'methodical.config.json', '/'),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
          assert.equal(err.path, path);
          assert.ok(err.problem.includes(problem), `problem was: ${err.problem}`);
          return true;
        },
      );
    });
  }
});

describe('onDelete', () => {
  test('kept on a relation as written; absent means restrict', () => {
    const config = validateConfig(
      book({
        a: { type: 'relation', collection: 'books', onDelete: 'cascade' },
        b: { type: 'relation', collection: 'books', multiple: true, onDelete: 'setNull' },
        c: { type: 'relation', collection: 'books', required: true, onDelete: 'restrict' },
        d: { type: 'relation', collection: 'books' },
      }),
      'methodical.config.json',
      '/',
    );
    const { fields } = config.collections.books;
    assert.deepEqual(
      ['a', 'b', 'c', 'd'].map((f) => fields[f].onDelete),
      ['cascade', 'setNull', 'restrict', undefined],
    );
  });
});
