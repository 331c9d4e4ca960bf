/**
 * SIGTERM while a request is in flight: the request still completes, the
 * write is committed, the process exits 0. The request is slowed by a
 * beforeCreate hook, so the config is ./methodical.config.ts, found in the
 * current folder without --config. The client keeps its connection alive,
 * as browsers and load balancers do.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { Agent, type IncomingHttpHeaders, request } from 'node:http';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { cliSandbox, type Exit, SLOW, serve } from './helpers.js';

const tmp = cliSandbox();

const HOOK_STARTED = 'test hook: beforeCreate started';

const CONFIG_TS = `import { defineConfig } from 'methodical';

export default defineConfig({
  collections: {
    books: {
      fields: { title: { type: 'text', required: true } },
      rules: { list: 'public', view: 'public', create: 'public', update: 'public', delete: 'public' },
    },
  },
  hooks: {
    books: {
      beforeCreate: async () => {
        process.stderr.write(${JSON.stringify(`${HOOK_STARTED}\n`)});
        await new Promise((r) => setTimeout(r, 500));
      },
    },
  },
});
`;

/** A JSON POST over a keep-alive connection of `agent`. */
function post(
  agent: Agent,
  url: string,
  body: unknown,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(text) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('SIGTERM with a request in flight', SLOW, () => {
  const agent = new Agent({ keepAlive: true });
  let response: Awaited<ReturnType<typeof post>>;
  let exit: Exit;
  let stdout: string;
  let port: number;

  test('the request completes and the process exits 0', async () => {
    writeFileSync(join(tmp.dir, 'methodical.config.ts'), CONFIG_TS);
    const server = await serve(['--port', '0'], { cwd: tmp.dir });
    port = server.port;
    const pending = post(agent, `${server.url}/api/books`, { title: 'Slow but sure' });
    // The hook has started, so the request is in flight when the signal lands.
    await server.stderrIncludes(HOOK_STARTED);
    server.child.kill('SIGTERM');
    response = await pending;
    assert.equal(response.status, 201, JSON.stringify(response.body));
    assert.equal(response.body.title, 'Slow but sure');
    // Let go of the idle keep-alive connection, so a server that waits for it can still exit (see below).
    agent.destroy();
    exit = await server.exit;
    stdout = server.stdout();
    assert.deepEqual(exit, { code: 0, signal: null }, server.stderr());
    assert.equal(stdout, `Methodical listening on http://127.0.0.1:${port}\n`);
  });

  test('the write was committed and the database closed', () => {
    // The data folder is ./data by default.
    const db = new Database(join(tmp.dir, 'data', 'methodical.db'), { readonly: true });
    try {
      const rows = db.prepare('SELECT id, title FROM books').all() as { id: string; title: string }[];
      assert.deepEqual(rows, [{ id: response.body.id, title: 'Slow but sure' }]);
    } finally {
      db.close();
    }
  });

  test('the response finished while stopping says Connection: close, so a keep-alive client cannot hold the exit', {}, () => {
    assert.equal(response.headers.connection, 'close');
  });
});
