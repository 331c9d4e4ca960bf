/**
 * `methodical import db.json` for a json-server user: with no config one is
 * inferred, written, summed up and used; `export` then gives the same
 * db.json back (ids and shapes). With a config, numeric ids and foreign
 * keys are taken as ids and singular resources go to their single collection.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { inferConfig } from '../../src/config/infer-config.js';
import { PLACEHOLDER_DB } from '../json-placeholder.js';
import { testSchema } from '../postgres-schema.js';
import { assertUsageFailure, cliSandbox, PUBLIC_RULES, run, SLOW, writeJsonConfig } from './helpers.js';

const tmp = cliSandbox('methodical-import-js-');
let serial = 0;

/** A folder of its own holding `db.json`. */
function folderWith(db: unknown): string {
  serial += 1;
  const dir = join(tmp.dir, `case${serial}`);
  mkdirSync(dir);
  writeJsonConfig(dir, db, 'db.json');
  return dir;
}

/** db.json files of the shapes json-server users have, each given back as it was. */
const SHAPES: Record<string, Record<string, unknown>> = {
  'posts and comments with postId, and a profile': {
    posts: [
      { id: 1, title: 'json-server', author: 'typicode' },
      { id: 2, title: 'another', author: 'me' },
    ],
    comments: [
      { id: 1, body: 'some comment', postId: 1 },
      { id: 2, body: 'more', postId: 1 },
      { id: 3, body: 'on two', postId: 2 },
    ],
    profile: { name: 'typicode' },
  },
  'string ids and a relation to them': {
    books: [
      { id: 'dune', title: 'Dune' },
      { id: 'emma-1815', title: 'Emma' },
    ],
    reviews: [{ id: 'r_1', bookId: 'dune', stars: 5 }],
    settings: { id: 'site', theme: 'dark' },
    owner: { id: 1, name: 'me' },
  },
  'mixed types, nested objects and keys some records lack': {
    items: [
      { id: 1, v: 1, meta: { a: { b: [1, 2, { c: true }] } }, tags: ['x', 'y'] },
      { id: 2, v: 'one', price: 1.5, flag: true },
      { id: 10, price: 2, note: '' },
    ],
  },
  '2,500 records, more than an export page, ids out of order': {
    posts: Array.from({ length: 2500 }, (_, i) => ({ id: (i * 7919) % 2500, n: i })),
  },
  "jsonplaceholder's: users, reserved and invalid keys, relations to them": PLACEHOLDER_DB,
  'dates and date-like text': {
    events: [
      { id: 1, day: '2024-05-01', at: '2024-05-01T12:30:00.000Z', label: '2024-05-01T12:30:00Z' },
      { id: 2, day: '2024-02-29', at: '2023-12-31T23:59:59.999Z', label: 'soon' },
    ],
  },
};

describe('import of a db.json with no config, and export back', SLOW, () => {
  for (const [shape, db] of Object.entries(SHAPES)) {
    it(`${shape}: the config is inferred and written, and export deep-equals the file`, async () => {
      const dir = folderWith(db);
      const imported = await run(['import', 'db.json', '--data', 'data'], { cwd: dir });
      assert.equal(imported.code, 0, imported.stderr);
      const written = JSON.parse(readFileSync(join(dir, 'methodical.config.json'), 'utf8'));
      assert.deepEqual(written, inferConfig(db).config);
      assert.match(
        imported.stdout,
        /^No config found: wrote methodical\.config\.json, inferred from db\.json:\n/,
      );
      assert.match(imported.stdout, /Every rule is "public"/);
      const { config } = inferConfig(db);
      const into = new Map(
        Object.entries(config.collections).map(([name, c]) => [c.jsonServerName ?? name, name]),
      );
      const counts = Object.entries(db).map(([k, v]) => {
        const name = into.get(k);
        return `${Array.isArray(v) ? v.length : 1} ${k}${name === k ? '' : ` (into ${name})`}`;
      });
      assert.ok(imported.stdout.endsWith(`Imported ${counts.join(', ')}.\n`), imported.stdout);

      const exported = await run(['export', '--data', 'data'], { cwd: dir });
      assert.equal(exported.code, 0, exported.stderr);
      assert.deepEqual(JSON.parse(exported.stdout), db);
    });
  }

  it('the summary names collections, ids, fields and types; a second import changes nothing', async () => {
    const db = SHAPES['posts and comments with postId, and a profile'];
    const dir = folderWith(db);
    const first = await run(['import', 'db.json', '--data', 'data'], { cwd: dir });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /\n {2}posts +ids 1, 2, 3…; title: text, author: text\n/);
    assert.match(first.stdout, /\n {2}comments +ids 1, 2, 3…; body: text, postId → posts\n/);
    assert.match(first.stdout, /\n {2}profile +one record; name: text\n/);
    // Now the config is there: it is used, not inferred again.
    const again = await run(['import', 'db.json', '--data', 'data'], { cwd: dir });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, 'Imported 2 posts, 3 comments, 1 profile.\n');
    const exported = await run(['export', '--data', 'data'], { cwd: dir });
    assert.deepEqual(JSON.parse(exported.stdout), db);
  });

  it('explicit nulls are left out of the export; top-level values that are not records are reported', async () => {
    const dir = folderWith({ posts: [{ id: 1, title: null, n: 2 }], count: 3 });
    const imported = await run(['import', 'db.json', '--data', 'data'], { cwd: dir });
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /skipped "count": a number, not an array or an object/);
    assert.match(
      imported.stderr,
      /methodical import: left out "count" \(a number, not an array of records\)/,
    );
    const exported = await run(['export', '--data', 'data'], { cwd: dir });
    assert.deepEqual(JSON.parse(exported.stdout), { posts: [{ id: 1, n: 2 }] });
  });

  it('a value that cannot be stored: exit 2 naming the record and key, and the inferred config is removed again', async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    const dir = folderWith({
      posts: [
        { id: 1, title: 'fine' },
        { id: 2, meta: deep },
      ],
    });
    const line = assertUsageFailure(await run(['import', 'db.json', '--data', 'data'], { cwd: dir }));
    assert.match(
      line,
      /^methodical import: db\.json: posts\[1\]: meta must be a JSON value nested at most 63 levels deep/,
    );
    assert.match(line, /\(nothing was imported, and methodical\.config\.json was removed again\)$/);
    assert.ok(!existsSync(join(dir, 'methodical.config.json')));
  });

  it('--config names where the inferred config goes', async () => {
    const dir = folderWith({ posts: [{ id: 1 }] });
    const imported = await run(['import', 'db.json', '--config', 'conf/app.json', '--data', 'data'], {
      cwd: dir,
    });
    assert.match(
      assertUsageFailure(imported),
      /cannot write the inferred config to .*app\.json: no such folder$/,
    );
    const inHere = await run(['import', 'db.json', '--config', 'app.json', '--data', 'data'], { cwd: dir });
    assert.equal(inHere.code, 0, inHere.stderr);
    assert.ok(existsSync(join(dir, 'app.json')));
    assert.ok(!existsSync(join(dir, 'methodical.config.json')));
    assert.match(inHere.stdout, /wrote app\.json/);
    const ts = await run(['import', 'db.json', '--config', 'app.ts', '--data', 'data'], { cwd: dir });
    assert.match(assertUsageFailure(ts), /an inferred config is written as JSON only/);
  });

  it('what cannot be inferred: exit 2 naming each key and record, no stack, no config written', async () => {
    const dir = folderWith({ posts: [{ id: 1.5 }, { 'first name': 'x' }], 'my users': [] });
    const result = await run(['import', 'db.json', '--data', 'data'], { cwd: dir });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /^methodical import: db\.json: cannot infer a config:\n/);
    assert.match(result.stderr, /posts\[0\]: id 1\.5 does not fit/);
    assert.match(result.stderr, /posts\[1\]: key "first name" is not a valid field name/);
    assert.match(result.stderr, /"my users": not a URL path segment/);
    assert.doesNotMatch(result.stderr, /^\s+at /m);
    assert.ok(!existsSync(join(dir, 'methodical.config.json')));
    const broken = folderWith({});
    writeFileSync(join(broken, 'db.json'), '{"posts": [');
    assert.match(
      assertUsageFailure(await run(['import', 'db.json'], { cwd: broken })),
      /^methodical import: db\.json: .*JSON/,
    );
  });
});

describe('import with a config: json-server numbers and singular resources', SLOW, () => {
  it('numeric ids and foreign keys are taken as ids; a profile object fills its single collection', async () => {
    const dir = folderWith({
      posts: [{ id: 1, title: 'a' }],
      comments: [{ id: 7, postId: 1 }, { postId: 1 }],
      profile: { name: 'typicode' },
    });
    writeJsonConfig(dir, {
      collections: {
        posts: { fields: { title: { type: 'text' } }, rules: PUBLIC_RULES, ids: 'increment' },
        comments: {
          fields: { postId: { type: 'relation', collection: 'posts' } },
          rules: PUBLIC_RULES,
          ids: 'increment',
        },
        profile: { fields: { name: { type: 'text' } }, rules: PUBLIC_RULES, single: true },
      },
    });
    const imported = await run(['import', 'db.json', '--data', 'data'], { cwd: dir });
    assert.equal(imported.code, 0, imported.stderr);
    assert.equal(imported.stdout, 'Imported 1 posts, 2 comments, 1 profile.\n');
    const dump = JSON.parse((await run(['export', '--data', 'data'], { cwd: dir })).stdout);
    // Without jsonServer: true the export is the API's shape: string ids, timestamps, every field.
    assert.deepEqual(
      dump.comments.map((c: Record<string, unknown>) => [c.id, c.postId]),
      [
        ['7', '1'],
        ['8', '1'],
      ],
      'the comment without an id is numbered after the largest one given',
    );
    assert.deepEqual(
      dump.profile.map((p: Record<string, unknown>) => [p.id, p.name]),
      [['profile', 'typicode']],
    );
    // A profile with another id than the stored one is refused, naming both.
    writeJsonConfig(dir, { profile: { id: 'me', name: 'x' } }, 'other.json');
    const other = await run(['import', 'other.json', '--data', 'data'], { cwd: dir });
    assert.match(assertUsageFailure(other), /profile holds one record at most and has "profile" already/);
  });

  it('an id that is not a valid id is refused, naming the record', async () => {
    const dir = folderWith({ posts: [{ id: 'a b', title: 'x' }] });
    writeJsonConfig(dir, {
      collections: { posts: { fields: { title: { type: 'text' } }, rules: PUBLIC_RULES } },
    });
    const line = assertUsageFailure(await run(['import', 'db.json', '--data', 'data'], { cwd: dir }));
    assert.match(line, /posts\[0\]: id "a b" is not a valid id/);
  });
});

const base = process.env.TEST_DATABASE_URL;
describe('import and export of a db.json on PostgreSQL', {
  ...SLOW,
  skip: !base && 'set TEST_DATABASE_URL',
}, () => {
  const { url, schema, db } = testSchema(base ?? 'postgres://unused');
  it('the same round trip, and the counter row follows the imported ids', async () => {
    const file = SHAPES['posts and comments with postId, and a profile'];
    const dir = folderWith(file);
    const imported = await run(['import', 'db.json', '--database', url], { cwd: dir });
    assert.equal(imported.code, 0, imported.stderr);
    const exported = await run(['export', '--database', url], { cwd: dir });
    assert.equal(exported.code, 0, exported.stderr);
    assert.deepEqual(JSON.parse(exported.stdout), file);
    const counters = await db.query(`SELECT collection, last FROM "${schema}"._id_counters ORDER BY 1`);
    assert.deepEqual(counters.rows, [
      { collection: 'comments', last: '3' },
      { collection: 'posts', last: '2' },
    ]);
  });
});

describe("jsonplaceholder's db.json on PostgreSQL", {
  ...SLOW,
  skip: !base && 'set TEST_DATABASE_URL',
}, () => {
  const { url, schema, db } = testSchema(base ?? 'postgres://unused');
  it('import then export gives back its keys (users, blog-posts, 2024), stored as json_<key>', async () => {
    const dir = folderWith(PLACEHOLDER_DB);
    const imported = await run(['import', 'db.json', '--database', url], { cwd: dir });
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /\n {2}json_users \("users"\) +ids 1, 2, 3…; name: text/);
    assert.match(imported.stdout, /\nRenamed: a key that cannot be a collection name/);
    const exported = await run(['export', '--database', url], { cwd: dir });
    assert.equal(exported.code, 0, exported.stderr);
    assert.deepEqual(JSON.parse(exported.stdout), PLACEHOLDER_DB);
    const tables = await db.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name LIKE 'json%' ORDER BY 1`,
      [schema],
    );
    assert.deepEqual(
      tables.rows.map((r) => r.table_name),
      ['json_2024', 'json_blog_posts', 'json_users'],
    );
  });
});
