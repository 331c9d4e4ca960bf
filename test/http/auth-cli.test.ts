/**
 * `methodical user create --email E --password P [--admin]` (PRODUCT.md,
 * Commands), run as a real process against a temp config and data folder;
 * the SQLite file is then read through a SqliteStore, and the user logs in
 * through an app over it. Bad flags: exit code 2 and one line.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openFiles } from '../../src/cli/open-store.js';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/types.js';
import { createApp } from '../../src/http/app.js';
import { verifyPassword } from '../../src/service/passwords.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { leakScan, recordOutput, secret } from './auth-helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let dir: string;
let configFile: string;
let dataDir: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/bin.ts', 'user', ...args, '--config', configFile, '--data', dataDir],
      { cwd: ROOT },
      (error, stdout, stderr) => {
        recordOutput(stdout);
        recordOutput(stderr);
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

/** Opens the data folder's SQLite file the way the CLI does, runs `fn`, closes it. */
async function withStore<T>(fn: (store: SqliteStore, config: Config) => Promise<T>): Promise<T> {
  const config = await loadConfig(configFile);
  const store = new SqliteStore({ path: join(dataDir, 'methodical.db'), collections: config.collections });
  try {
    return await fn(store, config);
  } finally {
    await store.close();
  }
}

async function users() {
  const query = {
    filter: null,
    sort: [{ field: 'created', desc: false }],
    limit: 100,
    offset: 0,
    count: false,
  };
  return withStore(async (store) => (await store.list('users', query)).items);
}

function assertOneLine(run: Run, pattern: RegExp): void {
  assert.equal(run.code, 2, `exit code: ${run.stderr}`);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /^[^\n]+\n$/, `one line: ${JSON.stringify(run.stderr)}`);
  assert.match(run.stderr, pattern);
  assert.doesNotMatch(run.stderr, /\bat .+:\d+:\d+/, 'no stack trace');
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'methodical-cli-'));
  configFile = join(dir, 'methodical.config.json');
  dataDir = join(dir, 'data');
  writeFileSync(
    configFile,
    JSON.stringify({ collections: { notes: { fields: { title: { type: 'text' } } } } }),
  );
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('user create', () => {
  const password = secret('cli-admin-password');

  test('--admin: exit 0, one line naming the user; stored lowercased, admin, with an Argon2id hash', async () => {
    const run = await cli('create', '--email', 'Root@Example.COM', '--password', password, '--admin');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Created admin user root@example\.com \(id [a-z0-9]{15}\)\.\n$/);
    const [user] = await users();
    assert.deepEqual(
      { email: user.email, admin: user.admin, name: user.name },
      {
        email: 'root@example.com',
        admin: true,
        name: null,
      },
    );
    const hash = await withStore((store) => store.transaction((tx) => tx.getPasswordHash('users', user.id)));
    assert.match(String(hash), /^\$argon2id\$/);
    assert.equal(await verifyPassword(hash, password), true);
  });

  test('without --admin, with --name: an ordinary user', async () => {
    const run = await cli(
      'create',
      '--email',
      'plain@example.com',
      '--password',
      secret('cli-plain-password'),
      '--name',
      'Plain',
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Created user plain@example\.com/);
    const plain = (await users()).find((u) => u.email === 'plain@example.com');
    assert.deepEqual({ admin: plain?.admin, name: plain?.name }, { admin: false, name: 'Plain' });
  });

  test('the created admin logs in over HTTP and is an admin there', async () => {
    await withStore(async (store, config) => {
      const app = createApp({ config, store, files: openFiles({ data: dataDir }) });
      try {
        const res = await app.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { email: 'root@example.com', password },
        });
        recordOutput(res.body);
        assert.equal(res.statusCode, 200, res.body);
        const token = (JSON.parse(res.body) as { token: string }).token;
        const list = await app.inject({
          method: 'GET',
          url: '/api/users',
          headers: { authorization: `Bearer ${token}` },
        });
        recordOutput(list.body);
        assert.equal(list.statusCode, 200, list.body);
        assert.equal((JSON.parse(list.body) as { totalItems: number }).totalItems, 2);
      } finally {
        await app.close();
      }
    });
  });
});

/** Refusals: exit code 2, one line, and nothing created. */
function refusals(rows: { name: string; args: string[]; message: RegExp }[]) {
  for (const row of rows) {
    test(row.name, async () => {
      const before = await users();
      assertOneLine(await cli(...row.args), row.message);
      assert.deepEqual(await users(), before);
    });
  }
}

// These never open the database, so they may run side by side.
describe('bad flags', { concurrency: true }, () => {
  refusals([
    { name: 'no flags', args: ['create'], message: /--email and --password are required/ },
    {
      name: 'no --password',
      args: ['create', '--email', 'a@example.com'],
      message: /--email and --password/,
    },
    {
      name: 'no --email',
      args: ['create', '--password', 'long-enough-1'],
      message: /--email and --password/,
    },
    { name: 'an unknown flag', args: ['create', '--email', 'a@example.com', '--bogus'], message: /bogus/ },
    { name: 'an unknown action', args: ['delete', '--email', 'a@example.com'], message: /"create"/ },
  ]);
});

describe('values the users collection refuses', () => {
  refusals([
    {
      name: 'a short password',
      args: ['create', '--email', 'b@example.com', '--password', 'short'],
      message: /--password must be 8 to 256/,
    },
    {
      name: 'a bad email',
      args: ['create', '--email', 'nope', '--password', 'long-enough-2'],
      message: /--email must be an email/,
    },
    {
      name: 'a taken email, in another case',
      args: ['create', '--email', 'PLAIN@example.com', '--password', 'long-enough-3'],
      message: /--email must be unique/,
    },
  ]);
});

leakScan();
