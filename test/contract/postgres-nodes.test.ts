/**
 * What only a shared database can get wrong, with two PostgresStore
 * instances standing in for two nodes (two pools, so two connections racing),
 * and the same data answered byte for byte as SQLite answers it.
 * Runs when TEST_DATABASE_URL is set; each run in a schema of its own.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect, createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { type AuthValues, bindAuth } from '../../src/query/bind-auth.js';
import { parseFilter } from '../../src/query/parser.js';
import type { CollectionDef, FieldDef, RecordData } from '../../src/schema/types.js';
import { LockBusy, SingleViolation } from '../../src/store/errors.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { ListQuery, SortKey, Store } from '../../src/store/store.js';
import { DatabaseUnavailable } from '../../src/util/database-unavailable.js';
import { holdPort } from '../cli/helpers.js';

const url = process.env.TEST_DATABASE_URL;

const FIELDS: Record<string, FieldDef> = {
  name: { type: 'text' },
  stock: { type: 'integer' },
  price: { type: 'number' },
  active: { type: 'boolean' },
  meta: { type: 'json' },
};

function collection(name: string): CollectionDef {
  return {
    name,
    fields: FIELDS,
    rules: { list: 'public', view: 'public', create: 'public', update: 'public', delete: 'public' },
    requireIfMatch: false,
    requireIdempotencyKey: false,
    auth: false,
  };
}

/** Racing writes go to one table, the side-by-side answers read another. */
const C = 'products';
const P = 'items';
/** Numbered by a counter both nodes bump, and a collection holding one record at most. */
const N = 'numbered';
const S = 'settings';
const COLLECTIONS = {
  [C]: collection(C),
  [P]: collection(P),
  [N]: { ...collection(N), ids: 'increment' as const },
  [S]: { ...collection(S), single: true },
};

function product(id: string, fields: Record<string, unknown>, n = 0): RecordData {
  const at = new Date(Date.UTC(2024, 0, 1) + n * 1000).toISOString();
  const full: Record<string, unknown> = { id };
  for (const name of Object.keys(FIELDS)) full[name] = fields[name] ?? null;
  return { ...full, created: at, updated: at } as RecordData;
}

function where(src: string, auth: AuthValues | null = null) {
  return bindAuth(parseFilter(src), auth);
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

if (!url) {
  test('postgres: two nodes, and the same answers as SQLite', {
    skip: 'set TEST_DATABASE_URL=postgres://… to run it',
  }, () => {});
} else {
  const schema = `methodical_test_${randomBytes(6).toString('hex')}`;
  let a: PostgresStore;
  let b: PostgresStore;
  let lite: SqliteStore;

  before(async () => {
    a = new PostgresStore({ url, collections: COLLECTIONS, schema, poolSize: 4 });
    b = new PostgresStore({ url, collections: COLLECTIONS, schema, poolSize: 4 });
    await a.migrate(await a.planMigration());
    lite = new SqliteStore({ path: ':memory:', collections: COLLECTIONS });
    await lite.migrate(await lite.planMigration());
  });

  after(async () => {
    await a?.close();
    await b?.close();
    await lite?.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.query(`DROP SCHEMA IF EXISTS "${schema}_b" CASCADE`);
    await client.query(`DROP SCHEMA IF EXISTS "${schema}_m" CASCADE`);
    await client.end();
  });

  describe('postgres: two nodes on one database', () => {
    test('a total one node keeps follows the other node’s commits, across a fold of the change counters', async () => {
      const kept: ListQuery = { filter: where('name ~ "kept-"'), sort: [], limit: 1, offset: 0, count: true };
      const every: ListQuery = { ...kept, filter: null };
      const fresh = (q: ListQuery) => a.transaction(async (tx) => (await tx.list(C, q)).total);
      const agree = async (step: string) => {
        for (const q of [kept, every]) {
          const expected = await fresh(q);
          assert.equal((await a.list(C, q)).total, expected, `${step}, node a`);
          assert.equal((await b.list(C, q)).total, expected, `${step}, node b`);
        }
      };
      await agree('before');
      const start = (await a.list(C, kept)).total ?? 0;
      await b.transaction(async (tx) => {
        await tx.insert(C, product('kept-1', { name: 'kept-1' }));
        await tx.insert(C, product('kept-2', { name: 'kept-2' }));
      });
      assert.equal((await a.list(C, kept)).total, start + 2, 'node a sees node b’s inserts');
      await agree('after node b inserted');
      await a.transaction((tx) => tx.insert(C, product('kept-3', { name: 'kept-3' })));
      assert.equal((await b.list(C, kept)).total, start + 3, 'node b sees node a’s insert');
      await b.transaction((tx) => tx.update(C, product('kept-1', { name: 'moved' })));
      assert.equal((await a.list(C, kept)).total, start + 2, 'node a sees node b’s update move a record out');
      await assert.rejects(
        b.transaction(async (tx) => {
          await tx.delete(C, 'kept-2');
          throw new Error('undo');
        }),
        /undo/,
      );
      await agree('after a rolled-back delete on node b');
      const now = new Date().toISOString();
      await a.purgeExpired(now, now, now);
      await agree('after the change counters were folded');
      await a.transaction((tx) => tx.delete(C, 'kept-3'));
      await agree('after node a deleted');
      assert.equal((await b.list(C, kept)).total, start + 1);
    });

    test('creates racing on two nodes get different numbers, from the first one on (no counter row yet)', async () => {
      const create = (store: Store, i: number) =>
        store.transaction(async (tx) => {
          const id = await tx.nextId(N);
          await tx.insert(N, product(id, { name: `n${i}` }));
          return id;
        });
      const ids = await Promise.all(Array.from({ length: 40 }, (_, i) => create(i % 2 ? a : b, i)));
      const expected = Array.from({ length: 40 }, (_, i) => String(i + 1));
      assert.deepEqual(
        [...ids].sort((x, y) => Number(x) - Number(y)),
        expected,
      );
      const stored = await a.list(N, { filter: null, sort: [], limit: 100, offset: 0, count: true });
      assert.equal(stored.total, 40);
    });

    test('a single collection written on two nodes at once keeps one record', async () => {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) =>
          (i % 2 ? a : b).transaction((tx) => tx.insert(S, product(`s${i}`, { name: `s${i}` }))),
        ),
      );
      assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
      for (const o of outcomes)
        if (o.status === 'rejected') assert.ok(o.reason instanceof SingleViolation, String(o.reason));
      const held = await b.list(S, { filter: null, sort: [], limit: 10, offset: 0, count: true });
      assert.equal(held.total, 1);
    });

    test('concurrent buyers of the last item on two nodes: it is sold once', async () => {
      await a.transaction((tx) => tx.insert(C, product('last', { name: 'Lamp', stock: 1 })));
      const buy = (store: Store) =>
        store.transaction(async (tx) => {
          const p = await tx.get(C, 'last');
          const stock = (p?.stock as number) ?? 0;
          if (stock < 1) return false;
          // Give the other buyer every chance to read the same stock.
          await new Promise((r) => setTimeout(r, 20));
          await tx.update(C, { ...p!, stock: stock - 1 });
          return true;
        });
      const sold = await Promise.all([buy(a), buy(b), buy(a), buy(b), buy(a), buy(b)]);
      assert.equal(sold.filter(Boolean).length, 1);
      assert.equal((await b.get(C, 'last'))?.stock, 0);
    });

    test('read-then-write increments on two nodes lose no update', async () => {
      await a.transaction((tx) => tx.insert(C, product('counter', { name: 'c', stock: 0 })));
      const bump = (store: Store) =>
        store.transaction(async (tx) => {
          const p = await tx.get(C, 'counter');
          await new Promise((r) => setImmediate(r));
          await tx.update(C, { ...p!, stock: (p!.stock as number) + 1 });
        });
      await Promise.all(Array.from({ length: 20 }, (_, i) => bump(i % 2 ? a : b)));
      assert.equal((await a.get(C, 'counter'))?.stock, 20);
    });

    test('records a transaction read with getMany cannot be deleted on another node until it commits', async () => {
      await a.transaction((tx) => tx.insert(C, product('parent', { name: 'p' })));
      const read = deferred();
      const release = deferred();
      const events: string[] = [];
      const referrer = a.transaction(async (tx) => {
        assert.deepEqual(
          (await tx.getMany(C, ['parent'])).map((r) => r.id),
          ['parent'],
        );
        read.resolve();
        await release.promise;
        events.push('referrer commits');
      });
      await read.promise;
      const deleter = b.transaction(async (tx) => {
        const deleted = await tx.delete(C, 'parent');
        events.push('deleter deleted');
        return deleted;
      });
      await new Promise((r) => setTimeout(r, 100));
      events.push('released');
      release.resolve();
      await referrer;
      assert.equal(await deleter, true);
      assert.deepEqual(events, ['released', 'referrer commits', 'deleter deleted']);
    });

    test('a named lock held on one node is refused at once on the other, then free again', async () => {
      const lockName = `key-${randomBytes(4).toString('hex')}`;
      const held = deferred();
      const release = deferred();
      const first = a.transaction(
        async () => {
          held.resolve();
          await release.promise;
          return 'first';
        },
        { lock: lockName },
      );
      await held.promise;
      const started = Date.now();
      await assert.rejects(
        b.transaction(async () => 'second', { lock: lockName }),
        (e: unknown) => e instanceof LockBusy,
      );
      assert.ok(Date.now() - started < 2000, 'refused without waiting');
      // Another name is not held.
      assert.equal(await b.transaction(async () => 'other', { lock: `${lockName}-2` }), 'other');
      // An app in another schema of the same database has locks of its own.
      const elsewhere = new PostgresStore({
        url,
        collections: COLLECTIONS,
        schema: `${schema}_b`,
        poolSize: 1,
      });
      try {
        assert.equal(await elsewhere.transaction(async () => 'own', { lock: lockName }), 'own');
      } finally {
        await elsewhere.close();
      }
      release.resolve();
      assert.equal(await first, 'first');
      assert.equal(await b.transaction(async () => 'after', { lock: lockName }), 'after');
    });

    test('two nodes locking two records in opposite orders: one is undone as a conflict, the other commits', async () => {
      await a.transaction(async (tx) => {
        await tx.insert(C, product('left', { name: 'l', stock: 0 }));
        await tx.insert(C, product('right', { name: 'r', stock: 0 }));
      });
      const bothHoldOne = { a: deferred(), b: deferred() };
      const take = (
        store: Store,
        first: string,
        second: string,
        mine: { resolve: () => void },
        theirs: Promise<void>,
      ) =>
        store.transaction(async (tx) => {
          const one = await tx.get(C, first);
          await tx.update(C, { ...one!, stock: 1 });
          mine.resolve();
          await theirs;
          const two = await tx.get(C, second);
          await tx.update(C, { ...two!, stock: 1 });
          return 'committed';
        });
      const outcomes = await Promise.allSettled([
        take(a, 'left', 'right', bothHoldOne.a, bothHoldOne.b.promise),
        take(b, 'right', 'left', bothHoldOne.b, bothHoldOne.a.promise),
      ]);
      const failed = outcomes.filter((o) => o.status === 'rejected');
      assert.equal(failed.length, 1, JSON.stringify(outcomes));
      const reason = (failed[0] as PromiseRejectedResult).reason;
      assert.ok(reason instanceof DatabaseUnavailable && reason.reason === 'conflict', String(reason));
      assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
    });

    test('no free connection within the wait: DatabaseUnavailable busy, and the pool works again after', async () => {
      const small = new PostgresStore({
        url,
        collections: COLLECTIONS,
        schema,
        poolSize: 1,
        connectTimeoutMs: 200,
      });
      try {
        const release = deferred();
        const held = deferred();
        const holder = small.transaction(async () => {
          held.resolve();
          await release.promise;
        });
        await held.promise;
        await assert.rejects(
          small.transaction(async () => 'never'),
          (e: unknown) => e instanceof DatabaseUnavailable && e.reason === 'busy',
        );
        await assert.rejects(
          small.get(C, 'last'),
          (e: unknown) => e instanceof DatabaseUnavailable && e.reason === 'busy',
        );
        release.resolve();
        await holder;
        assert.equal((await small.get(C, 'last'))?.id, 'last');
      } finally {
        await small.close();
      }
    });

    test('hits on one bucket from two nodes at once: the second waits for the first and counts it', async () => {
      const bucket = `login:${randomBytes(4).toString('hex')}`;
      const now = new Date().toISOString();
      const start = new Date(Date.now() - 60_000).toISOString();
      const counted = deferred();
      const release = deferred();
      const first = a.transaction(async (tx) => {
        const n = await tx.hit(bucket, now, start);
        counted.resolve();
        await release.promise;
        return n;
      });
      await counted.promise;
      const second = b.transaction((tx) => tx.hit(bucket, now, start));
      await new Promise((r) => setTimeout(r, 50));
      release.resolve();
      assert.deepEqual(await Promise.all([first, second]), [1, 2]);
    });

    test('a session and a counter written on one node are seen on the other', async () => {
      const now = new Date().toISOString();
      const later = new Date(Date.now() + 60_000).toISOString();
      await a.transaction((tx) =>
        tx.putSession({ tokenHash: 'h1', userId: 'u1', created: now, expires: later }),
      );
      assert.equal((await b.getSession('h1', now))?.userId, 'u1');
      await b.transaction((tx) => tx.deleteSessionsOf('u1'));
      assert.equal(await a.getSession('h1', now), undefined);
      const start = new Date(Date.now() - 60_000).toISOString();
      await a.transaction((tx) => tx.hit('login:x', now, start));
      assert.equal(await b.transaction((tx) => tx.hit('login:x', now, start)), 2);
      assert.deepEqual(await a.transaction((tx) => tx.hits('login:x', start)), {
        count: 2,
        oldest: now,
        newest: now,
      });
    });
  });

  describe('postgres: nodes migrating at once', () => {
    test('two nodes that planned the same fresh tables both migrate, and the tables are made once', async () => {
      const other = `${schema}_m`;
      const name = `fresh_${randomBytes(3).toString('hex')}`;
      const collections = { [name]: collection(name) };
      const one = new PostgresStore({ url, collections, schema: other, poolSize: 2 });
      const two = new PostgresStore({ url, collections, schema: other, poolSize: 2 });
      try {
        const [p1, p2] = await Promise.all([one.planMigration(), two.planMigration()]);
        assert.ok(p1.length > 0);
        assert.deepEqual(p1, p2);
        await Promise.all([one.migrate(p1), two.migrate(p2)]);
        assert.deepEqual(await one.planMigration(), []);
        await two.transaction((tx) => tx.insert(name, product('x', { name: 'x' })));
        assert.equal((await one.get(name, 'x'))?.name, 'x');
      } finally {
        await one.close();
        await two.close();
      }
    });
  });

  describe('postgres: failures inside a transaction', () => {
    test('a failed statement the caller caught still fails the transaction: nothing is committed', async () => {
      const ghostly = new PostgresStore({
        url,
        collections: { ...COLLECTIONS, ghost: collection('ghost') },
        schema,
        poolSize: 1,
      });
      try {
        await assert.rejects(
          ghostly.transaction(async (tx) => {
            await tx.insert(C, product('doomed', { name: 'd' }));
            // The table was never made: the statement fails, and the caller carries on.
            await tx.get('ghost', 'x').catch(() => undefined);
            return 'looks fine';
          }),
          /rolled back/,
        );
        assert.equal(await a.get(C, 'doomed'), undefined);
        // The connection is clean for the next transaction.
        await ghostly.transaction((tx) => tx.insert(C, product('after-ghost', { name: 'ok' })));
        assert.equal((await a.get(C, 'after-ghost'))?.name, 'ok');
      } finally {
        await ghostly.close();
      }
    });

    test('a write marked last carries the COMMIT: a statement after it fails and runs nowhere', async () => {
      // A store of its own: no kept filtered totals, whose probes would follow the write.
      const own = new PostgresStore({ url, collections: COLLECTIONS, schema, poolSize: 1 });
      try {
        await assert.rejects(
          own.transaction(async (tx) => {
            await tx.insert(C, product('last-one', { name: 'l' }), { last: true });
            await tx.insert(C, product('after-last', { name: 'x' }));
          }),
          /already committed/,
        );
        assert.equal((await a.get(C, 'last-one'))?.name, 'l');
        assert.equal(await a.get(C, 'after-last'), undefined);
        // Its one connection is clean for the next transactions.
        for (let i = 0; i < 3; i++) {
          await own.transaction((tx) => tx.insert(C, product(`after-last-${i}`, { name: 'ok' })));
        }
        assert.equal((await a.get(C, 'after-last-2'))?.name, 'ok');
      } finally {
        await own.close();
      }
    });

    test('the server ending a connection mid-transaction fails that transaction, not the process', async () => {
      const name = `cut_${randomBytes(3).toString('hex')}`;
      const store = new PostgresStore({
        url,
        collections: { [name]: collection(name) },
        schema,
        poolSize: 1,
      });
      try {
        await store.migrate(await store.planMigration());
        const inserted = deferred();
        const release = deferred();
        const cut = store.transaction(async (tx) => {
          await tx.insert(name, product('x', { name: 'x' }));
          inserted.resolve();
          await release.promise;
          await tx.insert(name, product('y', { name: 'y' }));
        });
        await inserted.promise;
        const admin = new pg.Client({ connectionString: url });
        await admin.connect();
        try {
          // The one backend holding a lock on this run's table is the transaction's.
          const killed = await admin.query(
            `SELECT DISTINCT pg_terminate_backend(l.pid) AS ok FROM pg_locks l
             JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relname = $1 AND n.nspname = $2 AND l.pid <> pg_backend_pid()`,
            [name, schema],
          );
          assert.equal(killed.rowCount, 1);
        } finally {
          await admin.end();
          await new Promise((r) => setTimeout(r, 50));
          release.resolve();
        }
        await assert.rejects(cut, (e: unknown) => e instanceof DatabaseUnavailable || e instanceof Error);
        assert.equal(await store.get(name, 'x'), undefined, 'nothing of it committed');
        await store.transaction((tx) => tx.insert(name, product('z', { name: 'z' })));
        assert.equal((await store.get(name, 'z'))?.name, 'z');
      } finally {
        await store.close();
      }
    });
  });

  describe('postgres: a server that is down at start', () => {
    test('the first calls fail, and once it answers the same store works without a restart', async () => {
      const target = new URL(url);
      const held = await holdPort();
      await held.release();
      const port = held.port;
      const proxied = new URL(url);
      proxied.hostname = '127.0.0.1';
      proxied.port = String(port);
      const store = new PostgresStore({
        url: proxied.toString(),
        collections: COLLECTIONS,
        schema,
        poolSize: 2,
      });
      try {
        const unreachable = (e: unknown) => e instanceof DatabaseUnavailable && e.reason === 'unreachable';
        await assert.rejects(store.health(), unreachable);
        await assert.rejects(store.get(C, 'x'), unreachable);
        // The server comes up: a plain TCP relay to the real one, on the port the store was given.
        const relay = createServer((socket) => {
          const upstream = connect(Number(target.port || 5432), target.hostname);
          socket.pipe(upstream).pipe(socket);
          const end = () => {
            socket.destroy();
            upstream.destroy();
          };
          socket.on('error', end);
          upstream.on('error', end);
        });
        await new Promise<void>((resolve) => relay.listen(port, '127.0.0.1', resolve));
        try {
          assert.deepEqual(await store.health(), { writable: true });
          await store.transaction((tx) => tx.insert(C, product('late', { name: 'late' })));
          assert.equal((await a.get(C, 'late'))?.name, 'late');
        } finally {
          await store.close();
          await new Promise<void>((resolve) => relay.close(() => resolve()));
        }
      } finally {
        await store.close();
      }
    });
  });

  describe('postgres answers as SQLite does', () => {
    const rows = [
      product('p01', { name: 'apple', stock: 3, price: 1.5, active: true, meta: { b: 1, a: [1, 'x'] } }, 1),
      product('p02', { name: 'Apple', stock: null, price: 2, active: false, meta: null }, 2),
      product(
        'p03',
        { name: 'ÄRGER im Büro', stock: 10, price: null, active: null, meta: { z: 'Straße' } },
        3,
      ),
      product('p04', { name: null, stock: -2, price: 0.1, active: true, meta: [] }, 4),
      product('p05', { name: 'banana', stock: 9007199254740991, price: 1e21, active: false }, 5),
      product('p06', { name: 'Zebra 100% _x_', stock: 3, price: 1.5, active: true }, 5),
      product('p07', { name: 'İstanbul ΣΊΣΥΦΟΣ', stock: 0, price: -0.5, active: null }, 6),
      product('p08', { name: 'émile', stock: 7, price: 3, active: true }, 6),
      product('p09', { name: '', stock: 3, price: 1.5, active: false }, 0),
    ];

    before(async () => {
      for (const store of [a, lite] as Store[]) {
        await store.transaction(async (tx) => {
          for (const r of rows) await tx.insert(P, r);
        });
      }
    });

    const filters = [
      'name ~ "apple"',
      'name ~ "äRGER"',
      'name ~ "büro"',
      'name ~ "straße"',
      'meta ~ "straße"',
      'meta ~ "\\"b\\":1"',
      'name ~ "σίσυφος"',
      'name ~ "i̇stanbul"',
      'name ~ "%"',
      'name ~ "_x_"',
      'name ~ ""',
      'name !~ "a"',
      'meta !~ "a"',
      'name = null',
      'name != null',
      'name != "apple"',
      'stock != 3',
      'stock > 2',
      'stock >= 9007199254740991',
      'price > 1.4 && price < 1.6',
      'stock > 1.5',
      'active = true',
      'active != true',
      'active = null',
      'name > "Z"',
      'name < "a"',
      'name >= ""',
      'id != "p01" || name ~ "É"',
      '1 < 2',
      '"b" ~ "B"',
    ];
    const sorts: SortKey[][] = [
      [],
      [{ field: 'name', desc: false }],
      [{ field: 'name', desc: true }],
      [{ field: 'stock', desc: false }],
      [{ field: 'stock', desc: true }],
      [
        { field: 'price', desc: false },
        { field: 'created', desc: true },
      ],
      [{ field: 'active', desc: false }],
      [{ field: 'active', desc: true }],
      [{ field: 'created', desc: false }],
      [{ field: 'id', desc: true }],
    ];

    for (const filter of filters) {
      test(`filter ${filter}`, async () => {
        const q: ListQuery = { filter: where(filter), sort: [], limit: 100, offset: 0, count: true };
        const mine = JSON.stringify(await a.list(P, q));
        assert.equal(mine, JSON.stringify(await lite.list(P, q)));
      });
    }
    for (const sort of sorts) {
      test(`sort ${JSON.stringify(sort)} (and a page of it)`, async () => {
        for (const [limit, offset] of [
          [100, 0],
          [3, 2],
        ]) {
          const q: ListQuery = { filter: null, sort, limit, offset, count: true };
          assert.equal(JSON.stringify(await a.list(P, q)), JSON.stringify(await lite.list(P, q)));
        }
      });
    }
    test('records, getMany and aggregates read back byte for byte', async () => {
      for (const r of rows) {
        assert.equal(JSON.stringify(await a.get(P, r.id)), JSON.stringify(await lite.get(P, r.id)));
      }
      const ids = rows.map((r) => r.id).reverse();
      const sorted = (list: RecordData[]) => JSON.stringify([...list].sort((x, y) => (x.id < y.id ? -1 : 1)));
      assert.equal(sorted(await a.getMany(P, ids)), sorted(await lite.getMany(P, ids)));
      for (const groupBy of [[], ['active'], ['name'], ['stock', 'active']]) {
        const q = { filter: null, groupBy, sum: ['stock', 'price'] };
        assert.equal(JSON.stringify(await a.aggregate(P, q)), JSON.stringify(await lite.aggregate(P, q)));
      }
    });
  });
}
