/**
 * copyStore without the CLI: many pages of records (ids that sort
 * differently by case and punctuation), users with their password hashes,
 * files streamed across, a file a record names but the source lacks, the
 * seed marker, a non-empty target refused. Reads are checked to stay within
 * one page at a time.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { validateConfig } from '../../src/config/validate.js';
import { LocalFileStorage } from '../../src/files/local/local-storage.js';
import { PostgresFileStorage } from '../../src/files/postgres/postgres-storage.js';
import type { RecordData } from '../../src/schema/types.js';
import { CopyError, type CopyProgress, copyStore } from '../../src/service/copy-store.js';
import { SEED_MARKER } from '../../src/service/seed.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { ListQuery, Store } from '../../src/store/store.js';

const dir = mkdtempSync(join(tmpdir(), 'methodical-copy-store-'));
const config = validateConfig(
  {
    collections: {
      notes: { fields: { body: { type: 'text' }, n: { type: 'integer' }, meta: { type: 'json' } } },
      photos: { fields: { image: { type: 'file', multiple: true } } },
    },
  },
  'test.config.json',
  dir,
);
const open = (name: string) =>
  new SqliteStore({ path: join(dir, `${name}.db`), collections: config.collections });

const BATCH = 7;
const NOTES = 53;
/** Ids whose byte order differs from a case-insensitive or numeric one. */
const noteId = (i: number) => `${['A', 'a', 'Z', '_', '-', 'b'][i % 6]}${i}`;
const stamp = (i: number) => new Date(Date.UTC(2020, 0, 1, 0, 0, i)).toISOString();

const source = open('source');
const target = open('target');
const sourceFiles = new LocalFileStorage(join(dir, 'source-files'));
const targetFiles = new LocalFileStorage(join(dir, 'target-files'));
/** The limits of every list call the copy made on the source. */
const limits: number[] = [];
const watched = new Proxy(source, {
  get(t, prop, receiver) {
    const value = Reflect.get(t, prop, receiver);
    if (prop === 'list') {
      return (collection: string, query: ListQuery) => {
        limits.push(query.limit);
        return t.list(collection, query);
      };
    }
    return typeof value === 'function' ? value.bind(t) : value;
  },
}) as Store;

const all = async (store: Store, collection: string) =>
  (
    await store.list(collection, {
      filter: null,
      sort: [{ field: 'id', desc: false }],
      limit: 10_000,
      offset: 0,
      count: false,
    })
  ).items;

async function putFile(key: string, text: string) {
  const staged = await sourceFiles.stage(Readable.from([Buffer.from(text)]), 1000);
  await sourceFiles.commit(staged.token, key, { type: 'text/plain', originalName: 'orig.txt' });
}

async function readAll(key: string) {
  const chunks: Buffer[] = [];
  for await (const chunk of await targetFiles.read(key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

before(async () => {
  for (const store of [source, target]) await store.migrate(await store.planMigration());
  await source.transaction(async (tx) => {
    for (let i = 0; i < NOTES; i++) {
      await tx.insert('notes', {
        id: noteId(i),
        body: i % 5 === 0 ? null : `note ${i}`,
        n: i,
        meta: { i, list: [i, 'x'] },
        created: stamp(i),
        updated: stamp(i + 1000),
      } as RecordData);
    }
    for (const [id, email] of [
      ['u1', 'ada@example.com'],
      ['u2', 'bob@example.com'],
    ]) {
      await tx.insert('users', {
        id,
        email,
        name: null,
        admin: id === 'u1',
        created: stamp(1),
        updated: stamp(2),
      } as unknown as RecordData);
      await tx.setPasswordHash('users', id, `$argon2id$hash-of-${id}`);
    }
    await tx.insert('photos', {
      id: 'p1',
      image: ['one.txt', 'two.txt'],
      created: stamp(3),
      updated: stamp(4),
    } as unknown as RecordData);
    await tx.insert('photos', {
      id: 'p2',
      image: ['gone.txt'],
      created: stamp(5),
      updated: stamp(6),
    } as unknown as RecordData);
    await tx.setMarker(SEED_MARKER, '2024-05-06T07:08:09.000Z');
  });
  await putFile('photos/p1/one.txt', 'first file');
  await putFile('photos/p1/two.txt', 'second file, longer');
});

after(async () => {
  await source.close();
  await target.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('copyStore', () => {
  const progress: CopyProgress[] = [];
  let missing: string[] = [];

  test('copies every record as stored, a page at a time', async () => {
    const result = await copyStore(
      watched,
      target,
      config.collections,
      { from: sourceFiles, to: targetFiles },
      { batch: BATCH, onProgress: (p) => progress.push(p) },
    );
    missing = result.missingFiles;
    assert.deepEqual(Object.fromEntries(result.counts), {
      users: { records: 2, files: 0 },
      notes: { records: NOTES, files: 0 },
      photos: { records: 2, files: 2 },
    });
    for (const name of ['users', 'notes', 'photos']) {
      assert.deepEqual(await all(target, name), await all(source, name), name);
    }
    assert.ok(
      limits.every((l) => l === BATCH),
      `every read is one page: ${limits}`,
    );
    const notePages = progress.filter((p) => p.collection === 'notes').map((p) => p.records);
    assert.deepEqual(
      notePages,
      Array.from({ length: Math.ceil(NOTES / BATCH) }, (_, i) => Math.min(NOTES, (i + 1) * BATCH)),
    );
  });

  test('users keep their password hashes; the seed marker its time', async () => {
    const hashes = await target.transaction(async (tx) => [
      await tx.getPasswordHash('users', 'u1'),
      await tx.getPasswordHash('users', 'u2'),
      await tx.getMarker(SEED_MARKER),
    ]);
    assert.deepEqual(hashes, ['$argon2id$hash-of-u1', '$argon2id$hash-of-u2', '2024-05-06T07:08:09.000Z']);
  });

  test('files come across byte for byte with their metadata; a missing one is reported', async () => {
    assert.equal(await readAll('photos/p1/one.txt'), 'first file');
    assert.equal(await readAll('photos/p1/two.txt'), 'second file, longer');
    const info = await targetFiles.stat('photos/p1/two.txt');
    assert.deepEqual([info?.type, info?.originalName, info?.size], ['text/plain', 'orig.txt', 19]);
    assert.deepEqual(missing, ['photos/p2/gone.txt']);
  });

  test('a target holding records is refused and left as it was', async () => {
    const before = await all(target, 'notes');
    await assert.rejects(
      copyStore(source, target, config.collections, undefined),
      (error) =>
        error instanceof CopyError &&
        /the target is not empty \(users, notes, photos already hold records\)/.test(error.message),
    );
    assert.deepEqual(await all(target, 'notes'), before);
  });
});

const base = process.env.TEST_DATABASE_URL;
if (!base) {
  test('copyStore through PostgreSQL', { skip: 'set TEST_DATABASE_URL=postgres://… to run it' }, () => {});
} else {
  describe('copyStore through PostgreSQL', () => {
    const schema = `methodical_copy_store_${process.pid}`;
    const admin = new pg.Client({ connectionString: base });
    let middle: PostgresStore;
    let middleFiles: PostgresFileStorage;
    const back = open('back');
    const backFiles = new LocalFileStorage(join(dir, 'back-files'));

    before(async () => {
      await admin.connect();
      await admin.query(`CREATE SCHEMA "${schema}"`);
      middle = new PostgresStore({ url: base, schema, collections: config.collections });
      middleFiles = new PostgresFileStorage({ url: base, schema });
      await middle.migrate(await middle.planMigration());
      await back.migrate(await back.planMigration());
    });
    after(async () => {
      await middleFiles?.close();
      await middle?.close();
      await back.close();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    });

    test('SQLite → PostgreSQL → SQLite, a page at a time, gives back the same records, hashes and files', async () => {
      const there = await copyStore(
        source,
        middle,
        config.collections,
        { from: sourceFiles, to: middleFiles },
        { batch: BATCH },
      );
      assert.equal(there.counts.get('notes')?.records, NOTES);
      const again = await copyStore(
        middle,
        back,
        config.collections,
        { from: middleFiles, to: backFiles },
        { batch: BATCH },
      );
      assert.deepEqual(Object.fromEntries(again.counts), Object.fromEntries(there.counts));
      for (const name of ['users', 'notes', 'photos']) {
        assert.deepEqual(await all(middle, name), await all(source, name), `${name} in PostgreSQL`);
        assert.deepEqual(await all(back, name), await all(source, name), `${name} back in SQLite`);
      }
      const hash = await back.transaction((tx) => tx.getPasswordHash('users', 'u2'));
      assert.equal(hash, '$argon2id$hash-of-u2');
      const chunks: Buffer[] = [];
      for await (const chunk of await backFiles.read('photos/p1/two.txt')) chunks.push(chunk as Buffer);
      assert.equal(Buffer.concat(chunks).toString(), 'second file, longer');
    });
  });
}
