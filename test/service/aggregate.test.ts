/**
 * RecordReader.aggregate without HTTP: grouped totals as the caller may see
 * them (the list rule becomes part of the one grouped query), the filter
 * language with @auth, and a 400 naming any field that cannot be grouped
 * by or summed. The store is wrapped to count what the reader asks of it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AggregateOptions } from '../../src/config/app-types.js';
import { validateConfig } from '../../src/config/validate.js';
import { compileSchema } from '../../src/schema/compile-schema.js';
import type { RequestContext } from '../../src/service/context.js';
import { RecordReader } from '../../src/service/record-reader.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { StoreReader } from '../../src/store/store.js';
import { Problem } from '../../src/util/problem.js';

const dir = mkdtempSync(join(tmpdir(), 'methodical-aggregate-'));
const config = validateConfig(
  {
    collections: {
      workouts: {
        fields: {
          type: { type: 'select', values: ['run', 'ride', 'swim'], required: true },
          duration: { type: 'integer' },
          distance: { type: 'number' },
          date: { type: 'date' },
          indoor: { type: 'boolean' },
          notes: { type: 'text' },
          tags: { type: 'json' },
          email: { type: 'email' },
          photo: { type: 'file' },
          count: { type: 'integer' },
          partners: { type: 'relation', collection: 'users', multiple: true },
        },
        rules: { list: 'owner', view: 'owner', create: 'auth', update: 'owner', delete: 'owner' },
      },
      secrets: { fields: { kind: { type: 'text' } }, rules: { list: 'admin' } },
      open: { fields: { kind: { type: 'text' } }, rules: { list: 'public' } },
    },
  },
  'test.config.json',
  dir,
);
const store = new SqliteStore({ path: join(dir, 'data.db'), collections: config.collections });
/** Every store method the reader called, in order. */
const calls: string[] = [];
const counted = new Proxy(store, {
  get(target, prop, receiver) {
    const value = Reflect.get(target, prop, receiver);
    if (typeof value !== 'function') return value;
    return (...args: unknown[]) => {
      calls.push(String(prop));
      return (value as (...a: unknown[]) => unknown).apply(target, args);
    };
  },
}) as StoreReader;
const reader = new RecordReader({ store: counted, schema: compileSchema(config), limits: config.limits });

const ANNA: RequestContext = {
  auth: { id: 'anna', email: 'anna@example.com', admin: false },
  ip: '127.0.0.1',
};
const BEN: RequestContext = { auth: { id: 'ben', email: 'ben@example.com', admin: false }, ip: '127.0.0.1' };
const ADMIN: RequestContext = {
  auth: { id: 'root', email: 'root@example.com', admin: true },
  ip: '127.0.0.1',
};
const ANONYMOUS: RequestContext = { auth: null, ip: '127.0.0.1' };

const TYPES = ['run', 'ride', 'swim'] as const;
const MANY = 2000;

before(async () => {
  await store.migrate(await store.planMigration());
  await store.transaction(async (tx) => {
    for (let i = 0; i < MANY; i++) {
      const stamp = new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString();
      await tx.insert('workouts', {
        id: `w${i}`,
        type: TYPES[i % 3],
        duration: 10 + (i % 7),
        distance: i % 5 === 0 ? null : 2.5,
        date: `2024-01-0${1 + (i % 2)}`,
        indoor: i % 4 === 0,
        notes: null,
        tags: null,
        email: null,
        photo: null,
        count: null,
        partners: [],
        owner: i % 10 === 0 ? 'ben' : 'anna',
        created: stamp,
        updated: stamp,
      });
    }
  });
});
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What 2,000 workouts add up to for one owner (null: everyone's), per type. */
function expected(owner: string | null) {
  return TYPES.map((type) => {
    let count = 0;
    let duration = 0;
    let distance = 0;
    for (let i = 0; i < MANY; i++) {
      if (TYPES[i % 3] !== type || (owner !== null && (i % 10 === 0 ? 'ben' : 'anna') !== owner)) continue;
      count++;
      duration += 10 + (i % 7);
      distance += i % 5 === 0 ? 0 : 2.5;
    }
    return { type, count, duration, distance };
  }).sort((a, b) => (a.type < b.type ? -1 : 1));
}

async function problemOf(promise: Promise<unknown>): Promise<Problem> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Problem) return error;
    throw error;
  }
  assert.fail('expected a problem');
}

const TOTALS: AggregateOptions = { groupBy: ['type'], sum: ['duration', 'distance'] };

describe('aggregate: rules as on a list', () => {
  test('each caller gets the totals of their own records only (owner rule), in one store query', async () => {
    for (const [ctx, owner] of [
      [ANNA, 'anna'],
      [BEN, 'ben'],
    ] as const) {
      calls.length = 0;
      assert.deepEqual(await reader.aggregate(ctx, 'workouts', TOTALS), expected(owner));
      assert.deepEqual(calls, ['aggregate'], 'one grouped query; no records loaded');
    }
  });

  test('an admin sees every record counted', async () => {
    const rows = await reader.aggregate(ADMIN, 'workouts', TOTALS);
    assert.deepEqual(rows, expected(null));
    assert.equal(
      rows.reduce((n, r) => n + (r.count as number), 0),
      MANY,
    );
  });

  test('record-independent refusals: 401 for an anonymous caller, 403 for a non-admin', async () => {
    const anonymous = await problemOf(reader.aggregate(ANONYMOUS, 'workouts', TOTALS));
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers['WWW-Authenticate'], 'Bearer realm="methodical"');
    assert.equal((await problemOf(reader.aggregate(ANNA, 'secrets', { groupBy: ['kind'] }))).status, 403);
    assert.deepEqual(await reader.aggregate(ANONYMOUS, 'open', { groupBy: ['kind'] }), []);
    assert.equal((await problemOf(reader.aggregate(ANNA, 'nothing', { groupBy: [] }))).status, 404);
  });
});

describe('aggregate: filter', () => {
  test('a filter narrows the records, with @auth meaning the caller', async () => {
    const rows = await reader.aggregate(ADMIN, 'workouts', {
      groupBy: ['owner', 'indoor'],
      sum: ['duration'],
      filter: 'owner = @auth.id || type = "swim" && date = "2024-01-01"',
    });
    const want = new Map<string, { owner: string; indoor: boolean; count: number; duration: number }>();
    for (let i = 0; i < MANY; i++) {
      if (!(TYPES[i % 3] === 'swim' && i % 2 === 0)) continue;
      const owner = i % 10 === 0 ? 'ben' : 'anna';
      const key = `${owner}/${i % 4 === 0}`;
      const row = want.get(key) ?? { owner, indoor: i % 4 === 0, count: 0, duration: 0 };
      row.count++;
      row.duration += 10 + (i % 7);
      want.set(key, row);
    }
    assert.deepEqual(
      rows,
      [...want.values()].sort(
        (a, b) => a.owner.localeCompare(b.owner) || Number(a.indoor) - Number(b.indoor),
      ),
    );
  });

  test('a filter error is the 400 of the filter language, with its position', async () => {
    const bad = await problemOf(
      reader.aggregate(ANNA, 'workouts', { groupBy: ['type'], filter: 'duration >' }),
    );
    assert.equal(bad.status, 400);
    assert.equal(bad.code, 'invalidFilter');
    assert.equal(typeof bad.extra?.position, 'number');
    const unknown = await problemOf(reader.aggregate(ANNA, 'workouts', { groupBy: [], filter: 'nope = 1' }));
    assert.equal(unknown.code, 'invalidFilter');
    assert.match(unknown.detail, /nope/);
  });

  test('without groupBy: one row of totals, zeros when nothing matches', async () => {
    assert.deepEqual(
      await reader.aggregate(ANNA, 'workouts', { groupBy: [], sum: ['duration'], filter: 'duration > 100' }),
      [{ count: 0, duration: 0 }],
    );
  });
});

describe('aggregate: what may be grouped by and summed', () => {
  const rows: { name: string; options: AggregateOptions; field: string }[] = [
    { name: 'an unknown groupBy field', options: { groupBy: ['nope'] }, field: 'nope' },
    { name: 'a number field in groupBy', options: { groupBy: ['distance'] }, field: 'distance' },
    { name: 'a json field in groupBy', options: { groupBy: ['tags'] }, field: 'tags' },
    { name: 'an email field in groupBy', options: { groupBy: ['email'] }, field: 'email' },
    { name: 'a file field in groupBy', options: { groupBy: ['photo'] }, field: 'photo' },
    { name: 'a multiple relation in groupBy', options: { groupBy: ['partners'] }, field: 'partners' },
    { name: 'a system field in groupBy', options: { groupBy: ['created'] }, field: 'created' },
    { name: 'a field named count', options: { groupBy: [], sum: ['count'] }, field: 'count' },
    { name: 'a text field in sum', options: { groupBy: ['type'], sum: ['notes'] }, field: 'notes' },
    { name: 'a date field in sum', options: { groupBy: ['type'], sum: ['date'] }, field: 'date' },
    { name: 'an unknown sum field', options: { groupBy: ['type'], sum: ['calories'] }, field: 'calories' },
    {
      name: 'a field grouped by and summed',
      options: { groupBy: ['duration'], sum: ['duration'] },
      field: 'duration',
    },
    { name: 'a groupBy field twice', options: { groupBy: ['type', 'type'] }, field: 'type' },
  ];
  for (const row of rows) {
    test(`${row.name}: 400 naming "${row.field}", before any query`, async () => {
      calls.length = 0;
      const problem = await problemOf(reader.aggregate(ADMIN, 'workouts', row.options));
      assert.equal(problem.status, 400);
      assert.equal(problem.code, 'invalidQuery');
      assert.ok(problem.detail.includes(`"${row.field}"`), problem.detail);
      assert.deepEqual(calls, []);
    });
  }

  test('at most 5 groupBy fields and 10 sums', async () => {
    const six = ['type', 'duration', 'date', 'indoor', 'notes', 'owner'];
    const tooMany = await problemOf(reader.aggregate(ADMIN, 'workouts', { groupBy: six }));
    assert.equal(tooMany.status, 400);
    assert.match(tooMany.detail, /at most 5/);
    assert.equal((await reader.aggregate(ADMIN, 'workouts', { groupBy: six.slice(0, 5) })).length > 0, true);
    const sums = Array.from({ length: 11 }, () => 'duration');
    assert.match(
      (await problemOf(reader.aggregate(ADMIN, 'workouts', { groupBy: [], sum: sums }))).detail,
      /at most 10/,
    );
  });

  test('options that are not lists of names: 400', async () => {
    const bad = [
      { groupBy: 'type' },
      { groupBy: [1] },
      { groupBy: [], sum: 'duration' },
      { groupBy: [], filter: 3 },
    ];
    for (const options of bad) {
      const problem = await problemOf(
        reader.aggregate(ADMIN, 'workouts', options as unknown as AggregateOptions),
      );
      assert.equal(problem.status, 400, JSON.stringify(options));
    }
  });
});
