/**
 * `methodical serve` over real HTTP: the one listening line, /healthz, a
 * write and a read, --host, PORT, the config found in the current folder,
 * SIGINT, and additive schema changes applied on start.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import {
  cliSandbox,
  freePort,
  holdPort,
  PUBLIC_RULES,
  request,
  type Server,
  SLOW,
  serve,
  tempDir,
  writeJsonConfig,
} from './helpers.js';

const tmp = cliSandbox();

const BOOKS_V1 = {
  collections: { books: { fields: { title: { type: 'text', required: true } }, rules: PUBLIC_RULES } },
};
const BOOKS_V2 = {
  collections: {
    books: {
      fields: { title: { type: 'text', required: true }, pages: { type: 'integer' } },
      rules: PUBLIC_RULES,
    },
  },
};

describe('serve --port 0 --config FILE --data DIR --host 127.0.0.1', SLOW, () => {
  const config = join(tmp.dir, 'books.json');
  const data = join(tmp.dir, 'data');
  let server: Server;
  let id: string;

  before(async () => {
    writeJsonConfig(tmp.dir, BOOKS_V1, 'books.json');
    // --port wins over PORT: PORT names a port in use, which the server must not even try.
    const taken = await holdPort();
    try {
      server = await serve(['--port', '0', '--config', config, '--data', data, '--host', '127.0.0.1'], {
        cwd: tmp.dir,
        env: { PORT: String(taken.port) },
      });
    } finally {
      await taken.release();
    }
  });

  test('prints one line naming the host and the port it picked', () => {
    assert.ok(server.port > 0);
    assert.equal(server.stdout(), `Methodical listening on http://127.0.0.1:${server.port}\n`);
  });

  test('GET /healthz answers 200', async () => {
    const res = await request(`${server.url}/healthz`);
    assert.equal(res.status, 200, res.text);
  });

  test('POST creates a record that GET then returns', async () => {
    const created = await request(`${server.url}/api/books`, { method: 'POST', body: { title: 'Dune' } });
    assert.equal(created.status, 201, created.text);
    id = created.body!.id as string;
    assert.match(id, /^[a-z0-9]{15}$/);
    assert.equal(created.headers.get('location'), `/api/books/${id}`);
    const read = await request(`${server.url}/api/books/${id}`);
    assert.equal(read.status, 200);
    assert.deepEqual(read.body, created.body);
    const list = await request(`${server.url}/api/books`);
    assert.deepEqual(
      (list.body!.items as { id: string }[]).map((r) => r.id),
      [id],
    );
  });

  test('SIGINT stops it with exit code 0, having printed nothing else to stdout', async () => {
    const exit = await server.stop('SIGINT');
    assert.deepEqual(exit, { code: 0, signal: null }, server.stderr());
    assert.equal(server.stdout(), `Methodical listening on http://127.0.0.1:${server.port}\n`);
  });

  test('a field added to the config is there on the next start, for old and new records', async () => {
    writeJsonConfig(tmp.dir, BOOKS_V2, 'books.json');
    const again = await serve(['--port', '0', '--config', config, '--data', data], { cwd: tmp.dir });
    try {
      const old = await request(`${again.url}/api/books/${id}`);
      assert.equal(old.status, 200, old.text);
      assert.equal(old.body!.title, 'Dune');
      assert.equal(old.body!.pages, null);
      const created = await request(`${again.url}/api/books`, {
        method: 'POST',
        body: { title: 'Hyperion', pages: 482 },
      });
      assert.equal(created.status, 201, created.text);
      const read = await request(`${again.url}/api/books/${created.body!.id}`);
      assert.equal(read.body!.pages, 482);
    } finally {
      assert.deepEqual(await again.stop('SIGTERM'), { code: 0, signal: null }, again.stderr());
    }
  });
});

describe('serve with PORT and the config in the current folder', SLOW, () => {
  test('listens on PORT and reads ./methodical.config.json', async () => {
    const { dir, remove } = tempDir();
    try {
      writeJsonConfig(dir, BOOKS_V2);
      const port = await freePort();
      const server = await serve([], { cwd: dir, env: { PORT: String(port) } });
      try {
        assert.equal(server.port, port);
        const created = await request(`${server.url}/api/books`, {
          method: 'POST',
          body: { title: 'Found', pages: 1 },
        });
        assert.equal(created.status, 201, created.text);
      } finally {
        assert.deepEqual(await server.stop(), { code: 0, signal: null }, server.stderr());
      }
    } finally {
      remove();
    }
  });
});

describe('serve: a note for each read the config asks for that no index serves', SLOW, () => {
  test('after the banner, one line each; a declared index silences its note', async () => {
    const dir = join(tmp.dir, 'notes');
    const config = writeJsonConfig(
      tmp.dir,
      {
        collections: {
          posts: {
            fields: {
              status: { type: 'text' },
              readers: { type: 'relation', collection: 'users', multiple: true },
            },
            rules: { ...PUBLIC_RULES, list: 'status = "published"' },
          },
          pages: {
            fields: { status: { type: 'text' } },
            rules: { ...PUBLIC_RULES, list: 'status = "published"' },
            indexes: [['status']],
          },
        },
      },
      'notes.json',
    );
    const server = await serve(['--port', '0', '--config', config, '--data', dir], { cwd: tmp.dir });
    try {
      // The banner and its notes are one write; waiting for the last note waits for all of it.
      await server.stderrIncludes('to find the ones that point to it\n');
      const lines = server
        .stderr()
        .split('\n')
        .filter((l) => l !== '');
      const banner = lines.findIndex((l) => l.startsWith('  data '));
      assert.ok(banner > 0, server.stderr());
      assert.deepEqual(
        lines.slice(banner + 1).filter((l) => l.startsWith('  note ')),
        [
          '  note      posts: the list rule filters on "status", which no index serves, so each list reads every row; declare "indexes": [["status"]] on posts',
          '  note      posts.readers: a relation holding several ids has no index, so deleting a users record reads every posts row to find the ones that point to it',
        ],
      );
      assert.ok(!server.stderr().includes('pages:'), 'pages has its index');
    } finally {
      assert.deepEqual(await server.stop(), { code: 0, signal: null }, server.stderr());
    }
  });
});
