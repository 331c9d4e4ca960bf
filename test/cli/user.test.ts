/**
 * `methodical user create`: the users it makes can log in on a served
 * instance (admins as admins), and a taken email fails with a clear message.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
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
  collections: { notes: { fields: { title: { type: 'text' } }, rules: PUBLIC_RULES } },
});
const data = join(tmp.dir, 'data');
const userCreate = (...flags: string[]) =>
  run(['user', 'create', ...flags, '--config', config, '--data', data], { cwd: tmp.dir });

describe('user create', SLOW, () => {
  test('creates an admin with --admin, and a plain user without it', async () => {
    const admin = await userCreate('--email', 'Ada@Example.com', '--password', 'correct horse', '--admin');
    assert.equal(admin.code, 0, admin.stderr);
    assert.equal(lines(admin.stdout).length, 1, admin.stdout);
    assert.match(admin.stdout, /ada@example\.com/);
    assert.match(admin.stdout, /admin/);
    const plain = await userCreate(
      '--email',
      'bob@example.com',
      '--password',
      'battery staple',
      '--name',
      'Bob',
    );
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /bob@example\.com/);
  });

  test('a taken email (in any case) fails with one clear line and creates no one', async () => {
    const result = await userCreate('--email', 'ADA@example.com', '--password', 'another password');
    assert.notEqual(result.code, 0);
    assert.equal(result.stdout, '');
    assert.equal(lines(result.stderr).length, 1, result.stderr);
    assert.match(result.stderr, /email/i);
    assert.match(result.stderr, /already/i);
    assert.doesNotMatch(result.stderr, /^\s+at /m);
  });

  test('a password that is too short fails with exit 2 and one line that says why', async () => {
    const result = await userCreate('--email', 'carol@example.com', '--password', 'short');
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stdout, '');
    assert.equal(lines(result.stderr).length, 1, result.stderr);
    assert.match(result.stderr, /--password/);
  });

  describe('on a served instance', () => {
    let server: Server;
    before(async () => {
      server = await serve(['--port', '0', '--config', config, '--data', data], { cwd: tmp.dir });
    });
    after(async () => {
      assert.deepEqual(await server.stop(), { code: 0, signal: null }, server.stderr());
    });

    const login = (email: string, password: string) =>
      request(`${server.url}/api/auth/login`, { method: 'POST', body: { email, password } });

    test('the admin logs in and is an admin; there are exactly two users', async () => {
      const res = await login('ada@example.com', 'correct horse');
      assert.equal(res.status, 200, res.text);
      const user = res.body!.user as Record<string, unknown>;
      assert.equal(user.email, 'ada@example.com');
      assert.equal(user.admin, true);
      const token = res.body!.token as string;
      assert.equal(typeof token, 'string');
      const me = await request(`${server.url}/api/auth/me`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(me.status, 200, me.text);
      assert.equal(me.body!.email, 'ada@example.com');
      const all = await request(`${server.url}/api/users`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(all.status, 200, all.text);
      assert.equal(all.body!.totalItems, 2);
    });

    test('the plain user logs in and is not an admin', async () => {
      const res = await login('bob@example.com', 'battery staple');
      assert.equal(res.status, 200, res.text);
      const user = res.body!.user as Record<string, unknown>;
      assert.equal(user.admin, false);
      assert.equal(user.name, 'Bob');
    });

    test('the password of the failed duplicate does not log in', async () => {
      const res = await login('ada@example.com', 'another password');
      assert.equal(res.status, 401, res.text);
    });
  });
});
