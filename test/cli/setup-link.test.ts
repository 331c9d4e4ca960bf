/**
 * The first-run path to the first admin: `serve` without an administrator
 * prints a one-time setup link on stderr (stdout keeps its one line), the
 * link creates the admin, and a server with an admin prints none.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { cliSandbox, lines, PUBLIC_RULES, request, run, SLOW, serve, writeJsonConfig } from './helpers.js';

const tmp = cliSandbox();
const config = writeJsonConfig(tmp.dir, {
  collections: { notes: { fields: { title: { type: 'text' } }, rules: PUBLIC_RULES } },
});

const SETUP_LINE =
  /^No administrator yet\. Create the first one at (http:\/\/127\.0\.0\.1:\d+)\/_\/#\/setup\/([A-Za-z0-9_-]{43}) \(valid for 24 hours\), or run: methodical user create --email … --password … --admin$/;

/** The setup line of a server's stderr, once it is there. */
async function setupLink(server: Awaited<ReturnType<typeof serve>>) {
  await server.stderrIncludes('No administrator yet');
  const found = lines(server.stderr()).filter((l) => l.startsWith('No administrator'));
  assert.equal(found.length, 1, server.stderr());
  const match = SETUP_LINE.exec(found[0]);
  assert.ok(match, found[0]);
  return { origin: match[1], token: match[2] };
}

describe('the setup link', SLOW, () => {
  test('no admin: printed on stderr, and the link makes the first admin; the next start prints none', async () => {
    const data = join(tmp.dir, 'fresh');
    const server = await serve(['--port', '0', '--config', config, '--data', data], { cwd: tmp.dir });
    try {
      const { origin, token } = await setupLink(server);
      assert.equal(origin, server.url);
      assert.equal(server.stdout(), `Methodical listening on ${server.url}\n`, 'stdout keeps its one line');
      assert.doesNotMatch(server.stdout(), /setup/);
      // The link's page is the admin page (the fragment is the page's own route)…
      const page = await fetch(`${origin}/_/`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /text\/html/);
      // …which sends the token to the API.
      const made = await request(`${origin}/api/auth/setup`, {
        method: 'POST',
        body: { token, email: 'first@example.com', password: 'correct horse battery' },
      });
      assert.equal(made.status, 201, made.text);
      assert.equal(made.body?.admin, true);
      const cookie = made.headers.get('set-cookie') ?? '';
      assert.match(cookie, /^methodical_session=/);
      const me = await request(`${origin}/api/auth/me`, { headers: { cookie: cookie.split(';')[0] } });
      assert.equal(me.status, 200, me.text);
      assert.equal(me.body?.email, 'first@example.com');
      const again = await request(`${origin}/api/auth/setup`, {
        method: 'POST',
        body: { token, email: 'second@example.com', password: 'correct horse battery' },
      });
      assert.equal(again.status, 409, again.text);
    } finally {
      assert.deepEqual(await server.stop(), { code: 0, signal: null }, server.stderr());
    }
    const next = await serve(['--port', '0', '--config', config, '--data', data], { cwd: tmp.dir });
    try {
      await next.stderrIncludes('data ');
      assert.doesNotMatch(next.stderr(), /No administrator|setup/, next.stderr());
    } finally {
      assert.deepEqual(await next.stop(), { code: 0, signal: null }, next.stderr());
    }
  });

  test('an admin made with `user create --admin`: no setup line', async () => {
    const data = join(tmp.dir, 'with-admin');
    const made = await run(
      ['user', 'create', '--email', 'ada@example.com', '--password', 'correct horse', '--admin'].concat(
        '--config',
        config,
        '--data',
        data,
      ),
      { cwd: tmp.dir },
    );
    assert.equal(made.code, 0, made.stderr);
    const server = await serve(['--port', '0', '--config', config, '--data', data], { cwd: tmp.dir });
    try {
      await server.stderrIncludes('data ');
      assert.deepEqual(
        lines(server.stderr()).filter((l) => !l.startsWith('  ')),
        [],
        'only the banner lines',
      );
    } finally {
      assert.deepEqual(await server.stop(), { code: 0, signal: null }, server.stderr());
    }
  });

  test('publicUrl set: the link names it', async () => {
    const behind = writeJsonConfig(
      tmp.dir,
      {
        publicUrl: 'https://admin.example.org/',
        collections: { notes: { fields: { title: { type: 'text' } } } },
      },
      'behind.json',
    );
    const server = await serve(['--port', '0', '--config', behind, '--data', join(tmp.dir, 'behind')], {
      cwd: tmp.dir,
    });
    try {
      await server.stderrIncludes('No administrator yet');
      assert.match(server.stderr(), /at https:\/\/admin\.example\.org\/_\/#\/setup\/[A-Za-z0-9_-]{43} /);
    } finally {
      assert.deepEqual(await server.stop(), { code: 0, signal: null }, server.stderr());
    }
  });
});
