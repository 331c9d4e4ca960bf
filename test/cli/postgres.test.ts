/**
 * The CLI on PostgreSQL (`--database postgres://…` or DATABASE_URL), when
 * TEST_DATABASE_URL names a server: migrate (dry run first), user create,
 * import, serve and export, all on one schema of this run, dropped afterwards.
 * A URL that reaches no server fails with one line on any machine.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { testSchema } from '../postgres-schema.js';
import {
  cliSandbox,
  lines,
  PUBLIC_RULES,
  request,
  run,
  type Server,
  SLOW,
  serve,
  writeJsonConfig,
} from './helpers.js';

const tmp = cliSandbox();
const config = writeJsonConfig(tmp.dir, {
  collections: {
    books: {
      fields: {
        title: { type: 'text', required: true },
        year: { type: 'integer' },
        inPrint: { type: 'boolean' },
      },
      rules: PUBLIC_RULES,
    },
  },
});
const data = join(tmp.dir, 'data');

test(
  'a --database URL that reaches no server fails with one line naming it (password hidden)',
  SLOW,
  async () => {
    const result = await run(
      ['migrate', '--config', config, '--data', data, '--database', 'postgres://app:s3cret@127.0.0.1:1/nope'],
      { cwd: tmp.dir },
    );
    assert.equal(result.code, 1, result.stderr);
    assert.equal(lines(result.stderr).length, 1, result.stderr);
    assert.match(
      result.stderr,
      /cannot use the PostgreSQL database at postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/nope: /,
    );
    assert.doesNotMatch(result.stderr, /s3cret/);
  },
);

const base = process.env.TEST_DATABASE_URL;

if (!base) {
  test('the CLI on PostgreSQL', { skip: 'set TEST_DATABASE_URL=postgres://… to run it' }, () => {});
} else {
  describe('the CLI on PostgreSQL', SLOW, () => {
    const { schema, url, db } = testSchema(base);
    const flags = ['--config', config, '--data', data, '--database', url];
    const tables = async () =>
      (
        await db.query<{ table_name: string }>(
          'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1',
          [schema],
        )
      ).rows.map((r) => r.table_name);

    test('migrate --dry-run prints the plan and creates no record table', async () => {
      const result = await run(['migrate', '--dry-run', ...flags], { cwd: tmp.dir });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^Plan:$/m);
      assert.match(result.stdout, /\+ create table books \(id, title, year, inPrint, created, updated\)/);
      assert.match(result.stdout, /\+ create table users/);
      assert.ok(!(await tables()).includes('books'));
    });

    test('migrate applies it, and a second run has nothing to do', async () => {
      const result = await run(['migrate', ...flags], { cwd: tmp.dir });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /Applied \d+ change\(s\)\./);
      assert.ok((await tables()).includes('books'));
      const again = await run(['migrate', '--dry-run', ...flags], { cwd: tmp.dir });
      assert.equal(again.stdout, 'The database is up to date with the config.\n');
    });

    test('user create and import write to PostgreSQL', async () => {
      const user = await run(
        ['user', 'create', '--email', 'ada@example.com', '--password', 'correct horse', ...flags],
        {
          cwd: tmp.dir,
        },
      );
      assert.equal(user.code, 0, user.stderr);
      const file = join(tmp.dir, 'db.json');
      writeFileSync(file, JSON.stringify({ books: [{ id: 1, title: 'Dune', year: 1965, inPrint: true }] }));
      const imported = await run(['import', file, ...flags], { cwd: tmp.dir });
      assert.equal(imported.code, 0, imported.stderr);
      assert.equal(imported.stdout, 'Imported 1 books.\n');
      const rows = await db.query(`SELECT id, title, year, "inPrint" FROM "${schema}".books`);
      assert.deepEqual(rows.rows, [{ id: '1', title: 'Dune', year: '1965', inPrint: true }]);
    });

    describe('serve with DATABASE_URL', () => {
      let server: Server;
      before(async () => {
        server = await serve(['--port', '0', '--config', config, '--data', data], {
          cwd: tmp.dir,
          env: { DATABASE_URL: url },
        });
      });
      after(async () => {
        assert.deepEqual(await server.stop(), { code: 0, signal: null }, server.stderr());
      });

      test('POST then GET a record; the row is in PostgreSQL', async () => {
        const created = await request(`${server.url}/api/books`, {
          method: 'POST',
          body: { title: 'Emma', year: 1815, inPrint: false },
        });
        assert.equal(created.status, 201, created.text);
        const id = created.body!.id as string;
        assert.match(created.headers.get('etag') ?? '', /^"/);
        const got = await request(`${server.url}/api/books/${id}`);
        assert.equal(got.status, 200, got.text);
        assert.deepEqual(
          { title: got.body!.title, year: got.body!.year, inPrint: got.body!.inPrint },
          { title: 'Emma', year: 1815, inPrint: false },
        );
        assert.equal(got.headers.get('etag'), created.headers.get('etag'));
        const row = await db.query(`SELECT title, year FROM "${schema}".books WHERE id = $1`, [id]);
        assert.deepEqual(row.rows, [{ title: 'Emma', year: '1815' }]);
        const list = await request(`${server.url}/api/books?sort=year`);
        assert.equal(list.status, 200, list.text);
        assert.deepEqual(
          (list.body!.items as { title: string }[]).map((b) => b.title),
          ['Emma', 'Dune'],
        );
        assert.equal(list.body!.totalItems, 2);
      });

      test('the user made by `user create` logs in', async () => {
        const res = await request(`${server.url}/api/auth/login`, {
          method: 'POST',
          body: { email: 'ada@example.com', password: 'correct horse' },
        });
        assert.equal(res.status, 200, res.text);
        const me = await request(`${server.url}/api/auth/me`, {
          headers: { authorization: `Bearer ${res.body!.token as string}` },
        });
        assert.equal(me.status, 200, me.text);
      });
    });

    test('export reads every record back', async () => {
      const out = join(tmp.dir, 'out.json');
      const result = await run(['export', '--out', out, ...flags], { cwd: tmp.dir });
      assert.equal(result.code, 0, result.stderr);
      const dump = JSON.parse(readFileSync(out, 'utf8'));
      assert.deepEqual(dump.books.map((b: { title: string }) => b.title).sort(), ['Dune', 'Emma']);
      assert.equal(dump.books.find((b: { id: string }) => b.id === '1').year, 1965);
      assert.equal(dump.users.length, 1);
    });
  });
}
