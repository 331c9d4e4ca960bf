/**
 * `methodical init` and `methodical migrate`: a starter that is never
 * overwritten, a plan printed before anything changes, additive changes
 * applied, destructive ones refused until --allow-destructive.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { cliSandbox, lines, PUBLIC_RULES, request, run, SLOW, serve, writeJsonConfig } from './helpers.js';

const tmp = cliSandbox();

const OWN = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  name: string;
  version: string;
};

describe('init DIR', SLOW, () => {
  const dir = join(tmp.dir, 'starter');
  const configFile = join(dir, 'methodical.config.json');
  const readme = join(dir, 'README.md');

  test('writes methodical.config.json and README.md, creating the folder', async () => {
    const result = await run(['init', dir], { cwd: tmp.dir });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(existsSync(configFile));
    assert.ok(existsSync(readme));
    const config = JSON.parse(readFileSync(configFile, 'utf8'));
    assert.equal(typeof config.collections, 'object');
    assert.ok(readFileSync(readme, 'utf8').length > 0);
    assert.match(result.stdout, /methodical\.config\.json/);
    assert.match(result.stdout, /README\.md/);
    assert.match(result.stdout, /Next: .*npx methodical-server serve$/m);
  });

  test('writes a package.json depending on this package, and a .gitignore for data/', () => {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    assert.equal(pkg.name, 'starter');
    assert.equal(pkg.private, true);
    assert.deepEqual(pkg.dependencies, { 'methodical-server': `^${OWN.version}` });
    assert.equal(pkg.scripts.start, 'methodical serve');
    assert.equal(readFileSync(join(dir, '.gitignore'), 'utf8'), 'node_modules/\ndata/\n');
    assert.match(readFileSync(readme, 'utf8'), /npx methodical-server serve/);
  });

  test('the starter config is valid: migrate --dry-run accepts it', async () => {
    const result = await run(['migrate', '--dry-run', '--config', configFile, '--data', join(dir, 'data')], {
      cwd: tmp.dir,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /create table/);
  });

  test('a second run keeps every file as it is', async () => {
    writeFileSync(configFile, `${JSON.stringify({ collections: {} })}\n`);
    writeFileSync(readme, '# mine\n');
    writeFileSync(join(dir, 'package.json'), '{}\n');
    const result = await run(['init', dir], { cwd: tmp.dir });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(readFileSync(configFile, 'utf8'), '{"collections":{}}\n');
    assert.equal(readFileSync(readme, 'utf8'), '# mine\n');
    assert.equal(readFileSync(join(dir, 'package.json'), 'utf8'), '{}\n');
    assert.equal((result.stdout.match(/^kept /gm) ?? []).length, 4, result.stdout);
  });
});

describe('init my-app && cd my-app && serve', SLOW, () => {
  test('serve in the new folder finds its config, keeps data in ./data and serves the starter collection', async () => {
    const made = await run(['init', 'My App!'], { cwd: tmp.dir });
    assert.equal(made.code, 0, made.stderr);
    const app = join(tmp.dir, 'My App!');
    assert.equal(JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')).name, 'my-app');
    const server = await serve(['--port', '0'], { cwd: app });
    try {
      const created = await request(`${server.url}/api/notes`, { method: 'POST', body: { title: 'First' } });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.body!.done, false);
      const list = await request(`${server.url}/api/notes`);
      assert.equal((list.body!.items as unknown[]).length, 1);
      assert.ok(existsSync(join(app, 'data', 'methodical.db')));
      assert.match(
        server.stderr(),
        new RegExp(`config +${join(app, 'methodical.config.json').replace(/[.!]/g, '\\$&')}`),
      );
    } finally {
      assert.deepEqual(await server.stop(), { code: 0, signal: null }, server.stderr());
    }
  });
});

describe('migrate', SLOW, () => {
  const dir = join(tmp.dir, 'project');
  const data = join(dir, 'data');
  const dbFile = join(data, 'methodical.db');
  const config = (fields: Record<string, unknown>) =>
    writeJsonConfig(dir, { collections: { books: { fields, rules: PUBLIC_RULES } } });
  const migrate = (...flags: string[]) => run(['migrate', ...flags, '--data', data], { cwd: dir });

  function withDb<T>(fn: (db: Database.Database) => T): T {
    const db = new Database(dbFile);
    try {
      return fn(db);
    } finally {
      db.close();
    }
  }
  const tables = () =>
    existsSync(dbFile)
      ? withDb((db) =>
          (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
            (r) => r.name,
          ),
        )
      : [];
  const columns = (table: string) =>
    withDb((db) =>
      (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name),
    );
  const books = () => withDb((db) => db.prepare('SELECT * FROM books ORDER BY id').all());

  test('--dry-run prints the plan and changes nothing', async () => {
    mkdirSync(dir, { recursive: true });
    config({ title: { type: 'text' }, notes: { type: 'text' } });
    const result = await migrate('--dry-run');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /create table books/);
    assert.match(result.stdout, /create table users/);
    assert.ok(!tables().includes('books'), 'no books table yet');
    assert.ok(!tables().includes('users'), 'no users table yet');
  });

  test('applies the plan, and a second run has nothing to do', async () => {
    const result = await migrate();
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /create table books/);
    assert.ok(tables().includes('books'));
    assert.deepEqual(columns('books').sort(), ['created', 'id', 'notes', 'title', 'updated']);
    const again = await migrate();
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /up to date/i);
    assert.doesNotMatch(again.stdout, /create|add|drop/);
  });

  test('applies an additive change: a new field becomes a column, records are kept', async () => {
    withDb((db) =>
      db
        .prepare('INSERT INTO books (id, title, notes, created, updated) VALUES (?, ?, ?, ?, ?)')
        .run('b1', 'Dune', 'precious', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z'),
    );
    config({ title: { type: 'text' }, notes: { type: 'text' }, year: { type: 'integer' } });
    const result = await migrate();
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /add column books\.year/);
    assert.ok(columns('books').includes('year'));
    assert.deepEqual(books(), [
      {
        id: 'b1',
        title: 'Dune',
        notes: 'precious',
        year: null,
        created: '2024-01-01T00:00:00.000Z',
        updated: '2024-01-01T00:00:00.000Z',
      },
    ]);
  });

  test('refuses to drop a field that holds data: non-zero exit, plan printed, data intact', async () => {
    config({ title: { type: 'text' }, year: { type: 'integer' } });
    const result = await migrate();
    assert.notEqual(result.code, 0, result.stdout);
    assert.match(result.stdout, /drop column books\.notes/);
    assert.equal(lines(result.stderr).length, 1, result.stderr);
    assert.match(result.stderr, /--allow-destructive/);
    assert.doesNotMatch(result.stderr, /^\s+at /m);
    assert.ok(columns('books').includes('notes'));
    assert.equal((books()[0] as { notes: string }).notes, 'precious');
  });

  test('--dry-run with a destructive plan prints it and changes nothing', async () => {
    const result = await migrate('--dry-run');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /drop column books\.notes/);
    assert.ok(columns('books').includes('notes'));
  });

  test('--allow-destructive applies it', async () => {
    const result = await migrate('--allow-destructive');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /drop column books\.notes/);
    assert.deepEqual(columns('books').sort(), ['created', 'id', 'title', 'updated', 'year']);
    assert.equal((books()[0] as { title: string }).title, 'Dune');
    const again = await migrate();
    assert.match(again.stdout, /up to date/i);
  });
});

describe('migrate: declared indexes', SLOW, () => {
  const dir = join(tmp.dir, 'indexed');
  const data = join(dir, 'data');
  const dbFile = join(data, 'methodical.db');
  const FIELDS = { title: { type: 'text' }, genre: { type: 'text' }, year: { type: 'integer' } };
  const config = (indexes: unknown[]) =>
    writeJsonConfig(dir, { collections: { books: { fields: FIELDS, rules: PUBLIC_RULES, indexes } } });
  const migrate = (...flags: string[]) => run(['migrate', ...flags, '--data', data], { cwd: dir });
  /** The declared indexes of books and their columns, in order (SQLite names the rowid-less key columns). */
  const indexes = () => {
    const db = new Database(dbFile);
    try {
      const names = (
        db
          .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'books' AND name LIKE '%index'",
          )
          .all() as { name: string }[]
      ).map((r) => r.name);
      return Object.fromEntries(
        names.sort().map((n) => [
          n,
          (
            db.prepare(`PRAGMA index_xinfo("${n}")`).all() as {
              name: string | null;
              desc: number;
              key: number;
            }[]
          )
            .filter((c) => c.key === 1)
            .map((c) => `${c.desc ? '-' : ''}${c.name}`),
        ]),
      );
    } finally {
      db.close();
    }
  };

  test('--dry-run names each declared index it would create, and creates none', async () => {
    mkdirSync(dir, { recursive: true });
    config([['genre', '-year'], { fields: ['title'], unique: true }]);
    const result = await migrate('--dry-run');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /\+ create index books__genre-year-desc__index \(declared: genre, -year\)/);
    assert.match(result.stdout, /\+ create index books__title__unique_index \(declared: unique title\)/);
    assert.ok(!existsSync(dbFile) || Object.keys(indexes()).length === 0);
  });

  test('creates them, a plain one ending in id; a second run has nothing to do', async () => {
    const result = await migrate();
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(indexes(), {
      'books__genre-year-desc__index': ['genre', '-year', 'id'],
      books__title__unique_index: ['title'],
    });
    const again = await migrate();
    assert.match(again.stdout, /up to date/i);
  });

  test('an index the config no longer declares is dropped without --allow-destructive, and says no data is lost', async () => {
    const db = new Database(dbFile);
    db.prepare("INSERT INTO books (id, title, created, updated) VALUES ('b1', 'Dune', 'x', 'x')").run();
    db.close();
    config([{ fields: ['title'], unique: true }]);
    const result = await migrate();
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /\+ drop index books__genre-year-desc__index \(no longer wanted; no data is lost\)/,
    );
    assert.deepEqual(indexes(), { books__title__unique_index: ['title'] });
    const check = new Database(dbFile);
    assert.deepEqual(check.prepare('SELECT id, title FROM books').all(), [{ id: 'b1', title: 'Dune' }]);
    check.close();
  });
});
