/**
 * The store contract: one suite every Store adapter must pass, run against a
 * real database, no mocks. Each adapter gets a small `*.test.ts` that calls
 * `storeContract(name, open, options)`; sqlite.test.ts is the model.
 *
 * postgres.test.ts runs it against PostgresStore when TEST_DATABASE_URL is
 * set (in a schema of its own per run, dropped afterwards) and skips with a
 * message otherwise; postgres-nodes.test.ts adds what only a shared database
 * can get wrong (two stores racing) and compares answers with SQLite's.
 *
 * `open` is called many times per run, always on the same database, so a
 * reopen with other collections sees the tables an earlier store made (that is
 * how the migration tests change a schema). Every test names its own tables,
 * sessions, keys and buckets with a per-run random suffix, so a shared
 * database needs no cleaning between tests or runs (a throwaway database or
 * schema per CI run keeps it tidy). Tests inside the suite run one at a time.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { USER_FIELDS } from '../../src/config/users-collection.js';
import type { Expr } from '../../src/query/ast.js';
import { type AuthValues, bindAuth } from '../../src/query/bind-auth.js';
import { orderKeys } from '../../src/query/cursor.js';
import type { SortKey } from '../../src/query/list-types.js';
import { parseFilter } from '../../src/query/parser.js';
import type { CollectionDef, FieldDef, RecordData } from '../../src/schema/types.js';
import {
  DestructiveMigration,
  DuplicateId,
  LockBusy,
  ReadTooLarge,
  UniqueViolation,
} from '../../src/store/errors.js';
import type {
  IdempotencyEntry,
  ListQuery,
  MigrationStep,
  SessionEntry,
  Store,
} from '../../src/store/store.js';
import { aggregateContract } from './store-contract-aggregate.js';
import { changesContract } from './store-contract-changes.js';
import { countsContract } from './store-contract-counts.js';
import { idsContract } from './store-contract-ids.js';

export type Collections = Readonly<Record<string, CollectionDef>>;

/** Opens a store over the suite's database with these collections (tables are not migrated yet). */
export type OpenStore = (collections: Collections) => Promise<Store>;

export interface ContractOptions {
  /**
   * Every `open` reaches the same database, so what one store wrote, a later
   * one sees (false for SQLite `:memory:`, where each store is a new database).
   * The migration tests that reopen a schema need it. Default true.
   */
  persistent?: boolean;
  /**
   * Reads outside a transaction see only committed rows. False for SQLite
   * `:memory:`, which has a single connection. Default true.
   */
  isolatedReads?: boolean;
  /** Known product bugs: test title → reason. Those tests run as `todo` until the entry is removed. */
  todo?: Readonly<Record<string, string>>;
}

const RUN = randomBytes(4).toString('hex');
let serial = 0;

/** A table (and collection) name no other test of any run uses. */
function unique(prefix: string): string {
  serial += 1;
  return `${prefix}_${RUN}_${serial}`;
}

const PUBLIC = {
  list: 'public',
  view: 'public',
  create: 'public',
  update: 'public',
  delete: 'public',
} as const;

/** A collection definition as the config loader would produce it. */
function collection(name: string, fields: Record<string, FieldDef>, auth = false): CollectionDef {
  return { name, fields, rules: PUBLIC, requireIfMatch: false, requireIdempotencyKey: false, auth };
}

/** The n-th second of 2024-01-01 as ISO 8601 UTC. */
function at(n: number): string {
  return new Date(Date.UTC(2024, 0, 1) + n * 1000).toISOString();
}

/** A record with timestamps at second `n`. */
function rec(id: string, fields: Record<string, unknown>, n = 0): RecordData {
  return { id, ...fields, created: at(n), updated: at(n) };
}

/** A filter as the service hands it to the store: parsed, `@auth` bound. */
function where(src: string, auth: AuthValues | null = null): Expr {
  return bindAuth(parseFilter(src), auth);
}

function query(overrides: Partial<ListQuery> = {}): ListQuery {
  return { filter: null, sort: [], limit: 100, offset: 0, count: true, ...overrides };
}

function ids(records: readonly RecordData[]): string[] {
  return records.map((r) => r.id);
}

function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Yield to other tasks a few times, so concurrent transactions get the chance to interleave. */
async function interleave(times = 3): Promise<void> {
  for (let i = 0; i < times; i++) await new Promise((r) => setImmediate(r));
}

class Boom extends Error {}

/** What `hits` says of an empty counter. */
const NO_HITS = { count: 0, oldest: null, newest: null };

const BOOK_FIELDS: Record<string, FieldDef> = {
  title: { type: 'text', required: true },
  author: { type: 'text' },
  year: { type: 'integer' },
  price: { type: 'number' },
  inPrint: { type: 'boolean' },
  tags: { type: 'json' },
  isbn: { type: 'text', unique: true },
  owner: { type: 'relation', collection: 'users' },
};

/** A book with every declared field present (null when not given). */
function book(id: string, fields: Record<string, unknown>, n = 0): RecordData {
  const full: Record<string, unknown> = {};
  for (const name of Object.keys(BOOK_FIELDS)) full[name] = fields[name] ?? null;
  return rec(id, full, n);
}

export function storeContract(name: string, open: OpenStore, options: ContractOptions = {}): void {
  const persistent = options.persistent ?? true;
  const isolatedReads = options.isolatedReads ?? true;
  const todo = options.todo ?? {};
  const opened: Store[] = [];

  /** A test, marked `todo` when the adapter declares it a known bug. */
  function it(title: string, fn: () => Promise<void>, skip?: string | false): void {
    // A timeout, so a store that waits where it must refuse (a lock, a busy transaction) fails instead of hanging.
    test(title, { todo: todo[title], skip: skip || undefined, timeout: 30_000 }, fn);
  }

  const NEEDS_PERSISTENCE = !persistent && 'needs a database that outlives one store';
  const NEEDS_ISOLATION = !isolatedReads && 'reads share the writing connection';

  async function openTracked(collections: Collections): Promise<Store> {
    const store = await open(collections);
    opened.push(store);
    return store;
  }

  /** A store with its tables created. */
  async function ready(collections: Collections): Promise<Store> {
    const store = await openTracked(collections);
    await store.migrate(await store.planMigration());
    return store;
  }

  /** A store with one collection of books; returns the store and the collection name. */
  async function books(): Promise<{ store: Store; c: string }> {
    const c = unique('books');
    return { store: await ready({ [c]: collection(c, BOOK_FIELDS) }), c };
  }

  describe(`${name} store contract`, () => {
    after(async () => {
      for (const store of opened) await store.close();
    });

    describe('records', () => {
      it('insert then get, getMany and list give every field back with its type', async () => {
        const c = unique('kinds');
        const store = await ready({
          [c]: collection(c, {
            text: { type: 'text' },
            int: { type: 'integer' },
            big: { type: 'integer' },
            real: { type: 'number' },
            yes: { type: 'boolean' },
            no: { type: 'boolean' },
            obj: { type: 'json' },
            arr: { type: 'json' },
            str: { type: 'json' },
            date: { type: 'date' },
            pick: { type: 'select', values: ['a', 'b'] },
            one: { type: 'relation', collection: 'users' },
            many: { type: 'relation', collection: 'users', multiple: true },
            files: { type: 'file', multiple: true },
            empty: { type: 'text' },
          }),
        });
        const full = rec('r1', {
          text: "Ünïcødé – “quotes” 'single' 🚀",
          int: -42,
          big: 2 ** 40,
          real: 3.25,
          yes: true,
          no: false,
          obj: { nested: { list: [1, 'two', null, true] }, n: 1.5 },
          arr: ['a', 'b'],
          str: 'just a string',
          date: '2024-02-29T12:00:00.000Z',
          pick: 'b',
          one: 'u1',
          many: ['u1', 'u2'],
          files: ['a_123.png'],
          empty: null,
        });
        await store.transaction((tx) => tx.insert(c, full));
        assert.deepEqual(await store.get(c, 'r1'), full);
        assert.deepEqual(await store.getMany(c, ['r1']), [full]);
        assert.deepEqual((await store.list(c, query())).items, [full]);
        await store.transaction(async (tx) => {
          assert.deepEqual(await tx.get(c, 'r1'), full);
          assert.deepEqual(await tx.getMany(c, ['r1']), [full]);
          assert.deepEqual((await tx.list(c, query())).items, [full]);
        });
      });

      it('a field left out of the inserted record reads back as null', async () => {
        const { store, c } = await books();
        await store.transaction((tx) => tx.insert(c, rec('sparse', { title: 'Only a title' })));
        assert.deepEqual(await store.get(c, 'sparse'), book('sparse', { title: 'Only a title' }));
      });

      it('get: a missing id is undefined; with a filter, only a record that matches', async () => {
        const { store, c } = await books();
        await store.transaction(async (tx) => {
          await tx.insert(c, book('dune', { title: 'Dune', year: 1965 }));
          await tx.insert(c, book('found', { title: 'Foundation', year: 1951 }));
        });
        assert.equal(await store.get(c, 'nope'), undefined);
        assert.equal((await store.get(c, 'dune', where('year > 1960')))?.title, 'Dune');
        assert.equal(await store.get(c, 'found', where('year > 1960')), undefined);
        assert.equal((await store.get(c, 'dune', null))?.id, 'dune');
        await store.transaction(async (tx) => {
          assert.equal((await tx.get(c, 'dune', where('title ~ "dun"')))?.id, 'dune');
          assert.equal(await tx.get(c, 'found', where('title ~ "dun"')), undefined);
        });
      });

      it('getMany: the ids asked for, missing ones left out, more than a hundred at once', async () => {
        const { store, c } = await books();
        const all = Array.from({ length: 150 }, (_, i) => `id${String(i).padStart(3, '0')}`);
        await store.transaction(async (tx) => {
          for (const [i, id] of all.entries()) await tx.insert(c, book(id, { title: `Book ${i}` }, i));
        });
        assert.deepEqual(await store.getMany(c, []), []);
        const some = await store.getMany(c, ['id003', 'missing', 'id001']);
        assert.deepEqual(ids(some).sort(), ['id001', 'id003']);
        const many = await store.getMany(c, [...all, 'missing']);
        assert.deepEqual(ids(many).sort(), all);
      });

      it('getMany with a filter: only the ids that also match it, in every chunk of a hundred', async () => {
        const { store, c } = await books();
        const all = Array.from({ length: 250 }, (_, i) => `id${String(i).padStart(3, '0')}`);
        await store.transaction(async (tx) => {
          for (const [i, id] of all.entries())
            await tx.insert(c, book(id, { title: `Book ${i}`, year: i }, i));
        });
        const even = all.filter((_, i) => i % 2 === 0);
        const found = await store.getMany(c, [...all, 'missing'], where('year >= 0 && title !~ "Book 1"'));
        const expected = all.filter((_, i) => !`Book ${i}`.includes('Book 1'));
        assert.deepEqual(ids(found).sort(), expected);
        assert.deepEqual(ids(await store.getMany(c, even, null)).sort(), even);
        await store.transaction(async (tx) => {
          assert.deepEqual(
            ids(await tx.getMany(c, ['id010', 'id200', 'id201'], where('year > 100'))).sort(),
            ['id200', 'id201'],
          );
        });
      });

      it('maxBytes: list and getMany stop with ReadTooLarge once the rows pass it, and load all within it', async () => {
        const { store, c } = await books();
        const all = Array.from({ length: 10 }, (_, i) => `big${i}`);
        await store.transaction(async (tx) => {
          for (const [i, id] of all.entries()) await tx.insert(c, book(id, { title: 'x'.repeat(10_000) }, i));
        });
        const query = { filter: null, sort: [], limit: 10, offset: 0, count: true };
        assert.equal((await store.list(c, { ...query, maxBytes: 1_000_000 })).items.length, 10);
        await assert.rejects(
          store.list(c, { ...query, maxBytes: 50_000 }),
          (e) => e instanceof ReadTooLarge && e.maxBytes === 50_000,
        );
        assert.equal((await store.list(c, { ...query, limit: 3, maxBytes: 50_000 })).items.length, 3);
        assert.equal((await store.getMany(c, all, null, 1_000_000)).length, 10);
        await assert.rejects(store.getMany(c, all, null, 50_000), ReadTooLarge);
        // The statement is left usable after a read that stopped halfway.
        assert.equal((await store.list(c, query)).items.length, 10);
      });

      it('update overwrites every field and both timestamps', async () => {
        const { store, c } = await books();
        await store.transaction((tx) =>
          tx.insert(c, book('b1', { title: 'Draft', year: 2000, tags: ['x'], inPrint: true }, 1)),
        );
        const changed = book(
          'b1',
          { title: 'Final', year: null, tags: { now: 'object' }, inPrint: false },
          9,
        );
        await store.transaction((tx) => tx.update(c, changed));
        assert.deepEqual(await store.get(c, 'b1'), changed);
      });

      it('delete: true when the record was there, false when it was not', async () => {
        const { store, c } = await books();
        await store.transaction((tx) => tx.insert(c, book('gone', { title: 'Gone' })));
        assert.equal(await store.transaction((tx) => tx.delete(c, 'gone')), true);
        assert.equal(await store.get(c, 'gone'), undefined);
        assert.equal(await store.transaction((tx) => tx.delete(c, 'gone')), false);
        assert.equal(await store.transaction((tx) => tx.delete(c, 'never')), false);
      });

      it('inserting an id that exists throws DuplicateId naming the collection and id', async () => {
        const { store, c } = await books();
        await store.transaction((tx) => tx.insert(c, book('same', { title: 'First' })));
        await assert.rejects(
          store.transaction((tx) => tx.insert(c, book('same', { title: 'Second' }))),
          (error: unknown) => {
            assert.ok(error instanceof DuplicateId, `DuplicateId, not ${String(error)}`);
            assert.equal(error.collection, c);
            assert.equal(error.id, 'same');
            return true;
          },
        );
        assert.equal((await store.get(c, 'same'))?.title, 'First');
      });

      it('a unique field taken by another record throws UniqueViolation on insert and on update', async () => {
        const { store, c } = await books();
        await store.transaction(async (tx) => {
          await tx.insert(c, book('a', { title: 'A', isbn: '978-0441013593' }));
          await tx.insert(c, book('b', { title: 'B', isbn: '978-0553293357' }));
        });
        const isUniqueIsbn = (error: unknown) => {
          assert.ok(error instanceof UniqueViolation, `UniqueViolation, not ${String(error)}`);
          assert.equal(error.collection, c);
          assert.equal(error.field, 'isbn');
          return true;
        };
        await assert.rejects(
          store.transaction((tx) => tx.insert(c, book('c', { title: 'C', isbn: '978-0441013593' }))),
          isUniqueIsbn,
        );
        await assert.rejects(
          store.transaction((tx) => tx.update(c, book('b', { title: 'B', isbn: '978-0441013593' }))),
          isUniqueIsbn,
        );
        assert.equal(await store.get(c, 'c'), undefined);
        assert.equal((await store.get(c, 'b'))?.isbn, '978-0553293357');
      });

      it('63-character table and field names: indexes are found again and a violation names the field', async () => {
        const c = unique('long').padEnd(63, 'x');
        const code = 'c'.repeat(59) + 'code';
        const owner = 'o'.repeat(58) + 'owner';
        const collections = {
          [c]: collection(c, {
            [code]: { type: 'text', unique: true },
            [owner]: { type: 'relation', collection: c },
          }),
        };
        const store = await ready(collections);
        assert.deepEqual(await store.planMigration(), [], 'every index is found again by its name');
        await store.transaction((tx) => tx.insert(c, rec('a', { [code]: 'X', [owner]: null })));
        await assert.rejects(
          store.transaction((tx) => tx.insert(c, rec('b', { [code]: 'X', [owner]: 'a' }))),
          (error: unknown) => error instanceof UniqueViolation && error.field === code,
        );
      });

      it('an id holding U+0000 is one no record has: reads find nothing, delete deletes nothing', async () => {
        const { store, c } = await books();
        await store.transaction((tx) => tx.insert(c, book('a', { title: 'A' })));
        const odd = 'a\u0000';
        assert.equal(await store.get(c, odd), undefined);
        assert.equal(await store.get(c, odd, where('title = "A"')), undefined);
        assert.deepEqual(ids(await store.getMany(c, [odd, 'a'])), ['a']);
        await store.transaction(async (tx) => {
          assert.equal(await tx.get(c, odd), undefined);
          assert.equal(await tx.delete(c, odd), false);
          assert.equal(await tx.findIdBy(c, 'title', 'A\u0000'), undefined);
        });
        assert.equal((await store.get(c, 'a'))?.title, 'A');
      });

      it('unique fields allow any number of nulls', async () => {
        const { store, c } = await books();
        await store.transaction(async (tx) => {
          await tx.insert(c, book('n1', { title: 'One' }));
          await tx.insert(c, book('n2', { title: 'Two' }));
        });
        assert.equal((await store.list(c, query({ filter: where('isbn = null') }))).total, 2);
      });
    });

    describe('list', () => {
      const U1: AuthValues = { id: 'u1', email: 'u1@example.com', admin: false };
      let store: Store;
      let c: string;

      /** Five books, created in id order b1…b5. */
      async function shelf(): Promise<void> {
        ({ store, c } = await books());
        await store.transaction(async (tx) => {
          await tx.insert(
            c,
            book(
              'b1',
              {
                title: 'Dune',
                author: 'Frank Herbert',
                year: 1965,
                price: 9.99,
                inPrint: true,
                tags: ['space', 'desert'],
                owner: 'u1',
              },
              1,
            ),
          );
          await tx.insert(
            c,
            book(
              'b2',
              {
                title: 'Children of Dune',
                author: 'Frank Herbert',
                year: 1976,
                price: 12.5,
                inPrint: false,
                tags: ['space'],
                owner: 'u2',
              },
              2,
            ),
          );
          await tx.insert(
            c,
            book(
              'b3',
              {
                title: 'Foundation',
                author: 'Isaac Asimov',
                year: 1951,
                price: 8,
                inPrint: true,
                owner: 'u1',
              },
              3,
            ),
          );
          await tx.insert(
            c,
            book('b4', { title: 'Hyperion', author: 'Dan Simmons', year: 1989, tags: { theme: 'space' } }, 4),
          );
          await tx.insert(c, book('b5', { title: '100% Pulp_Fiction' }, 5));
        });
      }

      async function matching(filter: string, auth: AuthValues | null = null): Promise<string[]> {
        const result = await store.list(c, query({ filter: where(filter, auth) }));
        assert.equal(result.total, result.items.length);
        return ids(result.items);
      }

      it('without filter or sort: everything, oldest first, with the total', async () => {
        await shelf();
        const result = await store.list(c, query());
        assert.deepEqual(ids(result.items), ['b1', 'b2', 'b3', 'b4', 'b5']);
        assert.equal(result.total, 5);
      });

      it('filters: equality, comparisons, && and || with parentheses', async () => {
        await shelf();
        assert.deepEqual(await matching('author = "Frank Herbert"'), ['b1', 'b2']);
        assert.deepEqual(
          await matching("author != 'Frank Herbert'"),
          ['b3', 'b4', 'b5'],
          '!= matches a null',
        );
        assert.deepEqual(await matching('year >= 1965 && year < 1989'), ['b1', 'b2']);
        assert.deepEqual(await matching('year <= 1951 || year > 1980'), ['b3', 'b4']);
        assert.deepEqual(await matching('year >= 1960 && (author = "Frank Herbert" || title ~ "hyper")'), [
          'b1',
          'b2',
          'b4',
        ]);
        assert.deepEqual(await matching('price < 10'), ['b1', 'b3']);
        assert.deepEqual(await matching('price >= 12.5'), ['b2']);
        assert.deepEqual(await matching('year > 1950.5 && year < 1965.5'), ['b1', 'b3']);
      });

      it('filters: ~ and !~ are case-insensitive contains, and % and _ are plain characters', async () => {
        await shelf();
        assert.deepEqual(await matching('title ~ "DUNE"'), ['b1', 'b2']);
        assert.deepEqual(await matching('title !~ "dune"'), ['b3', 'b4', 'b5']);
        assert.deepEqual(await matching('author !~ "herbert"'), ['b3', 'b4', 'b5'], '!~ matches a null');
        assert.deepEqual(await matching('title ~ "%"'), ['b5']);
        assert.deepEqual(await matching('title ~ "0% p"'), ['b5']);
        assert.deepEqual(await matching('title ~ "_"'), ['b5']);
        assert.deepEqual(await matching('tags ~ "desert"'), ['b1']);
        assert.deepEqual(await matching('tags ~ "SPACE"'), ['b1', 'b2', 'b4']);
      });

      it('filters: ^~ and ~$ (built by translations, not parsed) match at the start or the end, ignoring case', async () => {
        await shelf();
        const anchored = async (op: '^~' | '~$', value: string) => {
          const filter: Expr = {
            kind: 'cmp',
            op,
            left: { kind: 'field', name: 'title', pos: 0 },
            right: { kind: 'literal', value, pos: 0 },
            pos: 0,
          };
          return ids((await store.list(c, query({ filter }))).items);
        };
        assert.deepEqual(await anchored('^~', 'DUNE'), ['b1']);
        assert.deepEqual(await anchored('^~', 'children'), ['b2']);
        assert.deepEqual(await anchored('~$', 'DUNE'), ['b1', 'b2']);
        assert.deepEqual(await anchored('~$', 'of'), []);
        assert.deepEqual(await anchored('~$', '_fiction'), ['b5']);
        assert.deepEqual(await anchored('^~', '100%'), ['b5']);
      });

      it('filters: booleans, nulls and @auth bound to the caller', async () => {
        await shelf();
        assert.deepEqual(await matching('inPrint = true'), ['b1', 'b3']);
        assert.deepEqual(await matching('inPrint = false'), ['b2']);
        assert.deepEqual(await matching('inPrint = null'), ['b4', 'b5']);
        assert.deepEqual(await matching('year = null'), ['b5']);
        assert.deepEqual(await matching('null != year'), ['b1', 'b2', 'b3', 'b4']);
        assert.deepEqual(await matching('tags = null'), ['b3', 'b5']);
        assert.deepEqual(await matching('owner = @auth.id', U1), ['b1', 'b3']);
        assert.deepEqual(await matching('owner = @auth.id || @auth.admin = true', U1), ['b1', 'b3']);
        assert.deepEqual(await matching('owner = @auth.id || @auth.admin = true', { ...U1, admin: true }), [
          'b1',
          'b2',
          'b3',
          'b4',
          'b5',
        ]);
        assert.deepEqual(await matching('@auth.email = "u1@example.com" && year < 1960', U1), ['b3']);
      });

      it('after: keyset pages walk every sort the way the full list does, NULLs and booleans included', async () => {
        await shelf();
        const sorts: SortKey[][] = [
          [],
          [{ field: 'year', desc: false }],
          [{ field: 'year', desc: true }],
          [{ field: 'inPrint', desc: false }],
          [
            { field: 'inPrint', desc: true },
            { field: 'price', desc: false },
          ],
          [{ field: 'tags', desc: true }],
          [
            { field: 'author', desc: true },
            { field: 'title', desc: false },
          ],
          [{ field: 'id', desc: true }],
        ];
        for (const sort of sorts) {
          for (const filter of [null, where('title !~ "children"')]) {
            const whole = ids((await store.list(c, query({ sort, filter }))).items);
            const walked: string[] = [];
            let cursor: unknown[] | null = null;
            for (let n = 0; n < 10; n++) {
              const page = await store.list(c, query({ sort, filter, limit: 2, after: cursor }));
              assert.equal(page.total, whole.length, 'the total is of the whole list, not what follows');
              walked.push(...ids(page.items));
              if (page.items.length < 2) break;
              const last = page.items[1] as Record<string, unknown>;
              cursor = orderKeys(sort).map(({ field }) =>
                field === 'tags' && last[field] !== null ? JSON.stringify(last[field]) : last[field],
              );
            }
            assert.deepEqual(walked, whole, JSON.stringify({ sort, filter: filter !== null }));
          }
        }
      });

      it('sort: several keys, descending, ties broken by id', async () => {
        await shelf();
        const byYear = await store.list(
          c,
          query({ filter: where('year != null'), sort: [{ field: 'year', desc: true }] }),
        );
        assert.deepEqual(ids(byYear.items), ['b4', 'b2', 'b1', 'b3']);
        const byAuthorThenYear = await store.list(
          c,
          query({
            filter: where('author != null'),
            sort: [
              { field: 'author', desc: false },
              { field: 'year', desc: true },
            ],
          }),
        );
        assert.deepEqual(ids(byAuthorThenYear.items), ['b4', 'b2', 'b1', 'b3']);
        const byInPrint = await store.list(
          c,
          query({ filter: where('inPrint != null'), sort: [{ field: 'inPrint', desc: true }] }),
        );
        assert.deepEqual(ids(byInPrint.items), ['b1', 'b3', 'b2'], 'true before false, then by id');
        const byId = await store.list(c, query({ sort: [{ field: 'id', desc: true }] }));
        assert.deepEqual(ids(byId.items), ['b5', 'b4', 'b3', 'b2', 'b1']);
      });

      it('without a sort, records created at the same time come in id order', async () => {
        const { store, c } = await books();
        await store.transaction(async (tx) => {
          for (const id of ['m', 'c', 'x', 'a']) await tx.insert(c, book(id, { title: id }, 7));
          await tx.insert(c, book('z', { title: 'z' }, 6));
        });
        assert.deepEqual(ids((await store.list(c, query())).items), ['z', 'a', 'c', 'm', 'x']);
      });

      it('limit and offset page through the matches; the total counts them all', async () => {
        await shelf();
        const page = await store.list(c, query({ limit: 2, offset: 1 }));
        assert.deepEqual(ids(page.items), ['b2', 'b3']);
        assert.equal(page.total, 5);
        const last = await store.list(c, query({ limit: 2, offset: 4 }));
        assert.deepEqual(ids(last.items), ['b5']);
        const beyond = await store.list(c, query({ limit: 2, offset: 10 }));
        assert.deepEqual(beyond.items, []);
        assert.equal(beyond.total, 5);
        const filtered = await store.list(c, query({ filter: where('title ~ "dune"'), limit: 1 }));
        assert.deepEqual(ids(filtered.items), ['b1']);
        assert.equal(filtered.total, 2);
      });

      it('count: false (skipTotal) gives a null total and the same items', async () => {
        await shelf();
        const result = await store.list(c, query({ count: false, limit: 3 }));
        assert.equal(result.total, null);
        assert.deepEqual(ids(result.items), ['b1', 'b2', 'b3']);
      });

      it('the total follows every committed insert and delete', async () => {
        await shelf();
        const dune = query({ filter: where('title ~ "dune"') });
        assert.equal((await store.list(c, dune)).total, 2);
        await store.transaction((tx) => tx.insert(c, book('b6', { title: 'Dune Messiah' }, 6)));
        assert.equal((await store.list(c, dune)).total, 3);
        await store.transaction(async (tx) => {
          await tx.delete(c, 'b1');
          await tx.delete(c, 'b2');
        });
        assert.equal((await store.list(c, dune)).total, 1);
        assert.equal((await store.list(c, query())).total, 4);
      });

      it('inside a transaction, list sees the transaction’s own writes', async () => {
        await shelf();
        await store.transaction(async (tx) => {
          await tx.insert(c, book('b6', { title: 'Dune Messiah' }, 6));
          await tx.delete(c, 'b1');
          const result = await tx.list(c, query({ filter: where('title ~ "dune"') }));
          assert.deepEqual(ids(result.items), ['b2', 'b6']);
          assert.equal(result.total, 2);
        });
      });
    });

    aggregateContract({ it, ready, unique, collection, rec, where });
    countsContract({ it, ready, unique, collection, rec, where });
    idsContract({ it, ready, unique, collection, rec, where, persistent });
    changesContract({ it, ready, unique, collection, rec, where });

    describe('transactions', () => {
      it('commit: the result is returned and every write is visible afterwards', async () => {
        const { store, c } = await books();
        await store.transaction((tx) => tx.insert(c, book('keep', { title: 'Keep' })));
        const result = await store.transaction(async (tx) => {
          await tx.insert(c, book('new', { title: 'New' }));
          await tx.update(c, book('keep', { title: 'Kept' }));
          assert.equal((await tx.get(c, 'new'))?.title, 'New', 'a transaction reads its own writes');
          return 'done';
        });
        assert.equal(result, 'done');
        assert.equal((await store.get(c, 'new'))?.title, 'New');
        assert.equal((await store.get(c, 'keep'))?.title, 'Kept');
      });

      it('a throw rolls back every kind of write and comes out unchanged', async () => {
        const { store, c } = await books();
        const user = unique('user');
        const scope = unique('scope');
        const bucket = unique('bucket');
        const token = unique('token');
        await store.transaction((tx) => tx.insert(c, book('old', { title: 'Old' })));
        const boom = new Boom('stop');
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.insert(c, book('new', { title: 'New' }));
            await tx.update(c, book('old', { title: 'Changed' }));
            await tx.putIdempotency(idem(scope, 'k', at(1)), at(0));
            await tx.putSession({ tokenHash: token, userId: user, created: at(0), expires: at(100) });
            await tx.hit(bucket, at(1), at(0));
            throw boom;
          }),
          (error: unknown) => error === boom,
        );
        assert.equal(await store.get(c, 'new'), undefined);
        assert.equal((await store.get(c, 'old'))?.title, 'Old');
        assert.equal(await store.getSession(token, at(1)), undefined);
        await store.transaction(async (tx) => {
          assert.equal(await tx.getIdempotency(scope, 'k', at(0)), undefined);
          assert.deepEqual(await tx.hits(bucket, at(0)), NO_HITS);
        });
      });

      it('a rolled-back delete leaves the record; the store works normally afterwards', async () => {
        const { store, c } = await books();
        await store.transaction((tx) => tx.insert(c, book('stay', { title: 'Stay' })));
        await assert.rejects(
          store.transaction(async (tx) => {
            assert.equal(await tx.delete(c, 'stay'), true);
            throw new Boom('no');
          }),
          Boom,
        );
        assert.equal((await store.get(c, 'stay'))?.title, 'Stay');
        await store.transaction((tx) => tx.insert(c, book('after', { title: 'After' })));
        assert.equal((await store.list(c, query())).total, 2);
      });

      it('a store error thrown out of a transaction rolls back its earlier writes', async () => {
        const { store, c } = await books();
        await store.transaction((tx) => tx.insert(c, book('dup', { title: 'Dup' })));
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.insert(c, book('first', { title: 'First' }));
            await tx.insert(c, book('dup', { title: 'Again' }));
          }),
          DuplicateId,
        );
        assert.equal(await store.get(c, 'first'), undefined);
      });

      it('a write marked last commits with the writes before it', async () => {
        const { store, c } = await books();
        await store.transaction((tx) => tx.insert(c, book('old', { title: 'Old' })));
        const result = await store.transaction(async (tx) => {
          await tx.insert(c, book('new', { title: 'New' }));
          await tx.update(c, book('old', { title: 'Changed' }), undefined, { last: true });
          return 'done';
        });
        assert.equal(result, 'done');
        assert.equal((await store.get(c, 'new'))?.title, 'New');
        assert.equal((await store.get(c, 'old'))?.title, 'Changed');
        await store.transaction((tx) => tx.insert(c, book('alone', { title: 'Alone' }), { last: true }));
        assert.equal((await store.get(c, 'alone'))?.title, 'Alone');
        assert.equal((await store.list(c, query())).total, 3);
      });

      it('a write marked last that fails rolls back the whole transaction, with its own error', async () => {
        // Books have a unique field; notes only their id, which PostgreSQL checks without an error.
        const { store, c } = await books();
        const n = unique('notes');
        const notes = await ready({ [n]: collection(n, { text: { type: 'text' } }) });
        await store.transaction((tx) => tx.insert(c, book('a', { title: 'A', isbn: '978-0441013593' })));
        await notes.transaction((tx) => tx.insert(n, rec('taken', { text: 'first' })));
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.insert(c, book('b', { title: 'B' }));
            await tx.insert(c, book('c', { title: 'C', isbn: '978-0441013593' }), { last: true });
          }),
          UniqueViolation,
        );
        await assert.rejects(
          notes.transaction(async (tx) => {
            await tx.insert(n, rec('other', { text: 'other' }));
            await tx.insert(n, rec('taken', { text: 'again' }), { last: true });
          }),
          (error: unknown) => error instanceof DuplicateId && error.id === 'taken',
        );
        assert.equal(await store.get(c, 'b'), undefined);
        assert.equal(await store.get(c, 'c'), undefined);
        assert.equal(await notes.get(n, 'other'), undefined);
        assert.equal((await notes.get(n, 'taken'))?.text, 'first');
        // Both stores work on afterwards.
        await store.transaction((tx) => tx.insert(c, book('d', { title: 'D' }), { last: true }));
        await notes.transaction((tx) => tx.insert(n, rec('next', { text: 'next' }), { last: true }));
        assert.equal((await store.list(c, query())).total, 2);
        assert.equal((await notes.list(n, query())).total, 2);
      });

      it(
        'reads outside a transaction never see its uncommitted writes',
        async () => {
          const { store, c } = await books();
          await store.transaction(async (tx) => {
            await tx.insert(c, book('old', { title: 'Old' }));
            await tx.insert(c, book('doomed', { title: 'Doomed' }));
          });
          const token = unique('token');
          const inside = deferred();
          const release = deferred();
          const running = store.transaction(async (tx) => {
            await tx.insert(c, book('new', { title: 'New' }));
            await tx.update(c, book('old', { title: 'Changed' }));
            await tx.delete(c, 'doomed');
            await tx.putSession({ tokenHash: token, userId: 'u', created: at(0), expires: at(100) });
            inside.resolve();
            await release.promise;
          });
          await inside.promise;
          assert.equal(await store.get(c, 'new'), undefined);
          assert.equal((await store.get(c, 'old'))?.title, 'Old');
          assert.equal((await store.get(c, 'doomed'))?.title, 'Doomed');
          assert.deepEqual(ids(await store.getMany(c, ['new', 'doomed'])), ['doomed']);
          const during = await store.list(c, query());
          assert.deepEqual(ids(during.items).sort(), ['doomed', 'old']);
          assert.equal(during.total, 2);
          assert.equal(await store.getSession(token, at(1)), undefined);
          release.resolve();
          await running;
          assert.equal((await store.get(c, 'new'))?.title, 'New');
          assert.equal((await store.get(c, 'old'))?.title, 'Changed');
          assert.equal(await store.get(c, 'doomed'), undefined);
          const afterwards = await store.list(c, query());
          assert.deepEqual(ids(afterwards.items).sort(), ['new', 'old']);
          assert.equal(afterwards.total, 2);
          assert.equal((await store.getSession(token, at(1)))?.userId, 'u');
        },
        NEEDS_ISOLATION,
      );

      it('two concurrent transactions never see each other’s uncommitted rows', async () => {
        const { store, c } = await books();
        const committed = { a: false, b: false };
        const a = store.transaction(async (tx) => {
          await tx.insert(c, book('a', { title: 'A' }));
          await interleave();
          if (await tx.get(c, 'b')) assert.ok(committed.b, 'A saw B’s row before B finished');
          await interleave();
          committed.a = true;
        });
        const b = store.transaction(async (tx) => {
          await tx.insert(c, book('b', { title: 'B' }));
          await interleave();
          if (await tx.get(c, 'a')) assert.ok(committed.a, 'B saw A’s row before A finished');
          await interleave();
          committed.b = true;
        });
        await Promise.all([a, b]);
        assert.deepEqual(ids((await store.list(c, query())).items).sort(), ['a', 'b']);
      });

      it('concurrent writes where one fails: that one alone fails, with its own error; the others commit', async () => {
        const { store, c } = await books();
        await store.transaction((tx) => tx.insert(c, book('taken', { title: 'Taken' })));
        const boom = new Boom('the fourth refuses');
        const n = 8;
        const results = await Promise.allSettled(
          Array.from({ length: n }, (_, i) =>
            store.transaction(async (tx) => {
              await tx.insert(c, book(`w${i}`, { title: `W${i}` }));
              await interleave(1);
              if (i === 3) throw boom;
              // A store error after an earlier write of the same transaction.
              if (i === 5) await tx.insert(c, book('taken', { title: 'Again' }));
              await tx.update(c, book(`w${i}`, { title: `W${i} done` }));
              return i;
            }),
          ),
        );
        for (const [i, result] of results.entries()) {
          if (i === 3)
            assert.ok(result.status === 'rejected' && result.reason === boom, `#${i}: ${result.status}`);
          else if (i === 5) {
            assert.ok(
              result.status === 'rejected' && result.reason instanceof DuplicateId,
              `#${i}: ${result.status}`,
            );
          } else assert.deepEqual(result, { status: 'fulfilled', value: i });
        }
        const stored = (await store.list(c, query())).items;
        assert.deepEqual(
          stored.map((r) => [r.id, r.title]).sort(([a], [b]) => String(a).localeCompare(String(b))),
          [['taken', 'Taken'], ...[0, 1, 2, 4, 6, 7].map((i) => [`w${i}`, `W${i} done`])],
        );
      });

      it('update given the stored record writes only the columns that differ from it', async () => {
        const { store, c } = await books();
        const stored = book('dune', { title: 'Dune', year: 1965 }, 1);
        await store.transaction((tx) => tx.insert(c, stored));
        await store.transaction(async (tx) => {
          // The row changes under a stale `previous`: a column equal in `previous` and the record is not written.
          await tx.update(c, { ...stored, year: 2000 });
          await tx.update(c, { ...stored, title: 'Dune Messiah', updated: at(5) }, stored);
        });
        const after = await store.get(c, 'dune');
        assert.equal(after?.title, 'Dune Messiah');
        assert.equal(after?.year, 2000);
        assert.equal(after?.updated, at(5));
        assert.equal(after?.created, stored.created);
        // Nothing differs: nothing is written, and that is no error.
        await store.transaction((tx) => tx.update(c, after!, after!));
        assert.deepEqual(await store.get(c, 'dune'), after);
      });

      it('concurrent read-modify-write transactions lose no update', async () => {
        const { store, c } = await books();
        await store.transaction((tx) => tx.insert(c, book('counter', { title: 'counter', year: 0 })));
        const n = 8;
        await Promise.all(
          Array.from({ length: n }, () =>
            store.transaction(async (tx) => {
              const current = await tx.get(c, 'counter');
              await interleave();
              await tx.update(c, { ...current!, year: (current!.year as number) + 1 });
            }),
          ),
        );
        assert.equal((await store.get(c, 'counter'))?.year, n);
      });

      it('lock: the same name while the first holds it fails at once with LockBusy; other names proceed', async () => {
        const { store, c } = await books();
        const lock = unique('lock');
        const inside = deferred();
        const release = deferred();
        const first = store.transaction(
          async (tx) => {
            await tx.insert(c, book('first', { title: 'First' }));
            inside.resolve();
            await release.promise;
            return 'first';
          },
          { lock },
        );
        await inside.promise;
        let ran = false;
        // Awaited before the first is released: LockBusy must not wait for it.
        await assert.rejects(
          store.transaction(
            async () => {
              ran = true;
            },
            { lock },
          ),
          (error: unknown) => {
            assert.ok(error instanceof LockBusy, `LockBusy, not ${String(error)}`);
            assert.equal(error.lock, lock);
            return true;
          },
        );
        assert.equal(ran, false, 'the refused transaction never ran');
        const other = store.transaction(
          async (tx) => {
            await tx.insert(c, book('other', { title: 'Other' }));
            return 'other';
          },
          { lock: unique('lock') },
        );
        const unlocked = store.transaction(async () => 'unlocked');
        release.resolve();
        assert.deepEqual(await Promise.all([first, other, unlocked]), ['first', 'other', 'unlocked']);
        assert.deepEqual(ids((await store.list(c, query())).items).sort(), ['first', 'other']);
      });

      it('lock: the name is free again once its transaction commits or rolls back', async () => {
        const { store } = await books();
        const lock = unique('lock');
        assert.equal(await store.transaction(async () => 1, { lock }), 1);
        assert.equal(await store.transaction(async () => 2, { lock }), 2);
        await assert.rejects(
          store.transaction(
            async () => {
              throw new Boom('rolled back');
            },
            { lock },
          ),
          Boom,
        );
        assert.equal(await store.transaction(async () => 3, { lock }), 3);
      });
    });

    function idem(scope: string, key: string, created: string, fingerprint = 'fp-1'): IdempotencyEntry {
      return {
        scope,
        key,
        fingerprint,
        status: 201,
        headers: { 'content-type': 'application/json; charset=utf-8', location: '/api/books/x', etag: '"1"' },
        body: `{"title":"Dune","note":"ünïcødé ${fingerprint}"}`,
        created,
      };
    }

    describe('idempotency entries', () => {
      it('get returns an entry created at or after notBefore, and nothing for an older one', async () => {
        const { store } = await books();
        const scope = unique('scope');
        const entry = idem(scope, 'k1', at(10));
        await store.transaction((tx) => tx.putIdempotency(entry, at(0)));
        await store.transaction(async (tx) => {
          assert.deepEqual(await tx.getIdempotency(scope, 'k1', at(5)), entry);
          assert.deepEqual(await tx.getIdempotency(scope, 'k1', at(10)), entry);
          assert.equal(await tx.getIdempotency(scope, 'k1', at(11)), undefined);
          assert.equal(await tx.getIdempotency(scope, 'k2', at(0)), undefined);
          assert.equal(await tx.getIdempotency(unique('scope'), 'k1', at(0)), undefined);
        });
      });

      it('put does not overwrite a live entry but replaces an expired one', async () => {
        const { store } = await books();
        const scope = unique('scope');
        const first = idem(scope, 'k', at(10), 'fp-first');
        await store.transaction((tx) => tx.putIdempotency(first, at(0)));
        await store.transaction((tx) => tx.putIdempotency(idem(scope, 'k', at(20), 'fp-second'), at(10)));
        await store.transaction(async (tx) => {
          assert.deepEqual(await tx.getIdempotency(scope, 'k', at(0)), first, 'the live entry stays');
        });
        const third = { ...idem(scope, 'k', at(30), 'fp-third'), status: 409, headers: {} };
        await store.transaction((tx) => tx.putIdempotency(third, at(11)));
        await store.transaction(async (tx) => {
          assert.deepEqual(
            await tx.getIdempotency(scope, 'k', at(11)),
            third,
            'the expired entry is replaced',
          );
        });
      });

      it('the same key in another scope is another entry; a put inside the writing transaction is read back', async () => {
        const { store } = await books();
        const [s1, s2] = [unique('scope'), unique('scope')];
        await store.transaction(async (tx) => {
          await tx.putIdempotency(idem(s1, 'k', at(1), 'fp-1'), at(0));
          await tx.putIdempotency(idem(s2, 'k', at(1), 'fp-2'), at(0));
          assert.equal((await tx.getIdempotency(s1, 'k', at(0)))?.fingerprint, 'fp-1');
        });
        await store.transaction(async (tx) => {
          assert.equal((await tx.getIdempotency(s1, 'k', at(0)))?.fingerprint, 'fp-1');
          assert.equal((await tx.getIdempotency(s2, 'k', at(0)))?.fingerprint, 'fp-2');
        });
      });
    });

    describe('sessions', () => {
      function session(userId: string, created: number, expires: number): SessionEntry {
        return { tokenHash: unique('hash'), userId, created: at(created), expires: at(expires) };
      }

      it('put, then get until it expires, inside and outside a transaction', async () => {
        const { store } = await books();
        const s = session(unique('user'), 0, 100);
        await store.transaction((tx) => tx.putSession(s));
        assert.deepEqual(await store.getSession(s.tokenHash, at(50)), s);
        assert.deepEqual(await store.getSession(s.tokenHash, at(99)), s);
        assert.equal(await store.getSession(s.tokenHash, at(100)), undefined, 'expired at its expiry');
        assert.equal(await store.getSession(s.tokenHash, at(150)), undefined);
        assert.equal(await store.getSession(unique('hash'), at(0)), undefined);
        await store.transaction(async (tx) => {
          assert.deepEqual(await tx.getSession(s.tokenHash, at(50)), s);
          assert.equal(await tx.getSession(s.tokenHash, at(100)), undefined);
        });
      });

      it('deleteSession removes one; deleteSessionsOf removes all of a user’s and no one else’s', async () => {
        const { store } = await books();
        const [ada, bob] = [unique('user'), unique('user')];
        const a1 = session(ada, 0, 100);
        const a2 = session(ada, 1, 100);
        const a3 = session(ada, 2, 100);
        const b1 = session(bob, 0, 100);
        await store.transaction(async (tx) => {
          for (const s of [a1, a2, a3, b1]) await tx.putSession(s);
        });
        await store.transaction((tx) => tx.deleteSession(a1.tokenHash));
        assert.equal(await store.getSession(a1.tokenHash, at(1)), undefined);
        assert.deepEqual(await store.getSession(a2.tokenHash, at(1)), a2);
        await store.transaction((tx) => tx.deleteSession(unique('hash')));
        await store.transaction((tx) => tx.deleteSessionsOf(ada));
        assert.equal(await store.getSession(a2.tokenHash, at(1)), undefined);
        assert.equal(await store.getSession(a3.tokenHash, at(1)), undefined);
        assert.deepEqual(await store.getSession(b1.tokenHash, at(1)), b1);
      });

      it('deleteSessionsOf with an exception keeps that one session of the user', async () => {
        const { store } = await books();
        const [ada, bob] = [unique('user'), unique('user')];
        const [a1, a2, a3, b1] = [
          session(ada, 0, 100),
          session(ada, 1, 100),
          session(ada, 2, 100),
          session(bob, 0, 100),
        ];
        await store.transaction(async (tx) => {
          for (const s of [a1, a2, a3, b1]) await tx.putSession(s);
        });
        await store.transaction((tx) => tx.deleteSessionsOf(ada, a2.tokenHash));
        assert.equal(await store.getSession(a1.tokenHash, at(1)), undefined);
        assert.deepEqual(await store.getSession(a2.tokenHash, at(1)), a2);
        assert.equal(await store.getSession(a3.tokenHash, at(1)), undefined);
        assert.deepEqual(await store.getSession(b1.tokenHash, at(1)), b1);
        await store.transaction((tx) => tx.deleteSessionsOf(ada, b1.tokenHash));
        assert.equal(
          await store.getSession(a2.tokenHash, at(1)),
          undefined,
          "another user's hash keeps nothing",
        );
        assert.deepEqual(await store.getSession(b1.tokenHash, at(1)), b1);
      });
    });

    describe('pending files', () => {
      it('are listed once committed, never when their transaction rolls back, and go when deleted', async () => {
        const { store } = await books();
        const kept = { token: unique('tok'), key: `${unique('c')}/r1/a.png`, meta: '{"type":"image/png"}' };
        const lost = { token: unique('tok'), key: `${unique('c')}/r2/b.png`, meta: '{}' };
        await store.transaction((tx) => tx.putPendingFile(kept));
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.putPendingFile(lost);
            throw new Error('roll back');
          }),
        );
        const tokens = (await store.pendingFiles()).map((p) => p.token);
        assert.ok(tokens.includes(kept.token));
        assert.ok(!tokens.includes(lost.token));
        assert.deepEqual(
          (await store.pendingFiles()).find((p) => p.token === kept.token),
          kept,
        );
        await store.transaction((tx) => tx.deletePendingFile(kept.token));
        assert.ok(!(await store.pendingFiles()).some((p) => p.token === kept.token));
      });
    });

    describe('hits', () => {
      it('hit adds one and counts the hits inside the window; hits counts without adding', async () => {
        const { store } = await books();
        const bucket = unique('bucket');
        await store.transaction(async (tx) => {
          assert.deepEqual(await tx.hits(bucket, at(0)), NO_HITS);
          assert.equal(await tx.hit(bucket, at(1), at(0)), 1);
          assert.equal(await tx.hit(bucket, at(2), at(0)), 2);
          assert.equal(await tx.hit(bucket, at(3), at(0)), 3);
          assert.deepEqual(await tx.hits(bucket, at(0)), { count: 3, oldest: at(1), newest: at(3) });
          assert.deepEqual(await tx.hits(bucket, at(2)), { count: 2, oldest: at(2), newest: at(3) });
          assert.deepEqual(await tx.hits(bucket, at(4)), NO_HITS);
        });
        // A later window leaves the older hits out of the count.
        assert.equal(await store.transaction((tx) => tx.hit(bucket, at(10), at(3))), 2);
        assert.deepEqual(await store.transaction((tx) => tx.hits(bucket, at(3))), {
          count: 2,
          oldest: at(3),
          newest: at(10),
        });
      });

      it('keys holding U+0000 and backslashes (as a request can make them) stay distinct and read back', async () => {
        const { store } = await books();
        const base = unique('pair');
        const nul = `${base}\u0000ann@example.com`;
        const lookalike = `${base}\\0ann@example.com`;
        await store.transaction(async (tx) => {
          assert.equal(await tx.hit(nul, at(1), at(0)), 1);
          assert.equal(await tx.hit(lookalike, at(2), at(0)), 1);
          assert.equal(await tx.hit(nul, at(3), at(0)), 2);
          await tx.clearHits(lookalike);
          assert.deepEqual(await tx.hits(nul, at(0)), { count: 2, oldest: at(1), newest: at(3) });
          assert.deepEqual(await tx.hits(lookalike, at(0)), { count: 0, oldest: null, newest: null });
          await tx.setMarker(nul, at(4));
          assert.equal(await tx.getMarker(nul), at(4));
          assert.equal(await tx.getMarker(lookalike), undefined);
        });
        const entry: IdempotencyEntry = {
          scope: `${base}\u0000POST /x`,
          key: 'k\\0\u0000',
          fingerprint: 'f\\',
          status: 201,
          headers: { location: '/x/\\' },
          body: '{"a":"\\u0000\\n"}',
          created: at(5),
        };
        await store.transaction((tx) => tx.putIdempotency(entry, at(0)));
        assert.deepEqual(
          await store.transaction((tx) => tx.getIdempotency(entry.scope, entry.key, at(0))),
          entry,
        );
        const session: SessionEntry = {
          tokenHash: `${base}h`,
          userId: 'u\\0\u0000',
          created: at(1),
          expires: at(9),
        };
        await store.transaction((tx) => tx.putSession(session));
        assert.deepEqual(await store.getSession(session.tokenHash, at(2)), session);
      });

      it('buckets are independent; clearHits empties one bucket only', async () => {
        const { store } = await books();
        const [b1, b2] = [unique('bucket'), unique('bucket')];
        await store.transaction(async (tx) => {
          await tx.hit(b1, at(1), at(0));
          await tx.hit(b1, at(2), at(0));
          await tx.hit(b2, at(5), at(0));
        });
        await store.transaction(async (tx) => {
          assert.deepEqual(await tx.hits(b1, at(0)), { count: 2, oldest: at(1), newest: at(2) });
          assert.deepEqual(await tx.hits(b2, at(0)), { count: 1, oldest: at(5), newest: at(5) });
          await tx.clearHits(b1);
          await tx.clearHits(unique('bucket'));
        });
        await store.transaction(async (tx) => {
          assert.deepEqual(await tx.hits(b1, at(0)), NO_HITS);
          assert.deepEqual(await tx.hits(b2, at(0)), { count: 1, oldest: at(5), newest: at(5) });
          assert.equal(await tx.hit(b1, at(6), at(0)), 1);
        });
      });

      it('hit with keep leaves only the newest hits of that bucket', async () => {
        const { store } = await books();
        const [bucket, other] = [unique('bucket'), unique('bucket')];
        await store.transaction(async (tx) => {
          await tx.hit(other, at(1), at(0));
          for (let i = 1; i <= 20; i++) assert.equal(await tx.hit(bucket, at(i), at(0), 5), Math.min(i, 5));
        });
        await store.transaction(async (tx) => {
          assert.deepEqual(await tx.hits(bucket, at(0)), { count: 5, oldest: at(16), newest: at(20) });
          assert.deepEqual(await tx.hits(other, at(0)), { count: 1, oldest: at(1), newest: at(1) });
          // A hit out of order still leaves the newest ones.
          assert.equal(await tx.hit(bucket, at(3), at(0), 5), 5);
          assert.deepEqual(await tx.hits(bucket, at(0)), { count: 5, oldest: at(16), newest: at(20) });
        });
      });

      it('concurrent check-then-hit transactions on one bucket cannot both pass a limit', async () => {
        const { store } = await books();
        const bucket = unique('bucket');
        const passed = await Promise.all(
          Array.from({ length: 4 }, (_, i) =>
            store.transaction(async (tx) => {
              const { count } = await tx.hits(bucket, at(0));
              // Room for another transaction to count the same bucket, if the store let it.
              await new Promise((resolve) => setTimeout(resolve, 20));
              if (count >= 2) return false;
              await tx.hit(bucket, at(i + 1), at(0));
              return true;
            }),
          ),
        );
        assert.equal(passed.filter(Boolean).length, 2, String(passed));
        assert.equal((await store.transaction((tx) => tx.hits(bucket, at(0)))).count, 2);
      });

      it('unhit takes back one hit at exactly that time, and nothing else', async () => {
        const { store } = await books();
        const [bucket, other] = [unique('bucket'), unique('bucket')];
        await store.transaction(async (tx) => {
          await tx.hit(bucket, at(1), at(0));
          await tx.hit(bucket, at(2), at(0));
          await tx.hit(bucket, at(2), at(0));
          await tx.hit(other, at(2), at(0));
        });
        await store.transaction(async (tx) => {
          await tx.unhit(bucket, at(2));
          assert.deepEqual(await tx.hits(bucket, at(0)), { count: 2, oldest: at(1), newest: at(2) });
          await tx.unhit(bucket, at(2));
          assert.deepEqual(await tx.hits(bucket, at(0)), { count: 1, oldest: at(1), newest: at(1) });
          await tx.unhit(bucket, at(2));
          await tx.unhit(unique('bucket'), at(1));
          assert.deepEqual(await tx.hits(bucket, at(0)), { count: 1, oldest: at(1), newest: at(1) });
          assert.deepEqual(await tx.hits(other, at(0)), { count: 1, oldest: at(2), newest: at(2) });
        });
        // Rolled back with its transaction like any other write.
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.unhit(bucket, at(1));
            throw new Boom('stop');
          }),
          Boom,
        );
        assert.equal((await store.transaction((tx) => tx.hits(bucket, at(0)))).count, 1);
      });

      it(
        'hits made through one store are counted by another on the same database (two nodes)',
        async () => {
          const { store, c } = await books();
          const other = await openTracked({ [c]: collection(c, BOOK_FIELDS) });
          const bucket = unique('bucket');
          await store.transaction((tx) => tx.hit(bucket, at(1), at(0)));
          assert.equal(await other.transaction((tx) => tx.hit(bucket, at(2), at(0))), 2);
          assert.deepEqual(await store.transaction((tx) => tx.hits(bucket, at(0))), {
            count: 2,
            oldest: at(1),
            newest: at(2),
          });
          await other.transaction((tx) => tx.clearHits(bucket));
          assert.deepEqual(await store.transaction((tx) => tx.hits(bucket, at(0))), NO_HITS);
        },
        NEEDS_PERSISTENCE,
      );
    });

    describe('markers', () => {
      it('a marker is unset until set; set once, it keeps its first time', async () => {
        const { store } = await books();
        const name = unique('marker');
        assert.equal(await store.transaction((tx) => tx.getMarker(name)), undefined);
        await store.transaction((tx) => tx.setMarker(name, at(1)));
        await store.transaction((tx) => tx.setMarker(name, at(2)));
        assert.equal(await store.transaction((tx) => tx.getMarker(name)), at(1));
        assert.equal(await store.transaction((tx) => tx.getMarker(unique('marker'))), undefined);
      });

      it('a marker set in a transaction that fails is not set', async () => {
        const { store } = await books();
        const name = unique('marker');
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.setMarker(name, at(1));
            assert.equal(await tx.getMarker(name), at(1), 'read back inside its transaction');
            throw new Error('undo');
          }),
          /undo/,
        );
        assert.equal(await store.transaction((tx) => tx.getMarker(name)), undefined);
      });
    });

    describe('auth collection: password hashes and findIdBy', () => {
      async function users(): Promise<{ store: Store; u: string }> {
        const u = unique('users');
        return { store: await ready({ [u]: collection(u, USER_FIELDS, true) }), u };
      }

      const ada = rec('ada', { email: 'ada@example.com', name: 'Ada', admin: true });

      it('the hash is kept apart from the record and survives updates', async () => {
        const { store, u } = await users();
        await store.transaction((tx) => tx.insert(u, ada));
        await store.transaction(async (tx) => {
          assert.equal(await tx.getPasswordHash(u, 'ada'), undefined, 'no hash yet');
          await tx.setPasswordHash(u, 'ada', '$argon2id$v=19$m=19456,t=2,p=1$salt$hash');
        });
        assert.deepEqual(await store.get(u, 'ada'), ada, 'the record carries no hash');
        assert.deepEqual((await store.list(u, query())).items, [ada]);
        await store.transaction((tx) => tx.update(u, { ...ada, name: 'Ada L.', updated: at(5) }));
        await store.transaction(async (tx) => {
          assert.equal(await tx.getPasswordHash(u, 'ada'), '$argon2id$v=19$m=19456,t=2,p=1$salt$hash');
          assert.equal(await tx.getPasswordHash(u, 'nobody'), undefined);
          await tx.setPasswordHash(u, 'ada', 'second');
          assert.equal(await tx.getPasswordHash(u, 'ada'), 'second');
        });
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.setPasswordHash(u, 'ada', 'rolled back');
            throw new Boom('no');
          }),
          Boom,
        );
        assert.equal(await store.transaction((tx) => tx.getPasswordHash(u, 'ada')), 'second');
      });

      it('findIdBy finds a record’s id by a field value, or undefined', async () => {
        const { store, u } = await users();
        await store.transaction(async (tx) => {
          await tx.insert(u, ada);
          await tx.insert(u, rec('bob', { email: 'bob@example.com', name: null, admin: false }));
        });
        await store.transaction(async (tx) => {
          assert.equal(await tx.findIdBy(u, 'email', 'bob@example.com'), 'bob');
          assert.equal(await tx.findIdBy(u, 'email', 'ada@example.com'), 'ada');
          assert.equal(await tx.findIdBy(u, 'email', 'carol@example.com'), undefined);
          assert.equal(await tx.findIdBy(u, 'name', 'Ada'), 'ada');
        });
        const { store: shelf, c } = await books();
        await shelf.transaction((tx) => tx.insert(c, book('b', { title: 'T', isbn: '0-000-00000-0' })));
        assert.equal(await shelf.transaction((tx) => tx.findIdBy(c, 'isbn', '0-000-00000-0')), 'b');
      });
    });

    describe('migrations', () => {
      function kinds(steps: readonly MigrationStep[]): string[] {
        return steps.map((s) => `${s.kind} ${s.table}${s.column ? `.${s.column}` : ''}`);
      }

      function assertWellFormed(steps: readonly MigrationStep[]): void {
        for (const step of steps) {
          assert.ok(step.description.length > 0, 'every step says what it does');
          assert.ok(step.sql.length > 0 && step.sql.every((s) => typeof s === 'string' && s.length > 0));
        }
      }

      it('a fresh schema: tables and indexes are created, nothing destructive, then nothing is left', async () => {
        const c = unique('books');
        const u = unique('users');
        const store = await openTracked({
          [c]: collection(c, BOOK_FIELDS),
          [u]: collection(u, USER_FIELDS, true),
        });
        const plan = await store.planMigration();
        assertWellFormed(plan);
        const summary = kinds(plan);
        assert.ok(summary.includes(`create-table ${c}`), summary.join('\n'));
        assert.ok(summary.includes(`create-table ${u}`), summary.join('\n'));
        assert.ok(summary.some((s) => s.startsWith(`add-index ${c}`)));
        assert.ok(plan.every((s) => !s.destructive));
        assert.deepEqual(await store.planMigration(), plan, 'planning changes nothing');
        await store.migrate(plan);
        assert.deepEqual(await store.planMigration(), []);
        await store.migrate([]);
        await store.transaction((tx) => tx.insert(c, book('b', { title: 'Works' })));
        assert.equal((await store.get(c, 'b'))?.title, 'Works');
      });

      it(
        'add a column: existing records read it as null, new ones store it',
        async () => {
          const c = unique('books');
          const v1 = { [c]: collection(c, { title: { type: 'text' } }) };
          const first = await ready(v1);
          await first.transaction((tx) => tx.insert(c, rec('old', { title: 'Old' })));
          await first.close();
          const again = await openTracked(v1);
          assert.deepEqual(await again.planMigration(), [], 'a reopen with the same schema plans nothing');
          await again.close();

          const v2 = {
            [c]: collection(c, {
              title: { type: 'text' },
              pages: { type: 'integer' },
              isbn: { type: 'text', unique: true },
            }),
          };
          const store = await openTracked(v2);
          const plan = await store.planMigration();
          assertWellFormed(plan);
          assert.ok(kinds(plan).includes(`add-column ${c}.pages`), kinds(plan).join('\n'));
          assert.ok(kinds(plan).includes(`add-column ${c}.isbn`), kinds(plan).join('\n'));
          assert.ok(kinds(plan).some((s) => s === `add-index ${c}`));
          assert.ok(plan.every((s) => !s.destructive));
          await store.migrate(plan);
          assert.deepEqual(await store.planMigration(), []);
          assert.deepEqual(await store.get(c, 'old'), rec('old', { title: 'Old', pages: null, isbn: null }));
          const fresh = rec('new', { title: 'New', pages: 412, isbn: '978-0441013593' }, 1);
          await store.transaction((tx) => tx.insert(c, fresh));
          assert.deepEqual(await store.get(c, 'new'), fresh);
          assert.deepEqual((await store.list(c, query({ filter: where('pages > 400') }))).items, [fresh]);
          await assert.rejects(
            store.transaction((tx) => tx.insert(c, rec('dup', { title: 'Dup', isbn: '978-0441013593' }))),
            UniqueViolation,
          );
        },
        NEEDS_PERSISTENCE,
      );

      it(
        'drop an empty column: not destructive, applied without allowDestructive',
        async () => {
          const c = unique('books');
          const first = await ready({
            [c]: collection(c, { title: { type: 'text' }, notes: { type: 'text' } }),
          });
          await first.transaction((tx) => tx.insert(c, rec('r', { title: 'T', notes: null })));
          await first.close();
          const store = await openTracked({ [c]: collection(c, { title: { type: 'text' } }) });
          const plan = await store.planMigration();
          assertWellFormed(plan);
          assert.deepEqual(kinds(plan), [`drop-column ${c}.notes`]);
          assert.equal(plan[0].destructive, false);
          await store.migrate(plan);
          assert.deepEqual(await store.planMigration(), []);
          assert.deepEqual(await store.get(c, 'r'), rec('r', { title: 'T' }));
        },
        NEEDS_PERSISTENCE,
      );

      it(
        'drop a column holding data: DestructiveMigration and nothing applied, unless allowDestructive',
        async () => {
          const c = unique('books');
          const v1 = { [c]: collection(c, { title: { type: 'text' }, notes: { type: 'text' } }) };
          const first = await ready(v1);
          await first.transaction((tx) => tx.insert(c, rec('r', { title: 'T', notes: 'precious' })));
          await first.close();

          const v2 = { [c]: collection(c, { title: { type: 'text' }, pages: { type: 'integer' } }) };
          const store = await openTracked(v2);
          const plan = await store.planMigration();
          assertWellFormed(plan);
          const drop = plan.find((s) => s.kind === 'drop-column');
          assert.equal(drop?.column, 'notes');
          assert.equal(drop?.destructive, true);
          assert.ok(plan.some((s) => s.kind === 'add-column' && s.column === 'pages' && !s.destructive));
          await assert.rejects(store.migrate(plan), (error: unknown) => {
            assert.ok(error instanceof DestructiveMigration, `DestructiveMigration, not ${String(error)}`);
            assert.deepEqual(error.steps, [drop!.description]);
            return true;
          });
          await assert.rejects(store.migrate(plan, { allowDestructive: false }), DestructiveMigration);
          assert.deepEqual(kinds(await store.planMigration()), kinds(plan), 'not even the additive step ran');
          await store.close();

          const old = await openTracked(v1);
          assert.deepEqual(await old.get(c, 'r'), rec('r', { title: 'T', notes: 'precious' }), 'data intact');
          await old.close();

          const forced = await openTracked(v2);
          await forced.migrate(await forced.planMigration(), { allowDestructive: true });
          assert.deepEqual(await forced.planMigration(), []);
          assert.deepEqual(await forced.get(c, 'r'), rec('r', { title: 'T', pages: null }));
        },
        NEEDS_PERSISTENCE,
      );

      it(
        'retype a column: destructive only when it holds data; afterwards it stores the new type',
        async () => {
          const c = unique('books');
          const v1 = { [c]: collection(c, { full: { type: 'text' }, empty: { type: 'text' } }) };
          const first = await ready(v1);
          await first.transaction((tx) => tx.insert(c, rec('r', { full: 'twelve', empty: null })));
          await first.close();

          const v2 = { [c]: collection(c, { full: { type: 'integer' }, empty: { type: 'number' } }) };
          const store = await openTracked(v2);
          const plan = await store.planMigration();
          assertWellFormed(plan);
          const retypes = plan.filter((s) => s.kind === 'retype-column');
          assert.deepEqual(retypes.map((s) => [s.column, s.destructive]).sort(), [
            ['empty', false],
            ['full', true],
          ]);
          await assert.rejects(store.migrate(plan), DestructiveMigration);
          await store.migrate(plan, { allowDestructive: true });
          assert.deepEqual(await store.planMigration(), []);
          const typed = rec('n', { full: 12, empty: 2.5 }, 1);
          await store.transaction((tx) => tx.insert(c, typed));
          assert.deepEqual(await store.get(c, 'n'), typed);
          assert.deepEqual(ids((await store.list(c, query({ filter: where('full > 11') }))).items), ['n']);
        },
        NEEDS_PERSISTENCE,
      );

      it(
        'declared indexes: created under names that spell their keys, kept on a reopen, dropped without loss',
        async () => {
          const c = unique('books');
          const fields: Record<string, FieldDef> = {
            title: { type: 'text' },
            genre: { type: 'text' },
            year: { type: 'integer' },
            isbn: { type: 'text' },
          };
          const v1 = {
            [c]: {
              ...collection(c, fields),
              indexes: [
                {
                  fields: [
                    { field: 'genre', desc: false },
                    { field: 'year', desc: true },
                  ],
                  unique: false,
                },
                { fields: [{ field: 'isbn', desc: false }], unique: true },
                { fields: [{ field: 'created', desc: true }], unique: false },
              ],
            },
          };
          const first = await openTracked(v1);
          const plan = await first.planMigration();
          assertWellFormed(plan);
          assert.ok(plan.every((s) => !s.destructive));
          const declared = plan.filter((s) => s.description.includes('(declared'));
          assert.deepEqual(
            declared.map((s) => [s.kind, s.description]),
            [
              ['add-index', `create index ${c}__genre-year-desc__index (declared: genre, -year)`],
              ['add-index', `create index ${c}__isbn__unique_index (declared: unique isbn)`],
              ['add-index', `create index ${c}__created-desc__index (declared: -created)`],
            ],
          );
          await first.migrate(plan);
          assert.deepEqual(await first.planMigration(), [], 'introspection finds every declared index');
          await first.transaction(async (tx) => {
            await tx.insert(c, rec('a', { title: 'A', genre: 'sf', year: 1965, isbn: '1' }, 1));
            await tx.insert(c, rec('b', { title: 'B', genre: null, year: null, isbn: null }, 2));
          });
          await assert.rejects(
            first.transaction((tx) =>
              tx.insert(c, rec('c', { title: 'C', genre: null, year: null, isbn: '1' })),
            ),
            (err: unknown) => err instanceof UniqueViolation && err.field === 'isbn',
          );
          await first.close();

          const again = await openTracked(v1);
          assert.deepEqual(await again.planMigration(), [], 'a reopen with the same indexes plans nothing');
          await again.close();

          // One index dropped, one changed (unique on two fields now), one kept.
          const v2 = {
            [c]: {
              ...collection(c, fields),
              indexes: [
                {
                  fields: [
                    { field: 'isbn', desc: false },
                    { field: 'title', desc: false },
                  ],
                  unique: true,
                },
                { fields: [{ field: 'created', desc: true }], unique: false },
              ],
            },
          };
          const store = await openTracked(v2);
          const change = await store.planMigration();
          assertWellFormed(change);
          assert.deepEqual(
            change.map((s) => [s.kind, s.description, s.destructive]).sort(),
            [
              [
                'add-index',
                `create index ${c}__isbn-title__unique_index (declared: unique isbn, title)`,
                false,
              ],
              [
                'drop-index',
                `drop index ${c}__genre-year-desc__index (no longer wanted; no data is lost)`,
                false,
              ],
              [
                'drop-index',
                `drop index ${c}__isbn__unique_index (no longer wanted; no data is lost)`,
                false,
              ],
            ].sort(),
          );
          await store.migrate(change);
          assert.deepEqual(await store.planMigration(), []);
          assert.deepEqual(ids((await store.list(c, query())).items), ['a', 'b'], 'no record was lost');
          await store.transaction((tx) => tx.insert(c, rec('d', { title: 'D', isbn: '1' }, 3)));
          await assert.rejects(
            store.transaction((tx) => tx.insert(c, rec('e', { title: 'A', isbn: '1' }, 4))),
            (err: unknown) => err instanceof UniqueViolation && err.field === 'isbn',
            'a unique index on two fields: the first stands for both',
          );
        },
        NEEDS_PERSISTENCE,
      );

      it(
        'declared indexes: a column they hold can still be retyped',
        async () => {
          const c = unique('books');
          const withYear = (type: 'integer' | 'text') => ({
            [c]: {
              ...collection(c, { year: { type } }),
              indexes: [{ fields: [{ field: 'year', desc: true }], unique: false }],
            },
          });
          const store = await ready(withYear('integer'));
          await store.close();
          const retyped = await openTracked(withYear('text'));
          const plan = await retyped.planMigration();
          assert.deepEqual(
            plan.map((s) => s.kind),
            ['retype-column'],
          );
          await retyped.migrate(plan);
          assert.deepEqual(await retyped.planMigration(), [], 'the index is back');
          await retyped.transaction((tx) => tx.insert(c, rec('a', { year: 'MCMLXV' })));
          assert.equal((await retyped.get(c, 'a'))?.year, 'MCMLXV');
        },
        NEEDS_PERSISTENCE,
      );

      it(
        'unique on, then off: an index step each way, never destructive',
        async () => {
          const c = unique('books');
          const plain = { [c]: collection(c, { code: { type: 'text' } }) };
          const first = await ready(plain);
          await first.transaction((tx) => tx.insert(c, rec('a', { code: 'x' })));
          await first.close();

          const withUnique = await openTracked({
            [c]: collection(c, { code: { type: 'text', unique: true } }),
          });
          const up = await withUnique.planMigration();
          assert.deepEqual(
            up.map((s) => [s.kind, s.destructive]),
            [['add-index', false]],
          );
          await withUnique.migrate(up);
          await assert.rejects(
            withUnique.transaction((tx) => tx.insert(c, rec('b', { code: 'x' }))),
            UniqueViolation,
          );
          await withUnique.close();

          const without = await openTracked(plain);
          const down = await without.planMigration();
          assert.deepEqual(
            down.map((s) => [s.kind, s.destructive]),
            [['drop-index', false]],
          );
          await without.migrate(down);
          await without.transaction((tx) => tx.insert(c, rec('b', { code: 'x' })));
          assert.equal((await without.list(c, query({ filter: where('code = "x"') }))).total, 2);
        },
        NEEDS_PERSISTENCE,
      );

      it('list counts stay right across a migration', async () => {
        const { store, c } = await books();
        assert.equal((await store.list(c, query())).total, 0);
        await store.transaction((tx) => tx.insert(c, book('b1', { title: 'One' })));
        await store.migrate([]);
        const idx = `${c}__manual__idx`;
        await store.migrate([
          {
            kind: 'add-index',
            table: c,
            description: `create index ${idx}`,
            destructive: false,
            sql: [`CREATE INDEX "${idx}" ON "${c}" ("title")`],
          },
        ]);
        const result = await store.list(c, query());
        assert.deepEqual(ids(result.items), ['b1']);
        assert.equal(result.total, 1);
      });
    });

    describe('maintenance', () => {
      it('purgeExpired deletes old idempotency entries, expired sessions and old hits, and nothing live', async () => {
        const { store } = await books();
        const scope = unique('scope');
        const user = unique('user');
        const expired = { tokenHash: unique('hash'), userId: user, created: at(0), expires: at(50) };
        const live = { tokenHash: unique('hash'), userId: user, created: at(0), expires: at(500) };
        await store.transaction(async (tx) => {
          await tx.putIdempotency(idem(scope, 'old', at(10)), at(0));
          await tx.putIdempotency(idem(scope, 'new', at(200)), at(0));
          await tx.putSession(expired);
          await tx.putSession(live);
        });
        const [oldHits, newHits] = [unique('bucket'), unique('bucket')];
        await store.transaction(async (tx) => {
          await tx.hit(oldHits, at(10), at(0));
          await tx.hit(newHits, at(10), at(0));
          await tx.hit(newHits, at(100), at(0));
        });
        await store.purgeExpired(at(100), at(100), at(50));
        await store.transaction(async (tx) => {
          // Hits before `hitsBefore` are gone from every bucket, even counted from the start of time.
          assert.deepEqual(await tx.hits(oldHits, at(0)), NO_HITS);
          assert.deepEqual(await tx.hits(newHits, at(0)), { count: 1, oldest: at(100), newest: at(100) });
          // notBefore in the past: only purging can make the old entry disappear.
          assert.equal(await tx.getIdempotency(scope, 'old', at(0)), undefined);
          assert.equal((await tx.getIdempotency(scope, 'new', at(0)))?.key, 'new');
          assert.equal(await tx.getSession(expired.tokenHash, at(0)), undefined);
          assert.deepEqual(await tx.getSession(live.tokenHash, at(0)), live);
        });
      });

      it('health answers while open and says the database can write', async () => {
        const { store } = await books();
        assert.deepEqual(await store.health(), { writable: true });
      });

      it('close lets a running transaction commit, may be called twice, and health fails afterwards', async () => {
        const c = unique('books');
        const schema = { [c]: collection(c, BOOK_FIELDS) };
        const store = await open(schema);
        await store.migrate(await store.planMigration());
        const inside = deferred();
        const release = deferred();
        const running = store.transaction(async (tx) => {
          inside.resolve();
          await release.promise;
          await tx.insert(c, book('last', { title: 'Last words' }));
        });
        await inside.promise;
        const closing = store.close();
        release.resolve();
        await running;
        await closing;
        await store.close();
        await assert.rejects(store.health());
        if (persistent) {
          const reopened = await openTracked(schema);
          assert.deepEqual(await reopened.planMigration(), []);
          assert.equal((await reopened.get(c, 'last'))?.title, 'Last words');
        }
      });
    });
  });
}
