/**
 * The in-memory filter (query/evaluate.ts, which realtime checks rules
 * with) against the database's own answer: for every filter, the records
 * it matches in memory are exactly those the SQL list returns, on SQLite
 * (and on PostgreSQL with TEST_DATABASE_URL).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import pg from 'pg';
import { bindAuth } from '../../src/query/bind-auth.js';
import { evaluate } from '../../src/query/evaluate.js';
import { parseFilter } from '../../src/query/parser.js';
import type { CollectionDef, RecordData } from '../../src/schema/types.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';

const c = 'things';
const def: CollectionDef = {
  name: c,
  fields: {
    title: { type: 'text' },
    pages: { type: 'integer' },
    price: { type: 'number' },
    inPrint: { type: 'boolean' },
    published: { type: 'date' },
    owner: { type: 'text' },
    other: { type: 'text' },
    meta: { type: 'json' },
    moods: { type: 'select', values: ['dark', 'funny'], multiple: true },
  },
  rules: { list: 'public', view: 'public', create: 'public', update: 'public', delete: 'public' },
  requireIfMatch: false,
  requireIdempotencyKey: false,
  auth: false,
};

const at = '2024-01-01T00:00:00.000Z';
const RECORDS: RecordData[] = [
  {
    title: 'Dune',
    pages: 412,
    price: 9.5,
    inPrint: true,
    published: '1965-08-01',
    owner: 'u1',
    other: 'u1',
    meta: { a: 1 },
    moods: ['dark'],
  },
  {
    title: 'DUNE MESSIAH',
    pages: 256,
    price: null,
    inPrint: false,
    published: '1969-10-15',
    owner: 'u2',
    other: null,
    meta: null,
    moods: [],
  },
  {
    title: 'Ärger im Öl',
    pages: null,
    price: 0,
    inPrint: null,
    published: null,
    owner: null,
    other: null,
    meta: { dark: 'yes' },
    moods: ['funny', 'dark'],
  },
  {
    title: null,
    pages: 0,
    price: -1.25,
    inPrint: true,
    published: '2001-01-01',
    owner: 'u1',
    other: 'u2',
    meta: [1, 2],
    moods: null,
  },
].map((fields, i) => ({ id: `r${i}`, created: at, updated: at, ...fields }));

const FILTERS = [
  'owner = @auth.id',
  'owner != @auth.id',
  'owner = null',
  'owner != null',
  'owner = other',
  'owner != other',
  'title ~ "dune"',
  'title !~ "dune"',
  'title ~ "ÄRGER"',
  'meta ~ "dark"',
  'meta !~ "dark"',
  'moods ~ "dark"',
  'moods = null',
  'pages > 100',
  'pages <= 256',
  'pages >= 0 && price < 1',
  'price = 0 || inPrint = false',
  'inPrint = true',
  'inPrint != true',
  'published > "1966-01-01"',
  'published <= "1969-10-15"',
  'title < "Dune"',
  'title >= "D"',
];

const AUTH = [{ id: 'u1', email: 'u1@example.com', admin: false }, null];

async function compare(store: Store, name: string): Promise<void> {
  await store.migrate(await store.planMigration());
  await store.transaction(async (tx) => {
    for (const record of RECORDS) await tx.insert(c, record);
  });
  for (const source of FILTERS) {
    for (const auth of AUTH) {
      const filter = bindAuth(parseFilter(source), auth);
      const listed = await store.list(c, { filter, sort: [], limit: 100, offset: 0, count: false });
      const want = listed.items.map((r) => r.id).sort();
      const got = RECORDS.filter((r) => evaluate(filter, r))
        .map((r) => r.id)
        .sort();
      assert.deepEqual(got, want, `${name}: ${source} as ${auth?.id ?? 'anonymous'}`);
    }
  }
}

test('evaluate matches what SQLite selects, for every filter', async () => {
  const store = new SqliteStore({ path: ':memory:', collections: { [c]: def } });
  await compare(store, 'sqlite');
  await store.close();
});

const url = process.env.TEST_DATABASE_URL;
const schema = `methodical_test_${randomBytes(6).toString('hex')}`;
test('evaluate matches what PostgreSQL selects, for every filter', {
  skip: !url && 'set TEST_DATABASE_URL',
}, async () => {
  const store = new PostgresStore({ url: url as string, collections: { [c]: def }, schema });
  try {
    await compare(store, 'postgres');
  } finally {
    await store.close();
  }
});
after(async () => {
  if (!url) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});
