/**
 * The store contract for list totals kept across commits: whatever a store
 * keeps, a total outside a transaction is exactly the COUNT(*) of the
 * committed rows — after inserts, updates that move a record into or out of
 * a filter, deletes, rolled-back transactions and failed writes. The
 * reference is a count inside a transaction, which no store keeps.
 * Called from storeContract, with its helpers, so every adapter runs it.
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { Expr } from '../../src/query/ast.js';
import type { AuthValues } from '../../src/query/bind-auth.js';
import type { FieldDef } from '../../src/schema/types.js';
import type { ListQuery, Store } from '../../src/store/store.js';
import type { ContractKit } from './store-contract-aggregate.js';

const FIELDS: Record<string, FieldDef> = {
  title: { type: 'text' },
  pages: { type: 'integer' },
  price: { type: 'number' },
  inPrint: { type: 'boolean' },
  published: { type: 'date' },
  genre: { type: 'select', values: ['sf', 'crime', 'poetry'] },
  moods: { type: 'select', values: ['dark', 'funny', 'warm'], multiple: true },
  owner: { type: 'relation', collection: 'users' },
  editors: { type: 'relation', collection: 'users', multiple: true },
  meta: { type: 'json' },
};

/** Values that test the edges: nulls, case, non-ASCII letters, empty lists, equal dates. */
const VALUES: Record<string, unknown>[] = [
  {
    title: 'Dune',
    pages: 412,
    price: 9.5,
    inPrint: true,
    published: '1965-08-01',
    genre: 'sf',
    moods: ['dark'],
    owner: 'u1',
    editors: ['u1', 'u2'],
    meta: { a: 1 },
  },
  {
    title: 'DUNE MESSIAH',
    pages: 256,
    price: null,
    inPrint: false,
    published: '1969-10-15',
    genre: 'sf',
    moods: [],
    owner: 'u2',
    editors: [],
    meta: null,
  },
  {
    title: 'Ärger im Öl',
    pages: null,
    price: 0,
    inPrint: null,
    published: null,
    genre: 'crime',
    moods: ['funny', 'warm'],
    owner: null,
    editors: ['u2'],
    meta: ['dune'],
  },
  {
    title: null,
    pages: 0,
    price: -1.25,
    inPrint: true,
    published: '1965-08-01',
    genre: null,
    moods: null,
    owner: 'u1',
    editors: null,
    meta: 'x',
  },
  {
    title: 'ärger',
    pages: 412,
    price: 9.5,
    inPrint: false,
    published: '2024-02-29',
    genre: 'poetry',
    moods: ['warm'],
    owner: 'u3',
    editors: ['u3'],
    meta: { dune: true },
  },
  {
    title: '100% _pure_',
    pages: 1,
    price: 100,
    inPrint: true,
    published: '1999-12-31',
    genre: 'crime',
    moods: ['dark', 'funny'],
    owner: 'u2',
    editors: ['u1'],
    meta: null,
  },
];

const U1: AuthValues = { id: 'u1', email: 'u1@example.com', admin: false };

/** Filters over every kind of field, and the rule-shaped ones (`@auth`). */
const FILTERS: [string, AuthValues | null][] = [
  ['title ~ "dune"', null],
  ['title !~ "DUNE"', null],
  ['title ~ "ÄRGER"', null],
  ['title ~ "%"', null],
  ['title ~ "_"', null],
  ['title = null', null],
  ['title != "Dune"', null],
  ['title > "D"', null],
  ['pages >= 256 && pages < 412', null],
  ['pages = 412 || price = 0', null],
  ['pages != 0', null],
  ['price < 1', null],
  ['price = null', null],
  ['inPrint = true', null],
  ['inPrint != true', null],
  ['inPrint = null', null],
  ['published = "1965-08-01"', null],
  ['published > "1965-08-01" && published <= "2024-02-29"', null],
  ['published != null', null],
  ['genre = "sf"', null],
  ['genre != "sf"', null],
  ['moods ~ "warm"', null],
  ['moods !~ "dark"', null],
  ['moods = null', null],
  ['owner = @auth.id', U1],
  ['owner != @auth.id', U1],
  ['editors ~ @auth.id', U1],
  ['editors = null || owner = null', null],
  ['meta ~ "dune"', null],
  ['meta != null', null],
];

function all(fields: Record<string, unknown>): Record<string, unknown> {
  const full: Record<string, unknown> = {};
  for (const name of Object.keys(FIELDS)) full[name] = fields[name] ?? null;
  return full;
}

export function countsContract(kit: ContractKit): void {
  const { it } = kit;
  const query = (filter: Expr | null): ListQuery => ({ filter, sort: [], limit: 1, offset: 0, count: true });

  async function shelf(): Promise<{ store: Store; c: string; queries: ListQuery[] }> {
    const c = kit.unique('counted');
    const store = await kit.ready({ [c]: kit.collection(c, FIELDS) });
    await store.transaction(async (tx) => {
      for (const [i, v] of VALUES.entries()) await tx.insert(c, kit.rec(`r${i}`, all(v), i));
    });
    const queries = [query(null), ...FILTERS.map(([src, auth]) => query(kit.where(src, auth)))];
    return { store, c, queries };
  }

  /** The totals outside a transaction, one list after another (a pool need not open a connection each). */
  async function totals(store: Store, c: string, queries: ListQuery[]): Promise<(number | null)[]> {
    const out: (number | null)[] = [];
    for (const q of queries) out.push((await store.list(c, q)).total);
    return out;
  }

  /** Every total, as kept outside a transaction and as counted inside one, must agree. */
  async function agree(store: Store, c: string, queries: ListQuery[], step: string): Promise<void> {
    const fresh = await store.transaction(async (tx) =>
      Promise.all(queries.map(async (q) => (await tx.list(c, q)).total)),
    );
    for (const [i, q] of queries.entries()) {
      const total = (await store.list(c, q)).total;
      const name = i === 0 ? 'no filter' : FILTERS[i - 1]![0];
      assert.equal(total, fresh[i], `${step}: ${name}`);
    }
  }

  describe('list totals across writes', () => {
    it('every filter × every record moved into and out of it: kept totals equal a fresh count', async () => {
      const { store, c, queries } = await shelf();
      await agree(store, c, queries, 'after the first inserts');
      // Each record takes each other record's values in turn: it enters and leaves every filter.
      for (const [i] of VALUES.entries()) {
        for (const [j, v] of VALUES.entries()) {
          if (i === j) continue;
          await store.transaction((tx) => tx.update(c, kit.rec(`r${i}`, all(v), 10 + j)));
          await agree(store, c, queries, `r${i} given the values of r${j}`);
        }
        await store.transaction((tx) => tx.update(c, kit.rec(`r${i}`, all(VALUES[i]!), i)));
      }
      await agree(store, c, queries, 'after restoring');
      await store.close();
    });

    it('insert, update and delete in one transaction, and several transactions at once', async () => {
      const { store, c, queries } = await shelf();
      await agree(store, c, queries, 'start');
      await store.transaction(async (tx) => {
        await tx.insert(c, kit.rec('n1', all(VALUES[0]!), 20));
        await tx.update(c, kit.rec('n1', all(VALUES[2]!), 21));
        await tx.delete(c, 'r0');
        await tx.update(c, kit.rec('r1', all(VALUES[4]!), 22));
        assert.equal(await tx.delete(c, 'missing'), false);
      });
      await agree(store, c, queries, 'after a mixed transaction');
      await Promise.all(
        VALUES.map((v, i) =>
          store.transaction(async (tx) => {
            await tx.insert(c, kit.rec(`p${i}`, all(v), 30 + i));
            if (i % 2 === 0) await tx.delete(c, `r${i}`);
          }),
        ),
      );
      await agree(store, c, queries, 'after concurrent transactions');
      await store.close();
    });

    it('a rolled-back transaction and a failed insert leave every total as it was', async () => {
      const { store, c, queries } = await shelf();
      const before = await totals(store, c, queries);
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.insert(c, kit.rec('gone', all(VALUES[0]!), 40));
          await tx.update(c, kit.rec('r1', all(VALUES[0]!), 41));
          await tx.delete(c, 'r2');
          throw new Error('undo');
        }),
        /undo/,
      );
      // A duplicate id fails; the transaction goes on and commits its other write.
      await store.transaction(async (tx) => {
        await assert.rejects(tx.insert(c, kit.rec('r0', all(VALUES[1]!), 42)));
        await tx.update(c, kit.rec('r3', all(VALUES[3]!), 43));
      });
      const after = await totals(store, c, queries);
      assert.deepEqual(after, before);
      await agree(store, c, queries, 'after the rollback');
      await store.close();
    });

    it('two transactions changing the same record at once: each change counted once', async () => {
      const { store, c, queries } = await shelf();
      await agree(store, c, queries, 'start');
      let release!: () => void;
      const held = new Promise<void>((r) => {
        release = r;
      });
      let updated!: () => void;
      const isUpdated = new Promise<void>((r) => {
        updated = r;
      });
      // The first changes r0 and stays open; the second deletes r0 meanwhile (without reading it first).
      const first = store.transaction(async (tx) => {
        await tx.update(c, kit.rec('r0', all(VALUES[1]!), 60));
        updated();
        await held;
      });
      await isUpdated;
      const second = store.transaction(async (tx) => {
        await tx.delete(c, 'r0');
        await tx.update(c, kit.rec('r2', all(VALUES[3]!), 61));
      });
      await new Promise((r) => setTimeout(r, 50));
      release();
      await Promise.all([first, second]);
      await agree(store, c, queries, 'after both committed');
      await store.close();
    });

    it('a total counted while another transaction is open still counts its writes once committed', async () => {
      const { store, c, queries } = await shelf();
      let release!: () => void;
      const held = new Promise<void>((r) => {
        release = r;
      });
      let wrote!: () => void;
      const written = new Promise<void>((r) => {
        wrote = r;
      });
      const open = store.transaction(async (tx) => {
        await tx.insert(c, kit.rec('mid', all(VALUES[0]!), 50));
        await tx.delete(c, 'r1');
        wrote();
        await held;
      });
      await written;
      // Counted now: without the open transaction's writes; kept, they must not stay so.
      const during = await totals(store, c, queries);
      assert.equal(during[0], VALUES.length);
      release();
      await open;
      await agree(store, c, queries, 'after the open transaction committed');
      // Closed here, not only at the end of the suite: a pool's idle connections count against the server's limit.
      await store.close();
    });
  });
}
