/**
 * SIGTERM while a request is in flight: the request still completes, the
 * write is committed, the process exits 0. The request is slowed by a
 * beforeCreate hook, so the config is ./methodical.config.ts, found in the
 * current folder without --config.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { killServers, request, SLOW, serve, tempDir } from './helpers.js';

const tmp = tempDir();
after(() => {
  killServers();
  tmp.remove();
});

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

test('SIGTERM lets the in-flight request finish, then exits 0', SLOW, async () => {
  writeFileSync(join(tmp.dir, 'methodical.config.ts'), CONFIG_TS);
  const server = await serve(['--port', '0'], { cwd: tmp.dir });
  const pending = request(`${server.url}/api/books`, { method: 'POST', body: { title: 'Slow but sure' } });
  // The hook has started, so the request is in flight when the signal lands.
  await server.stderrIncludes(HOOK_STARTED);
  server.child.kill('SIGTERM');
  const res = await pending;
  assert.equal(res.status, 201, res.text);
  assert.equal(res.body!.title, 'Slow but sure');
  assert.deepEqual(await server.exit, { code: 0, signal: null }, server.stderr());
  assert.equal(server.stdout(), `Methodical listening on http://127.0.0.1:${server.port}\n`);

  // Committed and closed: the data folder (./data by default) holds the record.
  const db = new Database(join(tmp.dir, 'data', 'methodical.db'), { readonly: true });
  try {
    const rows = db.prepare('SELECT id, title FROM books').all() as { id: string; title: string }[];
    assert.deepEqual(rows, [{ id: res.body!.id, title: 'Slow but sure' }]);
  } finally {
    db.close();
  }
});
