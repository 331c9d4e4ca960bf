/**
 * `methodical init` and `methodical migrate`: a starter that is never
 * overwritten, a plan printed before anything changes, additive changes
 * applied, destructive ones refused until --allow-destructive.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { lines, PUBLIC_RULES, run, SLOW, tempDir, writeJsonConfig } from './helpers.js';

const tmp = tempDir();
after(() => tmp.remove());

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
  });

  test('the starter config is valid: migrate --dry-run accepts it', async () => {
    const result = await run(['migrate', '--dry-run', '--config', configFile, '--data', join(dir, 'data')], {
      cwd: tmp.dir,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /create table/);
  });

  test('a second run keeps both files as they are', async () => {
    writeFileSync(configFile, `${JSON.stringify({ collections: {} })}\n`);
    writeFileSync(readme, '# mine\n');
    const result = await run(['init', dir], { cwd: tmp.dir });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(readFileSync(configFile, 'utf8'), '{"collections":{}}\n');
    assert.equal(readFileSync(readme, 'utf8'), '# mine\n');
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
