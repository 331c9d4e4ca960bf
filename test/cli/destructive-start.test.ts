/**
 * A config that `migrate` would refuse as destructive is refused by `serve`
 * too, before it listens (exit 2, every such change named, nothing applied),
 * and `migrate --dry-run` never calls a database up to date whose stored
 * values are not of the column's declared type.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { cliSandbox, PUBLIC_RULES, request, run, SLOW, serve, writeJsonConfig } from './helpers.js';

const tmp = cliSandbox();

describe('serve with a destructive schema change', SLOW, () => {
  const dir = join(tmp.dir, 'project');
  const data = join(dir, 'data');
  const dbFile = join(data, 'methodical.db');
  const config = (fields: Record<string, unknown>) =>
    writeJsonConfig(tmp.dir, { collections: { books: { fields, rules: PUBLIC_RULES } } }, 'books.json');
  const args = ['--port', '0', '--config', join(tmp.dir, 'books.json'), '--data', data];
  const rows = () => {
    const db = new Database(dbFile, { readonly: true });
    try {
      const books = db.prepare('SELECT title, year, typeof(year) AS kind FROM books ORDER BY title').all();
      const type = (db.prepare('PRAGMA table_info(books)').all() as { name: string; type: string }[]).find(
        (c) => c.name === 'year',
      )?.type;
      return { books, type };
    } finally {
      db.close();
    }
  };

  test('an integer field holding data retyped to text: exit 2 naming books.year, nothing listens, nothing changes', async () => {
    config({ title: { type: 'text' }, year: { type: 'integer' } });
    const first = await serve(args, { cwd: tmp.dir });
    const created = await request(`${first.url}/api/books`, {
      method: 'POST',
      body: { title: 'Dune', year: 1965 },
    });
    assert.equal(created.status, 201, created.text);
    assert.equal((await first.stop()).code, 0);

    // Also an additive change in the same config: not applied either, since the start is refused.
    config({ title: { type: 'text' }, year: { type: 'text' }, pages: { type: 'integer' } });
    const refused = await serve(args, { cwd: tmp.dir }).then(
      async (server) => {
        const post = await request(`${server.url}/api/books`, {
          method: 'POST',
          body: { title: 'Nineteen', year: 'nineteen' },
        });
        await server.stop('SIGKILL');
        return `it listened (POST answered ${post.status})`;
      },
      (error: Error) => error.message,
    );
    assert.match(refused, /^serve ended \(2\) before listening/, refused);
    assert.match(refused, /books\.year/);
    assert.match(refused, /from INTEGER to TEXT/);
    assert.match(refused, /--allow-destructive/);
    assert.doesNotMatch(refused, /^\s+at /m, 'no stack trace');
    assert.deepEqual(rows(), { books: [{ title: 'Dune', year: 1965, kind: 'integer' }], type: 'INTEGER' });
    const columns = (() => {
      const db = new Database(dbFile, { readonly: true });
      try {
        return (db.prepare('PRAGMA table_info(books)').all() as { name: string }[]).map((c) => c.name);
      } finally {
        db.close();
      }
    })();
    assert.ok(!columns.includes('pages'), 'the additive change is not applied either');
  });

  test('every destructive change is listed at once', async () => {
    config({ year: { type: 'text' } });
    const result = await run(['serve', ...args], { cwd: tmp.dir });
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /drop column books\.title \(holds data\)/);
    assert.match(result.stderr, /retype column books\.year from INTEGER to TEXT/);
    assert.doesNotMatch(result.stderr, /^\s+at /m, 'no stack trace');
  });

  test('user create and import refuse it the same way', async () => {
    const config = join(tmp.dir, 'books.json');
    const user = await run(
      [
        'user',
        'create',
        '--config',
        config,
        '--data',
        data,
        '--email',
        'a@example.com',
        '--password',
        'long enough pw',
      ],
      { cwd: tmp.dir },
    );
    assert.equal(user.code, 2, user.stderr);
    assert.match(user.stderr, /drop column books\.title/);
    const db = join(tmp.dir, 'db.json');
    writeFileSync(db, JSON.stringify({ books: [{ year: 'x' }] }));
    const imported = await run(['import', db, '--config', config, '--data', data], { cwd: tmp.dir });
    assert.equal(imported.code, 2, imported.stderr);
    assert.match(imported.stderr, /retype column books\.year/);
    assert.deepEqual(rows(), { books: [{ title: 'Dune', year: 1965, kind: 'integer' }], type: 'INTEGER' });
  });

  test('the config changed back serves again, with the data as it was', async () => {
    config({ title: { type: 'text' }, year: { type: 'integer' } });
    const server = await serve(args, { cwd: tmp.dir });
    const list = await request(`${server.url}/api/books`);
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(
      ((list.body as { items: unknown[] }).items as { title: string; year: number }[]).map(
        ({ title, year }) => ({ title, year }),
      ),
      [{ title: 'Dune', year: 1965 }],
    );
    assert.equal((await server.stop()).code, 0);
  });

  test('values not of the column type: migrate --dry-run is not "up to date", serve refuses, --allow-destructive clears them', async () => {
    const db = new Database(dbFile);
    db.prepare(
      "INSERT INTO books (id, title, year, created, updated) VALUES ('x1', 'Nineteen', 'nineteen', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z')",
    ).run();
    db.close();
    const dry = await run(['migrate', '--dry-run', '--config', join(tmp.dir, 'books.json'), '--data', data], {
      cwd: tmp.dir,
    });
    assert.equal(dry.code, 0, dry.stderr);
    assert.doesNotMatch(dry.stdout, /up to date/i);
    assert.match(dry.stdout, /! clear 1 value\(s\) of column books\.year that are not INTEGER/);
    const refused = await run(['serve', ...args], { cwd: tmp.dir });
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /books\.year/);
    const applied = await run(
      ['migrate', '--allow-destructive', '--config', join(tmp.dir, 'books.json'), '--data', data],
      { cwd: tmp.dir },
    );
    assert.equal(applied.code, 0, applied.stderr);
    assert.deepEqual(rows().books, [
      { title: 'Dune', year: 1965, kind: 'integer' },
      { title: 'Nineteen', year: null, kind: 'null' },
    ]);
    const again = await run(
      ['migrate', '--dry-run', '--config', join(tmp.dir, 'books.json'), '--data', data],
      {
        cwd: tmp.dir,
      },
    );
    assert.match(again.stdout, /up to date/i);
  });
});
