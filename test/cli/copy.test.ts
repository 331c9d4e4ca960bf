/**
 * `methodical copy`: a SQLite data folder with records, a user and an
 * uploaded file, copied into another store; served from there it answers the
 * same records with the same ETags, the user logs in, the file downloads byte
 * for byte. Into PostgreSQL when TEST_DATABASE_URL names a server (a schema
 * of this run, dropped afterwards), and into another data folder always.
 * A non-empty target is refused unless --allow-non-empty; bad flags are one
 * line and exit 2.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { testSchema } from '../postgres-schema.js';
import {
  assertUsageFailure,
  cliSandbox,
  killServers,
  PUBLIC_RULES,
  request,
  run,
  SLOW,
  serve,
  writeJsonConfig,
} from './helpers.js';

after(killServers);

const tmp = cliSandbox('methodical-copy-');
const config = writeJsonConfig(tmp.dir, {
  collections: {
    books: {
      fields: {
        title: { type: 'text', required: true },
        year: { type: 'integer' },
        price: { type: 'number' },
        inPrint: { type: 'boolean' },
        tags: { type: 'json' },
      },
      rules: PUBLIC_RULES,
    },
    photos: {
      fields: { caption: { type: 'text' }, image: { type: 'file', maxSize: 5_000_000 } },
      rules: PUBLIC_RULES,
    },
  },
});
const source = join(tmp.dir, 'source');
const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';
/** More than one 256 KiB chunk of the PostgreSQL file store, and not text. */
const BYTES = randomBytes(700_000);

interface Snapshot {
  /** id → [JSON body text, ETag] of GET /api/{collection}/{id}. */
  records: Map<string, [string, string]>;
  /** Ids of GET /api/books?sort=year in order. */
  order: string[];
  photo: { id: string; name: string; etag: string };
}

let snapshot: Snapshot;

async function readBack(url: string, ids: readonly string[], collection: string) {
  const out = new Map<string, [string, string]>();
  for (const id of ids) {
    const res = await request(`${url}/api/${collection}/${id}`);
    assert.equal(res.status, 200, res.text);
    out.set(`${collection}/${id}`, [res.text, res.headers.get('etag') ?? '']);
  }
  return out;
}

/** Fills the source: books (one with the caller's id, one with old stamps), a photo and a user. */
before(async () => {
  mkdirSync(source, { recursive: true });
  const user = await run(
    ['user', 'create', '--email', EMAIL, '--password', PASSWORD, '--config', config, '--data', source],
    {
      cwd: tmp.dir,
    },
  );
  assert.equal(user.code, 0, user.stderr);
  const dump = join(tmp.dir, 'old.json');
  writeFileSync(
    dump,
    JSON.stringify({
      books: [
        {
          id: 'old-1',
          title: 'Emma',
          year: 1815,
          created: '2001-02-03T04:05:06.789Z',
          updated: '2002-03-04T05:06:07.891Z',
        },
      ],
    }),
  );
  const imported = await run(['import', dump, '--config', config, '--data', source], { cwd: tmp.dir });
  assert.equal(imported.code, 0, imported.stderr);

  const server = await serve(['--config', config, '--data', source, '--port', '0'], { cwd: tmp.dir });
  try {
    const ids = ['old-1'];
    for (const body of [
      { title: 'Dune', year: 1965, price: 9.99, inPrint: true, tags: ['sf', { n: 1 }] },
      { title: 'Ünïcödé ✓', year: null, price: 0.1, inPrint: false, tags: null },
    ]) {
      const res = await request(`${server.url}/api/books`, { method: 'POST', body });
      assert.equal(res.status, 201, res.text);
      ids.push(res.body!.id as string);
    }
    const put = await request(`${server.url}/api/books/Mine_42`, {
      method: 'PUT',
      body: { title: 'Kept id', year: 2000 },
    });
    assert.equal(put.status, 201, put.text);
    ids.push('Mine_42');

    const form = new FormData();
    form.append('caption', 'noise');
    form.append('image', new Blob([BYTES], { type: 'application/octet-stream' }), 'noise.bin');
    const created = await fetch(`${server.url}/api/photos`, {
      method: 'POST',
      body: form,
      headers: { accept: 'application/json' },
    });
    assert.equal(created.status, 201, await created.clone().text());
    const photo = (await created.json()) as { id: string; image: string };
    const download = await fetch(`${server.url}/api/files/photos/${photo.id}/image/${photo.image}`);
    assert.equal(download.status, 200);
    assert.ok(Buffer.from(await download.arrayBuffer()).equals(BYTES));

    const records = await readBack(server.url, ids, 'books');
    for (const [k, v] of await readBack(server.url, [photo.id], 'photos')) records.set(k, v);
    const list = await request(`${server.url}/api/books?sort=year,title`);
    assert.equal(list.status, 200, list.text);
    snapshot = {
      records,
      order: (list.body!.items as { id: string }[]).map((b) => b.id),
      photo: { id: photo.id, name: photo.image, etag: download.headers.get('etag') ?? '' },
    };
  } finally {
    await server.stop();
  }
});

/** Serves the target and checks it answers like the source did. */
async function assertServedLikeSource(serveFlags: readonly string[], env: Record<string, string> = {}) {
  const server = await serve(['--config', config, '--port', '0', ...serveFlags], { cwd: tmp.dir, env });
  try {
    for (const [key, [text, etag]] of snapshot.records) {
      const res = await request(`${server.url}/api/${key}`);
      assert.equal(res.status, 200, `${key}: ${res.text}`);
      assert.equal(res.text, text, key);
      assert.equal(res.headers.get('etag'), etag, key);
    }
    const list = await request(`${server.url}/api/books?sort=year,title`);
    assert.deepEqual(
      (list.body!.items as { id: string }[]).map((b) => b.id),
      snapshot.order,
    );
    const old = await request(`${server.url}/api/books/old-1`);
    assert.equal(old.body!.created, '2001-02-03T04:05:06.789Z');
    assert.equal(old.body!.updated, '2002-03-04T05:06:07.891Z');

    const login = await request(`${server.url}/api/auth/login`, {
      method: 'POST',
      body: { email: EMAIL, password: PASSWORD },
    });
    assert.equal(login.status, 200, login.text);
    const me = await request(`${server.url}/api/auth/me`, {
      headers: { authorization: `Bearer ${login.body!.token as string}` },
    });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body!.email, EMAIL);
    const wrong = await request(`${server.url}/api/auth/login`, {
      method: 'POST',
      body: { email: EMAIL, password: 'not it at all' },
    });
    assert.equal(wrong.status, 401, wrong.text);

    const { id, name } = snapshot.photo;
    const download = await fetch(`${server.url}/api/files/photos/${id}/image/${name}`);
    assert.equal(download.status, 200);
    const bytes = Buffer.from(await download.arrayBuffer());
    assert.equal(bytes.length, BYTES.length);
    assert.ok(bytes.equals(BYTES), 'the same bytes');
  } finally {
    assert.deepEqual(await server.stop(), { code: 0, signal: null }, server.stderr());
  }
}

const copy = (...args: string[]) => run(['copy', '--config', config, ...args], { cwd: tmp.dir });

describe('methodical copy into another data folder', SLOW, () => {
  const target = join(tmp.dir, 'target');

  test('copies records, the user and the file; the copy is served the same', async () => {
    const result = await copy('--from', source, '--to', target);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      `Copied 1 users, 4 books, 1 photos (1 files) from ${join(source, 'methodical.db')} to ${join(target, 'methodical.db')}.\n`,
    );
    await assertServedLikeSource(['--data', target]);
  });

  test('a target that holds records is refused, and nothing changes', async () => {
    const result = await copy('--from', join(source, 'methodical.db'), '--to', target);
    assert.match(
      assertUsageFailure(result),
      /^methodical copy: the target is not empty \(users, books, photos already hold records\); .*--allow-non-empty/,
    );
  });

  test('--allow-non-empty copies over it (same ids replaced)', async () => {
    const result = await copy('--from', source, '--to', target, '--allow-non-empty');
    assert.equal(result.code, 0, result.stderr);
    await assertServedLikeSource(['--data', target]);
  });
});

test(
  '--to-files puts the uploads in that folder (a shared disk) instead of the target data folder',
  SLOW,
  async () => {
    const target = join(tmp.dir, 'target-shared');
    const shared = join(tmp.dir, 'shared-files');
    const result = await copy('--from', source, '--to', target, '--to-files', shared);
    assert.equal(result.code, 0, result.stderr);
    const { id, name } = snapshot.photo;
    assert.ok(readFileSync(join(shared, 'photos', id, name)).equals(BYTES));
    assert.equal(existsSync(join(target, 'files', 'photos')), false);
  },
);

test('a file its record names but the source lacks: a warning, the rest copied, exit 1', SLOW, async () => {
  const lacking = join(tmp.dir, 'lacking');
  const first = await copy('--from', source, '--to', lacking);
  assert.equal(first.code, 0, first.stderr);
  rmSync(join(lacking, 'files', 'photos'), { recursive: true });
  const result = await copy('--from', lacking, '--to', join(tmp.dir, 'from-lacking'));
  assert.equal(result.code, 1, result.stderr);
  const { id, name } = snapshot.photo;
  assert.equal(
    result.stderr,
    `methodical copy: warning: photos/${id}/${name} is named by its record but not in the source's files\n`,
  );
  assert.match(result.stdout, /^Copied 1 users, 4 books, 1 photos from /);
});

describe('methodical copy: bad flags are one line, exit 2', SLOW, () => {
  const cases: { name: string; args: string[]; message: RegExp }[] = [
    { name: 'no --from', args: ['--to', 'x'], message: /--from is required/ },
    { name: 'no --to', args: ['--from', 'source'], message: /--to is required/ },
    {
      name: 'a source with no database',
      args: ['--from', 'nowhere', '--to', 'x'],
      message: /--from nowhere: no SQLite database there/,
    },
    {
      name: 'a URL that is not postgres',
      args: ['--from', 'mysql://h/d', '--to', 'x'],
      message: /--from must be a postgres:\/\/ URL or a folder/,
    },
    {
      name: 'a target that is a file',
      args: ['--from', 'source', '--to', 'source/methodical.db'],
      message: /--to source\/methodical\.db is a file/,
    },
    {
      name: 'the same database twice',
      args: ['--from', 'source', '--to', 'source'],
      message: /name the same database/,
    },
    {
      name: 'an unknown flag',
      args: ['--from', 'source', '--to', 'x', '--force'],
      message: /methodical copy: Unknown option '--force'/,
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      assert.match(assertUsageFailure(await copy(...c.args)), c.message);
    });
  }
});

const base = process.env.TEST_DATABASE_URL;

if (!base) {
  test('methodical copy into PostgreSQL', { skip: 'set TEST_DATABASE_URL=postgres://… to run it' }, () => {});
} else {
  describe('methodical copy into PostgreSQL', SLOW, () => {
    const { schema, url, db } = testSchema(base, 'methodical_copy_');

    test('copies records, the user with its hash and the file into the schema', async () => {
      const result = await copy('--from', source, '--to', url);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^Copied 1 users, 4 books, 1 photos \(1 files\) from .* to postgres:\/\//);
      const books = await db.query(`SELECT id, created, updated FROM "${schema}".books ORDER BY id`);
      assert.equal(books.rowCount, 4);
      const old = books.rows.find((r) => r.id === 'old-1');
      assert.deepEqual([old.created, old.updated], ['2001-02-03T04:05:06.789Z', '2002-03-04T05:06:07.891Z']);
      const files = await db.query(`SELECT key FROM "${schema}".methodical_files`);
      assert.deepEqual(
        files.rows.map((r) => r.key),
        [`photos/${snapshot.photo.id}/${snapshot.photo.name}`],
      );
    });

    test('serve on PostgreSQL answers the same records and ETags, logs the user in, sends the same bytes', async () => {
      await assertServedLikeSource(['--data', join(tmp.dir, 'unused')], { DATABASE_URL: url });
    });

    test('copying again is refused: the target is not empty', async () => {
      const result = await copy('--from', source, '--to', url);
      assert.match(assertUsageFailure(result), /the target is not empty/);
      const books = await db.query(`SELECT count(*)::int AS n FROM "${schema}".books`);
      assert.equal(books.rows[0].n, 4);
    });

    test('and back: PostgreSQL into a fresh data folder', async () => {
      const back = join(tmp.dir, 'back');
      const result = await copy('--from', url, '--to', back);
      assert.equal(result.code, 0, result.stderr);
      await assertServedLikeSource(['--data', back]);
    });
  });
}
